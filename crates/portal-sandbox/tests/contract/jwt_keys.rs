//! The JWT keys API as documented: create, get, list, delete, signed JWTs
//! the player accepts, and the errors in its `{success, errors}` envelope.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::{start, Env};

const EC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzNpi55yo4fRDj1BLqZz0kOHL8UwM
pwBfXy3Dpt2RFdQKzpuEri1M+PBZhH4DU6N5dJblxWXqwgjs8rtYLx4oFg==
-----END PUBLIC KEY-----";

fn key_2048() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap())
}

fn public_pem(key: &RsaPrivateKey) -> String {
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

fn sign_rs256(key: &RsaPrivateKey, kid: &str, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

async fn create(env: &Env, name: &str, pem: &str) -> crate::common::Resp {
    env.call(
        env.jk(Method::POST, "/jwt_keys")
            .json(&json!({"name": name, "public_key": pem})),
    )
    .await
}

#[tokio::test]
async fn create_get_list_delete() {
    let env = start().await;
    let r = create(&env, "Web player", &public_pem(key_2048())).await;
    r.expect(201);
    assert_eq!(r.body["links"], Value::Null);
    let key = r.body["result"].clone();
    let id = key["id"].as_str().unwrap().to_owned();
    assert_eq!(key["name"], "Web player");
    assert!(key["public_key"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(key["created_by"], key["updated_by"]);
    assert!(!key["created_by"].as_str().unwrap().is_empty());
    assert_eq!(key["created_time"], key["updated_time"]);
    let time = key["created_time"].as_str().unwrap();
    assert!(
        time.ends_with('Z') && time.len() == 24,
        "ISO 8601 with ms: {time}"
    );

    let got = env
        .call(env.jk(Method::GET, &format!("/jwt_keys/{id}")))
        .await;
    got.expect(200);
    assert_eq!(got.body["result"], key);
    let list = env.call(env.jk(Method::GET, "/jwt_keys")).await;
    list.expect(200);
    assert_eq!(list.body["result"], json!([key]));
    assert_eq!(list.body["links"], json!({}));

    let del = env
        .call(env.jk(Method::DELETE, &format!("/jwt_keys/{id}")))
        .await;
    del.expect(200);
    assert_eq!(del.body["result"], json!({}));
    let gone = env
        .call(env.jk(Method::GET, &format!("/jwt_keys/{id}")))
        .await;
    gone.expect(404);
    assert_eq!(gone.body["success"], false);
    env.call(env.jk(Method::DELETE, &format!("/jwt_keys/{id}")))
        .await
        .expect(404);
}

#[tokio::test]
async fn validation_gives_precise_errors() {
    let env = start().await;
    let good = public_pem(key_2048());
    let small = public_pem(&RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap());
    let private = key_2048().to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"name": "", "public_key": good}), "name", "too_short"),
        (
            json!({"name": "x".repeat(51), "public_key": good}),
            "name",
            "too_long",
        ),
        (json!({"public_key": good}), "name", "required"),
        (
            json!({"name": 5, "public_key": good}),
            "name",
            "invalid_type",
        ),
        (json!({"name": "k"}), "public_key", "required"),
        (
            json!({"name": "k", "public_key": "MIIBIjANBg"}),
            "public_key",
            "invalid_pem",
        ),
        (
            json!({"name": "k", "public_key": "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----"}),
            "public_key",
            "invalid_pem",
        ),
        (
            json!({"name": "k", "public_key": small}),
            "public_key",
            "key_too_small",
        ),
        (
            json!({"name": "k", "public_key": EC_KEY}),
            "public_key",
            "not_rsa",
        ),
        (
            json!({"name": "k", "public_key": private}),
            "public_key",
            "private_key",
        ),
    ];
    for (body, field, code) in cases {
        let r = env
            .call(env.jk(Method::POST, "/jwt_keys").json(&body))
            .await;
        r.expect(400);
        let errors = r.body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{}", r.text);
        assert_eq!(errors[0]["field"], field, "{}", r.text);
        assert_eq!(errors[0]["code"], code, "{}", r.text);
    }
    // Both invalid: one entry each.
    let r = env
        .call(
            env.jk(Method::POST, "/jwt_keys")
                .json(&json!({"name": "", "public_key": small})),
        )
        .await;
    r.expect(400);
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2);
    // Limits are characters, not bytes.
    create(&env, &"é".repeat(50), &good).await.expect(201);
    create(&env, "x", &good).await.expect(201);
    // Unknown field, wrong content type.
    env.call(
        env.jk(Method::POST, "/jwt_keys")
            .json(&json!({"name": "k", "public_key": good, "private_key": "x"})),
    )
    .await
    .expect(400);
    env.call(env.jk(Method::POST, "/jwt_keys").body("{}"))
        .await
        .expect(415);
    assert_eq!(
        env.call(env.jk(Method::GET, "/jwt_keys")).await.body["result"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn api_key_is_required() {
    let env = start().await;
    for req in [
        env.req(Method::GET, "/jwt-keys/v2/jwt_keys"),
        env.req(Method::GET, "/jwt-keys/v2/jwt_keys")
            .bearer_auth("wrong"),
        env.req(Method::DELETE, "/jwt-keys/v2/jwt_keys/abc")
            .bearer_auth("wrong"),
    ] {
        let r = env.call(req).await;
        r.expect(401);
        assert_eq!(r.body["success"], false);
        assert_eq!(r.code(), "unauthorized");
    }
}

#[tokio::test]
async fn cursor_pagination_with_absolute_next_links() {
    let env = start().await;
    let empty = env.call(env.jk(Method::GET, "/jwt_keys")).await;
    assert_eq!(empty.body["result"], json!([]));
    assert_eq!(empty.body["links"], json!({}));
    let pem = public_pem(key_2048());
    for i in 0..26 {
        create(&env, &format!("key {i}"), &pem).await.expect(201);
    }
    // Default limit 25.
    let first = env.call(env.jk(Method::GET, "/jwt_keys")).await;
    assert_eq!(first.body["result"].as_array().unwrap().len(), 25);
    let next = first.body["links"]["next"].as_str().unwrap().to_owned();
    assert!(
        next.starts_with(&format!("{}/jwt-keys/v2/jwt_keys?", env.origin)),
        "{next}"
    );
    let last = env
        .call(
            env.http
                .get(&next)
                .bearer_auth(&env.sb.credentials().jwt_keys_api_key),
        )
        .await;
    assert_eq!(last.body["result"].as_array().unwrap().len(), 1);
    assert_eq!(last.body["result"][0]["name"], "key 25");
    assert_eq!(last.body["links"], json!({}));
    // Exactly one page.
    let all = env.call(env.jk(Method::GET, "/jwt_keys?limit=26")).await;
    assert_eq!(all.body["result"].as_array().unwrap().len(), 26);
    assert_eq!(all.body["links"], json!({}));
    // `limit=` (empty) is not a number (found by Schemathesis: it was
    // taken for the default).
    for bad in ["limit=0", "limit=101", "limit=", "cursor=garbage"] {
        let r = env
            .call(env.jk(Method::GET, &format!("/jwt_keys?{bad}")))
            .await;
        r.expect(400);
    }
}

#[tokio::test]
async fn playback_check_verifies_locally_signed_jwts() {
    let env = start().await;
    let key = key_2048();
    let r = create(&env, "Player", &public_pem(key)).await;
    let kid = r.body["result"]["id"].as_str().unwrap().to_owned();
    let exp = chrono::Utc::now().timestamp() + 600;
    let check = |video: &str, jwt: &str| {
        let url = env.url(&format!("/sandbox/playback/{video}?jwt={jwt}"));
        let http = env.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let jwt = sign_rs256(key, &kid, &json!({"sub": "vid_1", "exp": exp}));
    let (status, body) = check("vid_1", &jwt).await;
    assert_eq!(
        (status, body["allowed"].clone()),
        (200, json!(true)),
        "{body}"
    );
    assert_eq!(body["kid"], kid.as_str());
    let any = sign_rs256(key, &kid, &json!({"sub": "*", "exp": exp}));
    assert_eq!(check("vid_2", &any).await.0, 200);

    let other = RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let hs = crate::common::claims(&jwt); // reuse claims to build an HS256-looking token
    let hs_header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "kid": kid}).to_string());
    let hs_jwt = format!(
        "{hs_header}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(hs.to_string())
    );
    let cases = [
        ("vid_2", jwt.clone(), "wrong_video"),
        (
            "vid_1",
            sign_rs256(key, &kid, &json!({"sub": "vid_1", "exp": exp - 3600})),
            "expired",
        ),
        (
            "vid_1",
            sign_rs256(key, &kid, &json!({"sub": "vid_1"})),
            "missing_exp",
        ),
        (
            "vid_1",
            sign_rs256(key, &kid, &json!({"exp": exp})),
            "missing_sub",
        ),
        (
            "vid_1",
            sign_rs256(key, "nokey", &json!({"sub": "vid_1", "exp": exp})),
            "unknown_kid",
        ),
        (
            "vid_1",
            sign_rs256(&other, &kid, &json!({"sub": "vid_1", "exp": exp})),
            "bad_signature",
        ),
        ("vid_1", hs_jwt, "unsupported_alg"),
        ("vid_1", "not.a.jwt".to_owned(), "malformed"),
    ];
    for (video, jwt, reason) in cases {
        let (status, body) = check(video, &jwt).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["allowed"], false);
        assert_eq!(body["reason"], reason, "{body}");
    }
    let r = env
        .http
        .get(env.url("/sandbox/playback/vid_1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["reason"], "missing_jwt");
}

/// Documented "oldest first": by creation time, not insertion order. A
/// clock reset makes the two differ; paging keeps the order too.
#[tokio::test]
async fn keys_are_listed_oldest_first_across_pages() {
    let env = start().await;
    let pem = public_pem(key_2048());
    env.advance_clock(86_400).await;
    create(&env, "made tomorrow", &pem).await.expect(201);
    env.sandbox(Method::POST, "/clock", Some(json!({"reset": true})))
        .await;
    create(&env, "made today", &pem).await.expect(201);
    create(&env, "also today", &pem).await.expect(201);
    let mut names = Vec::new();
    let mut next = Some(env.url("/jwt-keys/v2/jwt_keys?limit=1"));
    while let Some(url) = next {
        let page = env
            .call(
                env.http
                    .get(&url)
                    .bearer_auth(&env.sb.credentials().jwt_keys_api_key),
            )
            .await;
        page.expect(200);
        for k in page.body["result"].as_array().unwrap() {
            names.push(k["name"].as_str().unwrap().to_owned());
        }
        next = page.body["links"]["next"].as_str().map(str::to_owned);
    }
    assert_eq!(names, ["made today", "also today", "made tomorrow"]);
}
