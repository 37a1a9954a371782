//! What to send: one logical request ([`Call`]) and its body, rebuilt for
//! each attempt; whether it may be repeated is decided here.

use reqwest::Method;
use serde_json::Value;

use crate::secret::Secret;
use crate::service::Service;

/// Builds a `multipart/form-data` body for one attempt (a streamed file is
/// reopened from its path each time, so a retry sends it whole again).
pub type FormBuilder =
    std::sync::Arc<dyn Fn() -> std::io::Result<reqwest::multipart::Form> + Send + Sync>;

/// A body, rebuilt for each attempt.
#[derive(Clone)]
pub enum Body {
    Empty,
    Json(Value),
    Multipart(FormBuilder),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Json(v) => f.debug_tuple("Json").field(v).finish(),
            Self::Multipart(_) => f.write_str("Multipart(..)"),
        }
    }
}

/// One logical request.
pub struct Call<'a> {
    pub service: Service,
    pub method: Method,
    pub url: url::Url,
    pub bearer: Option<&'a Secret>,
    pub body: Body,
    /// Makes a POST/PATCH retryable; the same key is sent on every attempt.
    pub idempotency_key: Option<String>,
    /// A POST that may be sent again as it is (see [`Call::repeatable`]).
    pub repeatable: bool,
    /// Extra headers (e.g. `x-tenant-id`).
    pub headers: Vec<(&'static str, String)>,
}

impl<'a> Call<'a> {
    pub fn new(service: Service, method: Method, url: url::Url) -> Self {
        Self {
            service,
            method,
            url,
            bearer: None,
            body: Body::Empty,
            idempotency_key: None,
            repeatable: false,
            headers: Vec::new(),
        }
    }

    pub fn bearer(mut self, token: &'a Secret) -> Self {
        self.bearer = Some(token);
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Marks a POST that changes nothing a second copy could harm (a login:
    /// at worst the service keeps one more session). It is retried like a
    /// read, and a lost answer is `unavailable`, not `outcome_unknown`.
    pub fn repeatable(mut self) -> Self {
        self.repeatable = true;
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Whether the call may change something on the service.
    pub(super) fn is_write(&self) -> bool {
        !self.repeatable && !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    pub(super) fn retryable(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ) || self.idempotency_key.is_some()
            || self.repeatable
    }

    /// Path only: queries may carry values we must not log.
    pub(super) fn log_path(&self) -> &str {
        self.url.path()
    }
}
