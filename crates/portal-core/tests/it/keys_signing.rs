//! RS256 private-video JWTs: sign, decode, verify; and the local key index.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Duration, Utc};
use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::jwt_keys::JwtKey;
use portal_core::keypair::{PrivateKey, PublicKey};
use portal_core::local_keys::{pairings, LocalKeys, Pairing};
use portal_core::profiles::{Environment, Profile, SettingsFile, SETTINGS_FILE};
use portal_core::secrets::{EntryName, Item, MemoryStore, SecretStore};
use portal_core::signing::{decode, sign, sign_at, verify, Subject, VerdictKind, DEFAULT_TTL};
use portal_core::{ErrorCode, Secret};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn key() -> PrivateKey {
    PrivateKey::from_pem(&Secret::new(fixture("rsa2048_pkcs8.pem"))).unwrap()
}

#[test]
fn signed_jwt_has_the_documented_header_and_claims() {
    let key = key();
    let signed = sign(&key, "kid123", &Subject::Video("vid_1".into()), DEFAULT_TTL).unwrap();
    let jwt = decode(signed.jwt.expose()).unwrap();
    assert_eq!(
        jwt.header,
        serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "kid123"})
    );
    let iat = jwt.claims["iat"].as_i64().unwrap();
    assert_eq!(jwt.claims["exp"].as_i64().unwrap(), iat + 3600);
    assert_eq!(jwt.claims["sub"], "vid_1");
    assert_eq!(signed.expires_at.timestamp(), iat + 3600);
    assert_eq!(format!("{:?}", signed.jwt), "<redacted>");

    let all = sign(&key, "kid123", &Subject::AllVideos, Duration::minutes(5)).unwrap();
    assert_eq!(decode(all.jwt.expose()).unwrap().subject(), Some("*"));
}

#[test]
fn verdicts_are_plain() {
    let key = key();
    let public = key.public_key();
    let now = Utc::now();
    let good = sign(&key, "k", &Subject::AllVideos, DEFAULT_TTL).unwrap();
    let v = verify(good.jwt.expose(), &public, now);
    assert_eq!(v.kind, VerdictKind::Valid, "{}", v.message);
    assert!(v.is_valid());
    assert_eq!(v.kid.as_deref(), Some("k"));
    assert!(v.message.contains("all videos"), "{}", v.message);

    let old = sign_at(
        &key,
        "k",
        &Subject::Video("v".into()),
        now - Duration::hours(2),
        DEFAULT_TTL,
    )
    .unwrap();
    let v = verify(old.jwt.expose(), &public, now);
    assert_eq!(v.kind, VerdictKind::Expired);
    assert!(v.message.contains("expired at"), "{}", v.message);

    // Another key's signature.
    let other = PublicKey::from_pem(&fixture("rsa2048_cert.pem")).unwrap();
    assert_eq!(other, public); // same key in the cert…
    let stranger =
        portal_core::keypair::generate(2048, |_| {}, &std::sync::atomic::AtomicBool::new(false))
            .unwrap();
    let v = verify(good.jwt.expose(), &stranger.public_key(), now);
    assert_eq!(v.kind, VerdictKind::BadSignature);

    // Tampered claims.
    let parts: Vec<&str> = good.jwt.expose().split('.').collect();
    let forged_claims = base64_url(r#"{"sub":"*","iat":0,"exp":99999999999}"#);
    let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
    assert_eq!(
        verify(&forged, &public, now).kind,
        VerdictKind::BadSignature
    );

    // Not a JWT; the wrong alg.
    assert_eq!(verify("nope", &public, now).kind, VerdictKind::Malformed);
    let hs = format!(
        "{}.{}.{}",
        base64_url(r#"{"alg":"HS256","kid":"k"}"#),
        parts[1],
        parts[2]
    );
    let v = verify(&hs, &public, now);
    assert_eq!(v.kind, VerdictKind::Malformed);
    assert!(v.message.contains("HS256"));
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn bad_input_is_refused_before_signing() {
    let key = key();
    let e = sign(&key, "", &Subject::AllVideos, DEFAULT_TTL).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(sign(&key, "k", &Subject::Video(" ".into()), DEFAULT_TTL).is_err());
    assert!(sign(&key, "k", &Subject::AllVideos, Duration::zero()).is_err());
}

struct Local {
    _dir: tempfile::TempDir,
    settings: SettingsFile,
    store: Arc<MemoryStore>,
    ctx: ProfileContext,
}

fn local() -> Local {
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
    let store = Arc::new(MemoryStore::default());
    let ctx = ProfileContext::new(
        Profile::new("P", Environment::Sandbox),
        store.clone(),
        HttpConfig::default(),
    )
    .unwrap();
    Local {
        _dir: dir,
        settings,
        store,
        ctx,
    }
}

#[test]
fn local_index_keeps_metadata_only_and_the_pem_in_the_store() {
    let l = local();
    let keys = LocalKeys::new(&l.settings, &l.ctx);
    let key = key();
    let added = keys.add("Laptop key", &key).unwrap();
    assert!(added.local_id.starts_with("lk_"));
    assert!(!added.is_uploaded());
    assert_eq!(added.bits, 2048);
    assert_eq!(
        added.fingerprints.sha256,
        fixture("rsa2048_spki.sha256").trim()
    );

    // The PEM is in the secret store, under the profile, and not in settings.
    let entry = EntryName::new("P", Item::PrivateKey(added.local_id.clone()));
    let pem = l.store.get(&entry).unwrap().unwrap();
    assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    let settings_text = std::fs::read_to_string(l.settings.path()).unwrap();
    assert!(!settings_text.contains("PRIVATE KEY"));
    assert!(settings_text.contains(&added.local_id));

    let linked = keys.link(&added.local_id, "srv_1").unwrap();
    assert_eq!(linked.server_key_id.as_deref(), Some("srv_1"));
    assert_eq!(
        keys.find_by_server_id("srv_1").unwrap().local_id,
        added.local_id
    );
    let back = keys.private_key(&added.local_id).unwrap();
    assert_eq!(back.public_key(), key.public_key());

    // Another profile does not see it.
    let other = ProfileContext::new(
        Profile::new("Q", Environment::Sandbox),
        l.store.clone(),
        HttpConfig::default(),
    )
    .unwrap();
    assert!(LocalKeys::new(&l.settings, &other).list().is_empty());

    keys.remove(&added.local_id).unwrap();
    assert!(keys.list().is_empty());
    assert!(l.store.get(&entry).unwrap().is_none());
    assert_eq!(
        keys.private_key(&added.local_id).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn pairing_matches_by_link_or_fingerprint() {
    let l = local();
    let keys = LocalKeys::new(&l.settings, &l.ctx);
    let key = key();
    let public_pem = key.public_key().to_pem().unwrap();
    let server = |id: &str, pem: &str| JwtKey {
        id: id.into(),
        name: format!("server {id}"),
        public_key: pem.into(),
        created_by: None,
        created_time: None,
        updated_by: None,
        updated_time: None,
    };
    let linked = keys.add("linked", &key).unwrap();
    keys.link(&linked.local_id, "s1").unwrap();
    let not_uploaded = keys.add("draft", &key).unwrap();
    let rows = pairings(
        &[
            server("s1", &public_pem),
            server("s2", &fixture("ec_p256_spki.pem")),
        ],
        &keys.list(),
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].pairing, Pairing::Paired);
    assert_eq!(rows[0].local.as_ref().unwrap().local_id, linked.local_id);
    assert!(rows[0].fingerprints.is_some());
    assert_eq!(rows[1].pairing, Pairing::NoPrivateKeyHere);
    assert!(rows[1].fingerprints.is_none()); // an EC key: no RSA fingerprint
    assert_eq!(rows[2].pairing, Pairing::NotUploaded);
    assert_eq!(
        rows[2].local.as_ref().unwrap().local_id,
        not_uploaded.local_id
    );
    assert_eq!(rows[2].name(), "draft");

    // A key uploaded elsewhere whose private half was imported here pairs by fingerprint.
    let rows = pairings(
        &[server("s3", &public_pem)],
        std::slice::from_ref(&not_uploaded),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pairing, Pairing::Paired);
}

#[test]
fn nothing_private_is_serialised() {
    let l = local();
    let keys = LocalKeys::new(&l.settings, &l.ctx);
    let added = keys.add("k", &key()).unwrap();
    let json = serde_json::to_string(&added).unwrap();
    assert!(!json.contains("PRIVATE"));
    let summary = key().public_key().summary().unwrap();
    let json = serde_json::to_string(&summary).unwrap();
    assert!(json.contains("BEGIN PUBLIC KEY") && !json.contains("PRIVATE"));
}
