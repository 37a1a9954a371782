//! The key use cases (`portal_core::ops::keys`) against an in-process
//! sandbox: each one's outcome and the activity entry it records itself
//! (the same entry whichever shell calls it).

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use portal_core::activity::{Action, ActivityEntry, ActivityLog};
use portal_core::context::ProfileContext;
use portal_core::keypair::PrivateKey;
use portal_core::local_keys::Pairing;
use portal_core::ops::keys::{self as ops, Cx, GivenKey, SignVideoRequest};
use portal_core::ops::Recorder;
use portal_core::profiles::{SettingsFile, SETTINGS_FILE};
use portal_core::signing::VerdictKind;
use portal_core::{Error, ErrorCode, Result};
use portal_sandbox::{Sandbox, SandboxConfig};

/// A sandbox, a profile on it, a settings file and an activity log
/// (shared with `playback_doctor.rs`).
pub(crate) struct World {
    pub(crate) sb: Sandbox,
    pub(crate) pc: ProfileContext,
    pub(crate) settings: SettingsFile,
    pub(crate) log: ActivityLog,
    _dir: tempfile::TempDir,
}

pub(crate) async fn world() -> World {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let pc = common::signed_in(&sb, common::fast_retries());
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let log = ActivityLog::in_dir(dir.path());
    World {
        sb,
        pc,
        settings,
        log,
        _dir: dir,
    }
}

/// Records into the world's activity log, as a shell does.
pub(crate) struct LogRecorder<'a>(&'a ActivityLog);

impl Recorder for LogRecorder<'_> {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()> {
        self.0
            .append(None, profile, action, target, summary, "test")
            .map(|_| ())
    }
}

impl World {
    pub(crate) fn recorder(&self) -> LogRecorder<'_> {
        LogRecorder(&self.log)
    }

    pub(crate) fn entries(&self) -> Vec<ActivityEntry> {
        self.log.read(None).unwrap().entries
    }
}

pub(crate) fn cx<'a>(w: &'a World, recorder: &'a dyn Recorder) -> Cx<'a> {
    Cx {
        pc: &w.pc,
        settings: &w.settings,
        recorder,
    }
}

pub(crate) fn no_cancel() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

pub(crate) fn request(server_id: &str, video: Option<&str>, ttl_seconds: u32) -> SignVideoRequest {
    SignVideoRequest {
        server_id: server_id.to_owned(),
        video_id: video.map(str::to_owned),
        ttl_seconds,
        link_video_id: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_and_delete_record_themselves_with_the_server_id() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);

    let local = ops::generate(cx, "Ops key", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    assert!(!local.is_uploaded());
    assert!(w.entries().is_empty(), "keeping a key here is no change");

    let uploaded = ops::upload(cx, &local.local_id).await.unwrap();
    assert!(uploaded.warnings.is_empty());
    let server_id = uploaded.value.server.id.clone();
    assert_eq!(
        uploaded.value.local.unwrap().server_key_id.as_deref(),
        Some(server_id.as_str())
    );
    let entries = w.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, Action::KeyUpload);
    assert_eq!(entries[0].target, server_id);
    assert_eq!(entries[0].profile, "Test");
    assert!(entries[0].summary.contains("'Ops key' (RSA 2048, SHA-256 "));
    assert!(entries[0].summary.contains(&local.fingerprints.sha256));

    // Uploaded once: a second upload is refused and records nothing.
    let again = ops::upload(cx, &local.local_id).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::Validation);
    assert_eq!(w.entries().len(), 1);

    let check = ops::verify_uploaded_key(cx, &server_id).await.unwrap();
    assert!(check.ok, "{}", check.message);
    let overview = ops::overview(cx).await.unwrap();
    let row = overview
        .rows
        .iter()
        .find(|r| {
            r.local
                .as_ref()
                .is_some_and(|l| l.local_id == local.local_id)
        })
        .unwrap();
    assert_eq!(row.pairing, Pairing::Paired);

    let deleted = ops::delete(cx, Some(&server_id), None, true).await.unwrap();
    assert!(deleted.value.server_deleted && deleted.value.local_deleted);
    let entries = w.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].action, Action::KeyDelete);
    assert_eq!(entries[1].target, server_id);
    assert_eq!(entries[1].summary, format!("Deleted JWT key {server_id}"));
    assert!(w.log.read(None).unwrap().intact);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_upload_records_nothing_and_resumes_once() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let local = ops::generate(cx, "Resumed", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    w.sb.add_fault(
        "POST /jwt-keys/v2/jwt_keys=status:503,times:1"
            .parse()
            .unwrap(),
    );
    let failed = ops::upload(cx, &local.local_id).await.unwrap_err();
    assert_eq!(failed.code, ErrorCode::Unavailable);
    assert!(w.entries().is_empty());
    assert!(!cx.local().get(&local.local_id).unwrap().is_uploaded());

    let resumed = ops::upload(cx, &local.local_id).await.unwrap().value;
    let actions: Vec<(Action, String)> = w
        .entries()
        .into_iter()
        .map(|e| (e.action, e.target))
        .collect();
    assert_eq!(actions, [(Action::KeyUpload, resumed.server.id)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_key_never_uploaded_records_its_local_id() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let local = ops::generate(cx, "Draft", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let deleted = ops::delete(cx, None, Some(&local.local_id), false)
        .await
        .unwrap()
        .value;
    assert!(!deleted.server_deleted && deleted.local_deleted);
    let entries = w.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, Action::KeyDelete);
    assert_eq!(entries[0].target, local.local_id);
    assert_eq!(
        entries[0].summary,
        "Deleted local key 'Draft' (never uploaded)"
    );
    assert!(cx.local().get(&local.local_id).is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_public_key_uploads_and_records_without_a_private_half() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let key = ops::generate_pair(2048, |_| {}, no_cancel()).await.unwrap();
    let pem = key.public_key().to_pem().unwrap();
    let imported =
        ops::import(cx, "Imported", &portal_core::Secret::new(&pem), None, true).unwrap();
    assert!(imported.local.is_none());
    let up = ops::upload_public(cx, "Imported", &pem)
        .await
        .unwrap()
        .value;
    assert!(up.local.is_none());
    let entries = w.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].action, entries[0].target.as_str()),
        (Action::KeyUpload, up.server.id.as_str())
    );
    let check = ops::verify_uploaded_key(cx, &up.server.id).await.unwrap();
    assert!(!check.ok);
    assert_eq!(
        check.server_fingerprints,
        Some(key.public_key().fingerprints().unwrap())
    );
    // A bad name is refused before any request.
    let long = "x".repeat(51);
    let refused = ops::upload_public(cx, &long, &pem).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Validation);
    assert_eq!(w.entries().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_keeps_the_cap_and_checks_a_given_key() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    let local = ops::generate(cx, "Signer", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let server_id = ops::upload(cx, &local.local_id)
        .await
        .unwrap()
        .value
        .server
        .id;
    let before = w.entries().len();

    let one = ops::sign(cx, &request(&server_id, Some(" vid 1 "), 900), None)
        .await
        .unwrap();
    assert_eq!(one.claims["sub"], "vid 1");
    assert_eq!(one.header["kid"], server_id.as_str());
    assert!(one.urls.watch.contains("/vid%201?jwt="));
    let played = ops::test_playback(cx, "vid 1", &one.jwt).await.unwrap();
    assert!(played.allowed, "{}", played.message);
    let verdict = ops::verify_jwt(cx, &one.jwt).await.unwrap();
    assert_eq!(verdict.kind, VerdictKind::Valid);

    // All videos: the JWT opens any; a video named for the links fills them
    // in, and without one the templates keep their placeholder.
    let mut for_all = request(&server_id, None, 900);
    for_all.link_video_id = Some(" vid 2 ".into());
    let all = ops::sign(cx, &for_all, None).await.unwrap();
    assert_eq!(all.claims["sub"], "*");
    assert!(all.urls.hls.contains("/vid%202/"), "{}", all.urls.hls);
    assert!(!all.urls.watch.contains("{video_id}"), "{}", all.urls.watch);
    let bare = ops::sign(cx, &request(&server_id, None, 900), None)
        .await
        .unwrap();
    assert!(
        bare.urls.watch.contains("{video_id}"),
        "{}",
        bare.urls.watch
    );

    // Over the cap: refused before the given key is even read.
    let read = Arc::new(Mutex::new(false));
    let flag = read.clone();
    let given = GivenKey {
        source: "never.pem".into(),
        load: Box::new(move || -> Result<PrivateKey> {
            *flag.lock().unwrap() = true;
            Err(Error::internal("read"))
        }),
    };
    let over = ops::sign(cx, &request(&server_id, None, 8 * 86_400), Some(given))
        .await
        .unwrap_err();
    assert_eq!(over.code, ErrorCode::Validation);
    assert!(over.message.contains("at most 7 days"), "{}", over.message);
    assert!(!*read.lock().unwrap());

    // A given key that is not the uploaded key's other half is refused.
    let other = ops::generate_pair(2048, |_| {}, no_cancel()).await.unwrap();
    let given = GivenKey {
        source: "other.pem".into(),
        load: Box::new(move || Ok(other)),
    };
    let mismatch = ops::sign(cx, &request(&server_id, None, 600), Some(given))
        .await
        .unwrap_err();
    assert!(
        mismatch.message.contains("other.pem is not the other half"),
        "{}",
        mismatch.message
    );
    // No key here for an unknown kid.
    let missing = ops::sign(cx, &request("nope", None, 600), None)
        .await
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
    // Signing changes nothing: no entry.
    assert_eq!(w.entries().len(), before);
}

/// A recorder that cannot write: the change still happens, with a warning.
struct Broken;

impl Recorder for Broken {
    fn record(&self, _: &str, _: Action, _: &str, _: &str) -> Result<()> {
        Err(Error::internal("disk full"))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_that_cannot_be_recorded_is_done_with_a_warning() {
    let w = world().await;
    let cx = cx(&w, &Broken);
    let local = ops::generate(cx, "Unrecorded", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let uploaded = ops::upload(cx, &local.local_id).await.unwrap();
    assert_eq!(
        uploaded.warnings,
        ["could not append to the activity log: disk full"]
    );
    let deleted = ops::delete(cx, Some(&uploaded.value.server.id), None, true)
        .await
        .unwrap();
    assert!(deleted.value.server_deleted);
    assert_eq!(deleted.warnings.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_kept_here_are_listed_unchecked_when_the_service_fails() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    w.sb.add_fault("GET /jwt-keys/v2/jwt_keys=status:503".parse().unwrap());
    assert_eq!(
        ops::overview(cx).await.unwrap_err().code,
        ErrorCode::Unavailable
    );
    let local = ops::generate(cx, "Here", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let overview = ops::overview(cx).await.unwrap();
    assert_eq!(
        overview.server_error.map(|e| e.code),
        Some(ErrorCode::Unavailable)
    );
    assert_eq!(overview.rows.len(), 1);
    assert_eq!(overview.rows[0].pairing, Pairing::Unchecked);
    assert_eq!(
        overview.rows[0].local.as_ref().map(|l| &l.local_id),
        Some(&local.local_id)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn url_templates_are_per_profile_and_http_only() {
    let w = world().await;
    let rec = w.recorder();
    let cx = cx(&w, &rec);
    assert_eq!(ops::url_templates(cx), ops::default_templates());
    let mine = ops::VideoUrls {
        watch: "https://w.example/{video_id}".into(),
        embed: "https://e.example/{video_id}".into(),
        hls: "https://h.example/{video_id}.m3u8".into(),
    };
    ops::set_url_templates(cx, mine.clone()).unwrap();
    assert_eq!(ops::url_templates(cx), mine);
    let bad = ops::VideoUrls {
        hls: "file:///etc/passwd".into(),
        ..mine.clone()
    };
    assert_eq!(
        ops::set_url_templates(cx, bad).unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(ops::url_templates(cx), mine);
}
