//! IPC and configuration audits.
//!
//! - Every `#[tauri::command]` is listed with its return type and must have
//!   been reviewed (the table below): none may return a stored credential or
//!   a private key. The one exception is `reveal_token`, which hands a freshly
//!   created token's value to its dialog, once.
//! - The commands registered in `lib.rs`, permitted in `build.rs` and granted
//!   in `capabilities/main.json` are the same set.
//! - `tauri.conf.json` and the capabilities stay strict: no `unsafe-eval`, no
//!   wildcard remote sources, no global Tauri object, no broad grants.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Reviewed return types. A new command fails this test until it is added
/// here, after checking that what it returns holds no credential and no
/// private key.
const REVIEWED: &[(&str, &str)] = &[
    ("activity_log", "ActivityReport"),
    ("export_activity", "Option<u32>"),
    ("app_state", "AppState"),
    ("explore_sandbox", "Profile"),
    ("connect_account", "Profile"),
    ("replace_credential", "()"),
    ("switch_profile", "()"),
    ("remove_profile", "()"),
    ("service_status", "Vec<ServiceStatus>"),
    // Proxy URLs with any login masked, the CA file's path.
    ("profile_network", "NetworkInfo"),
    ("set_profile_network", "Profile"),
    // The path the user chose in the Rust-side file picker.
    ("pick_ca_file", "Option<String>"),
    ("use_encrypted_file", "SecretsInfo"),
    ("unlock_secrets", "SecretsInfo"),
    ("list_tokens", "Vec<ApiToken>"),
    ("token_scopes", "Vec<ScopeInfo>"),
    ("create_token", "CreatedTokenView"),
    // THE exception: a freshly created token's value, once (reveal.rs refuses a second call).
    ("reveal_token", "String"),
    ("copy_token", "ClipboardCopy"),
    ("token_snippets", "Vec<Snippet>"),
    ("save_revealed_token", "SavedToken"),
    ("close_reveal", "()"),
    ("revoke_token", "()"),
    ("rotate_token", "CreatedTokenView"),
    ("finish_rotation", "()"),
    ("rotation_reminders", "Vec<RotationReminder>"),
    ("saved_tokens", "Vec<SavedToken>"),
    // A short-lived player JWT: the product the user asked for, not a stored credential.
    ("create_user_jwt", "UserJwtView"),
    ("set_preferences", "Preferences"),
    // Keys: fingerprints, public PEMs and metadata only; the private half never.
    ("keys_overview", "KeysOverview"),
    ("key_details", "KeyDetails"),
    ("generate_key", "LocalKey"),
    ("cancel_keygen", "()"),
    ("import_key", "ImportedKeyView"),
    ("local_key", "LocalKeyView"),
    // The path the user chose in the Rust-side save dialog, not the key.
    ("export_private_key", "Option<String>"),
    ("upload_key", "UploadedKey"),
    ("upload_public_key", "UploadedKey"),
    ("verify_uploaded_key", "UploadVerification"),
    ("delete_key", "DeleteKeyOutcome"),
    // A signed private-video JWT: the product the user asked for.
    ("sign_video_jwt", "SignedVideoJwt"),
    ("video_url_templates", "VideoUrls"),
    ("set_video_url_templates", "VideoUrls"),
    ("test_playback", "PlaybackVerdict"),
    ("verify_any_jwt", "Verdict"),
    // Vault: identity and claims only, never the access or refresh token.
    ("vault_session", "Option<VaultSessionView>"),
    ("vault_login", "VaultSessionView"),
    ("vault_logout", "()"),
    ("list_assets", "AssetPage"),
    ("asset_details", "AssetDetails"),
    ("list_transforms", "Vec<Transform>"),
    ("request_transform", "Transform"),
    ("share_asset", "Share"),
    ("update_asset", "Asset"),
    ("delete_asset", "Deleted"),
    ("delete_assets", "BulkDeleteSummary"),
    ("list_folders", "Vec<Folder>"),
    ("create_folder", "Folder"),
    ("vault_quota", "Quota"),
    ("set_legal_hold", "LegalHold"),
    ("clear_legal_hold", "LegalHold"),
    ("pick_and_upload", "Vec<UploadStarted>"),
    ("upload_dropped", "Vec<UploadStarted>"),
    ("cancel_upload", "bool"),
];

/// Field names that would carry a secret if they appeared in a returned type.
const SECRET_FIELDS: &[&str] = &[
    "token",
    "jwt",
    "value",
    "password",
    "secret",
    "privateKey",
    "private_key",
    "apiKey",
    "api_key",
    "accessToken",
    "refreshToken",
    "pem",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `name -> return type` of every `#[tauri::command]` under src/commands.
fn commands() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("src/commands")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[tauri::command]") {
            rest = &rest[at + 17..];
            let fn_at = rest.find("fn ").unwrap();
            let after = &rest[fn_at + 3..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let body_at = after.find('{').unwrap();
            let signature: String = after[..body_at]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let ret = match signature.rsplit_once(") -> ") {
                Some((_, r)) => r.trim().to_owned(),
                None => "()".to_owned(),
            };
            let ret = ret
                .strip_prefix("Result<")
                .and_then(|r| r.strip_suffix('>'))
                .unwrap_or(&ret)
                .to_owned();
            out.insert(name, ret);
        }
    }
    out
}

#[test]
fn every_command_is_reviewed_and_none_returns_a_secret() {
    let found = commands();
    let reviewed: BTreeMap<_, _> = REVIEWED
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    for (name, ret) in &found {
        match reviewed.get(name) {
            None => panic!(
                "command `{name}` (returns `{ret}`) is not in REVIEWED: check that it returns no stored \
                 credential and no private key, then add it"
            ),
            Some(t) => assert_eq!(t, ret, "the return type of `{name}` changed: review it again"),
        }
    }
    for name in reviewed.keys() {
        assert!(
            found.contains_key(name),
            "REVIEWED names `{name}`, which is no longer a command"
        );
    }
    // Only one command may return a bare string: the one-time reveal.
    let strings: Vec<_> = found
        .iter()
        .filter(|(_, r)| *r == "String")
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(strings, ["reveal_token"]);
}

#[test]
fn returned_types_have_no_secret_fields() {
    // The generated TypeScript twins of what commands return, and of every
    // type they contain: no field named like a secret may hold a string.
    let bindings = root().join("../ui/src/lib/bindings");
    let allowed: BTreeSet<(&str, &str)> = [
        // The player JWT the user asked for (short-lived, not stored).
        ("UserJwtView.ts", "jwt"),
        // A signed private-video JWT, the sign panel's product.
        ("SignedVideoJwt.ts", "jwt"),
    ]
    .into_iter()
    .collect();
    let mut queue: Vec<String> = commands()
        .into_values()
        .flat_map(|ret| {
            ret.split(|c: char| !c.is_alphanumeric())
                .filter(|t| t.chars().next().is_some_and(char::is_uppercase))
                .map(|t| format!("{t}.ts"))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(file) = queue.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(bindings.join(&file)) else {
            continue;
        };
        for line in text.lines().filter(|l| l.starts_with("import type")) {
            if let Some(name) = line.split('"').nth(1).and_then(|p| p.rsplit('/').next()) {
                queue.push(format!("{name}.ts"));
            }
        }
        for field in SECRET_FIELDS {
            for (i, _) in text.match_indices(&format!("{field}: string")) {
                let before = text[..i].chars().last();
                let whole_word = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
                assert!(
                    !whole_word || allowed.contains(&(file.as_str(), *field)),
                    "{file} (returned over IPC) has a string field `{field}`"
                );
            }
        }
    }
    assert!(
        seen.len() >= 15,
        "too few binding files found ({}): run `cargo test` to generate them",
        seen.len()
    );
}

fn quoted_list(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap();
    let to = from + text[from..].find(end).unwrap();
    text[from..to]
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"' || c == ':'))
        .filter_map(|w| w.strip_prefix('"').and_then(|w| w.strip_suffix('"')))
        .map(str::to_owned)
        .collect()
}

#[test]
fn registered_permitted_and_granted_commands_match() {
    let found: BTreeSet<String> = commands().into_keys().collect();
    let build = std::fs::read_to_string(root().join("build.rs")).unwrap();
    let permitted = quoted_list(&build, "const COMMANDS", "];");
    assert_eq!(
        permitted, found,
        "build.rs COMMANDS differs from the #[tauri::command] functions"
    );

    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let from = lib.find("generate_handler![").unwrap();
    let to = from + lib[from..].find(']').unwrap();
    let registered: BTreeSet<String> = lib[from + 18..to]
        .split(',')
        .filter_map(|p| p.trim().rsplit("::").next().map(str::to_owned))
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(
        registered, found,
        "lib.rs generate_handler! differs from the commands"
    );

    let caps: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("capabilities/main.json")).unwrap(),
    )
    .unwrap();
    let granted: BTreeSet<String> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(
        granted, found,
        "capabilities/main.json grants differ from the commands"
    );
}

#[test]
fn configuration_is_strict() {
    let conf: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tauri.conf.json")).unwrap())
            .unwrap();
    assert_ne!(
        conf["app"]["withGlobalTauri"],
        Value::Bool(true),
        "withGlobalTauri must stay off"
    );
    assert_eq!(
        conf["app"]["security"]["freezePrototype"],
        Value::Bool(true)
    );
    let csp = &conf["app"]["security"]["csp"];
    assert!(csp.is_object() || csp.is_string(), "a CSP is required");
    let csp_text = csp.to_string();
    assert!(!csp_text.contains("unsafe-eval"), "CSP allows unsafe-eval");
    for directive in csp
        .as_object()
        .map(|o| o.values().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let sources = directive.as_str().unwrap_or_default();
        for src in sources.split_whitespace() {
            assert!(
                !(src == "*"
                    || src == "http:"
                    || src == "https:"
                    || src.contains("*.")
                    || src == "data:*"),
                "wildcard remote source `{src}` in the CSP"
            );
        }
    }
    let script = csp["script-src"].as_str().unwrap_or_default();
    assert!(
        !script.contains("http"),
        "remote scripts are not allowed: {script}"
    );

    let caps: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("capabilities/main.json")).unwrap(),
    )
    .unwrap();
    // The only plugin grants we accept: narrow ones we use.
    let allowed_plugin_grants = ["core:event:default", "clipboard-manager:allow-write-text"];
    for p in caps["permissions"].as_array().unwrap() {
        let p = p.as_str().unwrap_or_default();
        if p.starts_with("allow-") {
            continue;
        }
        assert!(
            allowed_plugin_grants.contains(&p),
            "broad or unexpected grant `{p}` in capabilities/main.json"
        );
    }
    assert_eq!(caps["windows"], serde_json::json!(["main"]));
}
