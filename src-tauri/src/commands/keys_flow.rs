//! The key commands end to end against the embedded sandbox, with a memory
//! secret store and a throwaway settings file: generate → not uploaded →
//! review → upload → verify → sign → sandbox playback → verify → delete.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::AtomicU32;

use portal_core::activity::Action;
use portal_core::http::{join, Call};
use portal_core::local_keys::Pairing;
use portal_core::ops::keys::{default_templates, sandbox_base};
use portal_core::signing::VerdictKind;
use portal_core::{ErrorCode, Service};
use tauri::Manager;

use super::*;
use crate::dto::{ImportKeyInput, SignVideoRequest};
use crate::test_support::assert_refused;

/// The pairing of local key `local_id` in a fresh keys overview.
async fn pairing_now(
    app: &tauri::App<tauri::test::MockRuntime>,
    local_id: &str,
) -> Option<Pairing> {
    let overview = keys_overview(app.state()).await.unwrap();
    row_pairing(&overview, local_id)
}

fn row_pairing(overview: &KeysOverview, local_id: &str) -> Option<Pairing> {
    overview
        .rows
        .iter()
        .find(|r| r.local.as_ref().is_some_and(|l| l.local_id == local_id))
        .map(|r| r.pairing)
}

/// A mock app on the embedded sandbox, with the key generation's state.
async fn sandbox_app(prefix: &str) -> (tauri::App<tauri::test::MockRuntime>, std::path::PathBuf) {
    let (app, dir) = crate::test_support::sandbox_app(prefix).await;
    app.manage(Keygen::default());
    (app, dir)
}

/// Installs a fault rule in the embedded sandbox, in process: it mounts no
/// `/sandbox/faults` to call over HTTP.
async fn fault(ctx: &AppCtx, rule: &str) {
    ctx.sandbox.add_fault(rule.parse().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_key_is_kept_uploaded_verified_signs_and_is_deleted() {
    let (app, dir) = sandbox_app("pp-keys-flow").await;

    // A cancelled generation keeps nothing; a second one waits its turn.
    let before = keys_overview(app.state()).await.unwrap().rows.len();
    let keygen = app.state::<Keygen>();
    let ctx = app.state::<AppCtx>();
    let cancelled = generate_and_keep(&ctx, &keygen, "Cancelled".into(), 4096, |_| {});
    let meanwhile = async {
        while !keygen.is_running() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let second = generate_and_keep(&ctx, &keygen, "Second".into(), 2048, |_| {}).await;
        cancel_keygen(app.state());
        second
    };
    let (cancelled, second) = tokio::join!(cancelled, meanwhile);
    assert_eq!(cancelled.unwrap_err().code, ErrorCode::Cancelled);
    assert_eq!(second.unwrap_err().code, ErrorCode::Validation);
    assert_eq!(keys_overview(app.state()).await.unwrap().rows.len(), before);

    // Generate: kept here, not uploaded, progress reported.
    let reports = Arc::new(AtomicU32::new(0));
    let counter = reports.clone();
    let local = generate_and_keep(
        &app.state::<AppCtx>(),
        &app.state::<Keygen>(),
        "App flow".into(),
        2048,
        move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        },
    )
    .await
    .unwrap();
    assert!(reports.load(Ordering::Relaxed) >= 2);
    let overview = keys_overview(app.state()).await.unwrap();
    assert!(overview.sandbox);
    assert_eq!(
        row_pairing(&overview, &local.local_id),
        Some(Pairing::NotUploaded)
    );

    // Review, then upload exactly that public key.
    let review = local_key(app.state(), local.local_id.clone())
        .await
        .unwrap();
    assert_eq!(review.summary.fingerprints, local.fingerprints);
    assert!(review
        .summary
        .public_key_pem
        .starts_with("-----BEGIN PUBLIC KEY-----"));

    // The first upload fails: the key stays here, not uploaded, and can be retried.
    fault(
        &app.state::<AppCtx>(),
        "POST /jwt-keys/v2/jwt_keys=status:503,times:1",
    )
    .await;
    let failed = upload_key(app.state(), local.local_id.clone()).await;
    assert_eq!(failed.unwrap_err().code, ErrorCode::Unavailable);
    let pairing = pairing_now(&app, &local.local_id).await;
    assert_eq!(pairing, Some(Pairing::NotUploaded));
    let uploaded = upload_key(app.state(), local.local_id.clone())
        .await
        .unwrap();
    let server_id = uploaded.server.id.clone();
    assert_eq!(
        uploaded.local.unwrap().server_key_id.as_deref(),
        Some(server_id.as_str())
    );
    let again = upload_key(app.state(), local.local_id.clone()).await;
    assert_eq!(again.unwrap_err().code, ErrorCode::Validation);

    let verification = verify_uploaded_key(app.state(), server_id.clone())
        .await
        .unwrap();
    assert!(verification.ok, "{}", verification.message);
    assert!(verification.fingerprints_match);
    assert!(verification.test_jwt.unwrap().is_valid());
    let pairing = pairing_now(&app, &local.local_id).await;
    assert_eq!(pairing, Some(Pairing::Paired));
    let details = key_details(app.state(), server_id.clone()).await.unwrap();
    assert_eq!(details.fingerprints_match, Some(true));

    // Sign for all videos: the sandbox player plays any video with it.
    let defaults = video_url_templates(app.state()).await.unwrap();
    assert_eq!(defaults, default_templates());
    let mine = VideoUrls {
        watch: "https://videos.example.com/watch/{video_id}".into(),
        embed: "https://videos.example.com/embed/{video_id}?autoplay=1".into(),
        hls: "https://cdn.example.com/{video_id}/index.m3u8".into(),
    };
    set_video_url_templates(app.state(), mine.clone())
        .await
        .unwrap();
    assert_eq!(video_url_templates(app.state()).await.unwrap(), mine);
    let bad = VideoUrls {
        watch: "javascript:alert(1)".into(),
        ..mine.clone()
    };
    assert!(set_video_url_templates(app.state(), bad).await.is_err());
    let all = sign_video(
        &app.state::<AppCtx>(),
        SignVideoRequest {
            server_id: server_id.clone(),
            video_id: None,
            ttl_seconds: 3600,
            link_video_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(all.claims["sub"], "*");
    assert_eq!(all.header["kid"], server_id.as_str());
    assert!(all.urls.hls.ends_with(&format!("?jwt={}", all.jwt)));
    let played = test_playback(app.state(), "vid_9".into(), all.jwt.clone())
        .await
        .unwrap();
    assert!(played.allowed, "{}", played.message);

    // One video: refused for another one, with the reason.
    let one = sign_video(
        &app.state::<AppCtx>(),
        SignVideoRequest {
            server_id: server_id.clone(),
            video_id: Some("vid_1".into()),
            ttl_seconds: 900,
            link_video_id: None,
        },
    )
    .await
    .unwrap();
    assert!(one
        .urls
        .watch
        .starts_with("https://videos.example.com/watch/vid_1?jwt="));
    assert!(one.urls.embed.contains("/vid_1?autoplay=1&jwt="));
    let refused = test_playback(app.state(), "vid_2".into(), one.jwt.clone())
        .await
        .unwrap();
    assert!(!refused.allowed);
    assert_eq!(refused.reason.as_deref(), Some("wrong_video"));

    // Over the profile's cap (7 days unless set): refused, naming the cap.
    let too_long = sign_video(
        &app.state::<AppCtx>(),
        SignVideoRequest {
            server_id: server_id.clone(),
            video_id: Some("vid_1".into()),
            ttl_seconds: 8 * 86_400,
            link_video_id: None,
        },
    )
    .await
    .unwrap_err();
    assert_refused(&too_long, ErrorCode::Validation, "at most 7 days");

    let verdict = verify_any_jwt(app.state(), one.jwt.clone()).await.unwrap();
    assert_eq!(verdict.kind, VerdictKind::Valid, "{}", verdict.message);

    // Delete both halves: the JWT no longer verifies, the log has both changes.
    let deleted = delete_key(
        app.state(),
        Some(server_id.clone()),
        Some(local.local_id.clone()),
        true,
    )
    .await
    .unwrap();
    assert!(deleted.server_deleted && deleted.local_deleted);
    assert_eq!(pairing_now(&app, &local.local_id).await, None);
    let verdict = verify_any_jwt(app.state(), one.jwt).await.unwrap();
    assert_eq!(verdict.kind, VerdictKind::UnknownKid);
    let actions: Vec<Action> = app
        .state::<AppCtx>()
        .read_activity()
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.target == server_id)
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, [Action::KeyUpload, Action::KeyDelete]);

    // Import the public half of a PEM: nothing kept here, uploaded as is.
    let imported = import_key(
        app.state(),
        ImportKeyInput {
            name: "Imported public".into(),
            pem: review.summary.public_key_pem.clone(),
            passphrase: None,
            keep_private: true,
        },
    )
    .await
    .unwrap();
    assert!(imported.local.is_none());
    let up = upload_public_key(
        app.state(),
        "Imported public".into(),
        review.summary.public_key_pem.clone(),
    )
    .await
    .unwrap();
    let check = verify_uploaded_key(app.state(), up.server.id.clone())
        .await
        .unwrap();
    assert!(!check.ok);
    assert_eq!(check.server_fingerprints, Some(local.fingerprints.clone()));
    delete_key(app.state(), Some(up.server.id), None, false)
        .await
        .unwrap();

    let _ = std::fs::remove_dir_all(&dir);
}

/// The JWT keys API does not answer: with no key kept here, the page shows
/// the error; with one, it lists that key, unchecked, beside the error; once
/// the API answers again, the key is "not uploaded".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_kept_here_are_listed_unchecked_while_the_service_does_not_answer() {
    let (app, dir) = sandbox_app("pp-keys-down").await;
    // Two listings' worth of failed attempts (each is tried 4 times).
    fault(
        &app.state::<AppCtx>(),
        "GET /jwt-keys/v2/jwt_keys=status:503,times:8",
    )
    .await;

    let nothing_here = keys_overview(app.state()).await.unwrap_err();
    assert_eq!(nothing_here.code, ErrorCode::Unavailable);

    let local = generate_and_keep(
        &app.state::<AppCtx>(),
        &app.state::<Keygen>(),
        "Kept here".into(),
        2048,
        |_| {},
    )
    .await
    .unwrap();
    let overview = keys_overview(app.state()).await.unwrap();
    assert_eq!(
        overview.server_error.as_ref().map(|e| e.code),
        Some(ErrorCode::Unavailable)
    );
    assert!(!overview.rows.is_empty());
    assert!(overview
        .rows
        .iter()
        .all(|r| r.server.is_none() && r.pairing == Pairing::Unchecked));
    assert_eq!(
        row_pairing(&overview, &local.local_id),
        Some(Pairing::Unchecked)
    );

    let answered = keys_overview(app.state()).await.unwrap();
    assert!(answered.server_error.is_none());
    assert_eq!(
        row_pairing(&answered, &local.local_id),
        Some(Pairing::NotUploaded)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The embedded sandbox is private to the app: none of its controls is
/// mounted (with or without a secret), and a request naming another host
/// (DNS rebinding) is refused. Playback checks stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_sandbox_mounts_no_controls_and_refuses_other_hosts() {
    let (app, dir) = sandbox_app("pp-sandbox-private").await;
    let pc = app.state::<AppCtx>().active_context().await.unwrap();
    let base = sandbox_base(pc.url(Service::JwtKeys)).unwrap().to_owned();
    let send = |method: tauri::http::Method, path: &str| {
        let call = Call::new(Service::JwtKeys, method, join(&base, path).unwrap())
            .json(serde_json::json!("* /**=status:500"));
        let http = pc.http.clone();
        async move { http.send(&call).await.unwrap().status.as_u16() }
    };
    for (method, path) in [
        (tauri::http::Method::POST, "/sandbox/faults"),
        (tauri::http::Method::GET, "/sandbox/faults"),
        (tauri::http::Method::GET, "/sandbox/requests"),
        (tauri::http::Method::POST, "/sandbox/clock"),
        (tauri::http::Method::PUT, "/sandbox/rate-limits"),
    ] {
        assert_eq!(send(method, path).await, 404, "{path}");
    }
    assert_eq!(send(tauri::http::Method::GET, "/sandbox/health").await, 200);
    // Nothing was installed: the JWT keys API answers normally.
    keys_overview(app.state()).await.unwrap();

    // A rebinding page's request carries its own name as Host.
    let port = base.rsplit(':').next().unwrap();
    let mut stream = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(
            format!("GET /jwt-keys/v2/jwt_keys HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let _ = std::fs::remove_dir_all(&dir);
}
