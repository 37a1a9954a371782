//! The fault matrix through the real `portal` binary: the same tables as
//! the core test (`crates/portal-core/tests/common/matrix.rs`), each case
//! one `portal` run against its own sandbox.
//!
//! Checked every time: the exit status of the expected code; exactly one
//! `error:` line on stderr naming the service, what was being done, the
//! request id of the last attempt and a hint; the attempts (counted from
//! `-v`'s per-attempt log lines) and the requests the sandbox received; no
//! token create or key upload sent twice; one `Idempotency-Key` for all
//! attempts of a vault write; what exists afterwards; a generated private
//! key kept in its file when the upload fails; no credential on stdout or
//! stderr. Retried calls must recover from a fault that hits once.
//!
//! Writes its table to `docs/RELIABILITY.md` (the CLI section).

#![allow(clippy::unwrap_used)]

use crate::matrix;
use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::keypair::PrivateKey;
use portal_core::profiles::{Environment, Profile, ServiceUrls};
use portal_core::secrets::MemoryStore;
use portal_core::vault::NewAsset;
use portal_core::vaultstream::NewToken;
use portal_core::{ErrorCode, Secret, Service};
use portal_sandbox::{LoggedRequest, Sandbox, SandboxConfig};

use matrix::*;

/// The exit status `portal` gives each code (crates/portal-cli/src/output.rs).
fn exit_status(code: ErrorCode) -> i32 {
    match code {
        ErrorCode::Unavailable | ErrorCode::RateLimited | ErrorCode::BadResponse => 6,
        ErrorCode::OutcomeUnknown => 7,
        other => panic!("no exit status expected for {other}"),
    }
}

/// What one case observed.
struct Outcome {
    case: Case,
    out: Output,
    /// Attempts of the operation's request, from `-v`'s log lines.
    attempts: u32,
    reached: Vec<LoggedRequest>,
    subject_id: Option<String>,
    remaining: usize,
    /// Upload of a generated key: whether its private key file is there,
    /// a readable private key.
    key_file_kept: Option<bool>,
    secrets: Vec<String>,
}

impl Outcome {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    fn error_lines(&self) -> Vec<String> {
        self.stderr()
            .lines()
            .filter(|l| l.starts_with("error: "))
            .map(str::to_owned)
            .collect()
    }
}

fn profile(sb: &Sandbox) -> Profile {
    let mut p = Profile::new("matrix", Environment::Sandbox);
    p.urls = ServiceUrls {
        vaultstream: sb.vaultstream_url(),
        jwt_keys: sb.jwt_keys_url(),
        vault: sb.vault_url(),
    };
    p
}

async fn run_case(case: Case) -> Outcome {
    let t = case.target;
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed_origin = format!("http://{}", closed.local_addr().unwrap());
    let data = tempfile::tempdir().unwrap();

    let creds = sb.credentials().clone();
    let admin = creds
        .vault_users
        .iter()
        .find(|u| u.role == "admin")
        .unwrap()
        .clone();
    let good = ProfileContext::new(
        profile(&sb),
        Arc::new(MemoryStore::default()),
        HttpConfig::default(),
    )
    .unwrap();
    let vs = Secret::new(creds.vaultstream_admin_token.as_str());
    let jk = Secret::new(creds.jwt_keys_api_key.as_str());
    if t.service == Service::Vault {
        good.vault_login(&admin.email, &Secret::new(admin.password.as_str()), false)
            .await
            .unwrap();
    }

    // What there is to delete, and the file an upload sends.
    let mut subject_id = None;
    match (t.service, t.op) {
        (Service::VaultStream, Op::Delete) => {
            let created = good.tokens(&vs).create(&new_token()).await.unwrap();
            subject_id = Some(created.token.id);
        }
        (Service::JwtKeys, Op::Delete) => {
            let pem = std::fs::read_to_string(fixture("rsa2048_spki.pem")).unwrap();
            subject_id = Some(good.jwt_keys(&jk).create(NAME, &pem).await.unwrap().id);
        }
        (Service::Vault, Op::Delete) => {
            let new = NewAsset {
                name: NAME.into(),
                ..Default::default()
            };
            let vault = good.open_vault().unwrap();
            subject_id = Some(vault.create_asset(&new).await.unwrap().id);
        }
        _ => {}
    }
    let upload = data.path().join("upload.txt");
    std::fs::write(&upload, b"fault matrix upload\n").unwrap();
    let key_file = data.path().join("matrix.private.pem");

    let (last_seq, path) = matrix::arm(&sb, &case, subject_id.as_deref());

    // The command under test.
    let id = subject_id.clone().unwrap_or_default();
    let upload_arg = upload.display().to_string();
    let key_arg = key_file.display().to_string();
    let args: Vec<&str> = match (t.service, t.op) {
        (Service::VaultStream, Op::List) => vec!["tokens", "list"],
        (Service::VaultStream, Op::Create) => vec![
            "tokens",
            "create",
            "--name",
            NAME,
            "--scope",
            "content:read",
            "--no-expiry",
        ],
        (Service::VaultStream, Op::Delete) => vec!["tokens", "revoke", &id, "--yes"],
        (Service::JwtKeys, Op::List) => vec!["keys", "list"],
        (Service::JwtKeys, Op::Create) => vec![
            "keys",
            "create",
            "--name",
            NAME,
            "--generate",
            "--private-key-out",
            &key_arg,
        ],
        (Service::JwtKeys, Op::Delete) => vec!["keys", "delete", &id, "--yes"],
        (Service::Vault, Op::List) => vec!["assets", "list"],
        (Service::Vault, Op::Create) => vec![
            "assets",
            "upload",
            &upload_arg,
            "--name",
            NAME,
            "--content-type",
            "text/plain",
        ],
        (Service::Vault, Op::Delete) => vec!["assets", "delete", &id, "--yes"],
    };
    let url = |s: Service, good: &str| -> String {
        if s == t.service && case.fault == Fault::Refused {
            good.replacen(&format!("http://{}", sb.addr()), &closed_origin, 1)
        } else {
            good.to_owned()
        }
    };
    let mut cmd = support::portal_in_memory(data.path());
    cmd.env("NO_COLOR", "1")
        .env(
            "PORTAL_HTTP_TIMEOUT_MS",
            client_timeout(case.fault).as_millis().to_string(),
        )
        .env("PORTAL_HTTP_ATTEMPTS", MAX_ATTEMPTS.to_string())
        .env("PORTAL_HTTP_RETRY_DELAY_MS", "10")
        .env(
            "PORTAL_VAULTSTREAM_URL",
            url(Service::VaultStream, &sb.vaultstream_url()),
        )
        .env(
            "PORTAL_JWT_KEYS_URL",
            url(Service::JwtKeys, &sb.jwt_keys_url()),
        )
        .env("PORTAL_VAULT_URL", url(Service::Vault, &sb.vault_url()))
        .env("PORTAL_VAULTSTREAM_TOKEN", &creds.vaultstream_admin_token)
        .env("PORTAL_JWT_KEYS_TOKEN", &creds.jwt_keys_api_key)
        .env("PORTAL_VAULT_EMAIL", &admin.email)
        .env("PORTAL_VAULT_PASSWORD", &admin.password)
        .arg("-v")
        .args(&args);
    // Blocking: on the blocking pool, so this runtime keeps serving.
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let attempts = stderr
        .lines()
        .filter(|l| {
            l.contains(" attempt=")
                && l.contains(&format!("method={}", t.method()))
                && l.contains(&format!("path=\"{path}\""))
        })
        .count() as u32;
    let reached: Vec<LoggedRequest> = matrix::reached(&sb, &case, last_seq, &path, attempts).await;
    sb.clear_faults();

    let remaining = matrix::remaining(&good, &vs, &jk, t, subject_id.as_deref(), None).await;
    let key_file_kept = (t.service == Service::JwtKeys && t.op == Op::Create)
        .then(|| key_file_is_private_key(&key_file));

    drop(sb);
    Outcome {
        case,
        out,
        attempts,
        reached,
        subject_id,
        remaining,
        key_file_kept,
        secrets: vec![
            creds.vaultstream_admin_token.clone(),
            creds.jwt_keys_api_key.clone(),
            admin.password.clone(),
        ],
    }
}

fn key_file_is_private_key(path: &Path) -> bool {
    let Ok(pem) = std::fs::read_to_string(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        if mode != 0o600 {
            return false;
        }
    }
    PrivateKey::from_pem(&Secret::new(pem)).is_ok()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../portal-core/tests/fixtures")
        .join(name)
}

fn new_token() -> NewToken {
    NewToken {
        name: NAME.into(),
        scopes: vec!["content:read".into()],
        expires_at: None,
    }
}

/// With the vault unreachable, the CLI's login fails before the operation.
fn login_first(case: Case) -> bool {
    case.target.service == Service::Vault && case.fault == Fault::Refused
}

fn check(o: &Outcome) -> Vec<String> {
    let mut bad = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };
    let c = o.case;
    let t = c.target;
    let stderr = o.stderr();
    let stdout = String::from_utf8_lossy(&o.out.stdout).into_owned();
    // A vault call whose login fails first never makes its own request.
    let attempts = if login_first(c) {
        0
    } else {
        expected_attempts(&c)
    };
    check_wire(
        &c,
        o.attempts,
        attempts,
        &o.reached,
        o.remaining,
        &mut expect,
    );
    if let Some(kept) = o.key_file_kept {
        expect(
            kept,
            "the generated private key must be in its file (mode 0600)".into(),
        );
    }
    for secret in &o.secrets {
        expect(
            !stderr.contains(secret.as_str()) && !stdout.contains(secret.as_str()),
            "a credential was printed".into(),
        );
    }
    expect(
        !stderr.contains("panicked"),
        format!("portal panicked: {stderr}"),
    );

    if c.transient {
        expect(
            o.out.status.success(),
            format!("a retried call must recover from a transient fault: {stderr}"),
        );
        return bad;
    }

    let expected = c.fault.expected(t.op);
    let status = if login_first(c) {
        6
    } else {
        exit_status(expected)
    };
    expect(
        o.out.status.code() == Some(status),
        format!(
            "exit status {status} ({expected}) expected, got {:?}",
            o.out.status.code()
        ),
    );
    let lines = o.error_lines();
    expect(
        lines.len() == 1,
        format!("exactly one error line expected: {stderr}"),
    );
    let Some(line) = lines.first() else {
        return bad;
    };
    expect(
        line.starts_with(&format!("error: {}: ", t.service.label())),
        format!("the error line must start with the service: {line}"),
    );
    let doing = if login_first(c) {
        "Logging in to the vault"
    } else {
        t.doing()
    };
    expect(
        line.contains(&format!(": {doing}")),
        format!("the error line must say what was being done ({doing}): {line}"),
    );
    if c.fault == Fault::Refused {
        expect(
            !line.contains("(request "),
            format!("no request id for a request that never left: {line}"),
        );
    }
    if let Some(last) = o.reached.last() {
        let id = last.request_id.clone().unwrap_or_default();
        expect(
            line.contains(&format!("(request {id})")),
            format!("the error line must carry the last request id {id}: {line}"),
        );
    }
    expect(
        line.split_once(" — ")
            .is_some_and(|(_, hint)| hint.trim().len() > 10),
        format!("the error line must end with a hint: {line}"),
    );
    if expected == ErrorCode::OutcomeUnknown {
        expect(
            line.contains("may or may not"),
            format!("a lost answer must say the outcome is unknown: {line}"),
        );
    }
    if t.service == Service::JwtKeys && t.op == Op::Create {
        expect(
            stderr.contains("the key was not uploaded. Its private half stays in"),
            format!("the failed upload must say where the private key is: {stderr}"),
        );
    }
    bad
}

/// The error line with its random parts replaced.
fn stable_line(o: &Outcome) -> String {
    let Some(line) = o.error_lines().into_iter().next() else {
        return String::new();
    };
    let mut line = line.trim_start_matches("error: ").to_owned();
    if let Some(id) = &o.subject_id {
        line = line.replace(id.as_str(), "{id}");
    }
    if let Some(start) = line.find("(request ") {
        if let Some(len) = line[start..].find(')') {
            line.replace_range(start..start + len + 1, "(request …)");
        }
    }
    stable_local_ids(&line).replace('|', "\\|")
}

fn row(o: &Outcome) -> Option<String> {
    if o.case.transient {
        return None;
    }
    let t = o.case.target;
    let status = o
        .out
        .status
        .code()
        .map_or("signal".to_owned(), |c| c.to_string());
    let attempts = match o.case.fault {
        Fault::Refused if login_first(o.case) => "0 (the login fails first)".to_owned(),
        Fault::Refused => format!("{} (0 reached)", o.attempts),
        _ => o.attempts.to_string(),
    };
    let retried = match t.retry() {
        Retry::Never => "no, never".to_owned(),
        Retry::Yes if o.attempts > 1 => "yes".to_owned(),
        Retry::SameKey if o.attempts > 1 => "yes, same Idempotency-Key".to_owned(),
        _ => "no".to_owned(),
    };
    let duplicated = match t.op {
        Op::List => "—",
        _ => "no",
    };
    Some(format!(
        "| {} | `portal {}` | {} | {status} | {attempts} | {retried} | {duplicated} | {} |",
        t.service.label(),
        command_label(t),
        o.case.fault.label(),
        stable_line(o),
    ))
}

fn command_label(t: Target) -> &'static str {
    match (t.service, t.op) {
        (Service::VaultStream, Op::List) => "tokens list",
        (Service::VaultStream, Op::Create) => "tokens create",
        (Service::VaultStream, Op::Delete) => "tokens revoke",
        (Service::JwtKeys, Op::List) => "keys list",
        (Service::JwtKeys, Op::Create) => "keys create --generate",
        (Service::JwtKeys, Op::Delete) => "keys delete",
        (Service::Vault, Op::List) => "assets list",
        (Service::Vault, Op::Create) => "assets upload",
        (Service::Vault, Op::Delete) => "assets delete",
    }
}

#[test]
fn fault_matrix_through_the_cli() {
    let queue = Arc::new(Mutex::new(cases()));
    let total = queue.lock().unwrap().len();
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let queue = queue.clone();
            let outcomes = outcomes.clone();
            std::thread::spawn(move || loop {
                let Some(case) = queue.lock().unwrap().pop() else {
                    break;
                };
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let outcome = rt.block_on(run_case(case));
                drop(rt);
                outcomes.lock().unwrap().push(outcome);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let mut outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    assert_eq!(outcomes.len(), total);
    outcomes.sort_by_key(|o| sort_key(&o.case));

    let mut failures = Vec::new();
    for o in &outcomes {
        for f in check(o) {
            failures.push(format!(
                "portal {} / {}{}: {f}",
                command_label(o.case.target),
                o.case.fault.label(),
                if o.case.transient { " (once)" } else { "" }
            ));
        }
    }
    let rows: Vec<String> = outcomes.iter().filter_map(row).collect();
    write_section(
        "cli",
        "| service | command | fault | exit status | attempts | retried? | duplicated write? | stderr (`error:` line) |",
        &rows,
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
