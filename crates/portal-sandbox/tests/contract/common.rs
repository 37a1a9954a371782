//! A sandbox per test and an HTTP client whose every answer from the three
//! services is validated against `docs/api/`.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portal_sandbox::{ControlSecret, RateLimits, Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

pub struct Env {
    pub sb: Sandbox,
    pub http: reqwest::Client,
    pub origin: String,
}

/// What the tests usually want: no rate limits, quick transforms, the
/// controls mounted (behind a random secret, [`Env::control`]).
pub fn config() -> SandboxConfig {
    SandboxConfig {
        rate_limits: RateLimits::unlimited(),
        transform_delay: Duration::from_secs(8),
        control: Some(ControlSecret::random()),
        ..SandboxConfig::default()
    }
}

pub async fn start() -> Env {
    start_with(config()).await
}

pub async fn start_with(config: SandboxConfig) -> Env {
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    let origin = format!("http://{}", sb.addr());
    // reqwest's rustls uses the process's crypto provider (the workspace
    // builds it with `rustls-no-provider`, as portal-core installs ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Env {
        sb,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
        origin,
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error code in whichever envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .or_else(|| self.body["errors"][0]["code"].as_str())
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    /// A request to a sandbox control (`/sandbox{path}`) with the secret.
    pub fn control(&self, method: Method, path: &str) -> RequestBuilder {
        self.req(method, &format!("/sandbox{path}")).header(
            ControlSecret::HEADER,
            self.sb.control_secret().expect("the controls are mounted"),
        )
    }

    /// VaultStream call with the admin token.
    pub fn vs(&self, method: Method, path: &str) -> RequestBuilder {
        self.req(method, &format!("/vaultstream{path}"))
            .bearer_auth(&self.sb.credentials().vaultstream_admin_token)
    }

    /// JWT keys call with the API key.
    pub fn jk(&self, method: Method, path: &str) -> RequestBuilder {
        self.req(method, &format!("/jwt-keys/v2{path}"))
            .bearer_auth(&self.sb.credentials().jwt_keys_api_key)
    }

    /// Vault call with an access token.
    pub fn vault(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.req(method, &format!("/vault{path}"))
            .bearer_auth(token)
    }

    /// Send, and check the answer against the OpenAPI documents.
    pub async fn call(&self, req: RequestBuilder) -> Resp {
        self.send_raw(req).await.expect("request completes")
    }

    /// Send; validate; transport errors returned.
    pub async fn send_raw(&self, req: RequestBuilder) -> Result<Resp, reqwest::Error> {
        let (client, request) = req.build_split();
        let request = request?;
        let method = request.method().as_str().to_owned();
        let path = request.url().path().to_owned();
        let response = client.execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        if content_type.starts_with("application/json") && body != Value::Null {
            if let Err(e) = crate::openapi::check(&method, &path, status, &content_type, &body) {
                panic!("response does not match docs/api: {e}");
            }
        }
        Ok(Resp {
            status,
            headers,
            text,
            body,
        })
    }

    /// Send without validating (fault responses are deliberately wrong).
    pub async fn unchecked(
        &self,
        req: RequestBuilder,
    ) -> Result<reqwest::Response, reqwest::Error> {
        req.send().await
    }

    pub async fn login(&self, email: &str) -> String {
        self.login_full(email).await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn login_full(&self, email: &str) -> Value {
        let r = self
            .call(
                self.req(Method::POST, "/vault/auth/v1/login")
                    .json(&json!({"email": email, "password": "Password123!"})),
            )
            .await;
        r.expect(200);
        r.body["data"].clone()
    }

    /// A new VaultStream token with these scopes; returns (id, value).
    pub async fn vs_token(&self, scopes: &[&str]) -> (String, String) {
        let r = self
            .call(
                self.vs(Method::POST, "/v1/auth/tokens")
                    .json(&json!({"name": "test", "scopes": scopes, "expires_at": null})),
            )
            .await;
        r.expect(201);
        (
            r.body["data"]["id"].as_str().unwrap().to_owned(),
            r.body["data"]["token"].as_str().unwrap().to_owned(),
        )
    }

    /// A sandbox control call; must succeed (checked against sandbox.yaml).
    pub async fn sandbox(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.control(method, path);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = self.call(req).await;
        assert!(
            (200..300).contains(&r.status),
            "sandbox call {path} failed: {}",
            r.text
        );
        r.body
    }

    pub async fn advance_clock(&self, seconds: i64) {
        self.sandbox(
            Method::POST,
            "/clock",
            Some(json!({"advance_seconds": seconds})),
        )
        .await;
    }
}

/// The claims of a JWT (not verified).
pub fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}
