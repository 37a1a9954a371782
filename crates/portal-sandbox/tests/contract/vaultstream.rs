//! VaultStream as documented: tokens, scopes, user JWTs, paging and rate
//! limits, in its `{status, data, meta}` envelope.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portal_sandbox::{RateLimits, SandboxConfig};
use reqwest::Method;
use serde_json::json;

use crate::common::{claims, config, start, start_with};

#[tokio::test]
async fn create_list_revoke_round_trip() {
    let env = start().await;
    let r = env
        .call(env.vs(Method::POST, "/v1/auth/tokens").json(&json!({
            "name": "CI/CD Pipeline", "scopes": ["content:write", "content:read"], "expires_at": null
        })))
        .await;
    r.expect(201);
    let data = &r.body["data"];
    let value = data["token"].as_str().unwrap();
    let random = value.strip_prefix("vst_live_").unwrap();
    assert!(URL_SAFE_NO_PAD.decode(random).unwrap().len() >= 32);
    assert_eq!(data["scopes"], json!(["content:write", "content:read"]));
    let id = data["id"].as_str().unwrap().to_owned();

    let list = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await;
    list.expect(200);
    let listed = list.body["data"].as_array().unwrap();
    let mine = listed.iter().find(|t| t["id"] == id.as_str()).unwrap();
    assert!(mine.get("token").is_none(), "the value is shown only once");
    assert!(!list.text.contains(value));

    let revoke = env
        .call(env.vs(Method::DELETE, &format!("/v1/auth/tokens/{id}")))
        .await;
    revoke.expect(200);
    assert_eq!(revoke.body["data"]["id"], id.as_str());
    env.call(env.vs(Method::DELETE, &format!("/v1/auth/tokens/{id}")))
        .await
        .expect(404);
    let after = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await;
    assert!(after.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["id"] != id.as_str()));

    // The revoked token no longer authenticates.
    let r = env
        .call(
            env.req(Method::POST, "/vaultstream/v1/auth/jwt")
                .bearer_auth(value)
                .json(&json!({"user_id": "u", "content_id": "c"})),
        )
        .await;
    r.expect(401);
    assert_eq!(r.code(), "invalid_token");
}

#[tokio::test]
async fn auth_failures_are_401_invalid_token() {
    let env = start().await;
    for req in [
        env.req(Method::GET, "/vaultstream/v1/auth/tokens"),
        env.req(Method::GET, "/vaultstream/v1/auth/tokens")
            .bearer_auth("vst_live_nope"),
        env.req(Method::GET, "/vaultstream/v1/auth/tokens")
            .header("authorization", "Basic abc"),
    ] {
        let r = env.call(req).await;
        r.expect(401);
        assert_eq!(r.code(), "invalid_token");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        assert!(r.body["error"]["request_id"]
            .as_str()
            .unwrap()
            .starts_with("req_"));
    }
}

#[tokio::test]
async fn scopes_are_enforced_on_every_call() {
    let env = start().await;
    let (_, reader) = env.vs_token(&["content:read"]).await;
    let (_, writer) = env.vs_token(&["admin:write"]).await;
    let (_, analytics) = env.vs_token(&["analytics:read"]).await;
    let tokens = "/vaultstream/v1/auth/tokens";
    let create = json!({"name": "x", "scopes": ["content:read"], "expires_at": null});
    let jwt = json!({"user_id": "usr_1", "content_id": "c_1"});
    let cases = [
        (
            env.req(Method::POST, tokens)
                .bearer_auth(&reader)
                .json(&create),
            "admin:write",
        ),
        (
            env.req(Method::GET, tokens).bearer_auth(&reader),
            "admin:read",
        ),
        (
            env.req(Method::GET, tokens).bearer_auth(&writer),
            "admin:read",
        ),
        (
            env.req(Method::DELETE, &format!("{tokens}/tok_x"))
                .bearer_auth(&reader),
            "admin:write",
        ),
        (
            env.req(Method::POST, "/vaultstream/v1/auth/jwt")
                .bearer_auth(&analytics)
                .json(&jwt),
            "content:read",
        ),
    ];
    for (req, scope) in cases {
        let r = env.call(req).await;
        r.expect(403);
        assert_eq!(r.code(), "insufficient_scope");
        assert!(r.body["error"]["message"].as_str().unwrap().contains(scope));
    }
    // admin:write alone may create tokens.
    env.call(
        env.req(Method::POST, tokens)
            .bearer_auth(&writer)
            .json(&create),
    )
    .await
    .expect(201);
    env.call(
        env.req(Method::POST, "/vaultstream/v1/auth/jwt")
            .bearer_auth(&reader)
            .json(&jwt),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn expiry_is_enforced() {
    let env = start().await;
    let in_an_hour = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let r = env
        .call(
            env.vs(Method::POST, "/v1/auth/tokens").json(
                &json!({"name": "short", "scopes": ["admin:read"], "expires_at": in_an_hour}),
            ),
        )
        .await;
    r.expect(201);
    assert!(r.body["data"]["expires_at"].is_string());
    let value = r.body["data"]["token"].as_str().unwrap().to_owned();
    let list = || {
        env.req(Method::GET, "/vaultstream/v1/auth/tokens")
            .bearer_auth(&value)
    };
    env.call(list()).await.expect(200);
    env.advance_clock(2 * 3600).await;
    let r = env.call(list()).await;
    r.expect(401);
    assert_eq!(r.code(), "invalid_token");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn invalid_requests_are_400_or_415() {
    let env = start().await;
    let bodies = [
        json!({"name": "x", "scopes": ["content:read", "root"], "expires_at": null}),
        json!({"name": "x", "scopes": [], "expires_at": null}),
        json!({"name": "", "scopes": ["content:read"], "expires_at": null}),
        json!({"name": "x", "scopes": ["content:read"], "expiresAt": null}),
        json!({"name": "x", "scopes": ["content:read"], "expires_at": "tomorrow"}),
        json!({"name": "x", "scopes": ["content:read"], "expires_at": "2001-01-01T00:00:00Z"}),
    ];
    for body in bodies {
        let r = env
            .call(env.vs(Method::POST, "/v1/auth/tokens").json(&body))
            .await;
        r.expect(400);
        assert_eq!(r.code(), "invalid_request", "{body}");
    }
    let r = env
        .call(env.vs(Method::POST, "/v1/auth/tokens").body("{}"))
        .await;
    r.expect(415);
    let r = env
        .call(
            env.vs(Method::POST, "/v1/auth/tokens")
                .header("content-type", "application/json")
                .body("{nope"),
        )
        .await;
    r.expect(400);
    let r = env.vs(Method::PUT, "/v1/auth/tokens").send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "method_not_allowed"
    );
    let r = env.vs(Method::GET, "/v1/nothing").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "error"
    );
}

#[tokio::test]
async fn cursor_pagination_edges() {
    let env = start().await;
    // Only the admin token: exactly one page.
    let r = env
        .call(env.vs(Method::GET, "/v1/auth/tokens?limit=1"))
        .await;
    r.expect(200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["meta"]["next_cursor"], json!(null));
    assert_eq!(r.body["meta"]["total"], 1);
    for _ in 0..4 {
        env.vs_token(&["content:read"]).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/auth/tokens?limit=2&after={c}"),
            None => "/v1/auth/tokens?limit=2".to_owned(),
        };
        let r = env.call(env.vs(Method::GET, &path)).await;
        r.expect(200);
        assert_eq!(r.body["meta"]["per_page"], 2);
        assert_eq!(r.body["meta"]["total"], 5);
        let data = r.body["data"].as_array().unwrap();
        pages.push(data.len());
        seen.extend(data.iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        match r.body["meta"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, [2, 2, 1]);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 5);
    // After the last id: an empty page.
    let r = env
        .call(env.vs(Method::GET, &format!("/v1/auth/tokens?after={}", seen[4])))
        .await;
    assert_eq!(r.body["data"], json!([]));
    assert_eq!(r.body["meta"]["next_cursor"], json!(null));
    for bad in ["limit=0", "limit=101", "limit=x", "after=tok_unknown"] {
        env.call(env.vs(Method::GET, &format!("/v1/auth/tokens?{bad}")))
            .await
            .expect(400);
    }
    env.call(env.vs(Method::GET, "/v1/auth/tokens?limit=100"))
        .await
        .expect(200);
}

#[tokio::test]
async fn user_jwts_carry_the_claims_and_work_in_the_player() {
    let env = start().await;
    let (_, token) = env.vs_token(&["content:read"]).await;
    let r = env
        .call(
            env.req(Method::POST, "/vaultstream/v1/auth/jwt")
                .bearer_auth(&token)
                .json(&json!({"user_id": "usr_xyz789", "content_id": "c_7a3b9f1d", "ttl_seconds": 600})),
        )
        .await;
    r.expect(200);
    let jwt = r.body["data"]["jwt"].as_str().unwrap().to_owned();
    let c = claims(&jwt);
    assert_eq!(c["user_id"], "usr_xyz789");
    assert_eq!(c["content_id"], "c_7a3b9f1d");
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 600);

    let check =
        |content: &str| env.req(Method::GET, &format!("/sandbox/player/{content}?jwt={jwt}"));
    let ok = check("c_7a3b9f1d").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let wrong = check("c_other").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.unwrap()["reason"],
        "wrong_content"
    );
    env.advance_clock(601).await;
    let expired: serde_json::Value = check("c_7a3b9f1d")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["reason"], "expired");

    for bad in [
        json!({"user_id": "u", "content_id": "c", "ttl_seconds": 86401}),
        json!({"user_id": "", "content_id": "c"}),
        json!({"content_id": "c"}),
    ] {
        env.call(
            env.req(Method::POST, "/vaultstream/v1/auth/jwt")
                .bearer_auth(&token)
                .json(&bad),
        )
        .await
        .expect(400);
    }
}

#[tokio::test]
async fn per_token_rate_limits_with_headers() {
    let env = start_with(SandboxConfig {
        rate_limits: RateLimits {
            reads_per_minute: 3,
            writes_per_minute: 2,
            uploads_per_minute: 1,
            window_seconds: 60,
        },
        ..config()
    })
    .await;
    let list = || env.vs(Method::GET, "/v1/auth/tokens");
    for remaining in ["2", "1", "0"] {
        let r = env.call(list()).await;
        r.expect(200);
        assert_eq!(r.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(r.header("x-ratelimit-remaining"), Some(remaining));
        let reset: i64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(reset > chrono::Utc::now().timestamp());
    }
    let r = env.call(list()).await;
    r.expect(429);
    assert_eq!(r.code(), "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Writes have their own budget, and other tokens their own windows.
    let (_, other) = env.vs_token(&["admin:read"]).await;
    env.call(
        env.req(Method::GET, "/vaultstream/v1/auth/tokens")
            .bearer_auth(&other),
    )
    .await
    .expect(200);
    // Limits can be changed at run time.
    env.sandbox(
        Method::PUT,
        "/rate-limits",
        Some(json!({"reads_per_minute": 0, "writes_per_minute": 0, "uploads_per_minute": 0})),
    )
    .await;
    let r = env.call(list()).await;
    r.expect(200);
    assert!(r.header("x-ratelimit-limit").is_none());
}

/// Found by Schemathesis: the list is documented "oldest first", but came
/// in insertion order. `--seed` adds tokens backdated by months after the
/// admin token, so the two orders differ.
#[tokio::test]
async fn tokens_are_listed_oldest_first_across_pages() {
    let env = start_with(SandboxConfig {
        seed_assets: 1,
        ..config()
    })
    .await;
    env.vs_token(&["content:read"]).await;
    let mut created = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/auth/tokens?limit=2&after={c}"),
            None => "/v1/auth/tokens?limit=2".to_owned(),
        };
        let r = env.call(env.vs(Method::GET, &path)).await;
        r.expect(200);
        for t in r.body["data"].as_array().unwrap() {
            created.push(t["created_at"].as_str().unwrap().to_owned());
        }
        match r.body["meta"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(created.len(), 5, "admin, three seeded, one new");
    let mut sorted = created.clone();
    sorted.sort();
    assert_eq!(created, sorted, "oldest first");
}

/// Found by Schemathesis: `ttl_seconds` is an integer, not nullable, yet
/// null was taken for "absent"; and the 200-character limits counted bytes.
#[tokio::test]
async fn user_jwt_fields_are_exactly_as_documented() {
    let env = start().await;
    let (_, value) = env.vs_token(&["content:read"]).await;
    let mint = |body: serde_json::Value| {
        env.req(Method::POST, "/vaultstream/v1/auth/jwt")
            .bearer_auth(&value)
            .json(&body)
    };
    let r = env
        .call(mint(
            json!({"user_id": "u", "content_id": "c", "ttl_seconds": null}),
        ))
        .await;
    r.expect(400);
    assert_eq!(r.code(), "invalid_request");
    // An integer in JSON Schema's sense: 600.0 is one, 600.5 is not.
    env.call(mint(
        json!({"user_id": "u", "content_id": "c", "ttl_seconds": 600.0}),
    ))
    .await
    .expect(200);
    env.call(mint(
        json!({"user_id": "u", "content_id": "c", "ttl_seconds": 600.5}),
    ))
    .await
    .expect(400);
    // 200 characters (400 bytes) is within maxLength; 201 is not.
    env.call(mint(json!({"user_id": "é".repeat(200), "content_id": "c"})))
        .await
        .expect(200);
    env.call(mint(json!({"user_id": "é".repeat(201), "content_id": "c"})))
        .await
        .expect(400);
    // Blank is refused (the document's pattern).
    env.call(mint(json!({"user_id": " \u{3000}", "content_id": "c"})))
        .await
        .expect(400);
}
