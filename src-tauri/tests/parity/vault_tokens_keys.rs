//! One use case, one implementation (issue 14): every state-changing use
//! case is driven once through the app's command (the real handler on the
//! mock runtime, against the embedded sandbox) and once through the real
//! `portal` binary (against an in-process sandbox), and both must leave the
//! same activity entry: the same action, on the object of the same kind.
//!
//! The cases are a table ([`CASES`]): a new use case is one more row, its
//! app call and its CLI call each returning the id the entry must name.
//! The `portal` binary is the one beside this test's (`target/debug`),
//! built by `cargo test --workspace` (or `cargo build -p portal-cli`).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use portal_core::Secret;
use portal_sandbox::{RateLimits, Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Token,
    Key,
    Asset,
    Folder,
}

/// One state-changing use case: the action it records, what the entry's
/// target is, and how each shell runs it (returning that target's id).
struct Case {
    use_case: &'static str,
    action: &'static str,
    target: Kind,
    app: fn(&mut App) -> String,
    cli: fn(&mut Cli) -> String,
}

const CASES: &[Case] = &[
    // --- tokens
    Case {
        use_case: "tokens: create",
        action: "token_create",
        target: Kind::Token,
        app: |a| a.new_token("Parity token"),
        cli: |c| c.new_token("Parity token"),
    },
    Case {
        use_case: "tokens: rotate",
        action: "token_rotate",
        target: Kind::Token,
        app: |a| {
            let id = a.new_token("Parity rotated");
            let rotated = a.ok("rotate_token", json!({ "id": id }));
            str_of(&rotated["token"]["id"])
        },
        cli: |c| {
            let id = c.new_token("Parity rotated");
            str_of(&c.json(&["tokens", "rotate", &id, "--json"])["id"])
        },
    },
    Case {
        use_case: "tokens: finish a rotation (revoke the old one)",
        action: "token_revoke",
        target: Kind::Token,
        app: |a| {
            let old = a.new_token("Parity finished");
            let new = str_of(&a.ok("rotate_token", json!({ "id": old }))["token"]["id"]);
            let args = json!({"oldId": old, "newId": new, "quietPeriodSeconds": 0});
            a.ok("finish_rotation", args);
            old
        },
        cli: |c| {
            let old = c.new_token("Parity finished");
            c.json(&["tokens", "rotate", &old, "--revoke-old", "--json"]);
            old
        },
    },
    Case {
        use_case: "tokens: revoke",
        action: "token_revoke",
        target: Kind::Token,
        app: |a| {
            let id = a.new_token("Parity revoked");
            a.ok("revoke_token", json!({ "id": id }));
            id
        },
        cli: |c| {
            let id = c.new_token("Parity revoked");
            c.json(&["tokens", "revoke", &id, "--yes", "--json"]);
            id
        },
    },
    // --- keys
    Case {
        use_case: "keys: upload (create from a public key)",
        action: "key_upload",
        target: Kind::Key,
        app: |a| a.new_key("Parity key"),
        cli: |c| c.new_key("Parity key"),
    },
    Case {
        use_case: "keys: delete",
        action: "key_delete",
        target: Kind::Key,
        app: |a| {
            let id = a.new_key("Parity deleted key");
            let args = json!({"serverId": id, "localId": null, "deleteLocal": false});
            a.ok("delete_key", args);
            id
        },
        cli: |c| {
            let id = c.new_key("Parity deleted key");
            c.json(&["keys", "delete", &id, "--yes", "--json"]);
            id
        },
    },
    Case {
        use_case: "keys: schedule a deletion",
        action: "key_delete_scheduled",
        target: Kind::Key,
        app: |a| {
            let id = a.new_key("Parity scheduled key");
            let args = json!({"serverId": id, "deleteLocal": false});
            a.ok("schedule_key_deletion", args);
            id
        },
        cli: |c| {
            let id = c.new_key("Parity scheduled key");
            c.json(&["keys", "delete", &id, "--schedule", "--json"]);
            id
        },
    },
    Case {
        use_case: "keys: make a key the default signing key",
        action: "key_default_set",
        target: Kind::Key,
        // As the CLI's rotation: a key to rotate from, then its successor.
        app: |a| {
            a.new_key("Parity rotated key");
            let local = a.ok(
                "generate_key",
                json!({"name": "Parity default", "bits": 2048}),
            );
            let uploaded = a.ok("upload_key", json!({"localId": local["localId"]}));
            let id = str_of(&uploaded["server"]["id"]);
            a.ok("set_default_key", json!({ "serverId": id }));
            id
        },
        // One process: the new key's private half lives in its memory store.
        cli: |c| {
            let old = c.new_key("Parity rotated key");
            let rotated = c.json(&["keys", "rotate", &old, "--keep-old", "--json"]);
            str_of(&rotated["new"]["server"]["id"])
        },
    },
    Case {
        use_case: "keys: call off a scheduled deletion",
        action: "key_delete_unscheduled",
        target: Kind::Key,
        app: |a| {
            let id = a.new_key("Parity unscheduled key");
            a.ok(
                "schedule_key_deletion",
                json!({"serverId": id, "deleteLocal": false}),
            );
            a.ok("cancel_key_deletion", json!({ "serverId": id }));
            id
        },
        cli: |c| {
            let id = c.new_key("Parity unscheduled key");
            c.json(&["keys", "delete", &id, "--schedule", "--json"]);
            c.json(&["keys", "retire", "--cancel", &id, "--json"]);
            id
        },
    },
    // --- assets
    Case {
        use_case: "assets: upload",
        action: "asset_upload",
        target: Kind::Asset,
        app: |a| {
            let file = a.dir.join("parity-upload.mp4");
            std::fs::write(&file, vec![7u8; 64 * 1024]).unwrap();
            // Debug builds: the file dialog's seam (see pick_and_upload).
            std::env::set_var("PORTAL_E2E_PICK_FILES", &file);
            a.ok("pick_and_upload", json!({ "folderId": null }));
            std::env::remove_var("PORTAL_E2E_PICK_FILES");
            // The upload runs in the background: its entry names the new asset.
            a.wait_for("asset_upload")
        },
        cli: |c| {
            let file = c.dir.join("parity-upload.mp4");
            std::fs::write(&file, vec![7u8; 64 * 1024]).unwrap();
            let path = file.to_string_lossy().into_owned();
            str_of(&c.json(&["assets", "upload", &path, "--json"])["id"])
        },
    },
    Case {
        use_case: "assets: update",
        action: "asset_update",
        target: Kind::Asset,
        app: |a| {
            let id = a.asset();
            let update = json!({"name": "Parity renamed.mp4"});
            a.ok("update_asset", json!({ "id": id, "update": update }));
            id
        },
        cli: |c| {
            let id = c.asset();
            c.json(&[
                "assets",
                "update",
                &id,
                "--name",
                "Parity renamed.mp4",
                "--json",
            ]);
            id
        },
    },
    Case {
        use_case: "assets: delete one",
        action: "asset_delete",
        target: Kind::Asset,
        app: |a| {
            let id = a.asset();
            a.ok("delete_asset", json!({ "id": id }));
            id
        },
        cli: |c| {
            let id = c.asset();
            c.json(&["assets", "delete", &id, "--yes", "--json"]);
            id
        },
    },
    Case {
        use_case: "assets: delete many",
        action: "asset_delete",
        target: Kind::Asset,
        app: |a| {
            let ids = [a.asset(), a.asset()];
            a.ok("delete_assets", json!({ "ids": ids }));
            ids[1].clone()
        },
        cli: |c| {
            let ids = [c.asset(), c.asset()];
            c.json(&["assets", "delete", &ids[0], &ids[1], "--yes", "--json"]);
            ids[1].clone()
        },
    },
    Case {
        use_case: "assets: set a legal hold",
        action: "legal_hold_set",
        target: Kind::Asset,
        app: |a| {
            let id = a.asset();
            a.ok("set_legal_hold", json!({"id": id, "reason": "Parity"}));
            id
        },
        cli: |c| {
            let id = c.asset();
            c.json(&["legal-hold", "set", &id, "--reason", "Parity", "--json"]);
            id
        },
    },
    Case {
        use_case: "assets: clear a legal hold",
        action: "legal_hold_clear",
        target: Kind::Asset,
        app: |a| {
            let id = a.asset();
            a.ok("set_legal_hold", json!({"id": id, "reason": "Parity"}));
            a.ok("clear_legal_hold", json!({ "id": id }));
            id
        },
        cli: |c| {
            let id = c.asset();
            c.json(&["legal-hold", "set", &id, "--reason", "Parity", "--json"]);
            c.json(&["legal-hold", "clear", &id, "--json"]);
            id
        },
    },
    Case {
        use_case: "assets: create a folder",
        action: "folder_create",
        target: Kind::Folder,
        app: |a| {
            let args = json!({"name": "Parity folder", "parentId": null});
            str_of(&a.ok("create_folder", args)["id"])
        },
        cli: |c| str_of(&c.json(&["folders", "create", "--name", "Parity folder", "--json"])["id"]),
    },
    Case {
        use_case: "assets: share",
        action: "asset_share",
        target: Kind::Asset,
        app: |a| {
            let id = a.asset();
            a.ok("share_asset", json!({"id": id, "expiresInSeconds": 3600}));
            id
        },
        cli: |c| {
            let id = c.asset();
            c.json(&["share", &id, "--expires-in", "1h", "--json"]);
            id
        },
    },
    Case {
        use_case: "assets: request a transform",
        action: "transform_request",
        target: Kind::Asset,
        app: |a| {
            let id = a.asset();
            a.ok("request_transform", json!({"id": id, "kind": "thumbnail"}));
            id
        },
        cli: |c| {
            let id = c.asset();
            c.json(&[
                "transforms",
                "request",
                &id,
                "--kind",
                "thumbnail",
                "--json",
            ]);
            id
        },
    },
];

fn str_of(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

use super::{temp_dir, MockApp};

/// The log's entries, oldest first.
fn entries(data_dir: &Path) -> Vec<Value> {
    let log = std::fs::read_to_string(data_dir.join("activity.jsonl")).unwrap_or_default();
    log.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A public key PEM (the same one for both shells: each has its own sandbox).
fn public_pem() -> String {
    let key = portal_core::keypair::generate(2048, |_| {}, &Default::default()).unwrap();
    let pem = key.to_pkcs8_pem().unwrap();
    portal_core::keypair::PrivateKey::from_pem(&Secret::new(pem.expose()))
        .unwrap()
        .public_key()
        .to_pem()
        .unwrap()
}

/// Assets a case may use: seeded, not held, and not used by another case.
fn fresh_asset(list: &[Value], used: &mut BTreeSet<String>) -> String {
    let id = list
        .iter()
        .filter(|a| a["legal_hold"] != json!(true))
        .map(|a| str_of(&a["id"]))
        .find(|id| !used.contains(id))
        .expect("enough seeded assets");
    used.insert(id.clone());
    id
}

// ---------------------------------------------------------------------------
// The app: its real handler and state on the mock runtime

struct App {
    mock: MockApp,
    dir: PathBuf,
    pem: String,
    used: BTreeSet<String>,
}

impl App {
    fn start(pem: String) -> Self {
        std::env::set_var("PORTAL_SECRET_BACKEND", "memory");
        let dir = temp_dir("app");
        let mock = MockApp::start(&dir);
        let mut a = Self {
            mock,
            dir,
            pem,
            used: BTreeSet::new(),
        };
        // The embedded sandbox, logged in to every service as its admin.
        a.ok("explore_sandbox", json!({}));
        a
    }

    fn ok(&mut self, cmd: &str, args: Value) -> Value {
        self.mock.ok(cmd, args)
    }

    fn new_token(&mut self, name: &str) -> String {
        let input = json!({"name": name, "scopes": ["content:read"], "expiresAt": null});
        let created = self.ok("create_token", json!({ "input": input }));
        let reveal_id = created["revealId"].clone();
        self.ok("close_reveal", json!({ "revealId": reveal_id }));
        str_of(&created["token"]["id"])
    }

    fn new_key(&mut self, name: &str) -> String {
        let args = json!({"name": name, "pem": self.pem});
        str_of(&self.ok("upload_public_key", args)["server"]["id"])
    }

    fn asset(&mut self) -> String {
        let query = json!({"page": 1, "limit": 100});
        let page = self.ok("list_assets", json!({ "query": query }));
        fresh_asset(page["items"].as_array().unwrap(), &mut self.used)
    }

    /// The target of the next `action` entry (a background use case).
    fn wait_for(&self, action: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(e) = entries(&self.dir).last().filter(|e| e["action"] == action) {
                return str_of(&e["target"]);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("no {action} entry in the app's log");
    }
}

// ---------------------------------------------------------------------------
// The CLI: the real `portal` binary

struct Cli {
    sandbox: Sandbox,
    dir: PathBuf,
    pem: PathBuf,
    used: BTreeSet<String>,
}

/// `portal` beside this test's binary (`target/debug/deps/parity-…`).
fn portal_binary() -> PathBuf {
    super::portal_binary()
}

impl Cli {
    async fn start(pem: &str) -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            seed_assets: 30,
            rate_limits: RateLimits::unlimited(),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let dir = temp_dir("cli");
        let path = dir.join("parity.pub.pem");
        std::fs::write(&path, pem).unwrap();
        Self {
            sandbox,
            dir,
            pem: path,
            used: BTreeSet::new(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let creds = self.sandbox.credentials();
        Command::new(portal_binary())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("PORTAL_DATA_DIR", &self.dir)
            .env("PORTAL_SECRET_BACKEND", "memory")
            .env("PORTAL_VAULTSTREAM_URL", self.sandbox.vaultstream_url())
            .env("PORTAL_JWT_KEYS_URL", self.sandbox.jwt_keys_url())
            .env("PORTAL_VAULT_URL", self.sandbox.vault_url())
            .env("PORTAL_VAULTSTREAM_TOKEN", &creds.vaultstream_admin_token)
            .env("PORTAL_JWT_KEYS_TOKEN", &creds.jwt_keys_api_key)
            .env("PORTAL_VAULT_EMAIL", "admin@eventzr.com")
            .env("PORTAL_VAULT_PASSWORD", "Password123!")
            .args(args)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "portal {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn new_token(&mut self, name: &str) -> String {
        let args = [
            "tokens",
            "create",
            "--name",
            name,
            "--scope",
            "content:read",
            "--json",
        ];
        str_of(&self.json(&args)["id"])
    }

    fn new_key(&mut self, name: &str) -> String {
        let pem = self.pem.to_string_lossy().into_owned();
        let args = [
            "keys",
            "create",
            "--name",
            name,
            "--public-key",
            &pem,
            "--json",
        ];
        str_of(&self.json(&args)["id"])
    }

    fn asset(&mut self) -> String {
        let list = self.json(&["assets", "list", "--limit", "100", "--json"]);
        fresh_asset(list.as_array().unwrap(), &mut self.used)
    }
}

// ---------------------------------------------------------------------------

#[test]
fn every_state_change_leaves_the_same_entry_from_the_app_and_the_cli() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pem = public_pem();
    let mut cli = rt.block_on(Cli::start(&pem));
    let mut app = App::start(pem);
    // The sandbox profile's own entries (added, switched to) come first.
    let app_start = entries(&app.dir).len();
    let mut failures = Vec::new();
    for case in CASES {
        let app_target = (case.app)(&mut app);
        let cli_target = (case.cli)(&mut cli);
        let sides = [
            ("app", entries(&app.dir), app_target),
            ("cli", entries(&cli.dir), cli_target),
        ];
        for (via, log, target) in sides {
            let last = log.last().cloned().unwrap_or(Value::Null);
            let seen = (str_of_or(&last["action"]), str_of_or(&last["target"]));
            if seen != (case.action.to_owned(), target.clone()) || last["via"] != via {
                failures.push(format!(
                    "{} via {via}: expected ({}, {:?} {target}), the log's last entry is {last}",
                    case.use_case, case.action, case.target
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Step by step too (the cases' set-up included): the same actions.
    let actions = |dir: &Path, from: usize| -> Vec<String> {
        entries(dir)[from..]
            .iter()
            .map(|e| str_of(&e["action"]))
            .collect()
    };
    assert_eq!(actions(&app.dir, app_start), actions(&cli.dir, 0));
    rt.block_on(cli.sandbox.shutdown());
    let _ = std::fs::remove_dir_all(&app.dir);
    let _ = std::fs::remove_dir_all(&cli.dir);
}

/// The watch/embed/HLS URL templates (`ops::keys::set_url_templates`): a
/// preference kept in the settings file, recorded by neither shell; set
/// from either, they read back the same.
#[test]
fn url_templates_set_from_the_app_or_the_cli_read_back_the_same() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cli = rt.block_on(Cli::start(""));
    let mut app = App::start(String::new());
    let app_start = entries(&app.dir).len();
    let mine = json!({
        "watch": "https://videos.example.com/watch/{video_id}",
        "embed": "https://videos.example.com/embed/{video_id}?autoplay=1",
        "hls": "https://cdn.example.com/{video_id}/index.m3u8",
    });
    let set_by_app = app.ok("set_video_url_templates", json!({ "templates": mine }));
    let flags = ["--watch", "--embed", "--hls"];
    let mut args = vec!["keys", "urls", "--json"];
    for (flag, key) in flags.iter().zip(["watch", "embed", "hls"]) {
        args.extend([*flag, mine[key].as_str().unwrap()]);
    }
    let set_by_cli = cli.json(&args);
    assert_eq!(set_by_app, mine);
    assert_eq!(set_by_cli, mine);
    assert_eq!(app.ok("video_url_templates", json!({})), mine);
    assert_eq!(cli.json(&["keys", "urls", "--json"]), mine);
    // Refused alike: not an http(s) URL.
    let bad = json!({"watch": "ftp://x/{video_id}", "embed": mine["embed"], "hls": mine["hls"]});
    assert!(app
        .mock
        .call("set_video_url_templates", json!({ "templates": bad }))
        .is_err());
    let out = cli.run(&["keys", "urls", "--watch", "ftp://x/{video_id}"]);
    assert_eq!(out.status.code(), Some(2));
    // Nothing recorded on either side.
    assert_eq!(entries(&app.dir).len(), app_start);
    assert!(entries(&cli.dir).is_empty());
    rt.block_on(cli.sandbox.shutdown());
    let _ = std::fs::remove_dir_all(&app.dir);
    let _ = std::fs::remove_dir_all(&cli.dir);
}

fn str_of_or(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
