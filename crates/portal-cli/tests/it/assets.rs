//! `portal assets|folders|quota|legal-hold|transforms|share` end to end
//! against an in-process sandbox.

#![allow(clippy::unwrap_used)]

use std::io::Write;

use portal_sandbox::{RateLimits, SandboxConfig};
use serde_json::Value;

use crate::support::{json, stderr, Sandboxed as Env};

async fn env() -> Env {
    Env::start(SandboxConfig {
        seed_assets: 45,
        rate_limits: RateLimits::unlimited(),
        ..SandboxConfig::default()
    })
    .await
}

const ADMIN: &str = "admin@eventzr.com";
const ORGANIZER: &str = "organizer@eventzr.com";

fn temp_file(dir: &tempfile::TempDir, name: &str, size: usize) -> String {
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        f.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_pages_and_all_follows_has_more() {
    let env = env().await;
    let page = json(&env.as_vault_user("dev@eventzr.com", &["assets", "list", "--json"]));
    assert_eq!(page.as_array().unwrap().len(), 20);
    let second = json(&env.as_vault_user(
        "dev@eventzr.com",
        &["assets", "list", "--page", "2", "--limit", "20", "--json"],
    ));
    assert_ne!(page[0]["id"], second[0]["id"]);

    let before = env.count("GET", "/vault/vault/v1/assets");
    let all = json(&env.as_vault_user(
        "dev@eventzr.com",
        &["assets", "list", "--limit", "7", "--all", "--json"],
    ));
    let all = all.as_array().unwrap();
    assert!(all.len() >= 45);
    let mut ids: Vec<&str> = all.iter().map(|a| a["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len());
    assert_eq!(
        env.count("GET", "/vault/vault/v1/assets") - before,
        all.len().div_ceil(7)
    );
    // The API's fields, as the service sent them.
    for field in ["id", "tenant_id", "name", "size", "tags", "legal_hold"] {
        assert!(all[0].get(field).is_some(), "no {field}");
    }

    let table = env.as_vault_user("dev@eventzr.com", &["assets", "list", "--limit", "3"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("ID"), "{text}");
    assert_eq!(text.lines().count(), 4);
    let bad = env.as_vault_user("dev@eventzr.com", &["assets", "list", "--sort", "colour"]);
    assert_eq!(bad.status.code(), Some(2));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_update_transform_share_and_folders() {
    let env = env().await;
    let dir = tempfile::tempdir().unwrap();
    let file = temp_file(&dir, "launch.mp4", 3 * 1024 * 1024 + 7);

    let folder = json(&env.as_vault_user(
        ORGANIZER,
        &["folders", "create", "--name", "Launch", "--json"],
    ));
    let folder_id = folder["id"].as_str().unwrap().to_owned();
    let child = json(&env.as_vault_user(
        ORGANIZER,
        &[
            "folders", "create", "--name", "Cuts", "--parent", &folder_id, "--json",
        ],
    ));
    assert_eq!(child["parent_id"], folder_id.as_str());
    let folders = json(&env.as_vault_user(ORGANIZER, &["folders", "list", "--json"]));
    assert!(folders.as_array().unwrap().len() >= 2);

    let asset = json(&env.as_vault_user(
        ORGANIZER,
        &[
            "assets", "upload", &file, "--folder", &folder_id, "--tag", "launch", "--json",
        ],
    ));
    let id = asset["id"].as_str().unwrap().to_owned();
    assert_eq!(asset["name"], "launch.mp4");
    assert_eq!(asset["size"], 3 * 1024 * 1024 + 7);
    assert_eq!(asset["content_type"], "video/mp4");
    assert_eq!(asset["folder_id"], folder_id.as_str());
    assert_eq!(asset["has_content"], true);

    let shown = json(&env.as_vault_user(ORGANIZER, &["assets", "show", &id, "--json"]));
    assert_eq!(shown["id"], id.as_str());
    let text = env.as_vault_user(ORGANIZER, &["assets", "show", &id]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("launch.mp4"));

    let updated = json(&env.as_vault_user(
        ORGANIZER,
        &[
            "assets",
            "update",
            &id,
            "--name",
            "Launch final",
            "--root",
            "--tag",
            "a",
            "--tag",
            "b",
            "--json",
        ],
    ));
    assert_eq!(updated["name"], "Launch final");
    assert_eq!(updated["folder_id"], Value::Null);
    assert_eq!(updated["tags"], serde_json::json!(["a", "b"]));
    let nothing = env.as_vault_user(ORGANIZER, &["assets", "update", &id]);
    assert_eq!(nothing.status.code(), Some(2));

    let t = json(&env.as_vault_user(
        ORGANIZER,
        &[
            "transforms",
            "request",
            &id,
            "--kind",
            "thumbnail",
            "--json",
        ],
    ));
    assert_eq!(t["type"], "thumbnail");
    assert_eq!(t["status"], "requested");
    let list = json(&env.as_vault_user(ORGANIZER, &["transforms", "list", &id, "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let bad_kind = env.as_vault_user(ORGANIZER, &["transforms", "request", &id, "--kind", "blur"]);
    assert_eq!(bad_kind.status.code(), Some(2));

    let share =
        json(&env.as_vault_user(ORGANIZER, &["share", &id, "--expires-in", "7d", "--json"]));
    assert!(share["url"].as_str().unwrap().contains("/vault/shares/"));
    assert!(share["expires_at"].is_string());
    let plain = env.as_vault_user(ORGANIZER, &["share", &id, "--expires-in", "2h"]);
    assert!(String::from_utf8_lossy(&plain.stdout).starts_with("http"));
    let too_long = env.as_vault_user(ORGANIZER, &["share", &id, "--expires-in", "45d"]);
    assert_eq!(too_long.status.code(), Some(2));

    let quota = json(&env.as_vault_user(ORGANIZER, &["quota", "--json"]));
    assert!(quota["bytes_used"].as_u64().unwrap() >= 3 * 1024 * 1024);
    assert!(quota["assets_limit"].as_u64().unwrap() > 0);
    let human = env.as_vault_user(ORGANIZER, &["quota"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("storage"));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_asset_is_not_deleted_and_changes_are_logged() {
    let env = env().await;
    let asset = json(&env.as_vault_user(ADMIN, &["assets", "list", "--limit", "1", "--json"]));
    let id = asset[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/vault/vault/v1/assets/{id}");

    let hold = json(&env.as_vault_user(
        ADMIN,
        &["legal-hold", "set", &id, "--reason", "Case 42", "--json"],
    ));
    assert_eq!(hold["active"], true);
    let refused = env.as_vault_user(ADMIN, &["assets", "delete", &id, "--yes"]);
    assert_eq!(refused.status.code(), Some(5));
    let err = stderr(&refused);
    assert!(
        err.contains("legal hold") && err.contains("Case 42"),
        "{err}"
    );
    assert_eq!(env.count("DELETE", &path), 0);

    let cleared = json(&env.as_vault_user(
        ADMIN,
        &[
            "legal-hold",
            "clear",
            &id,
            "--reason",
            "Case closed",
            "--json",
        ],
    ));
    assert_eq!(cleared["active"], false);
    let no_yes = env.as_vault_user(ADMIN, &["assets", "delete", &id]);
    assert_eq!(no_yes.status.code(), Some(2));
    assert!(stderr(&no_yes).contains("--yes"));
    let deleted = json(&env.as_vault_user(ADMIN, &["assets", "delete", &id, "--yes", "--json"]));
    assert_eq!(deleted["deleted"], true);
    assert_eq!(env.count("DELETE", &path), 1);
    let gone = env.as_vault_user(ADMIN, &["assets", "show", &id]);
    assert_eq!(gone.status.code(), Some(4));

    let log = std::fs::read_to_string(env.data.path().join("activity.jsonl")).unwrap();
    let actions: Vec<String> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        actions,
        vec!["legal_hold_set", "legal_hold_clear", "asset_delete"]
    );
    assert!(log.contains("Case 42") && log.contains(&id));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_delete_reports_what_was_skipped() {
    let env = env().await;
    let list = json(&env.as_vault_user(ADMIN, &["assets", "list", "--limit", "2", "--json"]));
    let a = list[0]["id"].as_str().unwrap().to_owned();
    let b = list[1]["id"].as_str().unwrap().to_owned();
    json(&env.as_vault_user(
        ADMIN,
        &["legal-hold", "set", &b, "--reason", "audit", "--json"],
    ));
    let out = env.as_vault_user(
        ADMIN,
        &["assets", "delete", &a, &b, "missing-id", "--yes", "--json"],
    );
    assert!(!out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["deleted"], serde_json::json!([a]));
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0]["id"], b.as_str());
    assert_eq!(skipped[0]["code"], "conflict");
    assert_eq!(skipped[1]["code"], "not_found");
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_and_tenants_are_enforced() {
    let env = env().await;
    let list = json(&env.as_vault_user(ADMIN, &["assets", "list", "--limit", "1", "--json"]));
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let dev = "dev@eventzr.com";
    for args in [
        vec!["assets", "delete", id.as_str(), "--yes"],
        vec!["folders", "create", "--name", "Nope"],
        vec!["share", id.as_str()],
        vec!["legal-hold", "set", id.as_str(), "--reason", "x"],
    ] {
        let out = env.as_vault_user(dev, &args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("FORBIDDEN"), "{}", stderr(&out));
    }
    let organizer_delete = env.as_vault_user(ORGANIZER, &["assets", "delete", &id, "--yes"]);
    assert_eq!(organizer_delete.status.code(), Some(3));
    // Read-only actions work for a user.
    json(&env.as_vault_user(dev, &["legal-hold", "show", &id, "--json"]));
    json(&env.as_vault_user(dev, &["quota", "--json"]));

    let acme = env.as_vault_user("admin@acme.test", &["assets", "show", &id]);
    assert_eq!(acme.status.code(), Some(4));
    let theirs =
        json(&env.as_vault_user("admin@acme.test", &["assets", "list", "--all", "--json"]));
    assert!(theirs
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != id.as_str()));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_vault_can_remember_the_password() {
    let env = env().await;
    // Without a profile for the sandbox's URL there is nowhere to keep it:
    // the command-line profile's credentials belong to the default URLs.
    let out = env.as_vault_user(ADMIN, &["login", "vault", "--remember"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not stored in the profile"),
        "{}",
        stderr(&out)
    );
    // PORTAL_VAULT_URL gives the new profile its vault URL.
    let out = env.as_vault_user(ADMIN, &["profile", "add", "Local", "-e", "sandbox"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.as_vault_user(ADMIN, &["login", "vault", "--remember"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("password is kept"),
        "{}",
        stderr(&out)
    );
    let out = env.as_vault_user(ADMIN, &["login", "vault"]);
    assert!(out.status.success());
    assert!(!stderr(&out).contains("password is kept"));
    let out = env.as_vault_user(ADMIN, &["logout", "vault"]);
    assert!(out.status.success(), "{}", stderr(&out));
    env.sandbox.shutdown().await;
}
