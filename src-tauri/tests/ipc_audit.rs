//! IPC and configuration audits. They look at what crosses to the webview,
//! by value, not at type names.
//!
//! - `no_command_answers_with_a_secret`: every listed command is
//!   run through the app's own invoke handler (`invoke_handler`, on Tauri's
//!   mock runtime, with `get_ipc_response`) against the embedded sandbox, with
//!   recognisable secrets planted in the secret store (credentials, saved
//!   tokens, vault session tokens, a private key PEM, for the active profile
//!   and another one). Each answer, `Ok` or `Err`, is scanned for every
//!   planted secret, every value any command put in the store, every secret
//!   the sandbox issued or accepted (its ledger, `portal_sandbox::ledger`) and
//!   every secret the audit passed in: raw, JSON-escaped, URL-encoded, in
//!   base64/base64url at any offset and in hex; a private key also as PEM
//!   lines, PKCS#1/PKCS#8 DER and by its private components. The only values
//!   a command may hand back are the products the user asked for, in the
//!   answer of the call that made or was given them: the one-time reveal of a
//!   created token (`reveal_token`, once), a user JWT, a signed video JWT, a
//!   share link. A command that is neither run nor in [`NOT_RUN`] fails the
//!   test, and [`NOT_RUN`] must be exactly the commands that open a native
//!   dialog and were not run.
//! - The listed commands (`src/commands/list.rs`, from which `lib.rs`
//!   registers and `build.rs` permits), the `#[tauri::command]` functions and
//!   the grants of the files in `capabilities/` are the same set.
//! - The generated bindings (`ui/src/lib/bindings/`) must be there; in every
//!   type a command returns or an event carries, a field whose name looks
//!   like a secret (token, secret, password, key, jwt, pem…) must be on an
//!   explicit allow-list that says why it is safe.
//! - `tauri.conf.json` and every capability stay strict.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use portal_core::profiles::{Environment, KeyValueStore, Profile, Profiles, SettingsFile};
use portal_core::secrets::{EntryName, Item, MemoryStore, SecretBackend, SecretStore};
use portal_core::Secret;
use serde_json::{json, Value};

#[path = "common/mock_app.rs"]
mod mock_app;
use mock_app::MockApp;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

// ---------------------------------------------------------------------------
// The command lists

include!("../src/commands/list.rs");

macro_rules! names {
    ($($module:ident :: $name:ident [$($flag:ident),*]),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

/// The listed commands (`src/commands/list.rs`; `build.rs` permits and
/// `lib.rs` registers exactly these): the list every other one is checked
/// against.
fn permitted() -> BTreeSet<String> {
    let list: &[&str] = with_commands!(names);
    list.iter().map(|n| (*n).to_owned()).collect()
}

/// `name -> (return type, body)` of every `#[tauri::command]` under src/commands.
fn command_sources() -> BTreeMap<String, (String, String)> {
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
            // The body: up to the end of this top-level function.
            let end = after[body_at..]
                .find("\n}\n")
                .map_or(after.len(), |e| body_at + e);
            out.insert(name, (ret, after[body_at..end].to_owned()));
        }
    }
    out
}

/// Commands whose body opens a native dialog (the mock runtime has none).
fn dialog_commands() -> BTreeSet<String> {
    command_sources()
        .into_iter()
        .filter(|(_, (_, body))| {
            body.contains("ask_save_path(")
                || body.contains("ask_open_path(")
                || body.contains(".dialog()")
        })
        .map(|(name, _)| name)
        .collect()
}

/// Commands the value audit does not run, each with the reason. Only a
/// command that opens a native dialog may be here (the test checks it), and
/// each such command that the audit does not run must be.
const NOT_RUN: &[(&str, &str)] = &[
    // The native save dialog; it answers with the chosen path (or null), and
    // writes the log there.
    ("export_activity", "native save dialog"),
    // The native save dialog; it answers with the chosen path (or null). The
    // PEM goes to that file only (mode 0600), never over IPC.
    ("export_private_key", "native save dialog"),
    // The native file picker; it answers with the chosen path (or null).
    ("pick_ca_file", "native file picker"),
    // The native save dialog; it answers with the number of events (or
    // null), and writes the calendar there (dates and names, no secret).
    ("export_calendar", "native save dialog"),
    // The native folder picker; it answers with the chosen path (or null).
    ("pick_scan_folder", "native folder picker"),
    // The native file picker; it answers with the chosen path (or null).
    ("pick_policy_file", "native file picker"),
];

// ---------------------------------------------------------------------------
// Secrets and their encodings

/// A secret the audit knows of, with where it came from (printed on a hit;
/// never the value).
#[derive(Clone)]
struct Needle {
    origin: String,
    value: String,
}

const B64: [base64::engine::GeneralPurpose; 2] = [
    base64::engine::general_purpose::STANDARD_NO_PAD,
    base64::engine::general_purpose::URL_SAFE_NO_PAD,
];

/// Base64 of `bytes` as it appears inside any longer base64 text, at each of
/// the three byte alignments: the characters that depend only on `bytes`.
fn base64_variants(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for skip in 0..3.min(bytes.len()) {
        let rest = &bytes[skip..];
        let whole = rest.len() / 3 * 3;
        if whole == 0 {
            continue;
        }
        for engine in &B64 {
            out.push(engine.encode(&rest[..whole]));
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Shorter patterns would match by chance.
const MIN_PATTERN: usize = 12;

/// `(encoding, pattern)` pairs to look for; matched against answers with
/// newlines (and JSON-escaped newlines) removed, so none holds a newline.
fn patterns(value: &str) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    if value.contains("PRIVATE KEY-----") {
        out.push(("pem", value.replace(['\r', '\n'], "")));
        for line in value.lines().filter(|l| !l.starts_with("-----")) {
            out.push(("pem line", line.to_owned()));
        }
        if let Some(parts) = private_key_parts(value) {
            for (what, bytes) in parts {
                for v in base64_variants(&bytes) {
                    out.push((what, v));
                }
                out.push((what, hex(&bytes)));
                out.push((what, hex(&bytes).to_uppercase()));
            }
        }
    } else {
        out.push(("raw", value.to_owned()));
        let json = serde_json::to_string(value).unwrap();
        out.push(("json-escaped", json[1..json.len() - 1].to_owned()));
        out.push(("url-encoded", percent_encoded(value)));
        for v in base64_variants(value.as_bytes()) {
            out.push(("base64", v));
        }
        out.push(("hex", hex(value.as_bytes())));
        out.push(("hex", hex(value.as_bytes()).to_uppercase()));
    }
    out.retain(|(_, p)| p.len() >= MIN_PATTERN);
    out.sort();
    out.dedup();
    out
}

/// A private key's DER forms and private components.
fn private_key_parts(pem: &str) -> Option<Vec<(&'static str, Vec<u8>)>> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    use rsa::traits::PrivateKeyParts;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
        .ok()?;
    let mut parts = vec![
        ("pkcs8 der", key.to_pkcs8_der().ok()?.as_bytes().to_vec()),
        ("pkcs1 der", key.to_pkcs1_der().ok()?.as_bytes().to_vec()),
        ("private exponent", key.d().to_bytes_be()),
    ];
    for p in key.primes() {
        parts.push(("prime", p.to_bytes_be()));
    }
    Some(parts)
}

/// An answer as the scan sees it: its JSON text and every string in it,
/// each with CR, LF and JSON-escaped newlines removed.
fn haystacks(answer: &Value) -> Vec<String> {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.clone());
                strings(x, out);
            }),
            _ => {}
        }
    }
    let mut out = vec![answer.to_string()];
    strings(answer, &mut out);
    out.into_iter()
        .map(|s| {
            s.replace("\\n", "")
                .replace("\\r", "")
                .replace(['\r', '\n'], "")
        })
        .collect()
}

/// The encodings among `patterns` found in `hay`.
fn found(hay: &[String], patterns: &[(&'static str, String)]) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = patterns
        .iter()
        .filter(|(_, p)| hay.iter().any(|h| h.contains(p.as_str())))
        .map(|(k, _)| *k)
        .collect();
    kinds.dedup();
    kinds
}

/// The encodings of `needle` found in `answer`, unless excused.
fn found_in(answer: &Value, needle: &Needle, excused: &[String]) -> Vec<&'static str> {
    if excused.iter().any(|e| e == &needle.value) {
        return Vec::new();
    }
    found(&haystacks(answer), &patterns(&needle.value))
}

// ---------------------------------------------------------------------------
// The store that remembers every value it was given

/// A [`MemoryStore`] that also keeps every value ever written to it, so each
/// becomes a needle even after it was deleted or replaced.
#[derive(Default)]
struct RecordingStore {
    inner: MemoryStore,
    written: Mutex<Vec<(String, String)>>,
}

impl SecretStore for RecordingStore {
    fn backend(&self) -> SecretBackend {
        self.inner.backend()
    }
    fn get(&self, name: &EntryName) -> portal_core::Result<Option<Secret>> {
        self.inner.get(name)
    }
    fn set(&self, name: &EntryName, value: &Secret) -> portal_core::Result<()> {
        self.written
            .lock()
            .unwrap()
            .push((name.account(), value.expose().to_owned()));
        self.inner.set(name, value)
    }
    fn delete(&self, name: &EntryName) -> portal_core::Result<()> {
        self.inner.delete(name)
    }
}

fn random_alnum(n: usize) -> String {
    uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .chain(uuid::Uuid::new_v4().simple().to_string().chars())
        .chain(uuid::Uuid::new_v4().simple().to_string().chars())
        .take(n)
        .collect()
}

/// A JWT-shaped value with real claims (the app decodes the stored vault
/// access token's claims), signed by nobody.
fn fake_vault_jwt(email: &str) -> String {
    let enc = |v: Value| B64[1].encode(v.to_string());
    let exp = chrono::Utc::now().timestamp() + 3600;
    format!(
        "{}.{}.{}",
        enc(json!({"alg": "HS256", "typ": "JWT"})),
        enc(
            json!({"sub": "usr_planted", "tenantId": "ten_planted", "roles": ["admin"],
                   "email": email, "iat": exp - 7200, "exp": exp})
        ),
        random_alnum(43)
    )
}

fn new_private_pem() -> String {
    let key = portal_core::keypair::generate(2048, |_| {}, &Default::default()).unwrap();
    key.to_pkcs8_pem().unwrap().expose().to_owned()
}

// ---------------------------------------------------------------------------
// Driving the real handler

struct Call {
    cmd: String,
    answer: Value,
    /// Products this call may hand back (see the module docs).
    excused: Vec<String>,
}

struct Audit {
    app: MockApp,
    calls: Vec<Call>,
    ran: BTreeSet<String>,
    /// Secrets the audit itself passed to commands.
    given: Vec<Needle>,
}

impl Audit {
    /// Invokes `cmd` as the webview would. A refusal by Tauri itself (wrong
    /// arguments, unknown command) fails the test: the command did not run.
    fn call(&mut self, cmd: &str, args: Value) -> Result<Value, Value> {
        let answer = self.app.invoke(cmd, args);
        if let Err(e) = &answer {
            assert!(
                e.get("code").is_some(),
                "`{cmd}` was refused before it ran (not a typed error): {e}"
            );
        }
        self.ran.insert(cmd.to_owned());
        self.calls.push(Call {
            cmd: cmd.to_owned(),
            answer: match &answer {
                Ok(v) => json!({ "ok": v }),
                Err(e) => json!({ "err": e }),
            },
            excused: Vec::new(),
        });
        answer
    }

    fn ok(&mut self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("`{cmd}` failed: {}", e["message"]),
        }
    }

    fn err(&mut self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("`{cmd}` should have failed, answered {v}"),
            Err(e) => e,
        }
    }

    /// The last call may hand back `value` (a product it made or was given).
    fn excuse(&mut self, value: &str) {
        self.calls
            .last_mut()
            .unwrap()
            .excused
            .push(value.to_owned());
    }

    fn give(&mut self, origin: &str, value: &str) -> String {
        self.given.push(Needle {
            origin: format!("given to a command: {origin}"),
            value: value.to_owned(),
        });
        value.to_owned()
    }
}

fn read_ledger(path: &Path) -> Vec<Needle> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Needle {
                origin: format!("sandbox ledger: {}", v["class"].as_str().unwrap()),
                value: v["value"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

fn ledger_values(path: &Path, class: &str) -> Vec<String> {
    read_ledger(path)
        .into_iter()
        .filter(|n| n.origin.ends_with(&format!(": {class}")))
        .map(|n| n.value)
        .collect()
}

#[test]
fn no_command_answers_with_a_secret() {
    let dir = std::env::temp_dir().join(format!("pp-ipc-audit-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let ledger = dir.join("ledger.jsonl");
    // The sandbox (debug build) appends each secret it issues or accepts here.
    std::env::set_var("PORTAL_SANDBOX_SECRET_LEDGER", &ledger);
    let data_dir = dir.join("data");
    std::fs::create_dir_all(&data_dir).unwrap();

    // Another sandbox, for a profile whose planted credentials it refuses:
    // the commands' error answers, with those credentials really sent.
    let other = tauri::async_runtime::block_on(portal_sandbox::Sandbox::start(
        portal_sandbox::SandboxConfig::default(),
    ))
    .unwrap();

    // Planted secrets: recognisable, random, for the sandbox profile (the
    // embedded sandbox takes its admin token and API key as its own) and for
    // a second profile.
    let store = Arc::new(RecordingStore::default());
    let mut planted: Vec<Needle> = Vec::new();
    let mut plant = |profile: &str, item: Item, value: String| {
        planted.push(Needle {
            origin: format!("planted {profile}/{}", item.account_suffix()),
            value: value.clone(),
        });
        store
            .set(&EntryName::new(profile, item), &Secret::new(value.as_str()))
            .unwrap();
    };
    let admin_token = format!("vst_live_{}", random_alnum(32));
    let api_key = format!("AuditPlantedApiKey{}", random_alnum(22));
    plant("Sandbox", Item::VaultStreamToken, admin_token.clone());
    plant("Sandbox", Item::JwtKeysApiKey, api_key.clone());
    plant(
        "Sandbox",
        Item::SavedToken("tok_planted".into()),
        format!("vst_live_{}", random_alnum(32)),
    );
    plant(
        "Sandbox",
        Item::PrivateKey("lk_planted".into()),
        new_private_pem(),
    );
    for (item, value) in [
        (
            Item::VaultStreamToken,
            format!("vst_live_{}", random_alnum(32)),
        ),
        (
            Item::JwtKeysApiKey,
            format!("AuditPlantedKey{}", random_alnum(25)),
        ),
        (
            Item::VaultPassword,
            format!("Audit-Planted-Password-{}", random_alnum(12)),
        ),
        (
            Item::VaultAccessToken,
            fake_vault_jwt("planted@example.com"),
        ),
        (
            Item::VaultRefreshToken,
            format!("rt_planted_{}", random_alnum(32)),
        ),
        (
            Item::SavedToken("tok_planted".into()),
            format!("vst_live_{}", random_alnum(32)),
        ),
        (Item::PrivateKey("lk_planted".into()), new_private_pem()),
    ] {
        plant("Planted", item, value);
    }

    // Settings: the second profile, on the other sandbox.
    let settings = SettingsFile::open(data_dir.join("settings.json")).unwrap();
    let mut profile = Profile::new("Planted", Environment::Sandbox);
    profile.urls.vaultstream = other.vaultstream_url();
    profile.urls.jwt_keys = other.jwt_keys_url();
    profile.urls.vault = other.vault_url();
    profile.vault_email = Some("planted@example.com".into());
    Profiles::new(&settings as &dyn KeyValueStore)
        .add(profile)
        .unwrap();

    // The app: its real handler and state, on the mock runtime, with the
    // plugins the commands use.
    let app = MockApp::start(
        Box::new(settings),
        &data_dir,
        store.clone() as Arc<dyn SecretStore>,
    );
    // What events carry to the webview is scanned like the answers.
    let events: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    for name in ["asset-upload", "keygen-progress"] {
        let seen = events.clone();
        tauri::Listener::listen_any(&app.app, name, move |e| {
            seen.lock()
                .unwrap()
                .push((name.to_owned(), e.payload().to_owned()));
        });
    }
    let mut a = Audit {
        app,
        calls: Vec::new(),
        ran: BTreeSet::new(),
        given: Vec::new(),
    };

    // --- the scenario: each command with plausible arguments.
    a.ok("app_state", json!({}));
    a.ok("token_scopes", json!({}));
    let sandbox = a.ok("explore_sandbox", json!({}));
    let admin_email = sandbox["vaultEmail"].as_str().unwrap().to_owned();
    let urls = sandbox["urls"].clone();
    a.ok("app_state", json!({}));
    a.ok("service_status", json!({}));
    a.ok("service_clock", json!({}));
    a.ok("list_tokens", json!({}));

    // Tokens: create, the one-time reveal, copy, save, rotate, revoke.
    let created = a.ok(
        "create_token",
        json!({"input": {"name": "Audit token", "scopes": ["content:read"], "expiresAt": null}}),
    );
    let reveal_id = created["revealId"].as_str().unwrap().to_owned();
    let token_id = created["token"]["id"].as_str().unwrap().to_owned();
    a.ok("token_snippets", json!({"revealId": reveal_id}));
    let value = a.ok("reveal_token", json!({"revealId": reveal_id}));
    let value = value.as_str().unwrap().to_owned();
    a.excuse(&value);
    assert!(
        ledger_values(&ledger, "revealed_token").contains(&value),
        "reveal_token answered with something other than the created token"
    );
    a.err("reveal_token", json!({"revealId": reveal_id}));
    let _ = a.call("copy_token", json!({"revealId": reveal_id, "what": "curl"}));
    a.ok("save_revealed_token", json!({"revealId": reveal_id}));
    // The saved copy at work: a user JWT with it.
    let request = json!({"user_id": "u_audit", "content_id": "vid_audit", "ttl_seconds": 600});
    let jwt = a.ok(
        "create_user_jwt",
        json!({"request": request, "savedTokenId": token_id}),
    );
    a.excuse(jwt["jwt"].as_str().unwrap());
    let _ = a.call(
        "copy_held",
        json!({"copyId": jwt["copyId"], "part": "snippet"}),
    );
    a.ok("saved_tokens", json!({}));
    a.ok("close_reveal", json!({"revealId": reveal_id}));
    let rotated = a.ok("rotate_token", json!({"id": token_id}));
    let new_id = rotated["token"]["id"].as_str().unwrap().to_owned();
    a.ok(
        "close_reveal",
        json!({"revealId": rotated["revealId"].as_str().unwrap()}),
    );
    a.ok(
        "finish_rotation",
        json!({"oldId": token_id, "newId": new_id, "quietPeriodSeconds": 86400}),
    );
    a.ok("rotation_reminders", json!({}));
    a.ok("rotation_states", json!({}));
    a.ok("health_report", json!({}));
    // Updates: this build names no feed, so nothing is checked or installed.
    a.ok("update_settings", json!({}));
    a.ok("set_update_checks", json!({"enabled": false}));
    a.ok("check_for_update", json!({}));
    a.err("install_update", json!({}));
    a.ok("revoke_token", json!({"id": token_id}));
    // The revoke forgot the saved copy already.
    a.err("forget_saved_token", json!({"id": token_id}));
    let jwt = a.ok(
        "create_user_jwt",
        json!({"request": request, "savedTokenId": null}),
    );
    a.excuse(jwt["jwt"].as_str().unwrap());
    a.err(
        "create_user_jwt",
        json!({"request": request, "savedTokenId": "tok_planted"}),
    );
    a.ok(
        "set_preferences",
        json!({"prefs": {"clipboardClearSeconds": 30}}),
    );

    // Keys: generate, import (keeping the private half), upload, verify, sign.
    a.ok("keys_overview", json!({}));
    let generated = a.ok(
        "generate_key",
        json!({"name": "Audit generated", "bits": 2048}),
    );
    let generated_id = generated["localId"].as_str().unwrap().to_owned();
    a.ok("cancel_keygen", json!({}));
    let imported_pem = a.give("import_key pem", &new_private_pem());
    let imported = a.ok(
        "import_key",
        json!({"input": {"name": "Audit imported", "pem": imported_pem, "passphrase": null, "keepPrivate": true}}),
    );
    let imported_id = imported["local"]["localId"].as_str().unwrap().to_owned();
    a.ok("local_key", json!({"localId": generated_id}));
    a.ok("key_details", json!({"id": imported_id}));
    let uploaded = a.ok("upload_key", json!({"localId": generated_id}));
    let server_id = uploaded["server"]["id"].as_str().unwrap().to_owned();
    a.ok("verify_uploaded_key", json!({"serverId": server_id}));
    a.ok("set_default_key", json!({"serverId": server_id}));
    a.ok("key_details", json!({"id": server_id}));
    a.ok("keys_overview", json!({}));
    let signed = a.ok(
        "sign_video_jwt",
        json!({"request": {"serverId": server_id, "videoId": "vid_audit", "ttlSeconds": 600}}),
    );
    let video_jwt = signed["jwt"].as_str().unwrap().to_owned();

    a.excuse(&video_jwt);
    // Key retirement: the JWT just signed is live, so the check says so;
    // a deletion scheduled and called off, and a run with nothing due.
    let check = a.ok("key_deletion_check", json!({"serverId": server_id}));
    assert_eq!(check["hoursLeft"], 1, "{check}");
    a.ok(
        "schedule_key_deletion",
        json!({"serverId": server_id, "deleteLocal": false}),
    );
    let retired = a.ok("retire_due_keys", json!({}));
    assert_eq!(retired["deleted"], json!([]), "{retired}");
    a.ok("cancel_key_deletion", json!({"serverId": server_id}));
    // Settings → Policy: a malformed file is refused with its line and not
    // kept; with a good one, a create that breaks it is refused in core and
    // the audit names the token (still listed, never expiring) that does.
    let none = a.ok("policy_status", json!({}));
    assert!(none["file"].is_null(), "{none}");
    let policy_dir = data_dir.join("policy");
    std::fs::create_dir_all(&policy_dir).unwrap();
    let (good, bad) = (
        policy_dir.join("portal-policy.toml"),
        policy_dir.join("bad.toml"),
    );
    std::fs::write(&good, "[default]\nrequire_expiry = true\nmax_scopes = 3\n").unwrap();
    std::fs::write(&bad, "[default]\nmax_scopes = 0\n").unwrap();
    let e = a.err("set_policy_file", json!({"path": bad}));
    assert!(e["message"].as_str().unwrap().contains("line 2"), "{e}");
    assert!(a.ok("policy_status", json!({}))["file"].is_null());
    let status = a.ok("set_policy_file", json!({"path": good}));
    assert!(
        status["described"].to_string().contains("expiry"),
        "{status}"
    );
    let refused = a.err(
        "create_token",
        json!({"input": {"name": "Audit forever", "scopes": ["content:read"], "expiresAt": null}}),
    );
    assert_eq!(refused["code"], "policy", "{refused}");
    let report = a.ok("check_policy", json!({}));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == new_id.as_str() && f["rule"] == "require_expiry"),
        "{report}"
    );
    a.ok("set_policy_file", json!({"path": null}));
    // The leak check reads every planted secret from a file: its answer
    // names what it found, masked, and holds none of them (the scan below).
    let leak_dir = data_dir.join("leaks");
    std::fs::create_dir_all(&leak_dir).unwrap();
    let leaked: String = planted
        .iter()
        .map(|n| format!("x = {}\n", n.value))
        .collect();
    std::fs::write(leak_dir.join(".env"), leaked).unwrap();
    let report = a.ok("scan_folder", json!({"root": leak_dir, "history": false}));
    let kinds: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains("stored_credential") && kinds.contains("private_key"),
        "the leak check missed planted secrets: {kinds:?}"
    );
    a.ok("cancel_scan", json!({}));
    // No link arrived under the mock runtime: nothing waits.
    assert_eq!(a.ok("take_deep_links", json!({})), json!([]));
    // The clipboard may be missing under the mock runtime: only the answer
    // (or its error) is audited.
    let _ = a.call(
        "copy_held",
        json!({"copyId": signed["copyId"], "part": "jwt"}),
    );
    a.ok("set_jwt_max_ttl", json!({"seconds": 86_400}));
    a.err(
        "sign_video_jwt",
        json!({"request": {"serverId": server_id, "videoId": "vid_audit", "ttlSeconds": 2 * 86_400}}),
    );
    a.ok(
        "test_playback",
        json!({"videoId": "vid_audit", "jwt": video_jwt}),
    );
    a.excuse(&video_jwt);
    a.ok("verify_any_jwt", json!({"jwt": video_jwt}));
    a.excuse(&video_jwt);
    // The doctor shows the JWT's header and claims, never the JWT: no excuse.
    let doctored = a.ok(
        "diagnose_playback",
        json!({"input": format!("https://watch.vidbeo.com/vid_audit?jwt={video_jwt}"), "skewSeconds": null}),
    );
    assert_eq!(doctored["ok"], true, "{doctored}");
    a.ok("video_url_templates", json!({}));
    a.ok(
        "set_video_url_templates",
        json!({"templates": {"watch": "https://w.example/{video_id}",
                             "embed": "https://e.example/{video_id}",
                             "hls": "https://h.example/{video_id}.m3u8"}}),
    );
    let public = portal_core::keypair::PrivateKey::from_pem(&Secret::new(new_private_pem()))
        .unwrap()
        .public_key()
        .to_pem()
        .unwrap();
    let public_upload = a.ok(
        "upload_public_key",
        json!({"name": "Audit public", "pem": public}),
    );
    let public_id = public_upload["server"]["id"].as_str().unwrap().to_owned();
    a.ok(
        "delete_key",
        json!({"serverId": public_id, "localId": null, "deleteLocal": false}),
    );
    a.ok(
        "delete_key",
        json!({"serverId": null, "localId": imported_id, "deleteLocal": true}),
    );

    // Vault: session, login (the sandbox admin's password, from the ledger), assets.
    a.ok("vault_session", json!({}));
    let admin_password = ledger_values(&ledger, "password")
        .into_iter()
        .next()
        .expect("the embedded sandbox's login is in the ledger");
    a.give("vault_login password", &admin_password);
    a.ok(
        "vault_login",
        json!({"email": admin_email, "password": admin_password, "remember": true}),
    );
    let wrong = a.give(
        "vault_login wrong password",
        &format!("Wrong-Audit-{}", random_alnum(16)),
    );
    a.err(
        "vault_login",
        json!({"email": admin_email, "password": wrong, "remember": false}),
    );
    a.ok(
        "vault_login",
        json!({"email": admin_email, "password": admin_password, "remember": true}),
    );
    let page = a.ok(
        "list_assets",
        json!({"query": {"page": 1, "limit": 20, "folder_id": null, "q": null, "sort": null}}),
    );
    let ids: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["legal_hold"] != json!(true))
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 3, "the embedded sandbox seeds assets");
    let id = ids[0].clone();
    a.ok("asset_details", json!({"id": id}));
    a.ok("list_transforms", json!({"id": id}));
    let _ = a.call("request_transform", json!({"id": id, "kind": "thumbnail"}));
    let share = a.ok("share_asset", json!({"id": id, "expiresInSeconds": 3600}));
    let share_url = share["share"]["url"].as_str().unwrap().to_owned();
    let share_token = share_url.rsplit('/').next().unwrap().to_owned();
    a.excuse(&share_url);
    a.excuse(&share_token);
    let _ = a.call(
        "copy_held",
        json!({"copyId": share["copyId"], "part": "url"}),
    );
    assert!(
        ledger_values(&ledger, "share_token").contains(&share_token),
        "the share link's token is in the ledger"
    );
    a.ok("asset_details", json!({"id": id}));
    a.ok(
        "update_asset",
        json!({"id": id, "update": {"name": "Audit renamed"}}),
    );
    a.ok("list_folders", json!({}));
    a.ok(
        "create_folder",
        json!({"name": "Audit folder", "parentId": null}),
    );
    a.ok("vault_quota", json!({}));
    a.ok("set_legal_hold", json!({"id": id, "reason": "Audit hold"}));
    a.err("delete_asset", json!({"id": id}));
    a.ok("clear_legal_hold", json!({"id": id}));
    a.ok("delete_assets", json!({"ids": [ids[1], "ast_missing"]}));
    a.ok("delete_asset", json!({"id": ids[2]}));
    let upload = dir.join("audit-upload.mp4");
    std::fs::write(&upload, vec![7u8; 64 * 1024]).unwrap();
    // Debug builds: the file dialog's seam (see pick_and_upload).
    std::env::set_var("PORTAL_E2E_PICK_FILES", &upload);
    let started = a.ok("pick_and_upload", json!({"folderId": null}));
    std::env::remove_var("PORTAL_E2E_PICK_FILES");
    let upload_id = started[0]["uploadId"].as_str().unwrap().to_owned();
    a.ok("cancel_upload", json!({"uploadId": upload_id}));
    a.err(
        "upload_dropped",
        json!({"paths": [upload.to_string_lossy()], "folderId": null}),
    );
    a.ok("activity_log", json!({}));
    a.ok("profile_network", json!({"name": "Sandbox"}));

    // Credentials: a new account (the sandbox's, as a plain profile), then a
    // refused replacement and an accepted one on it, a refused new account.
    a.ok(
        "connect_account",
        json!({"input": {"name": "Audit connect", "environment": "sandbox", "urls": urls,
                         "vaultstreamToken": admin_token, "jwtKeysApiKey": api_key,
                         "vaultEmail": admin_email, "vaultPassword": admin_password}}),
    );
    a.ok("switch_profile", json!({"name": "Audit connect"}));
    let refused = a.give(
        "replace_credential refused",
        &format!("vst_live_{}", random_alnum(32)),
    );
    a.err(
        "replace_credential",
        json!({"service": "vault_stream", "secret": refused}),
    );
    a.ok(
        "replace_credential",
        json!({"service": "vault_stream", "secret": admin_token}),
    );
    a.ok("list_tokens", json!({}));
    a.ok(
        "set_profile_network",
        json!({"name": "Audit connect", "caFile": null, "proxy": "http://127.0.0.1:3128"}),
    );
    a.ok("profile_network", json!({"name": "Audit connect"}));
    a.ok(
        "set_profile_network",
        json!({"name": "Audit connect", "caFile": null, "proxy": null}),
    );
    a.ok("switch_profile", json!({"name": "Sandbox"}));
    let bad_password = a.give(
        "connect_account refused password",
        &format!("Refused-Audit-{}", random_alnum(16)),
    );
    a.err(
        "connect_account",
        json!({"input": {"name": "Audit refused", "environment": "sandbox", "urls": urls,
                         "vaultstreamToken": refused, "jwtKeysApiKey": null,
                         "vaultEmail": admin_email, "vaultPassword": bad_password}}),
    );
    a.ok("remove_profile", json!({"name": "Audit connect"}));

    // The second profile: its planted credentials are sent and refused.
    a.ok("switch_profile", json!({"name": "Planted"}));
    a.ok("app_state", json!({}));
    let _ = a.call("service_status", json!({}));
    a.err("list_tokens", json!({}));
    a.err(
        "create_token",
        json!({"input": {"name": "Refused", "scopes": ["content:read"], "expiresAt": null}}),
    );
    a.err(
        "create_user_jwt",
        json!({"request": request, "savedTokenId": "tok_planted"}),
    );
    a.err("revoke_token", json!({"id": "tok_planted"}));
    a.err("keys_overview", json!({}));
    a.err("verify_any_jwt", json!({"jwt": video_jwt}));
    a.excuse(&video_jwt);
    a.err(
        "diagnose_playback",
        json!({"input": video_jwt, "skewSeconds": 30}),
    );
    let _ = a.call("vault_session", json!({}));
    a.err(
        "list_assets",
        json!({"query": {"page": 1, "limit": 20, "folder_id": null, "q": null, "sort": null}}),
    );
    a.err("vault_quota", json!({}));
    a.ok("vault_logout", json!({}));
    a.ok("switch_profile", json!({"name": "Sandbox"}));
    a.ok("vault_logout", json!({}));
    a.ok("activity_log", json!({}));

    // Last: the encrypted file replaces the (recording) store.
    let passphrase = a.give(
        "use_encrypted_file passphrase",
        &format!("audit passphrase {}", random_alnum(16)),
    );
    a.ok("use_encrypted_file", json!({"passphrase": passphrase}));
    let wrong_passphrase = a.give(
        "unlock_secrets wrong passphrase",
        &format!("wrong passphrase {}", random_alnum(16)),
    );
    a.err("unlock_secrets", json!({"passphrase": wrong_passphrase}));
    a.ok("unlock_secrets", json!({"passphrase": passphrase}));
    a.ok("app_state", json!({}));

    // Events: scanned as answers of their own (the upload runs in the background).
    for _ in 0..100 {
        if events
            .lock()
            .unwrap()
            .iter()
            .any(|(n, _)| n == "asset-upload")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for (name, payload) in events.lock().unwrap().iter() {
        a.calls.push(Call {
            cmd: format!("event {name}"),
            answer: serde_json::from_str(payload).unwrap(),
            excused: Vec::new(),
        });
    }
    for name in ["asset-upload", "keygen-progress"] {
        assert!(
            a.calls.iter().any(|c| c.cmd == format!("event {name}")),
            "no {name} event was seen"
        );
    }

    // --- every command ran, or is a dialog the audit cannot drive.
    let all = permitted();
    let not_run: BTreeSet<String> = NOT_RUN.iter().map(|(n, _)| (*n).to_owned()).collect();
    for name in &all {
        assert!(
            a.ran.contains(name) || not_run.contains(name),
            "command `{name}` (build.rs) is not run by the IPC audit: give it plausible arguments \
             in no_command_answers_with_a_secret"
        );
    }
    for name in &not_run {
        assert!(!a.ran.contains(name), "`{name}` is in NOT_RUN but was run");
        assert!(all.contains(name), "NOT_RUN names `{name}`, not a command");
    }
    let dialogs_not_run: BTreeSet<String> = dialog_commands()
        .into_iter()
        .filter(|c| !a.ran.contains(c))
        .collect();
    assert_eq!(
        not_run, dialogs_not_run,
        "NOT_RUN must be exactly the commands that open a native dialog and are not run"
    );

    // --- the scan. Needles: planted, every value the store was given,
    // every secret of the sandbox's ledger, every secret given to a command.
    let mut needles = planted.clone();
    needles.extend(
        store
            .written
            .lock()
            .unwrap()
            .iter()
            .map(|(account, value)| Needle {
                origin: format!("written to the store as {account}"),
                value: value.clone(),
            }),
    );
    needles.extend(read_ledger(&ledger));
    needles.extend(a.given.iter().cloned());
    let classes: BTreeSet<String> = read_ledger(&ledger).into_iter().map(|n| n.origin).collect();
    for class in [
        "admin_token",
        "api_key",
        "password",
        "access_token",
        "refresh_token",
        "revealed_token",
        "user_jwt",
        "share_token",
        "video_jwt",
        "signing_secret",
    ] {
        assert!(
            classes.contains(&format!("sandbox ledger: {class}")),
            "no {class} in the ledger: the audit would prove nothing for it"
        );
    }
    assert!(
        store
            .written
            .lock()
            .unwrap()
            .iter()
            .any(
                |(account, _)| account.starts_with("Sandbox/private-key/lk_")
                    && !account.ends_with("lk_planted")
            ),
        "no private key was kept during the run"
    );

    // The scan must find what it looks for: each needle, planted in an answer.
    for needle in &needles {
        assert!(
            !patterns(&needle.value).is_empty(),
            "{} is too short to look for",
            needle.origin
        );
        let answer = json!({"err": {"message": format!("before {} after", needle.value)}});
        assert!(
            !found_in(&answer, needle, &[]).is_empty(),
            "self-test: {} not found",
            needle.origin
        );
    }
    // No excused product may be a credential kept in the store.
    let planted_values: BTreeSet<&str> = planted.iter().map(|n| n.value.as_str()).collect();
    for call in &a.calls {
        for e in &call.excused {
            assert!(
                !planted_values.contains(e.as_str()),
                "`{}` excuses a planted secret",
                call.cmd
            );
        }
    }

    let with_patterns: Vec<(&Needle, Vec<(&'static str, String)>)> =
        needles.iter().map(|n| (n, patterns(&n.value))).collect();
    let mut hits = Vec::new();
    for call in &a.calls {
        let hay = haystacks(&call.answer);
        for (needle, pats) in &with_patterns {
            if call.excused.contains(&needle.value) {
                continue;
            }
            let kinds = found(&hay, pats);
            if !kinds.is_empty() {
                hits.push(format!(
                    "`{}` answered with {} ({})",
                    call.cmd,
                    needle.origin,
                    kinds.join(", ")
                ));
            }
        }
    }
    hits.sort();
    hits.dedup();
    println!(
        "IPC audit: {} calls of {} commands ({} not run: dialogs), {} needles, {} answers with an error",
        a.calls.len(),
        a.ran.len(),
        not_run.len(),
        needles.len(),
        a.calls.iter().filter(|c| c.answer.get("err").is_some()).count()
    );
    assert!(
        hits.is_empty(),
        "secrets in IPC answers:\n  {}",
        hits.join("\n  ")
    );
    assert!(a.calls.len() > all.len(), "too few calls");

    tauri::async_runtime::block_on(other.shutdown());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_scan_finds_each_encoding_and_nothing_else() {
    let secret = Needle {
        origin: "test".into(),
        value: format!("vst_live_{}", random_alnum(32)),
    };
    let v = secret.value.as_str();
    let b64 = |prefix: &str| B64[0].encode(format!("{prefix}{v}"));
    for answer in [
        json!({"ok": v}),
        json!({"err": {"message": format!("token {v} refused")}}),
        json!({"ok": {"url": format!("https://x/?t={}", percent_encoded(v))}}),
        json!({"ok": b64("")}),
        json!({"ok": b64("x")}),
        json!({"ok": b64("xy")}),
        json!({"ok": B64[1].encode(format!("ab{v}cd"))}),
        json!({"ok": hex(format!("::{v}").as_bytes())}),
        json!({"ok": [{"deep": {"deeper": [v]}}]}),
    ] {
        assert!(
            !found_in(&answer, &secret, &[]).is_empty(),
            "missed in {answer}"
        );
        assert!(found_in(&answer, &secret, &[v.to_owned()]).is_empty());
    }
    assert!(found_in(&json!({"ok": "vst_live_"}), &secret, &[]).is_empty());

    // A private key: as PEM in JSON, by a PEM line, as DER, by its exponent.
    let pem = new_private_pem();
    let key = Needle {
        origin: "key".into(),
        value: pem.clone(),
    };
    let parts = private_key_parts(&pem).unwrap();
    let der = &parts[0].1;
    let d = &parts[2].1;
    for answer in [
        json!({"ok": {"pem": pem}}),
        json!({"ok": pem.lines().nth(5).unwrap()}),
        json!({"ok": B64[0].encode([b"z".as_slice(), der.as_slice()].concat())}),
        json!({"ok": {"d": B64[1].encode(d)}}),
        json!({"ok": hex(d)}),
    ] {
        assert!(
            !found_in(&answer, &key, &[]).is_empty(),
            "missed in {answer}"
        );
    }
    let public = portal_core::keypair::PrivateKey::from_pem(&Secret::new(pem.as_str()))
        .unwrap()
        .public_key()
        .to_pem()
        .unwrap();
    assert!(found_in(&json!({"ok": public}), &key, &[]).is_empty());
}

// ---------------------------------------------------------------------------
// Registered, permitted and granted

fn capabilities() -> Vec<(String, Value)> {
    let dir = root().join("capabilities");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("capabilities/{name} is not JSON ({e}): the audit reads JSON capabilities only")
        });
        out.push((name, value));
    }
    assert!(!out.is_empty(), "no capability files");
    out
}

fn permission_ids(cap: &Value) -> Vec<String> {
    cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match p {
            Value::String(s) => s.clone(),
            other => other["identifier"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

#[test]
fn registered_permitted_and_granted_commands_match() {
    let found: BTreeSet<String> = command_sources().into_keys().collect();
    let permitted = permitted();
    assert_eq!(
        permitted, found,
        "src/commands/list.rs differs from the #[tauri::command] functions"
    );

    // Every capability file: an app-command grant must name a permitted
    // command; together they grant each one.
    let mut granted = BTreeSet::new();
    for (file, cap) in capabilities() {
        for p in permission_ids(&cap) {
            if let Some(cmd) = p.strip_prefix("allow-") {
                let cmd = cmd.replace('-', "_");
                assert!(
                    permitted.contains(&cmd),
                    "capabilities/{file} grants `{p}`, which is no audited command"
                );
                granted.insert(cmd);
            }
        }
    }
    assert_eq!(
        granted, permitted,
        "the capabilities grant a different set than build.rs permits"
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

    // The only plugin grants we accept, in any capability: narrow ones we use.
    let allowed_plugin_grants = ["core:event:default", "clipboard-manager:allow-write-text"];
    for (file, cap) in capabilities() {
        for p in permission_ids(&cap) {
            if p.starts_with("allow-") {
                continue;
            }
            assert!(
                allowed_plugin_grants.contains(&p.as_str()),
                "broad or unexpected grant `{p}` in capabilities/{file}"
            );
        }
        assert_eq!(
            cap["windows"],
            json!(["main"]),
            "capabilities/{file} must apply to the main window only"
        );
        assert!(
            cap.get("remote").is_none(),
            "capabilities/{file} grants remote URLs"
        );
    }
}

// ---------------------------------------------------------------------------
// Bindings: secret-looking field names

/// Words that make a field name look like a secret.
const SECRET_WORDS: &[&str] = &[
    "token",
    "tokens",
    "secret",
    "secrets",
    "password",
    "passphrase",
    "passwd",
    "private",
    "key",
    "keys",
    "apikey",
    "jwt",
    "pem",
    "credential",
    "credentials",
    "bearer",
    "refresh",
    "access",
    "session",
    "cookie",
    "auth",
    "authorization",
    "otp",
    "seed",
];

/// Fields of returned types whose names look secret but are not, and why.
const SAFE_FIELDS: &[(&str, &str, &str)] = &[
    (
        "AppState",
        "secrets",
        "SecretsInfo: which backend and whether it is ready, no value",
    ),
    (
        "CreatedTokenView",
        "token",
        "ApiToken: the token's metadata; the value only via reveal_token",
    ),
    ("JwtKey", "public_key", "a public key"),
    (
        "LinkRefusal",
        "secret",
        "a boolean: whether the refused link was secret-shaped (the link itself is never kept)",
    ),
    ("KeySummary", "publicKeyPem", "a public key"),
    ("LocalKey", "serverKeyId", "an id"),
    (
        "Finding",
        "tokenId",
        "the id of a saved token a leak matched, never its value",
    ),
    (
        "Finding",
        "keyId",
        "the server id of the JWT key a leaked private key signs for",
    ),
    (
        "Finding",
        "localKeyId",
        "the local id (lk_…) of a key kept here",
    ),
    ("ServiceUrls", "jwtKeys", "a URL"),
    (
        "PolicyRules",
        "max_token_lifetime_days",
        "a policy rule: a number of days",
    ),
    (
        "PolicyRules",
        "max_key_age_days",
        "a policy rule: a number of days",
    ),
    ("Profile", "jwtMaxTtlSeconds", "a lifetime in seconds"),
    ("RemovedProfile", "credentials", "a count"),
    ("RemovedProfile", "sessionTokens", "a count"),
    ("RemovedProfile", "savedTokens", "a count"),
    ("RemovedProfile", "privateKeys", "a count"),
    (
        "SignedVideoJwt",
        "jwt",
        "the signed video JWT the user asked for",
    ),
    ("UserJwtView", "jwt", "the player JWT the user asked for"),
    (
        "UploadVerification",
        "testJwt",
        "a Verdict on a test JWT, not the JWT",
    ),
];

/// Input-only types: they carry secrets from the webview to Rust, and must
/// never be reachable from what a command returns.
const INPUT_TYPES: &[&str] = &["ConnectInput", "ImportKeyInput"];

fn words(field: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in field.chars() {
        if c == '_' || c == '-' {
            out.push(String::new());
        } else if c.is_uppercase() {
            out.push(c.to_lowercase().collect());
        } else {
            out.last_mut().unwrap().push(c);
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

fn looks_secret(field: &str) -> bool {
    let lower = field.to_lowercase();
    words(field)
        .iter()
        .any(|w| SECRET_WORDS.contains(&w.as_str()))
        || ["apikey", "privatekey", "accesstoken", "refreshtoken"]
            .iter()
            .any(|s| lower.contains(s))
}

/// `field -> type` of a binding file (comments removed).
fn binding_fields(text: &str) -> Vec<(String, String)> {
    let mut clean = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("/*") {
        clean.push_str(&rest[..at]);
        rest = rest[at..].find("*/").map_or("", |e| &rest[at + e + 2..]);
    }
    clean.push_str(rest);
    let clean: String = clean
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && !l.starts_with("import "))
        .collect::<Vec<_>>()
        .join("\n");
    let Some(body_at) = clean.find('=') else {
        return Vec::new();
    };
    let body = &clean[body_at + 1..];
    let mut out = Vec::new();
    let bytes: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_alphabetic() || c == '_' || c == '"' {
            let quoted = c == '"';
            let start = if quoted { i + 1 } else { i };
            let mut j = start;
            while j < bytes.len() && (bytes[j].is_alphanumeric() || bytes[j] == '_') {
                j += 1;
            }
            let name: String = bytes[start..j].iter().collect();
            let mut k = if quoted && j < bytes.len() && bytes[j] == '"' {
                j + 1
            } else {
                j
            };
            if k < bytes.len() && bytes[k] == '?' {
                k += 1;
            }
            if k < bytes.len() && bytes[k] == ':' && !name.is_empty() {
                let ty: String = bytes[k + 1..]
                    .iter()
                    .take_while(|c| **c != ',' && **c != '}' && **c != ';')
                    .collect();
                out.push((name, ty.trim().to_owned()));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn type_names(ty: &str) -> Vec<String> {
    ty.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().next().is_some_and(char::is_uppercase))
        .filter(|t| !["Array", "Record", "Partial", "Omit", "Pick"].contains(t))
        .map(str::to_owned)
        .collect()
}

#[test]
fn returned_types_have_no_secret_fields() {
    let bindings = root().join("../ui/src/lib/bindings");
    assert!(
        bindings.is_dir(),
        "ui/src/lib/bindings is missing: run `cargo test -p portal-core` to generate it"
    );
    // Type name -> path under bindings/ without `.ts` (some are in folders).
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut dirs = vec![bindings.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Some(rel) = path
                .strip_prefix(&bindings)
                .unwrap()
                .to_string_lossy()
                .strip_suffix(".ts")
            {
                let name = rel.rsplit('/').next().unwrap().to_owned();
                files.insert(name, rel.to_owned());
            }
        }
    }
    assert!(
        files.len() >= 30,
        "only {} binding files: run `cargo test` to generate them",
        files.len()
    );
    let read = |name: &str| -> String {
        let rel = files.get(name).unwrap_or_else(|| {
            panic!(
                "ui/src/lib/bindings has no {name}.ts (returned over IPC): regenerate the bindings"
            )
        });
        std::fs::read_to_string(bindings.join(format!("{rel}.ts"))).unwrap()
    };

    // Every type a command returns or an event carries, and every type they hold.
    let mut queue: Vec<String> = command_sources()
        .into_values()
        .flat_map(|(ret, _)| {
            ret.split(|c: char| !c.is_alphanumeric())
                .filter(|t| t.chars().next().is_some_and(char::is_uppercase))
                .filter(|t| !["Option", "Vec", "String", "Result"].contains(t))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .chain(["UploadEvent".to_owned(), "GenProgress".to_owned()])
        .collect();
    let mut returned = BTreeSet::new();
    while let Some(name) = queue.pop() {
        if !returned.insert(name.clone()) {
            continue;
        }
        let text = read(&name);
        for line in text.lines().filter(|l| l.starts_with("import type")) {
            if let Some(n) = line.split('"').nth(1).and_then(|p| p.rsplit('/').next()) {
                queue.push(n.to_owned());
            }
        }
        for (_, ty) in binding_fields(&text) {
            queue.extend(
                type_names(&ty)
                    .into_iter()
                    .filter(|t| files.contains_key(t)),
            );
        }
    }
    assert!(returned.len() >= 15, "too few returned types found");

    let safe: BTreeMap<(&str, &str), &str> = SAFE_FIELDS
        .iter()
        .map(|(t, f, why)| ((*t, *f), *why))
        .collect();
    let mut problems = Vec::new();
    for name in &returned {
        assert!(
            !INPUT_TYPES.contains(&name.as_str()),
            "{name} carries secrets into Rust and must not be returned"
        );
        for (field, ty) in binding_fields(&read(name)) {
            if !looks_secret(&field) {
                continue;
            }
            if !safe.contains_key(&(name.as_str(), field.as_str())) {
                problems.push(format!("{name}.{field}: {ty}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "fields that look like secrets in returned types (review each; add it to SAFE_FIELDS with \
         the reason only if it holds no secret):\n  {}",
        problems.join("\n  ")
    );
    // Each allow-list entry names a real field, so a stale one cannot hide a new one.
    for (t, f, _) in SAFE_FIELDS {
        if files.contains_key(*t) {
            let fields = binding_fields(&read(t));
            assert!(
                fields.iter().any(|(n, _)| n == f),
                "SAFE_FIELDS names {t}.{f}, which is not a field"
            );
        }
    }
    // The input types are there, and do look like secrets (the pattern works).
    for t in INPUT_TYPES {
        assert!(
            binding_fields(&read(t))
                .iter()
                .any(|(f, _)| looks_secret(f)),
            "{t} has no secret-looking field: is the pattern broken?"
        );
    }
}

#[test]
fn the_field_pattern_catches_secret_names() {
    for f in [
        "token",
        "accessToken",
        "refresh_token",
        "apiKey",
        "privateKeyPem",
        "pem",
        "password",
        "vaultPassword",
        "passphrase",
        "jwt",
        "clientSecret",
        "sessionCookie",
        "authorization",
    ] {
        assert!(looks_secret(f), "{f}");
    }
    for f in [
        "name",
        "id",
        "scopes",
        "createdAt",
        "fingerprint",
        "expiresAt",
        "prefix",
    ] {
        assert!(!looks_secret(f), "{f}");
    }
    let fields = binding_fields(
        "// generated\nimport type { A } from \"./A\";\n/** doc: token: x */\nexport type T = { a: string, \"b-c\"?: A | null, \n/** d */\nrefreshToken: string, };",
    );
    assert_eq!(
        fields,
        vec![
            ("a".to_owned(), "string".to_owned()),
            ("refreshToken".to_owned(), "string".to_owned())
        ]
    );
}
