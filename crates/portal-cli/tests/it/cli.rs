//! The `portal` binary end to end against an in-process sandbox.

#![allow(clippy::unwrap_used)]

use std::process::Output;

use assert_cmd::Command;
use portal_sandbox::SandboxConfig;
use serde_json::Value;

use crate::support::{json, stderr, Sandboxed as Env};

async fn env() -> Env {
    Env::start(SandboxConfig {
        seed_assets: 45,
        ..SandboxConfig::default()
    })
    .await
}

#[test]
fn help_lists_the_command_groups() {
    let out = Command::cargo_bin("portal")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for group in [
        "profile",
        "login",
        "tokens",
        "jwt",
        "keys",
        "assets",
        "status",
        "sandbox",
        "completions",
    ] {
        assert!(text.contains(group), "--help lacks {group}:\n{text}");
    }
}

#[test]
fn secrets_are_never_accepted_as_flags() {
    let out = Command::cargo_bin("portal")
        .unwrap()
        .args(["tokens", "list", "--token", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unexpected argument '--token'"));
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_create_list_revoke() {
    let env = env().await;
    let created = json(&env.portal(&[
        "tokens",
        "create",
        "--name",
        "CI/CD Pipeline",
        "--scope",
        "content:write",
        "--scope",
        "content:read",
        "--expires-in",
        "30d",
        "--json",
    ]));
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created["token"].as_str().unwrap().starts_with("vst_live_"));
    assert_eq!(
        created["scopes"],
        serde_json::json!(["content:write", "content:read"])
    );

    let list = json(&env.portal(&["tokens", "list", "--json"]));
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("new token listed");
    assert!(
        listed.get("token").is_none(),
        "a list must never carry token values"
    );
    assert!(!list
        .to_string()
        .contains(created["token"].as_str().unwrap()));

    let out = env.portal(&["tokens", "revoke", &id, "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = json(&env.portal(&["tokens", "list", "--json"]));
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["id"] != id.as_str()));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_fails_before_any_request() {
    let env = env().await;
    // Nothing listens on this URL: a request would fail with `unavailable`.
    let out = env
        .bare()
        .env("PORTAL_VAULTSTREAM_URL", "http://127.0.0.1:9")
        .env("PORTAL_VAULTSTREAM_TOKEN", "vst_live_x")
        .args([
            "tokens",
            "create",
            "--name",
            "x",
            "--scope",
            "content:delete",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Unknown scope 'content:delete'"),
        "{}",
        stderr(&out)
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_is_one_line_with_code_and_request_id() {
    let env = env().await;
    let out = env
        .bare()
        .env("PORTAL_VAULTSTREAM_URL", env.sandbox.vaultstream_url())
        .env("PORTAL_VAULTSTREAM_TOKEN", "vst_live_not_a_real_token")
        .args(["tokens", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with("error: VaultStream: invalid_token: "),
        "{err}"
    );
    assert!(first.contains("(request "), "{err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_and_assets_lists() {
    let env = env().await;
    let keys = json(&env.portal(&["keys", "list", "--json"]));
    assert!(keys.is_array());

    let page = json(&env.portal(&["assets", "list", "--limit", "20", "--json"]));
    assert_eq!(page.as_array().unwrap().len(), 20);
    let all = json(&env.portal(&["assets", "list", "--limit", "20", "--all", "--json"]));
    let ids: std::collections::HashSet<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].to_string())
        .collect();
    assert!(
        ids.len() > 20,
        "--all must follow has_more past the first page"
    );
    assert_eq!(
        ids.len(),
        all.as_array().unwrap().len(),
        "no duplicates across pages"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_add_use_list_remove() {
    let env = env().await;
    let run = |args: &[&str]| env.bare().args(args).output().unwrap();
    assert!(
        run(&["profile", "add", "Staging", "--environment", "staging"])
            .status
            .success()
    );
    let out = run(&[
        "profile",
        "add",
        "Prod",
        "-e",
        "production",
        "--vault-url",
        "https://vault.example",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(run(&["profile", "use", "Prod"]).status.success());
    let list = json(&run(&["profile", "list", "--json"]));
    assert_eq!(list[1]["urls"]["vault"], "https://vault.example");
    let text = String::from_utf8_lossy(&run(&["profile", "list"]).stdout).into_owned();
    assert!(
        text.lines()
            .any(|l| l.starts_with('*') && l.contains("Prod") && l.contains("PRODUCTION")),
        "{text}"
    );
    assert!(run(&["profile", "remove", "Prod", "--yes"])
        .status
        .success());
    assert_eq!(
        json(&run(&["profile", "list", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(run(&["profile", "use", "Nope"]).status.code(), Some(2));
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_each_request_without_secrets() {
    let env = env().await;
    let out = env.portal(&["-v", "tokens", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("/vaultstream/v1/auth/tokens"))
        .expect("a request line");
    for part in ["GET", "status=200", "request_id=", "duration_ms="] {
        assert!(line.contains(part), "missing {part} in: {line}");
    }
    let token = &env.sandbox.credentials().vaultstream_admin_token;
    assert!(
        !err.contains(token.as_str()),
        "the token leaked into the log"
    );
    assert!(
        !err.contains("Bearer"),
        "an Authorization header leaked into the log"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_status_names_the_backend() {
    let env = env().await;
    let out = env
        .bare()
        .args(["secrets", "status", "--json"])
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["backend"], "memory");
    assert_eq!(v["ready"], true);
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_are_recorded_in_the_hash_chained_activity_log() {
    let env = env().await;
    let created = json(&env.portal(&[
        "tokens",
        "create",
        "--name",
        "audited",
        "--scope",
        "content:read",
        "--json",
    ]));
    let id = created["id"].as_str().unwrap();
    assert!(env
        .portal(&["tokens", "revoke", id, "--yes"])
        .status
        .success());
    let log = std::fs::read_to_string(env.data.path().join("activity.jsonl")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["action"], "token_create");
    assert_eq!(lines[1]["action"], "token_revoke");
    assert_eq!(lines[1]["target"], id);
    assert_eq!(lines[1]["prev"], lines[0]["hash"]);
    assert_eq!(lines[0]["via"], "cli");
    assert!(
        !log.contains(created["token"].as_str().unwrap()),
        "a token value reached the activity log"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_keeps_scopes_and_revokes_the_old_token_when_asked() {
    let env = env().await;
    let old = json(&env.portal(&[
        "tokens",
        "create",
        "--name",
        "deploy",
        "--scope",
        "content:write",
        "--expires-in",
        "30d",
        "--json",
    ]));
    let old_id = old["id"].as_str().unwrap();

    // Without --revoke-old and no terminal: the old token stays, with a reminder.
    let kept = json(&env.portal(&["tokens", "rotate", old_id, "--json"]));
    assert_eq!(kept["scopes"], old["scopes"]);
    assert_eq!(kept["name"], "deploy");
    assert_eq!(kept["replaces"], old_id);
    assert!(kept["token"].as_str().unwrap().starts_with("vst_live_"));
    let list = json(&env.portal(&["tokens", "list", "--json"]));
    assert!(list.as_array().unwrap().iter().any(|t| t["id"] == old_id));
    let settings = std::fs::read_to_string(env.data.path().join("settings.json")).unwrap();
    assert!(settings.contains("rotationReminders") && settings.contains(old_id));
    // `tokens reminders` lists it, as the app's banner does.
    let reminders = json(&env.portal(&["tokens", "reminders", "--json"]));
    let reminders = reminders.as_array().unwrap();
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0]["oldId"], old_id);
    assert_eq!(reminders[0]["newId"], kept["id"]);
    assert_eq!(reminders[0]["oldName"], "deploy");
    let table = env.portal(&["tokens", "reminders"]);
    assert!(String::from_utf8_lossy(&table.stdout).contains(old_id));

    let rotated = json(&env.portal(&["tokens", "rotate", old_id, "--revoke-old", "--json"]));
    let list = json(&env.portal(&["tokens", "list", "--json"]));
    assert!(
        list.as_array().unwrap().iter().all(|t| t["id"] != old_id),
        "the old token was not revoked"
    );
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == rotated["id"]));
    env.sandbox.shutdown().await;
}

/// `portal` on the encrypted secrets file of this run's data dir, with `pass`.
fn on_file(env: &Env, pass: &str, args: &[&str]) -> Output {
    env.bare()
        .env_remove("PORTAL_SECRET_BACKEND")
        .env("PORTAL_SECRETS_PASSPHRASE", pass)
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_remove_deletes_everything_it_owned_and_is_refused_while_locked() {
    use portal_core::secrets::{EntryName, Item, SecretStore};
    use portal_core::secrets_file::EncryptedFileStore;
    let env = env().await;
    let pass = "correct horse battery";
    let out = on_file(&env, pass, &["secrets", "use-file"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(on_file(&env, pass, &["profile", "add", "P"])
        .status
        .success());
    // What the app would have kept for P: a credential, a saved token, a private key.
    let store =
        EncryptedFileStore::unlock(env.data.path(), &portal_core::Secret::new(pass)).unwrap();
    for (item, value) in [
        (Item::VaultStreamToken, "vst_live_p"),
        (Item::SavedToken("tok_1".into()), "vst_live_saved"),
        (
            Item::PrivateKey("lk_1".into()),
            "-----BEGIN PRIVATE KEY-----",
        ),
    ] {
        store
            .set(&EntryName::new("P", item), &portal_core::Secret::new(value))
            .unwrap();
    }

    // Locked (a wrong passphrase): refused, nothing removed.
    let out = on_file(
        &env,
        "not the passphrase",
        &["profile", "remove", "P", "--yes"],
    );
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert!(stderr(&out).contains("was not removed"), "{}", stderr(&out));
    assert_eq!(store.profile_items("P").unwrap().unwrap().len(), 3);
    assert!(json(&on_file(&env, pass, &["profile", "list", "--json"]))[0]["name"] == "P");

    let out = on_file(&env, pass, &["profile", "remove", "P", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 credential, 1 saved token, 1 private key"),
        "{}",
        stderr(&out)
    );
    // A new profile of the same name starts empty.
    assert!(on_file(&env, pass, &["profile", "add", "P"])
        .status
        .success());
    assert_eq!(store.profile_items("P").unwrap().unwrap(), []);

    // The log was keyed (the file holds its key); a cut tail is detected.
    let out = on_file(&env, pass, &["activity", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && text.starts_with("keyed, ok"),
        "{text}{}",
        stderr(&out)
    );
    let log = env.data.path().join("activity.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    std::fs::write(&log, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let out = on_file(&env, pass, &["activity", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.starts_with("truncated"), "{text}");
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_sign_refuses_a_lifetime_over_the_profile_cap() {
    let env = env().await;
    let run = |args: &[&str]| env.bare().args(args).output().unwrap();
    let out = run(&["profile", "add", "P", "--jwt-max-ttl", "2h"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json(&run(&["profile", "list", "--json"]))[0]["jwtMaxTtlSeconds"],
        7200
    );
    // Refused before any key is read or any request is made.
    let sign = |ttl: &str| {
        run(&[
            "keys",
            "sign",
            "--profile",
            "P",
            "--key",
            "key_1",
            "--all-videos",
            "--ttl",
            ttl,
        ])
    };
    let out = sign("3h");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("at most 2 hours"), "{}", stderr(&out));
    // Raised: the same lifetime gets past the cap (and stops at the missing key).
    let out = run(&["profile", "edit", "P", "--jwt-max-ttl", "7d"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sign("3h");
    assert!(!stderr(&out).contains("at most"), "{}", stderr(&out));
    // Out of bounds: refused, the cap unchanged.
    assert_eq!(
        run(&["profile", "edit", "P", "--jwt-max-ttl", "400d"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        json(&run(&["profile", "list", "--json"]))[0]["jwtMaxTtlSeconds"],
        7 * 86_400
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activity_list_export_and_verify() {
    let env = env().await;
    let created = json(&env.portal(&[
        "tokens",
        "create",
        "--name",
        "logged",
        "--scope",
        "content:read",
        "--no-expiry",
        "--json",
    ]));
    let id = created["id"].as_str().unwrap();
    assert!(env
        .portal(&["tokens", "revoke", id, "--yes"])
        .status
        .success());

    // The same entries as the app records, summary included.
    let listed = json(
        &env.bare()
            .args(["activity", "list", "--json"])
            .output()
            .unwrap(),
    );
    let entries = listed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["action"], "token_create");
    assert_eq!(entries[0]["target"], id);
    assert_eq!(
        entries[0]["summary"],
        "Created token 'logged' (content:read), never expires"
    );
    assert_eq!(entries[1]["action"], "token_revoke");
    assert_eq!(entries[1]["target"], id);
    assert_eq!(listed["intact"], true);
    assert_eq!(listed["verdict"]["kind"], "unkeyed");

    let out = env.bare().args(["activity", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.starts_with("SEQ"), "{text}");
    assert!(text.contains("token_revoke") && text.contains(id), "{text}");
    assert!(
        stderr(&out).contains("chain: unkeyed (legacy), ok: 2 entries"),
        "{}",
        stderr(&out)
    );

    // --profile keeps that profile's entries; the verdict stays the chain's.
    let other = json(
        &env.bare()
            .args(["activity", "list", "--json", "--profile", "Elsewhere"])
            .output()
            .unwrap(),
    );
    assert_eq!(other["entries"], serde_json::json!([]));

    let out = env.bare().args(["activity", "export"]).output().unwrap();
    let exported: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(exported, listed["entries"]);
    let out = env
        .bare()
        .args(["activity", "export", "--csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,at,profile,action,target,summary,via,hash");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[2].contains(&format!(",token_revoke,{id},")), "{csv}");

    let out = env.bare().args(["activity", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(
        &env.bare()
            .args(["activity", "verify", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        (v["entries"].as_u64(), v["intact"].as_bool()),
        (Some(2), Some(true))
    );

    // An edited entry breaks the chain: verify exits 1 and names the line.
    let log = env.data.path().join("activity.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replace("'logged'", "'innocent'")).unwrap();
    let out = env.bare().args(["activity", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.starts_with("broken at line 1: "), "{text}");
    let out = env
        .bare()
        .args(["activity", "verify", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["intact"], false);
    assert_eq!(
        v["verdict"],
        serde_json::json!({"kind": "broken", "line": 1})
    );
    env.sandbox.shutdown().await;
}
