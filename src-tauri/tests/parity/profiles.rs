//! Parity of the profile and secrets use cases (`portal_core::ops::profiles`,
//! `ops::secrets`): each state-changing one is driven once through the app's
//! command (the real invoke handler on Tauri's mock runtime) and once through
//! the real `portal` binary, each in a data directory of its own, against one
//! sandbox. Both must leave the same activity entries (action, target), in
//! the same order.
//!
//! The binary is `$CARGO_TARGET_DIR/debug/portal` (else `target/debug/portal`
//! of the workspace): build it first (`cargo build -p portal-cli`; a
//! workspace `cargo test` does).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use portal_core::activity::ActivityLog;
use portal_sandbox::{RateLimits, Sandbox, SandboxConfig};
use serde_json::json;

const PASSPHRASE: &str = "parity-profiles-passphrase";
const PROXY: &str = "http://127.0.0.1:3128";

fn portal_bin() -> PathBuf {
    super::portal_binary()
}

use super::{temp_dir, MockApp as App};

/// `(action, target)` of every entry in `dir`'s activity log, in order.
fn entries(dir: &Path) -> Vec<(String, String)> {
    let report = ActivityLog::in_dir(dir).read(None).unwrap();
    report
        .entries
        .iter()
        .map(|e| {
            let action = serde_json::to_value(e.action).unwrap();
            (action.as_str().unwrap().to_owned(), e.target.clone())
        })
        .collect()
}

/// The `portal` binary in data directory `dir`, the secrets in memory (the
/// encrypted file once switched to, with its passphrase in the environment).
struct Cli {
    bin: PathBuf,
    dir: PathBuf,
}

impl Cli {
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(&self.bin)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("PORTAL_DATA_DIR", &self.dir)
            .env("PORTAL_SECRET_BACKEND", "memory")
            .env("PORTAL_SECRETS_PASSPHRASE", PASSPHRASE)
            .env("PORTAL_HTTP_ATTEMPTS", "1")
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{stdin}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "`portal {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn ok(&self, args: &[&str]) {
        self.run(args, "");
    }
}

#[test]
fn app_and_cli_record_the_same_profile_and_secrets_entries() {
    let sandbox = tauri::async_runtime::block_on(Sandbox::start(SandboxConfig {
        rate_limits: RateLimits::unlimited(),
        ..SandboxConfig::default()
    }))
    .unwrap();
    let creds = sandbox.credentials();
    let token = creds.vaultstream_admin_token.clone();
    let (vs, jwt, vault) = (
        sandbox.vaultstream_url(),
        sandbox.jwt_keys_url(),
        sandbox.vault_url(),
    );
    let urls = json!({"vaultstream": vs, "jwtKeys": jwt, "vault": vault});
    let url_flags = [
        "--vaultstream-url",
        vs.as_str(),
        "--jwt-keys-url",
        jwt.as_str(),
        "--vault-url",
        vault.as_str(),
    ];

    let app_dir = temp_dir("app");
    let app = App::start(&app_dir);
    let cli = Cli {
        bin: portal_bin(),
        dir: temp_dir("cli"),
    };
    let add = |name: &str| {
        let input = json!({"name": name, "environment": "sandbox", "urls": urls,
                           "vaultstreamToken": token, "jwtKeysApiKey": null,
                           "vaultEmail": null, "vaultPassword": null});
        app.ok("connect_account", json!({ "input": input }));
        let mut args = vec!["profile", "add", name, "-e", "sandbox"];
        args.extend(url_flags);
        cli.ok(&args);
    };

    // Add two profiles; the first is the active one.
    add("Acme");
    add("Beta");
    app.ok("switch_profile", json!({"name": "Acme"}));
    cli.ok(&["profile", "use", "Acme"]);
    // Replace (the CLI: log in with) the VaultStream credential.
    app.ok(
        "replace_credential",
        json!({"service": "vault_stream", "secret": token}),
    );
    cli.run(&["login", "vaultstream"], &token);
    // Edit: the proxy, then the JWT lifetime cap.
    app.ok(
        "set_profile_network",
        json!({"name": "Acme", "caFile": null, "proxy": PROXY}),
    );
    cli.ok(&["profile", "edit", "Acme", "--proxy", PROXY]);
    app.ok("set_jwt_max_ttl", json!({"seconds": 86_400}));
    cli.ok(&["profile", "edit", "Acme", "--jwt-max-ttl", "1d"]);
    // Remove the second profile.
    app.ok("remove_profile", json!({"name": "Beta"}));
    cli.ok(&["profile", "remove", "Beta", "--yes"]);
    // The secrets backend: the encrypted file (made), then unlocked again
    // (no switch, nothing recorded).
    app.ok("use_encrypted_file", json!({"passphrase": PASSPHRASE}));
    cli.ok(&["secrets", "use-file"]);
    app.ok("unlock_secrets", json!({"passphrase": PASSPHRASE}));
    cli.ok(&["secrets", "use-file"]);

    let expected: Vec<(String, String)> = [
        ("profile_add", "Acme"),
        ("profile_add", "Beta"),
        ("profile_switch", "Acme"),
        ("credential_replace", "VaultStream"),
        ("profile_edit", "Acme"),
        ("profile_edit", "Acme"),
        ("profile_remove", "Beta"),
        ("secrets_backend", "encrypted_file"),
    ]
    .iter()
    .map(|(a, t)| ((*a).to_owned(), (*t).to_owned()))
    .collect();
    assert_eq!(entries(&app_dir), expected, "the app's entries");
    assert_eq!(entries(&cli.dir), expected, "the CLI's entries");

    tauri::async_runtime::block_on(sandbox.shutdown());
    let _ = std::fs::remove_dir_all(&app_dir);
    let _ = std::fs::remove_dir_all(&cli.dir);
}
