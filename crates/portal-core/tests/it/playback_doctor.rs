//! The playback doctor (`portal_core::ops::playback::doctor`) against an
//! in-process sandbox: a healthy signed URL, and one broken case per check,
//! each diagnosed as that check's failure with its fix. The report never
//! carries the JWT or its signature, and a diagnosis records nothing.

#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use portal_core::keypair::PrivateKey;
use portal_core::local_keys::LocalKey;
use portal_core::ops::keys as keys_ops;
use portal_core::ops::playback::{self, CheckStatus, PlaybackCheckId as C, PlaybackReport};
use serde_json::{json, Value};

use crate::ops_keys::{cx, no_cancel, request, world, World};

const SKEW: Duration = Duration::seconds(60);

struct Keys {
    /// Uploaded: its server id.
    kid: String,
    key: PrivateKey,
    /// Kept here, never uploaded.
    stray: LocalKey,
    stray_key: PrivateKey,
}

async fn keys(w: &World) -> Keys {
    let rec = w.recorder();
    let cx = cx(w, &rec);
    let local = keys_ops::generate(cx, "Player key", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    let kid = keys_ops::upload(cx, &local.local_id)
        .await
        .unwrap()
        .value
        .server
        .id;
    let stray = keys_ops::generate(cx, "Never uploaded", 2048, |_| {}, no_cancel())
        .await
        .unwrap();
    Keys {
        key: cx.local().private_key(&local.local_id).unwrap(),
        kid,
        stray_key: cx.local().private_key(&stray.local_id).unwrap(),
        stray,
    }
}

/// The profile's watch URL of `video` carrying `jwt`.
fn watch(video: &str, jwt: &str) -> String {
    format!("https://watch.vidbeo.com/{video}?jwt={jwt}")
}

fn claims(sub: &str) -> Value {
    let now = Utc::now().timestamp();
    json!({"sub": sub, "iat": now, "exp": now + 3600})
}

fn signed(key: &PrivateKey, kid: &str, claims: &Value) -> String {
    portal_core::signing::sign_claims(key, kid, claims)
        .unwrap()
        .expose()
        .to_owned()
}

async fn diagnose(w: &World, input: &str) -> PlaybackReport {
    let rec = w.recorder();
    let report = playback::doctor(cx(w, &rec), input, SKEW).await.unwrap();
    // Never the token, nor its signature, in what goes back.
    let shown = serde_json::to_string(&report).unwrap();
    let jwt = input.rsplit("jwt=").next().unwrap();
    if let Some(signature) = jwt.rsplit('.').next().filter(|s| s.len() > 20) {
        assert!(!shown.contains(signature), "the signature is in {shown}");
    }
    report
}

fn status(r: &PlaybackReport, id: C) -> CheckStatus {
    r.checks.iter().find(|c| c.id == id).unwrap().status
}

fn detail(r: &PlaybackReport, id: C) -> &str {
    &r.checks.iter().find(|c| c.id == id).unwrap().detail
}

/// `report` fails first at `id`, with a fix, and its verdict says `says`.
fn fails_at(r: &PlaybackReport, id: C, says: &str) {
    assert!(!r.ok, "{r:#?}");
    assert_eq!(r.failed, Some(id), "{r:#?}");
    assert_eq!(status(r, id), CheckStatus::Failed);
    assert!(r.verdict.starts_with("Will not play: "), "{}", r.verdict);
    assert!(r.verdict.contains(says), "{:?} lacks {says:?}", r.verdict);
    assert!(r.fix.is_some(), "{r:#?}");
    let order: Vec<C> = r.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        order,
        [
            C::Parse,
            C::Algorithm,
            C::KeyId,
            C::Signature,
            C::Lifetime,
            C::Subject,
            C::UrlForm,
            C::Playback
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_url_passes_every_check_and_each_broken_one_is_named() {
    let w = world().await;
    let k = keys(&w).await;
    let rec = w.recorder();
    let entries_before = w.entries().len();

    // Healthy: the watch URL the portal signs.
    let good = keys_ops::sign(cx(&w, &rec), &request(&k.kid, Some("vid_1"), 3600), None)
        .await
        .unwrap();
    let r = diagnose(&w, &good.urls.watch).await;
    assert!(r.ok, "{r:#?}");
    assert!(
        r.checks.iter().all(|c| c.status == CheckStatus::Passed),
        "{r:#?}"
    );
    assert_eq!(r.failed, None);
    assert_eq!(r.fix, None);
    assert!(r.verdict.starts_with("Plays"), "{}", r.verdict);
    assert_eq!(r.url_form.as_deref(), Some("watch"));
    assert_eq!(r.video_id.as_deref(), Some("vid_1"));
    assert_eq!(r.claims.as_ref().unwrap()["sub"], "vid_1");
    assert_eq!(r.header.as_ref().unwrap()["kid"], k.kid.as_str());
    assert!(r.clock.service.is_some(), "the sandbox sends Date");
    assert!(r.clock.offset_seconds.unwrap().abs() <= 2, "{:?}", r.clock);
    assert_eq!(r.clock.skew_seconds, 60);
    // The embed and HLS forms too; a bare JWT skips what needs a URL.
    for url in [&good.urls.embed, &good.urls.hls] {
        assert!(diagnose(&w, url).await.ok, "{url}");
    }
    let bare = diagnose(&w, &good.jwt).await;
    assert!(bare.ok, "{bare:#?}");
    assert_eq!(status(&bare, C::UrlForm), CheckStatus::Skipped);
    assert_eq!(status(&bare, C::Subject), CheckStatus::Skipped);
    assert_eq!(status(&bare, C::Playback), CheckStatus::Passed);

    // 1. It does not parse.
    let r = diagnose(&w, &watch("vid_1", "not-a-jwt")).await;
    fails_at(&r, C::Parse, "three dot-separated parts");
    assert_eq!(status(&r, C::Signature), CheckStatus::Skipped);
    assert_eq!(status(&r, C::UrlForm), CheckStatus::Passed);
    let r = diagnose(&w, "https://watch.vidbeo.com/vid_1?autoplay=1").await;
    fails_at(&r, C::Parse, "the URL carries no ?jwt= parameter");

    // 2. HS256.
    let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let hs = format!(
        "{}.{}.{}",
        enc(json!({"alg": "HS256", "typ": "JWT", "kid": k.kid})),
        enc(claims("vid_1")),
        URL_SAFE_NO_PAD.encode([7u8; 32])
    );
    let r = diagnose(&w, &watch("vid_1", &hs)).await;
    fails_at(&r, C::Algorithm, "uses HS256");
    assert_eq!(status(&r, C::KeyId), CheckStatus::Passed);
    assert_eq!(status(&r, C::Signature), CheckStatus::Skipped);
    // A kid made to run something, or to drive the terminal, is shown inert.
    let odd = format!(
        "{}.{}.{}",
        enc(json!({"alg": "HS256", "kid": "k'; touch x #\u{1b}[2J"})),
        enc(claims("vid_1")),
        URL_SAFE_NO_PAD.encode([7u8; 32])
    );
    let r = diagnose(&w, &watch("vid_1", &odd)).await;
    assert_eq!(r.failed, Some(C::Algorithm));
    let command = r.fix.unwrap().command.unwrap();
    assert!(
        command.contains("--key 'k'\\''; touch x #\u{fffd}[2J' --video 'vid_1'"),
        "{command}"
    );

    // 3. A kid no server key has.
    let r = diagnose(
        &w,
        &watch("vid_1", &signed(&k.key, "key_gone", &claims("vid_1"))),
    )
    .await;
    fails_at(&r, C::KeyId, "no key on the server has the id key_gone");
    assert!(r
        .fix
        .as_ref()
        .unwrap()
        .command
        .as_ref()
        .unwrap()
        .contains("keys sign"));

    // 4. Signed with a key kept here that was never uploaded (its kid is
    //    its local id).
    let never = signed(&k.stray_key, &k.stray.local_id, &claims("vid_1"));
    let r = diagnose(&w, &watch("vid_1", &never)).await;
    fails_at(
        &r,
        C::KeyId,
        &format!(
            "signed with key {} ('Never uploaded') that was never uploaded",
            k.stray.local_id
        ),
    );
    let fix = r.fix.unwrap();
    assert!(
        fix.sentence.starts_with("Resume its upload"),
        "{}",
        fix.sentence
    );
    assert_eq!(
        fix.command.as_deref(),
        Some(format!("portal keys upload {} --profile 'Test'", k.stray.local_id).as_str())
    );

    // 5. The uploaded key's kid, another key's signature.
    let forged = signed(&k.stray_key, &k.kid, &claims("vid_1"));
    let r = diagnose(&w, &watch("vid_1", &forged)).await;
    fails_at(&r, C::Signature, "signed with another private key");
    assert_eq!(status(&r, C::KeyId), CheckStatus::Passed);

    // 6. Expired (by more than the skew).
    let now = Utc::now().timestamp();
    let old = signed(
        &k.key,
        &k.kid,
        &json!({"sub": "vid_1", "iat": now - 7200, "exp": now - 3600}),
    );
    let r = diagnose(&w, &watch("vid_1", &old)).await;
    fails_at(&r, C::Lifetime, "expired at");
    assert!(detail(&r, C::Lifetime).contains("by the service's clock"));
    assert_eq!(status(&r, C::Signature), CheckStatus::Passed);
    assert_eq!(
        status(&r, C::Playback),
        CheckStatus::Failed,
        "the player agrees"
    );

    // 7. Not valid yet (nbf an hour ahead).
    let early = signed(
        &k.key,
        &k.kid,
        &json!({"sub": "vid_1", "iat": now, "nbf": now + 3600, "exp": now + 7200}),
    );
    let r = diagnose(&w, &watch("vid_1", &early)).await;
    fails_at(&r, C::Lifetime, "not valid before");

    // 8. sub is another video than the URL's.
    let other = keys_ops::sign(cx(&w, &rec), &request(&k.kid, Some("vid_2"), 3600), None)
        .await
        .unwrap();
    let r = diagnose(&w, &watch("vid_1", &other.jwt)).await;
    fails_at(
        &r,
        C::Subject,
        "the JWT is for video vid_2, the URL for video vid_1",
    );
    assert!(r.fix.unwrap().command.unwrap().contains("--video 'vid_1'"));

    // 9. A URL on another host: not the profile's form.
    let r = diagnose(
        &w,
        &format!("https://cdn.example.net/vid_1?jwt={}", good.jwt),
    )
    .await;
    fails_at(
        &r,
        C::UrlForm,
        "a URL on cdn.example.net that is none of the profile's forms",
    );
    assert_eq!(status(&r, C::Subject), CheckStatus::Skipped);
    assert_eq!(
        status(&r, C::Playback),
        CheckStatus::Passed,
        "sub names the video"
    );
    assert!(r.fix.unwrap().command.unwrap().contains("keys urls"));

    // 10. Within the skew for the doctor, refused by the player (which
    //     allows none): nbf 30 s ahead.
    let soon = signed(
        &k.key,
        &k.kid,
        &json!({"sub": "vid_1", "iat": now, "nbf": now + 30, "exp": now + 3600}),
    );
    let r = diagnose(&w, &watch("vid_1", &soon)).await;
    fails_at(
        &r,
        C::Playback,
        "the sandbox player refused it (not_yet_valid)",
    );
    assert!(
        detail(&r, C::Lifetime).contains("skew allowed"),
        "{}",
        detail(&r, C::Lifetime)
    );

    // 11. The service's clock decides: two hours on, the healthy URL has
    //     expired, and the report shows the clocks apart.
    w.sb.advance_clock(2 * 3600);
    let r = diagnose(&w, &good.urls.watch).await;
    fails_at(&r, C::Lifetime, "expired at");
    let offset = r.clock.offset_seconds.unwrap();
    assert!((7195..=7205).contains(&offset), "{offset}");
    assert!(
        detail(&r, C::Lifetime).contains("This computer's clock is 2 hours behind the service's."),
        "{}",
        detail(&r, C::Lifetime)
    );

    // A diagnosis changes nothing: nothing recorded.
    assert_eq!(w.entries().len(), entries_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_key_is_named_with_its_private_half_still_here() {
    let w = world().await;
    let k = keys(&w).await;
    let rec = w.recorder();
    let jwt = signed(&k.key, &k.kid, &claims("*"));
    let deleted = keys_ops::delete(cx(&w, &rec), Some(&k.kid), None, false)
        .await
        .unwrap();
    assert!(deleted.value.server_deleted && !deleted.value.local_deleted);
    let r = diagnose(&w, &jwt).await;
    fails_at(
        &r,
        C::KeyId,
        &format!("key {} is gone from the server", k.kid),
    );
    assert!(r
        .fix
        .as_ref()
        .unwrap()
        .command
        .as_ref()
        .unwrap()
        .contains("keys upload lk_"));
    assert_eq!(
        status(&r, C::Playback),
        CheckStatus::Skipped,
        "sub * names no video"
    );
}
