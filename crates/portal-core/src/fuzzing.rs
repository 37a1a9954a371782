//! Entry points for the cargo-fuzz targets in `fuzz/` (not an API).
#![doc(hidden)]
//!
//! Each function feeds untrusted bytes to the real parsers — PEM import, the
//! three services' envelope parsers and the typed decoding of what they
//! return, the HTTP layer's error mapping, JWT decoding and verification —
//! and checks the invariants that must hold whatever the input. None of them
//! parses anything itself. A panic here is a bug: either in a parser or in
//! an invariant stated below.

use chrono::{Duration, TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::{self, Response};
use crate::jwt_keys::{self, JwtKey};
use crate::keypair::{import_pem, PemKind, PublicKey};
use crate::secret::Secret;
use crate::service::Service;
use crate::signing::{self, Subject, VerdictKind};
use crate::vault::{
    self, Asset, Deleted, Folder, LegalHold, PageInfo, Quota, Share, Transform, VaultClaims,
};
use crate::vaultstream::{self, ApiToken};

/// A fixed "now" for verification, so a run is reproducible.
fn now() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0)
        .single()
        .unwrap_or_default()
}

/// An error meant for a person must say something.
fn check_error(e: &Error) {
    assert!(!e.message.trim().is_empty(), "empty error message: {e:?}");
    assert!(serde_json::to_string(e).is_ok());
}

/// PEM import: `text` as pasted, `passphrase` as typed.
///
/// Invariants for a key that is accepted: its public half re-imports from
/// its own PEM to the same key with the same fingerprints; a private half
/// matches the public half, survives a PKCS#8 round trip, and signs a JWT
/// that verifies with the public half.
pub fn pem_import(text: &str, passphrase: Option<&str>) {
    let kind = PemKind::detect(text);
    if let Some(kind) = kind {
        let _ = (
            kind.describe(),
            kind.has_private_key(),
            kind.needs_passphrase(),
        );
    }
    let passphrase = passphrase.map(Secret::new);
    let imported = match import_pem(text, passphrase.as_ref()) {
        Ok(imported) => imported,
        Err(e) => return check_error(&e),
    };
    assert_eq!(
        Some(imported.kind),
        kind,
        "imported a block detect() does not name"
    );
    let public = &imported.public;
    let summary = public.summary().expect("an imported key has a summary");
    assert_eq!(summary.bits, public.bits());
    let again = PublicKey::from_pem(&summary.public_key_pem).expect("own PEM re-imports");
    assert_eq!(&again, public);
    assert_eq!(
        again.fingerprints().expect("fingerprints"),
        summary.fingerprints
    );
    if let Some(private) = &imported.private {
        assert_eq!(&private.public_key(), public);
        let pem = private.to_pkcs8_pem().expect("PKCS#8 export");
        let back = crate::keypair::PrivateKey::from_pem(&pem).expect("own PKCS#8 re-imports");
        assert_eq!(&back.public_key(), public);
        let signed = signing::sign_at(
            private,
            "kid",
            &Subject::AllVideos,
            now(),
            Duration::hours(1),
        )
        .expect("an imported private key signs");
        let verdict = signing::verify(signed.jwt.expose(), public, now());
        assert_eq!(verdict.kind, VerdictKind::Valid, "{}", verdict.message);
    }
}

/// JWT decoding (`signing::decode`), verification against `key`, and the
/// vault's reading of its access token's claims.
pub fn jwt(token: &str, key: &PublicKey) {
    match signing::decode(token) {
        Ok(jwt) => {
            let _ = (jwt.alg(), jwt.kid(), jwt.subject(), jwt.expires_at());
            assert!(serde_json::to_string(&jwt).is_ok());
        }
        Err(e) => check_error(&e),
    }
    let verdict = signing::verify(token, key, now());
    assert!(!verdict.message.is_empty());
    assert!(serde_json::to_string(&verdict).is_ok());
    if verdict.is_valid() {
        // Only an RS256 token with a subject and a future expiry is accepted.
        let jwt = signing::decode(token).expect("a valid JWT decodes");
        assert_eq!(jwt.alg(), Some("RS256"));
        assert!(jwt.subject().is_some());
        assert!(jwt.claims["exp"]
            .as_i64()
            .is_some_and(|exp| exp > now().timestamp()));
    }
    match VaultClaims::decode(&Secret::new(token)) {
        Ok(claims) => {
            let _ = (
                claims.role(),
                vault::needs_refresh(claims.exp, now().timestamp()),
            );
            let _ = vault::VaultIdentity::of(&claims);
        }
        Err(e) => check_error(&e),
    }
}

/// A response as the HTTP layer hands it to a client: `status` (any number;
/// ones HTTP cannot carry are skipped), an optional `Retry-After` header
/// and the body.
pub fn response(
    service: Service,
    status: u16,
    retry_after: Option<&[u8]>,
    body: &[u8],
) -> Option<Response> {
    let status = StatusCode::from_u16(status).ok()?;
    let mut headers = HeaderMap::new();
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_bytes(v).ok()) {
        headers.insert(RETRY_AFTER, value);
    }
    Some(Response {
        service,
        status,
        headers,
        body: body.to_vec(),
        sent_request_id: "req-fuzz".to_owned(),
        attempts: 1,
    })
}

/// The HTTP layer's handling of any response: JSON reading, `Retry-After`
/// and the error built for a non-2xx status.
pub fn http_response(resp: &Response) {
    match resp.json() {
        Ok(_) => {}
        Err(e) => check_error(&e),
    }
    let _ = resp.retry_after();
    let _ = http::code_for_status(resp.status);
    let e = http::status_error(resp, None, None, None);
    check_error(&e);
    assert_eq!(e.status, Some(resp.status.as_u16()));
    assert_eq!(e.request_id.as_deref(), Some("req-fuzz"));
}

/// Decodes `v` as `T` the way the clients do; an error must still be
/// readable.
fn typed<T: DeserializeOwned>(v: &Value) -> Option<T> {
    serde_json::from_value::<T>(v.clone()).ok()
}

fn envelope_result<T>(resp: &Response, result: Result<T>) -> Option<T> {
    match result {
        Ok(parsed) => {
            assert!(
                resp.status.is_success(),
                "a {} parsed as success",
                resp.status
            );
            Some(parsed)
        }
        Err(e) => {
            check_error(&e);
            if !resp.status.is_success() {
                assert_eq!(e.status, Some(resp.status.as_u16()));
            }
            None
        }
    }
}

/// VaultStream: the `{"status":"ok","data":…,"meta":…}` envelope, then the
/// token types read from `data`.
pub fn vaultstream(resp: &Response) {
    let Some((data, meta)) = envelope_result(resp, vaultstream::parse_envelope(resp)) else {
        return;
    };
    let _ = (meta["next_cursor"].as_str(), meta["total"].as_u64());
    let _ = typed::<Vec<ApiToken>>(&data);
    if let Some(token) = typed::<ApiToken>(&data) {
        let _ = crate::ops::tokens::rotation_of(&token, now());
    }
}

/// JWT keys: the `{"success":…,"result":…,"errors":…}` envelope, then the
/// keys read from `result` and their public PEM, as `verify_with_service`
/// reads it.
pub fn jwt_keys(resp: &Response) {
    let Some((result, _links)) = envelope_result(resp, jwt_keys::parse_envelope(resp)) else {
        return;
    };
    let _ = typed::<Vec<JwtKey>>(&result);
    if let Some(key) = typed::<JwtKey>(&result) {
        if let Err(e) = PublicKey::from_pem(&key.public_key) {
            check_error(&e);
        }
    }
}

/// Vault: the `{"data":…,"error":…,"page":…}` envelope, every type read from
/// `data`, and the login answer (tokens and the access token's claims).
pub fn vault(resp: &Response) {
    vault_one_pass(resp);
    let Some((data, _page)) = envelope_result(resp, vault::parse_envelope(resp)) else {
        return;
    };
    let _ = typed::<Vec<Asset>>(&data);
    let _ = typed::<Asset>(&data);
    let _ = typed::<Vec<Folder>>(&data);
    let _ = typed::<Folder>(&data);
    let _ = typed::<Quota>(&data);
    let _ = typed::<LegalHold>(&data);
    let _ = typed::<Vec<Transform>>(&data);
    let _ = typed::<Transform>(&data);
    let _ = typed::<Share>(&data);
    let _ = typed::<Deleted>(&data);
    let _ = typed::<PageInfo>(&data);
    if let Ok(body) = resp.json() {
        if let Err(e) = vault::read_session(&body) {
            check_error(&e);
        }
    }
}

/// `vault::parse_data` (one pass over the body) gives what the parsed
/// envelope and a decode of its `data` give: the same rows and page, or the
/// same error.
fn vault_one_pass(resp: &Response) {
    let fast = vault::parse_data::<Vec<Asset>>(resp, "asset list");
    match vault::parse_envelope(resp) {
        Ok((data, page)) => match serde_json::from_value::<Vec<Asset>>(data) {
            Ok(items) => assert_eq!(fast.expect("one-pass read refused it"), (items, page)),
            Err(e) => {
                let fast = fast.expect_err("one-pass read took a data the decode refuses");
                assert_eq!(fast.message, format!("Unexpected asset list: {e}"));
            }
        },
        Err(slow) => match fast {
            Err(fast) => assert_eq!((fast.code, fast.message), (slow.code, slow.message)),
            // A body the full parse cannot read at all (a number past f64's
            // range or a lone surrogate escape, in a field nothing reads):
            // the one-pass read skips that field.
            Ok(_) => assert!(
                serde_json::from_slice::<Value>(&resp.body).is_err(),
                "one-pass read took what the full parse refuses: {slow:?}"
            ),
        },
    }
}
