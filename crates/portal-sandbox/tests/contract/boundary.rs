//! The sandbox's trust boundary: controls only behind the per-run secret
//! (and not at all without one), DNS rebinding refused, no input that
//! panics it, every rejection in the addressed service's envelope, and a
//! Vault password the caller can make private.

use std::time::Duration;

use clap::Parser;
use portal_sandbox::cli::{connection_json, SandboxArgs};
use portal_sandbox::{BootstrapCredentials, ControlSecret, Sandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{config, start, start_with, Env, Resp};

/// Which envelope an answer must be in.
#[derive(Debug, Clone, Copy)]
enum Envelope {
    VaultStream,
    JwtKeys,
    Vault,
    Sandbox,
}

impl Envelope {
    fn of(path: &str) -> Envelope {
        if path.starts_with("/vaultstream") {
            Envelope::VaultStream
        } else if path.starts_with("/jwt-keys") {
            Envelope::JwtKeys
        } else if path.starts_with("/vault") {
            Envelope::Vault
        } else {
            Envelope::Sandbox
        }
    }

    /// Panics unless `body` is this service's error envelope; returns the code.
    #[track_caller]
    fn check(self, body: &Value, what: &str) -> String {
        let code = match self {
            Envelope::VaultStream => {
                assert_eq!(body["status"], "error", "{what}: {body}");
                assert!(body["error"]["request_id"].is_string(), "{what}: {body}");
                &body["error"]["code"]
            }
            Envelope::JwtKeys => {
                assert_eq!(body["success"], false, "{what}: {body}");
                assert!(body["result"].is_null(), "{what}: {body}");
                &body["errors"][0]["code"]
            }
            Envelope::Vault => {
                assert!(body["data"].is_null(), "{what}: {body}");
                assert!(body["meta"]["request_id"].is_string(), "{what}: {body}");
                &body["error"]["code"]
            }
            Envelope::Sandbox => &body["error"]["code"],
        };
        assert!(
            body.get("error").or(body.get("errors")).is_some(),
            "{what}: {body}"
        );
        let message = body["error"]["message"]
            .as_str()
            .or(body["errors"][0]["message"].as_str())
            .unwrap_or_default();
        assert!(!message.is_empty(), "{what}: no message in {body}");
        code.as_str()
            .unwrap_or_else(|| panic!("{what}: no code in {body}"))
            .to_owned()
    }
}

/// One raw HTTP/1.1 exchange, so the test chooses every byte (`Host`, an
/// undecodable path); returns (status, content type, body).
async fn raw(addr: std::net::SocketAddr, request: String) -> (u16, String, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .expect("the sandbox answers and closes")
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete answer");
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, content_type, body)
}

fn get_with_host(path: &str, host: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

// --- 1. The controls ------------------------------------------------------

const CONTROLS: [(&str, &str); 9] = [
    ("GET", "/sandbox/faults"),
    ("POST", "/sandbox/faults"),
    ("DELETE", "/sandbox/faults"),
    ("DELETE", "/sandbox/faults/f1"),
    ("GET", "/sandbox/requests"),
    ("DELETE", "/sandbox/requests"),
    ("POST", "/sandbox/clock"),
    ("GET", "/sandbox/clock"),
    ("PUT", "/sandbox/rate-limits"),
];

#[tokio::test]
async fn without_a_control_secret_the_controls_do_not_exist() {
    let env = start_with(SandboxConfig {
        control: None,
        ..config()
    })
    .await;
    assert!(env.sb.control_secret().is_none());
    for (method, path) in CONTROLS {
        let r = env
            .unchecked(
                env.req(method.parse().unwrap(), path)
                    .header(ControlSecret::HEADER, "anything-at-all-0123456789")
                    .json(&json!("* /**=status:500")),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{method} {path}");
    }
    // Not installed: a later call is answered normally.
    env.call(env.vs(Method::GET, "/v1/auth/tokens"))
        .await
        .expect(200);
    // Health and the player checks stay.
    env.call(env.req(Method::GET, "/sandbox/health"))
        .await
        .expect(200);
    let r = env
        .unchecked(env.req(Method::GET, "/sandbox/playback/vid_1"))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["reason"], "missing_jwt");
}

#[tokio::test]
async fn the_controls_need_the_secret_and_json_bodies() {
    let env = start().await;
    let secret = env.sb.control_secret().unwrap().to_owned();
    for (method, path) in CONTROLS {
        for header in [None, Some("wrong-secret-0123456789abcdef")] {
            let mut req = env
                .req(method.parse().unwrap(), path)
                .json(&json!("* /**=status:500"));
            if let Some(h) = header {
                req = req.header(ControlSecret::HEADER, h);
            }
            let r = env.unchecked(req).await.unwrap();
            assert_eq!(r.status(), 401, "{method} {path} with {header:?}");
            let body: Value = r.json().await.unwrap();
            Envelope::Sandbox.check(&body, path);
        }
    }
    env.call(env.vs(Method::GET, "/v1/auth/tokens"))
        .await
        .expect(200);

    // A body a form or a simple fetch could send is refused.
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let mut req = env
            .req(Method::POST, "/sandbox/faults")
            .header(ControlSecret::HEADER, &secret)
            .body("\"* /**=status:500\"");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let r = env.unchecked(req).await.unwrap();
        assert_eq!(r.status(), 415, "{content_type:?}");
        Envelope::Sandbox.check(&r.json().await.unwrap(), "415");
    }
    assert_eq!(
        env.sandbox(Method::GET, "/faults", None).await["faults"],
        json!([])
    );
    let added = env
        .sandbox(Method::POST, "/faults", Some(json!("* /**=status:500")))
        .await;
    assert_eq!(added["faults"].as_array().unwrap().len(), 1);
}

#[test]
fn portal_sandbox_makes_a_control_secret_per_run_and_prints_it() {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }
    let args = Cli::parse_from(["portal", "--port", "0"]).sandbox;
    let (a, b) = (args.config().control, args.config().control);
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.expose(), b.expose(), "one secret per run");
    assert!(a.expose().len() >= 32);
    assert!(SandboxConfig::default().control.is_none());
}

#[tokio::test]
async fn the_banner_and_the_json_carry_the_secret() {
    let env = start().await;
    let secret = env.sb.control_secret().unwrap();
    assert!(env
        .sb
        .banner()
        .contains(&format!("X-Sandbox-Control: {secret}")));
    let info = connection_json(&env.sb);
    assert_eq!(info["control_secret"], secret);
    assert_eq!(info["control_header"], "x-sandbox-control");
    let closed = start_with(SandboxConfig {
        control: None,
        ..config()
    })
    .await;
    assert!(!closed.sb.banner().contains("X-Sandbox-Control"));
}

// --- 2. DNS rebinding ------------------------------------------------------

#[tokio::test]
async fn a_foreign_host_header_is_refused_in_each_services_envelope() {
    let env = start().await;
    let addr = env.sb.addr();
    let port = addr.port();
    let paths = [
        "/vaultstream/v1/auth/tokens",
        "/jwt-keys/v2/jwt_keys",
        "/vault/vault/v1/assets",
        "/sandbox/health",
        "/sandbox/playback/vid_1",
    ];
    for path in paths {
        for host in [
            format!("evil.example:{port}"),
            format!("localhost.evil.example:{port}"),
            "127.0.0.1".to_owned(),
            format!("127.0.0.1:{}", port.wrapping_add(1)),
        ] {
            let (status, content_type, body) = raw(addr, get_with_host(path, &host)).await;
            assert_eq!(status, 403, "{path} with Host {host}");
            assert!(
                content_type.starts_with("application/json"),
                "{content_type}"
            );
            let code = Envelope::of(path).check(&body, path);
            assert!(code.eq_ignore_ascii_case("forbidden"), "{code}");
        }
        for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
            let (status, ..) = raw(addr, get_with_host("/sandbox/health", &host)).await;
            assert_eq!(status, 200, "Host {host}");
        }
    }
    // Nothing reached the services.
    assert!(env.sb.requests().iter().all(|r| r.status == 403));
}

// --- 3. No input panics the sandbox ---------------------------------------

/// The sandbox still answers (a panic would have killed the connection, and
/// in the app, with panic = abort, the whole process).
async fn alive(env: &Env) {
    env.call(env.req(Method::GET, "/sandbox/health"))
        .await
        .expect(200);
    env.call(env.vs(Method::GET, "/v1/auth/tokens"))
        .await
        .expect(200);
}

/// The `Date` of an answer, as a client reads the service's clock.
fn date_of(r: &Resp) -> chrono::DateTime<chrono::Utc> {
    let date = r.header("date").expect("every answer has a Date");
    chrono::DateTime::parse_from_rfc2822(date).unwrap().to_utc()
}

#[tokio::test]
async fn every_answers_date_is_the_sandbox_clock() {
    let env = start().await;
    let before = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await;
    let skew = (date_of(&before) - chrono::Utc::now()).num_seconds();
    assert!(skew.abs() <= 2, "{skew}");
    env.advance_clock(2 * 3600).await;
    let after = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await;
    let ahead = (date_of(&after) - chrono::Utc::now()).num_seconds();
    assert!((7198..=7202).contains(&ahead), "{ahead}");
    let missing = env.call(env.req(Method::GET, "/elsewhere")).await;
    missing.expect(404);
    assert!((date_of(&missing) - date_of(&after)).num_seconds() < 5);
}

#[tokio::test]
async fn the_clock_refuses_a_jump_it_cannot_represent() {
    let env = start().await;
    for seconds in [json!(9_000_000_000_000i64), json!(i64::MAX), json!(-1)] {
        let r = env
            .unchecked(
                env.control(Method::POST, "/clock")
                    .json(&json!({ "advance_seconds": seconds })),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{seconds}");
        Envelope::Sandbox.check(&r.json().await.unwrap(), "clock");
        alive(&env).await;
    }
    // Adding up small jumps cannot pass the limit either.
    let fifty_years = 50 * 365 * 86_400i64;
    env.advance_clock(fifty_years).await;
    env.advance_clock(fifty_years).await;
    let r = env
        .unchecked(
            env.control(Method::POST, "/clock")
                .json(&json!({ "advance_seconds": fifty_years })),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let clock = env.sandbox(Method::GET, "/clock", None).await;
    assert_eq!(clock["offset_seconds"], 2 * fifty_years);
    // A user JWT (now + TTL) and a share link still work a century ahead.
    let (_, token) = env.vs_token(&["content:read"]).await;
    env.call(
        env.req(Method::POST, "/vaultstream/v1/auth/jwt")
            .bearer_auth(token)
            .json(&json!({"user_id": "u1", "content_id": "c1", "ttl_seconds": 86_400})),
    )
    .await
    .expect(200);
    alive(&env).await;
}

#[tokio::test]
async fn fault_rules_out_of_range_are_refused_however_they_come() {
    let env = start().await;
    for bad in [
        json!({"path": "/vault/**", "action": "status", "status": 600}),
        json!({"path": "/vault/**", "action": "status", "status": 99}),
        json!({"path": "/vault/**", "action": "status", "status": 503, "rate": 1.5}),
        json!({"path": "/vault/**", "action": "status", "status": 503, "rate": -0.1}),
        json!({"path": "/vault/**", "action": "delay", "latency_ms": u64::MAX}),
        json!({"path": "/vault/**", "action": "status", "status": 429, "retry_after": u64::MAX}),
        json!({"path": "vault", "action": "drop"}),
        json!("/vault/**=status:600"),
        json!("/vault/**=status:503,rate:1.01"),
        json!("/vault/**=burst:1,retry-after:18446744073709551615"),
        // `rules` that is not an array (Schemathesis found it taken as "no rules").
        json!({"rules": 5}),
        json!({"rules": {"path": "/vault/**", "action": "drop"}}),
    ] {
        let r = env
            .unchecked(env.control(Method::POST, "/faults").json(&bad))
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        Envelope::Sandbox.check(&r.json().await.unwrap(), "faults");
    }
    assert_eq!(
        env.sandbox(Method::GET, "/faults", None).await["faults"],
        json!([])
    );
    alive(&env).await;
}

#[tokio::test]
async fn a_start_config_with_a_bad_rule_or_window_does_not_start() {
    let mut rule: portal_sandbox::FaultRule = "/x=status:503".parse().unwrap();
    rule.status = Some(600);
    let r = Sandbox::start(SandboxConfig {
        faults: vec![rule],
        ..config()
    })
    .await;
    assert!(r.is_err());
    let limits = portal_sandbox::RateLimits {
        window_seconds: 0,
        ..portal_sandbox::RateLimits::default()
    };
    let r = Sandbox::start(SandboxConfig {
        rate_limits: limits,
        ..config()
    })
    .await;
    assert!(r.is_err());
}

#[tokio::test]
async fn the_rate_limit_window_is_one_second_to_a_day() {
    let env = start().await;
    for window in [json!(0), json!(86_401), json!(u64::MAX)] {
        let r = env
            .unchecked(env.control(Method::PUT, "/rate-limits").json(&json!({
                "reads_per_minute": 5,
                "writes_per_minute": 5,
                "uploads_per_minute": 5,
                "window_seconds": window,
            })))
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{window}");
        Envelope::Sandbox.check(&r.json().await.unwrap(), "rate-limits");
        alive(&env).await;
    }
    let ok = env
        .sandbox(
            Method::PUT,
            "/rate-limits",
            Some(json!({
                "reads_per_minute": 5,
                "writes_per_minute": 5,
                "uploads_per_minute": 5,
                "window_seconds": 86_400,
            })),
        )
        .await;
    assert_eq!(ok["window_seconds"], 86_400);
    let r = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await;
    r.expect(200);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("4"));
}

#[tokio::test]
async fn an_asset_of_the_largest_size_is_over_quota_not_an_overflow() {
    let env = start().await;
    let token = env.login("admin@eventzr.com").await;
    env.call(
        env.vault(Method::POST, "/vault/v1/assets", &token)
            .json(&json!({"name": "small.mp4", "size": 1})),
    )
    .await
    .expect(201);
    let r = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &token)
                .json(&json!({"name": "huge.mp4", "size": i64::MAX})),
        )
        .await;
    r.expect(409);
    assert_eq!(r.code(), "QUOTA_EXCEEDED");
    alive(&env).await;
}

// --- 5. Every rejection in the service's envelope --------------------------

/// Asserts `(status, JSON envelope of the service)` for a raw request.
#[track_caller]
fn rejected(answer: (u16, String, Value), status: u16, method: &str, path: &str) {
    let (got, content_type, body) = answer;
    let what = format!("{method} {path}");
    assert_eq!(got, status, "{what}: {body}");
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {content_type} {body}"
    );
    Envelope::of(path).check(&body, &what);
}

fn request(method: &str, path: &str, host: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

#[tokio::test]
async fn axum_rejections_come_in_each_services_envelope() {
    let env = start().await;
    let addr = env.sb.addr();
    let host = format!("127.0.0.1:{}", addr.port());
    let creds = env.sb.credentials().clone();
    let vault_token = env.login("admin@eventzr.com").await;
    let vs_auth = format!("Bearer {}", creds.vaultstream_admin_token);
    let jk_auth = format!("Bearer {}", creds.jwt_keys_api_key);
    let vault_auth = format!("Bearer {vault_token}");
    let control = env.sb.control_secret().unwrap().to_owned();
    let json_type = ("Content-Type", "application/json");
    let big = format!("\"{}\"", "x".repeat(3 * 1024 * 1024));

    /// (method, path, headers, body, expected status)
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str, u16);
    let cases: Vec<Case> = vec![
        // 405 wrong method
        (
            "PATCH",
            "/vaultstream/v1/auth/tokens",
            vec![("Authorization", &vs_auth)],
            "",
            405,
        ),
        (
            "PATCH",
            "/jwt-keys/v2/jwt_keys",
            vec![("Authorization", &jk_auth)],
            "",
            405,
        ),
        (
            "PUT",
            "/vault/vault/v1/quota",
            vec![("Authorization", &vault_auth)],
            "",
            405,
        ),
        ("POST", "/sandbox/health", vec![], "", 405),
        // 404 no route
        (
            "GET",
            "/vaultstream/v1/nope",
            vec![("Authorization", &vs_auth)],
            "",
            404,
        ),
        (
            "GET",
            "/jwt-keys/v2/nope",
            vec![("Authorization", &jk_auth)],
            "",
            404,
        ),
        (
            "GET",
            "/vault/vault/v1/nope",
            vec![("Authorization", &vault_auth)],
            "",
            404,
        ),
        ("GET", "/sandbox/nope", vec![], "", 404),
        // 400 invalid UTF-8 in a path segment
        (
            "DELETE",
            "/vaultstream/v1/auth/tokens/%FF%FE",
            vec![("Authorization", &vs_auth)],
            "",
            400,
        ),
        (
            "GET",
            "/jwt-keys/v2/jwt_keys/%FF%FE",
            vec![("Authorization", &jk_auth)],
            "",
            400,
        ),
        (
            "GET",
            "/vault/vault/v1/assets/%FF%FE",
            vec![("Authorization", &vault_auth)],
            "",
            400,
        ),
        ("GET", "/sandbox/playback/%FF%FE", vec![], "", 400),
        (
            "DELETE",
            "/sandbox/faults/%FF%FE",
            vec![(ControlSecret::HEADER, &control)],
            "",
            400,
        ),
        // 400 undecodable query values
        (
            "GET",
            "/vaultstream/v1/auth/tokens?limit=%FF",
            vec![("Authorization", &vs_auth)],
            "",
            400,
        ),
        (
            "GET",
            "/jwt-keys/v2/jwt_keys?limit=%FF",
            vec![("Authorization", &jk_auth)],
            "",
            400,
        ),
        (
            "GET",
            "/vault/vault/v1/assets?page=%FF",
            vec![("Authorization", &vault_auth)],
            "",
            400,
        ),
        // 413 body too large (the default 2 MB limit)
        (
            "POST",
            "/vaultstream/v1/auth/tokens",
            vec![("Authorization", &vs_auth), json_type],
            &big,
            413,
        ),
        (
            "POST",
            "/jwt-keys/v2/jwt_keys",
            vec![("Authorization", &jk_auth), json_type],
            &big,
            413,
        ),
        ("POST", "/vault/auth/v1/login", vec![json_type], &big, 413),
        (
            "POST",
            "/sandbox/faults",
            vec![(ControlSecret::HEADER, &control), json_type],
            &big,
            413,
        ),
        // 415 not JSON
        (
            "POST",
            "/vaultstream/v1/auth/tokens",
            vec![("Authorization", &vs_auth), ("Content-Type", "text/plain")],
            "{}",
            415,
        ),
        (
            "POST",
            "/jwt-keys/v2/jwt_keys",
            vec![("Authorization", &jk_auth), ("Content-Type", "text/plain")],
            "{}",
            415,
        ),
        (
            "POST",
            "/vault/auth/v1/login",
            vec![("Content-Type", "text/plain")],
            "{}",
            415,
        ),
        // 400 malformed JSON
        (
            "POST",
            "/vaultstream/v1/auth/tokens",
            vec![("Authorization", &vs_auth), json_type],
            "{\"name\":",
            400,
        ),
        (
            "POST",
            "/jwt-keys/v2/jwt_keys",
            vec![("Authorization", &jk_auth), json_type],
            "{\"name\":",
            400,
        ),
        (
            "POST",
            "/vault/auth/v1/login",
            vec![json_type],
            "{\"email\":",
            400,
        ),
        (
            "POST",
            "/sandbox/clock",
            vec![(ControlSecret::HEADER, &control), json_type],
            "{\"advance_seconds\":",
            400,
        ),
        // 404 outside every service
        ("GET", "/elsewhere", vec![], "", 404),
    ];
    for (method, path, headers, body, status) in cases {
        let answer = raw(addr, request(method, path, &host, &headers, body)).await;
        rejected(answer, status, method, path);
    }
}

// --- 4. A private Vault password -------------------------------------------

async fn login_status(env: &Env, email: &str, password: &str) -> u16 {
    env.unchecked(
        env.req(Method::POST, "/vault/auth/v1/login")
            .json(&json!({"email": email, "password": password})),
    )
    .await
    .unwrap()
    .status()
    .as_u16()
}

#[tokio::test]
async fn a_given_vault_password_replaces_the_documented_one_even_in_a_persisted_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sandbox.db");
    let persisted = |bootstrap: Option<BootstrapCredentials>| SandboxConfig {
        data: Some(data.clone()),
        bootstrap,
        ..config()
    };

    // First run: the documented public password (standalone `portal sandbox`).
    let env = start_with(persisted(None)).await;
    assert_eq!(
        login_status(&env, "admin@eventzr.com", "Password123!").await,
        200
    );
    assert!(env
        .sb
        .credentials()
        .vault_users
        .iter()
        .all(|u| u.password == "Password123!"));
    env.sb.shutdown().await;

    // Same file, a private password (the app's embedded sandbox).
    let bootstrap = BootstrapCredentials::random();
    let password = bootstrap.vault_password.clone().unwrap();
    assert_ne!(password, "Password123!");
    assert_ne!(
        password,
        BootstrapCredentials::random().vault_password.unwrap()
    );
    let env = start_with(persisted(Some(bootstrap))).await;
    for user in &env.sb.credentials().vault_users {
        assert_eq!(user.password, password);
        assert_eq!(login_status(&env, &user.email, "Password123!").await, 401);
        assert_eq!(login_status(&env, &user.email, &password).await, 200);
    }
    assert!(!env.sb.banner().contains("Password123!"));
    env.sb.shutdown().await;
}
