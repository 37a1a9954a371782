//! Per-request context: which service a path belongs to and the request id
//! that every envelope repeats. The id lives in a task-local set by the
//! outermost middleware, so an error can render its envelope anywhere.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The three emulated services, plus the sandbox's own endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    #[serde(rename = "vaultstream")]
    VaultStream,
    JwtKeys,
    Vault,
    Sandbox,
    Unknown,
}

pub const VAULTSTREAM_PREFIX: &str = "/vaultstream";
pub const JWT_KEYS_PREFIX: &str = "/jwt-keys/v2";
pub const VAULT_PREFIX: &str = "/vault";
pub const SANDBOX_PREFIX: &str = "/sandbox";

impl Service {
    pub fn from_path(path: &str) -> Service {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under(VAULTSTREAM_PREFIX) {
            Service::VaultStream
        } else if under(JWT_KEYS_PREFIX) {
            Service::JwtKeys
        } else if under(VAULT_PREFIX) {
            Service::Vault
        } else if under(SANDBOX_PREFIX) {
            Service::Sandbox
        } else {
            Service::Unknown
        }
    }

    /// Whether fault rules and rate limits apply.
    pub fn is_emulated(self) -> bool {
        matches!(
            self,
            Service::VaultStream | Service::JwtKeys | Service::Vault
        )
    }
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The credential of an `Authorization: Bearer …` header (scheme in any
/// case), trimmed.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The id of the request being served (empty outside a request).
pub fn request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// Longest client-chosen `x-request-id` that is echoed back.
const MAX_CLIENT_REQUEST_ID: usize = 200;

fn client_request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("x-request-id")?.to_str().ok()?.trim();
    (!value.is_empty() && value.len() <= MAX_CLIENT_REQUEST_ID).then(|| value.to_owned())
}

fn new_request_id(service: Service) -> String {
    match service {
        Service::VaultStream => format!("req_{}", crate::ids::lower_alnum(24)),
        _ => crate::ids::uuid(),
    }
}

/// Outermost middleware: pick the request id (the client's `x-request-id`
/// when given, else a fresh one in the service's style), run the request
/// inside it, and echo it as `x-request-id`.
pub async fn with_request_id(req: Request, next: Next) -> Response {
    let service = Service::from_path(req.uri().path());
    let id = client_request_id(req.headers()).unwrap_or_else(|| new_request_id(service));
    let header = HeaderValue::from_str(&id).ok();
    let mut response = REQUEST_ID.scope(id, next.run(req)).await;
    if let Some(value) = header {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
