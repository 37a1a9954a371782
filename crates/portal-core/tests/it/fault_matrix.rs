//! The fault matrix: every fault of the sandbox's fault injection, against a
//! list, a create and a delete of each of the three services, through the
//! core clients. The cases are generated from the tables below; each runs
//! against its own sandbox, so the request log and the faults of one case
//! cannot leak into another.
//!
//! Checked every time: a typed error that names the service, what was being
//! done, the request id of the last attempt and what to do next; reads are
//! retried; a token create and a key upload reach the service exactly once;
//! vault writes are retried only with one `Idempotency-Key`; no resource
//! exists twice; a kept private key survives a failed upload. Transient
//! faults (`times:1`) must be recovered from by every retried call.
//!
//! The results are written to `docs/RELIABILITY.md` (between the markers of
//! the core matrix), sorted and without timings.

#![allow(clippy::unwrap_used)]

use crate::common;
use crate::matrix;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::keypair::{PrivateKey, PublicKey};
use portal_core::local_keys::LocalKeys;
use portal_core::profiles::SettingsFile;
use portal_core::secrets::{Item, MemoryStore};
use portal_core::vault::{Asset, AssetQuery, NewAsset, UploadRequest};
use portal_core::vaultstream::NewToken;
use portal_core::{Error, ErrorCode, Secret, Service};
use portal_sandbox::{LoggedRequest, Sandbox, SandboxConfig};
use tokio_util::sync::CancellationToken;

use matrix::*;

// --- counting attempts on the client side ----------------------------------

/// Counts the HTTP layer's per-attempt log events (`portal::http`): the
/// attempts that never reached the service (a closed port) count too.
struct AttemptCounter(Arc<AtomicU32>);

impl tracing::Subscriber for AttemptCounter {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "portal::http"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == "portal::http" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

// --- one case --------------------------------------------------------------

/// What a case observed, for the assertions and the table.
#[derive(Debug)]
struct Outcome {
    case: Case,
    result: Result<(), Error>,
    /// Attempts the client made.
    attempts: u32,
    /// Of those, the ones the service received.
    reached: Vec<LoggedRequest>,
    elapsed: Duration,
    /// The id the operation acted on (to keep messages stable in the doc).
    subject_id: Option<String>,
    /// Resources of this case's name after the case (creates), or whether
    /// the deleted one is still there (deletes).
    remaining: usize,
    /// Upload of a key: whether the private key is still here, readable and
    /// not linked to a server key.
    key_kept: Option<bool>,
}

struct Shared {
    key: PrivateKey,
    /// The fixture uploaded to have something to delete.
    other_public: String,
    upload_file: tempfile::NamedTempFile,
}

fn http_config(fault: Fault) -> HttpConfig {
    HttpConfig {
        request_timeout: client_timeout(fault),
        connect_timeout: client_timeout(fault),
        max_attempts: MAX_ATTEMPTS,
        ..common::fast_retries()
    }
}

async fn run_case(case: Case, shared: &Shared, counter: &AtomicU32) -> Outcome {
    let t = case.target;
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut profile = common::sandbox_profile(&sb, "matrix");
    // A closed port: bound but never listening, so nothing else takes it.
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed_origin = format!("http://{}", closed.local_addr().unwrap());
    let store = Arc::new(MemoryStore::default());
    let settings_dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(settings_dir.path().join("settings.json")).unwrap();

    // The good context prepares and checks; `ctx` is the one under test.
    let good = ProfileContext::new(profile.clone(), store.clone(), common::fast_retries()).unwrap();
    good.store(
        Item::VaultStreamToken,
        &Secret::new(sb.credentials().vaultstream_admin_token.as_str()),
    )
    .unwrap();
    good.store(
        Item::JwtKeysApiKey,
        &Secret::new(sb.credentials().jwt_keys_api_key.as_str()),
    )
    .unwrap();
    let admin = sb
        .credentials()
        .vault_users
        .iter()
        .find(|u| u.role == "admin")
        .unwrap();
    if t.service == Service::Vault {
        good.vault_login(&admin.email, &Secret::new(admin.password.as_str()), false)
            .await
            .unwrap();
    }
    if case.fault == Fault::Refused {
        let url = profile.urls.get(t.service).to_owned();
        let origin = format!("http://{}", sb.addr());
        profile
            .urls
            .set(t.service, url.replacen(&origin, &closed_origin, 1));
    }
    let ctx = ProfileContext::new(profile, store.clone(), http_config(case.fault)).unwrap();

    // What there is to delete, and the local key to upload.
    let vs = good
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let jk = good
        .credential(Item::JwtKeysApiKey, Service::JwtKeys)
        .unwrap();
    let mut subject_id = None;
    let mut asset: Option<Asset> = None;
    let mut local_id = None;
    match (t.service, t.op) {
        (Service::VaultStream, Op::Delete) => {
            let created = good.tokens(&vs).create(&new_token()).await.unwrap();
            subject_id = Some(created.token.id);
        }
        (Service::JwtKeys, Op::Delete) => {
            let key = good
                .jwt_keys(&jk)
                .create(NAME, &shared.other_public)
                .await
                .unwrap();
            subject_id = Some(key.id);
        }
        (Service::JwtKeys, Op::Create) => {
            let kept = LocalKeys::new(&settings, &ctx)
                .add(NAME, &shared.key)
                .unwrap();
            local_id = Some(kept.local_id);
        }
        (Service::Vault, Op::Delete) => {
            let vault = good.open_vault().unwrap();
            let new = NewAsset {
                name: NAME.into(),
                ..Default::default()
            };
            let a = vault.create_asset(&new).await.unwrap();
            subject_id = Some(a.id.clone());
            asset = Some(a);
        }
        _ => {}
    }

    let (last_seq, path) = matrix::arm(&sb, &case, subject_id.as_deref());

    // The operation under test.
    counter.store(0, Ordering::SeqCst);
    let started = Instant::now();
    let result: Result<(), Error> = match (t.service, t.op) {
        (Service::VaultStream, op) => {
            let cred = ctx
                .credential(Item::VaultStreamToken, Service::VaultStream)
                .unwrap();
            let tokens = ctx.tokens(&cred);
            match op {
                Op::List => tokens.list_all().await.map(drop),
                Op::Create => tokens.create(&new_token()).await.map(drop),
                Op::Delete => tokens.revoke(subject_id.as_deref().unwrap()).await,
            }
        }
        (Service::JwtKeys, op) => {
            let cred = ctx
                .credential(Item::JwtKeysApiKey, Service::JwtKeys)
                .unwrap();
            let keys = ctx.jwt_keys(&cred);
            match op {
                Op::List => keys.list_all().await.map(drop),
                Op::Create => LocalKeys::new(&settings, &ctx)
                    .upload(local_id.as_deref().unwrap(), &keys)
                    .await
                    .map(drop),
                Op::Delete => keys.delete(subject_id.as_deref().unwrap()).await,
            }
        }
        (Service::Vault, op) => {
            let vault = ctx.open_vault().unwrap();
            match op {
                Op::List => vault
                    .list_assets(&AssetQuery {
                        page: 1,
                        limit: 20,
                        ..Default::default()
                    })
                    .await
                    .map(drop),
                Op::Create => {
                    let req = UploadRequest {
                        path: shared.upload_file.path().to_owned(),
                        name: Some(NAME.into()),
                        folder_id: None,
                        content_type: Some("text/plain".into()),
                        tags: Vec::new(),
                    };
                    vault
                        .upload(&req, None, &CancellationToken::new())
                        .await
                        .map(drop)
                }
                Op::Delete => vault.delete_asset(asset.as_ref().unwrap()).await.map(drop),
            }
        }
    };
    let elapsed = started.elapsed();
    let attempts = counter.load(Ordering::SeqCst);
    let reached: Vec<LoggedRequest> = matrix::reached(&sb, &case, last_seq, &path, attempts).await;
    sb.clear_faults();

    // What exists afterwards, read without faults.
    let pem = public_pem(&shared.key);
    let remaining = matrix::remaining(&good, &vs, &jk, t, subject_id.as_deref(), Some(&pem)).await;

    let key_kept = local_id.as_deref().map(|id| {
        let keys = LocalKeys::new(&settings, &ctx);
        let indexed = keys.get(id);
        let readable = keys.private_key(id);
        match (indexed, readable) {
            (Ok(local), Ok(private)) => {
                let same = private.public_key().fingerprints().unwrap()
                    == shared.key.public_key().fingerprints().unwrap();
                // Linked only when the upload succeeded.
                same && local.is_uploaded() == result.is_ok()
            }
            _ => false,
        }
    });

    drop(sb);
    Outcome {
        case,
        result,
        attempts,
        reached,
        elapsed,
        subject_id,
        remaining,
        key_kept,
    }
}

fn new_token() -> NewToken {
    NewToken {
        name: NAME.into(),
        scopes: vec!["content:read".into()],
        expires_at: None,
    }
}

fn public_pem(key: &PrivateKey) -> String {
    key.public_key().to_pem().unwrap().trim().to_owned()
}

// --- the checks ------------------------------------------------------------

/// Every expectation of one case; returns the failures (empty: passed).
fn check(o: &Outcome) -> Vec<String> {
    let mut bad = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };
    let c = o.case;
    let t = c.target;
    check_wire(
        &c,
        o.attempts,
        expected_attempts(&c),
        &o.reached,
        o.remaining,
        &mut expect,
    );

    // Each attempt has its own x-request-id.
    let ids: BTreeSet<Option<String>> = o.reached.iter().map(|r| r.request_id.clone()).collect();
    expect(
        ids.len() == o.reached.len() && ids.iter().all(Option::is_some),
        "every attempt needs its own x-request-id".into(),
    );

    if let Some(kept) = o.key_kept {
        expect(
            kept,
            "the local private key must stay, readable, linked only after a successful upload"
                .into(),
        );
    }

    if c.transient {
        expect(
            o.result.is_ok(),
            format!(
                "a retried call must recover from a transient fault: {:?}",
                o.result.as_ref().err().map(ToString::to_string)
            ),
        );
        return bad;
    }

    // The error itself.
    let Err(e) = &o.result else {
        bad.push("the fault must end in an error".into());
        return bad;
    };
    let expected = c.fault.expected(t.op);
    expect(
        e.code == expected,
        format!("code {} expected, got {}: {e}", expected, e.code),
    );
    expect(
        e.service == Some(t.service),
        format!("the error must name {}: {e}", t.service.label()),
    );
    let line = e.to_string();
    expect(
        line.starts_with(&format!("{}: ", t.service.label())),
        format!("the one-line form must start with the service: {line}"),
    );
    expect(
        e.message.starts_with(t.doing()),
        format!(
            "the message must say what was being done ({}): {}",
            t.doing(),
            e.message
        ),
    );
    expect(
        e.hint.as_deref().is_some_and(|h| h.len() > 10),
        format!("a hint (what to do next) is needed: {e}"),
    );
    // The request id is the last attempt's, as the service logged it; a
    // request that never reached the service has none to quote.
    if c.fault == Fault::Refused {
        expect(
            e.request_id.is_none() && !line.contains("(request "),
            format!("no request id for a request that never left: {line}"),
        );
    }
    if let Some(last) = o.reached.last() {
        expect(
            e.request_id.is_some() && e.request_id == last.request_id,
            format!(
                "request id {:?} expected, got {:?}",
                last.request_id, e.request_id
            ),
        );
        expect(
            line.contains(&format!(
                "(request {})",
                last.request_id.clone().unwrap_or_default()
            )),
            format!("the one-line form must carry the request id: {line}"),
        );
    }
    if let Some(status) = c.fault.status() {
        if e.code != ErrorCode::OutcomeUnknown || status != 200 {
            expect(
                e.status == Some(status),
                format!("status {status} expected, got {:?}", e.status),
            );
        }
    }
    if c.fault == Fault::RateLimited {
        expect(
            e.retry_after_secs == Some(1),
            format!("Retry-After must be reported: {:?}", e.retry_after_secs),
        );
        // Retry-After honoured between the attempts.
        let waits = Duration::from_millis(950) * (o.attempts - 1);
        expect(
            o.elapsed >= waits,
            format!(
                "Retry-After must be waited for between attempts ({:?})",
                o.elapsed
            ),
        );
    }
    if e.code == ErrorCode::OutcomeUnknown {
        expect(
            e.message.contains("may or may not"),
            format!(
                "a lost answer must say the outcome is unknown: {}",
                e.message
            ),
        );
    }
    // Nothing secret in the message.
    expect(
        !line.contains("vst_live_") && !line.contains("BEGIN"),
        format!("the message must not carry a credential: {line}"),
    );
    bad
}

// --- the table -------------------------------------------------------------

fn row(o: &Outcome) -> Option<String> {
    if o.case.transient {
        return None;
    }
    let t = o.case.target;
    let code = match &o.result {
        Ok(()) => "(none)".to_owned(),
        Err(e) => format!("`{}`", e.code),
    };
    let attempts = if o.case.fault == Fault::Refused {
        format!("{} (0 reached)", o.attempts)
    } else {
        o.attempts.to_string()
    };
    let retried = match t.retry() {
        Retry::Never => "no, never".to_owned(),
        Retry::Yes if o.attempts > 1 => "yes".to_owned(),
        Retry::SameKey if o.attempts > 1 => "yes, same Idempotency-Key".to_owned(),
        _ => "no".to_owned(),
    };
    let recovers = match t.retry() {
        Retry::Never => "—",
        _ if o.case.fault == Fault::Refused => "—",
        _ => "yes",
    };
    let duplicated = match t.op {
        Op::List => "—",
        _ => "no",
    };
    let message = match &o.result {
        Ok(()) => String::new(),
        Err(e) => {
            let mut m = format!("{} — {}", e.message, e.hint.clone().unwrap_or_default());
            if let Some(id) = &o.subject_id {
                m = m.replace(id.as_str(), "{id}");
            }
            stable_local_ids(&m).replace('|', "\\|")
        }
    };
    Some(format!(
        "| {} | {} | {} | {code} | {attempts} | {retried} | {recovers} | {duplicated} | {message} |",
        t.service.label(),
        t.operation(),
        o.case.fault.label(),
    ))
}

// --- the test --------------------------------------------------------------

#[test]
fn fault_matrix() {
    let key = portal_core::keypair::generate(2048, |_| {}, &Default::default()).unwrap();
    let other = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rsa2048_spki.pem"),
    )
    .unwrap();
    let other_public = PublicKey::from_pem(&other).unwrap().to_pem().unwrap();
    let mut upload_file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut upload_file, b"fault matrix upload\n").unwrap();
    let shared = Arc::new(Shared {
        key,
        other_public,
        upload_file,
    });

    let queue = Arc::new(Mutex::new(cases()));
    let total = queue.lock().unwrap().len();
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let queue = queue.clone();
            let outcomes = outcomes.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                let counter = Arc::new(AtomicU32::new(0));
                let _guard = tracing::subscriber::set_default(AttemptCounter(counter.clone()));
                loop {
                    let Some(case) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    let outcome = rt.block_on(run_case(case, &shared, &counter));
                    drop(rt);
                    outcomes.lock().unwrap().push(outcome);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    assert_eq!(outcomes.len(), total);

    let mut failures = Vec::new();
    for o in &outcomes {
        for f in check(o) {
            failures.push(format!(
                "{} / {} / {}{}: {f}",
                o.case.target.service.label(),
                o.case.target.operation(),
                o.case.fault.label(),
                if o.case.transient { " (once)" } else { "" }
            ));
        }
    }
    failures.sort();
    // The table is written even when a case fails, so the doc shows it.
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by_key(|o| sort_key(&o.case));
    let rows: Vec<String> = sorted.iter().filter_map(|o| row(o)).collect();
    write_section(
        "core",
        "| service | operation | fault | error code | attempts | retried? | recovers from one fault? | duplicated write? | message — hint |",
        &rows,
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
