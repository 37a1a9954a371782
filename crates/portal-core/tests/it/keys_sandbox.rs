//! A generated key, uploaded to the sandbox's JWT keys API, signs JWTs its
//! playback check accepts.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::atomic::AtomicBool;

use chrono::{Duration, Utc};
use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::keypair::{generate, PublicKey};
use portal_core::local_keys::{pairs_with_server, LocalKeys};
use portal_core::profiles::{SettingsFile, SETTINGS_FILE};
use portal_core::secrets::Item;
use portal_core::signing::{sign, sign_at, verify_with_service, Subject, VerdictKind, DEFAULT_TTL};
use portal_core::{Secret, Service};
use portal_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

fn context(sb: &Sandbox) -> ProfileContext {
    common::signed_in(sb, HttpConfig::default())
}

/// `(allowed, reason)` from the sandbox's player check.
async fn playback(sb: &Sandbox, video: &str, jwt: &Secret) -> (bool, String) {
    let url = format!("{}/playback/{video}", sb.sandbox_url());
    portal_core::http::install_crypto_provider();
    let resp = reqwest::Client::new()
        .get(url)
        .query(&[("jwt", jwt.expose())])
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status.is_success(), body["allowed"] == true, "{body}");
    (
        body["allowed"] == true,
        body["reason"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_key_signs_jwts_the_player_accepts() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let ctx = context(&sb);
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let local = LocalKeys::new(&settings, &ctx);

    // Generate off the async thread, keep the private half, upload the public one.
    let key = tokio::task::spawn_blocking(|| generate(2048, |_| {}, &AtomicBool::new(false)))
        .await
        .unwrap()
        .unwrap();
    let stored = local.add("Player key", &key).unwrap();
    let credential = ctx
        .credential(Item::JwtKeysApiKey, Service::JwtKeys)
        .unwrap();
    let keys = ctx.jwt_keys(&credential);
    let uploaded = keys
        .create("Player key", &key.public_key().to_pem().unwrap())
        .await
        .unwrap();
    local.link(&stored.local_id, &uploaded.id).unwrap();

    // The server's public half pairs with the stored private half.
    let server_public = PublicKey::from_pem(&uploaded.public_key).unwrap();
    assert_eq!(server_public.fingerprints().unwrap(), stored.fingerprints);
    let fetched = keys.get(&uploaded.id).await.unwrap();
    let private = local.private_key(&stored.local_id).unwrap();
    assert!(pairs_with_server(&private, &fetched).unwrap());

    // For one video: allowed there, refused elsewhere.
    let one = sign(
        &private,
        &uploaded.id,
        &Subject::Video("vid_42".into()),
        DEFAULT_TTL,
    )
    .unwrap();
    assert_eq!(
        playback(&sb, "vid_42", &one.jwt).await,
        (true, String::new())
    );
    assert_eq!(
        playback(&sb, "vid_43", &one.jwt).await,
        (false, "wrong_video".into())
    );
    // For all videos.
    let all = sign(
        &private,
        &uploaded.id,
        &Subject::AllVideos,
        Duration::minutes(5),
    )
    .unwrap();
    assert!(playback(&sb, "anything", &all.jwt).await.0);
    // Expired.
    let old = sign_at(
        &private,
        &uploaded.id,
        &Subject::AllVideos,
        Utc::now() - Duration::hours(3),
        DEFAULT_TTL,
    )
    .unwrap();
    assert_eq!(
        playback(&sb, "vid_42", &old.jwt).await,
        (false, "expired".into())
    );
    // Signed by a key whose public half is not the uploaded one.
    let stranger = tokio::task::spawn_blocking(|| generate(2048, |_| {}, &AtomicBool::new(false)))
        .await
        .unwrap()
        .unwrap();
    let forged = sign(&stranger, &uploaded.id, &Subject::AllVideos, DEFAULT_TTL).unwrap();
    assert_eq!(
        playback(&sb, "vid_42", &forged.jwt).await,
        (false, "bad_signature".into())
    );

    // Our verifier agrees with the player.
    let v = verify_with_service(one.jwt.expose(), &keys).await.unwrap();
    assert_eq!(v.kind, VerdictKind::Valid, "{}", v.message);
    let v = verify_with_service(old.jwt.expose(), &keys).await.unwrap();
    assert_eq!(v.kind, VerdictKind::Expired);
    let v = verify_with_service(forged.jwt.expose(), &keys)
        .await
        .unwrap();
    assert_eq!(v.kind, VerdictKind::BadSignature);
    let unknown = sign(&private, "no_such_key", &Subject::AllVideos, DEFAULT_TTL).unwrap();
    let v = verify_with_service(unknown.jwt.expose(), &keys)
        .await
        .unwrap();
    assert_eq!(v.kind, VerdictKind::UnknownKid);
    assert_eq!(
        playback(&sb, "vid_42", &unknown.jwt).await,
        (false, "unknown_kid".into())
    );
    let v = verify_with_service("garbage", &keys).await.unwrap();
    assert_eq!(v.kind, VerdictKind::Malformed);

    // Only the public half went over the wire.
    for req in sb.requests() {
        let text = format!("{req:?}");
        assert!(!text.contains("PRIVATE KEY"), "{text}");
    }
}
