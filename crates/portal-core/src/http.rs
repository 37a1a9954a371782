//! HTTP behaviour shared by the three service clients: one `reqwest` client
//! per profile, a fresh `x-request-id` on every request, retries with
//! exponential backoff and jitter for requests that are safe to repeat, and
//! the one rule about writes: a POST is never repeated unless it carries an
//! `Idempotency-Key`, and a POST whose response is lost is `outcome_unknown`.
//!
//! A request that may be repeated is repeated (up to `max_attempts`) on
//! anything that is not the service's own answer: no connection, a timeout,
//! a connection cut mid-answer, 429 (after `Retry-After`), 500, 502, 503,
//! 504, and a 2xx whose body is not the service's envelope (truncated JSON,
//! an HTML page, an empty body, another service's envelope). A 4xx in the
//! service's envelope is its answer and is returned at once. The rules and
//! the fault matrix that checks them are in `docs/RELIABILITY.md`.
//!
//! Two rules keep a credential with its own service and a hostile server
//! from exhausting the client. No redirect is followed: a 3xx answer is an
//! error that says where it pointed (`foreign_origin` when that is another
//! scheme, host or port), never retried, so a login body or an
//! `Authorization` header never leaves the configured origin. Every body is
//! read under [`HttpConfig::max_body_bytes`]: a larger one is an error (never
//! retried, nothing of it kept). Ids go into paths through [`segment`].

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};
use crate::network::NetworkSettings;
use crate::secret::Secret;
use crate::service::Service;

pub const USER_AGENT: &str = concat!("partner-portal/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts in all, for requests that may be retried.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// `Retry-After` longer than this is not waited for: the error is returned.
    pub max_retry_after: Duration,
    /// The largest response body read; a larger one is `bad_response`.
    pub max_body_bytes: u64,
}

/// The default [`HttpConfig::max_body_bytes`]: 16 MiB, far above any answer
/// the three services give today.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            max_body_bytes: MAX_BODY_BYTES,
        }
    }
}

/// One client per profile; cheap to clone (connection pool shared).
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    config: HttpConfig,
    /// What it was built with: a failed connection names the proxy.
    network: NetworkSettings,
}

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
    fn is_write(&self) -> bool {
        !self.repeatable && !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    fn retryable(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ) || self.idempotency_key.is_some()
            || self.repeatable
    }

    /// Path only: queries may carry values we must not log.
    fn log_path(&self) -> &str {
        self.url.path()
    }
}

/// A response with its body read.
#[derive(Debug)]
pub struct Response {
    pub service: Service,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The `x-request-id` we sent with the attempt that got this response.
    pub sent_request_id: String,
    pub attempts: u32,
}

impl Response {
    /// `204 No Content`: the service did what was asked and says no more.
    /// The contract leaves the answer to some DELETEs open (a revoked token:
    /// "none"), so the clients take this as success where nothing is read back.
    pub fn is_no_content(&self) -> bool {
        self.status == StatusCode::NO_CONTENT
    }

    /// The answer to a DELETE that says the thing is gone: a bare 204, or a
    /// 404 on a retry (the attempt whose answer was lost did the delete).
    pub fn delete_done(&self) -> bool {
        self.is_no_content() || (self.status == StatusCode::NOT_FOUND && self.attempts > 1)
    }

    /// The body as JSON, or a `bad_response` error that says what came instead.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).map_err(|_| self.not_json())
    }

    /// What the body is when it is not JSON: for messages.
    pub fn non_json_kind(&self) -> Option<&'static str> {
        if serde_json::from_slice::<Value>(&self.body).is_ok() {
            return None;
        }
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim_start();
        Some(if text.is_empty() {
            "an empty body"
        } else if text.starts_with('<') {
            "an HTML page"
        } else {
            "a body that is not valid JSON"
        })
    }

    fn not_json(&self) -> Error {
        let what = self.non_json_kind().unwrap_or("an unreadable body");
        let code = if self.status.is_server_error() {
            ErrorCode::Unavailable
        } else {
            ErrorCode::BadResponse
        };
        let mut e = Error::new(
            code,
            format!(
                "The service answered HTTP {} with {what} instead of its JSON envelope.",
                self.status.as_u16()
            ),
        )
        .with_service(self.service)
        .with_request_id(Some(self.request_id()));
        e.status = Some(self.status.as_u16());
        if let Some(hint) = status_hint(self.status, None) {
            e.hint = Some(hint);
        } else if self.status.is_success() {
            e.hint = Some(
                "The answer was cut off or mangled on the way: try again, and if it keeps happening check the base URL and any proxy in between."
                    .to_owned(),
            );
        }
        e
    }

    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// The request id the service answered with (`x-request-id`), else
    /// the one we sent.
    pub fn request_id(&self) -> String {
        self.header("x-request-id")
            .map(str::trim)
            .filter(|id| !id.is_empty() && id.len() <= 200)
            .map_or_else(|| self.sent_request_id.clone(), str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when
        .signed_duration_since(chrono::Utc::now())
        .num_milliseconds();
    Some(Duration::from_millis(delta.max(0) as u64))
}

/// Maps an HTTP status to our code.
pub fn code_for_status(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        400 | 413 | 415 | 422 => ErrorCode::Validation,
        409 | 412 | 423 => ErrorCode::Conflict,
        429 => ErrorCode::RateLimited,
        _ => ErrorCode::Unavailable,
    }
}

/// What a service said in its error's `message`, when it said something: a
/// blank message falls back to the caller's own words.
pub(crate) fn said(message: Option<&str>) -> Option<&str> {
    message.map(str::trim).filter(|m| !m.is_empty())
}

/// Builds the error for a non-2xx response once the service's own fields
/// (if any) are known.
pub fn status_error(
    resp: &Response,
    service_code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
) -> Error {
    let code = code_for_status(resp.status);
    let message = said(message.as_deref())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let status = format!(
                "HTTP {} {}",
                resp.status.as_u16(),
                resp.status.canonical_reason().unwrap_or("")
            );
            match resp.non_json_kind() {
                Some(kind) => format!(
                    "The service answered {} with {kind} instead of its JSON envelope.",
                    status.trim_end()
                ),
                None => format!("The service answered {}.", status.trim_end()),
            }
        });
    let mut e = Error::new(code, message)
        .with_service(resp.service)
        .with_request_id(Some(resp.request_id()))
        .with_request_id(request_id);
    e.status = Some(resp.status.as_u16());
    e.service_code = service_code;
    e.retry_after_secs = resp
        .retry_after()
        .map(|d| d.as_secs().clamp(1, u64::from(u32::MAX)) as u32);
    if let Some(hint) = status_hint(resp.status, e.retry_after_secs) {
        e.hint = Some(hint);
    }
    e
}

/// What to do next, when the status says more than the code's hint.
fn status_hint(status: StatusCode, retry_after_secs: Option<u32>) -> Option<String> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return retry_after_secs
            .map(|s| format!("The service asks to wait {s} s: try again after that."));
    }
    status.is_server_error().then(|| {
        "The service failed on its side: try again in a minute, and quote the request id if it keeps failing."
            .to_owned()
    })
}

/// Whether `body` is the service's own envelope, success or error: the
/// answer of the service itself rather than of a proxy or a cut connection.
fn is_envelope(service: Service, body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    match service {
        Service::VaultStream => crate::tokens::is_envelope(&v),
        Service::JwtKeys => crate::jwt_keys::is_envelope(&v),
        Service::Vault => crate::vault::is_envelope(&v),
    }
}

/// A write the service accepted (2xx) whose answer cannot be read: it
/// probably took effect, and it must not be repeated blindly.
fn unreadable_answer(call: &Call<'_>, resp: &Response) -> Error {
    let what = resp.non_json_kind().unwrap_or("an unreadable body");
    let mut e = Error::new(
        ErrorCode::OutcomeUnknown,
        format!(
            "{} answered the {} request with HTTP {} but {what} instead of its JSON envelope; it may or may not have taken effect.",
            call.service.label(),
            call.method,
            resp.status.as_u16()
        ),
    )
    .with_service(call.service)
    .with_request_id(Some(resp.request_id()));
    e.status = Some(resp.status.as_u16());
    e
}

impl HttpClient {
    /// A client that trusts the system's certificates and follows the
    /// environment's proxy settings (see [`crate::network`]).
    pub fn new(config: HttpConfig) -> Result<Self> {
        Self::with_network(config, &NetworkSettings::default())
    }

    /// A client for a profile: the system's trust plus the profile's CA file,
    /// and the profile's proxy over the environment's. A CA file that cannot
    /// be read or holds no certificate is a `config` error naming it.
    pub fn with_network(config: HttpConfig, network: &NetworkSettings) -> Result<Self> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A redirect would carry the Authorization header or a login
            // body wherever it points: none is followed (see `attempt`).
            .redirect(reqwest::redirect::Policy::none());
        let mut extra = crate::network::env_roots();
        if let Some(path) = &network.ca_file {
            extra.extend(crate::network::load_ca_file(path)?);
        }
        if !extra.is_empty() {
            let certs = extra
                .iter()
                .map(|der| reqwest::Certificate::from_der(der))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| Error::config(format!("A CA certificate cannot be used: {e}")))?;
            builder = builder.tls_certs_merge(certs);
        }
        if network.direct {
            builder = builder.no_proxy();
        } else if let Some(proxy) = &network.proxy {
            crate::network::check_proxy(proxy)?;
            let proxy = reqwest::Proxy::all(proxy.trim())
                .map_err(|e| Error::config(format!("The proxy URL cannot be used: {e}")))?
                .no_proxy(reqwest::NoProxy::from_env());
            builder = builder.proxy(proxy);
        }
        let inner = builder.build().map_err(|e| match &network.ca_file {
            // The verifier refuses a certificate it cannot use as a trust anchor.
            Some(path) => Error::config(format!(
                "The CA certificate file {} cannot be used: {}",
                path.display(),
                error_chain(&e)
            )),
            // No root at all: no system bundle, or SSL_CERT_FILE/SSL_CERT_DIR
            // naming nothing readable.
            None if error_chain(&e).contains("No CA certificates") => {
                let named: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
                    .iter()
                    .filter_map(|v| std::env::var(v).ok().map(|p| format!("{v}={p}")))
                    .collect();
                let from = if named.is_empty() {
                    "the system's certificate store".to_owned()
                } else {
                    named.join(" and ")
                };
                Error::config(format!("No CA certificate could be loaded from {from}."))
                    .with_hint(
                        "Point SSL_CERT_FILE at a PEM file of CA certificates (or unset it), or install the system's CA certificates.",
                    )
            }
            None => Error::internal(format!("HTTP client: {}", error_chain(&e))),
        })?;
        Ok(Self {
            inner,
            config,
            network: network.clone(),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Sends `call`, retrying when that is safe. Non-2xx responses are
    /// returned as `Ok`: the service's envelope parser turns them into errors.
    pub async fn send(&self, call: &Call<'_>) -> Result<Response> {
        let retryable = call.retryable();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = !retryable || attempt >= self.config.max_attempts;
            let request_id = uuid::Uuid::new_v4().to_string();
            let started = Instant::now();
            match self.attempt(call, &request_id).await {
                Ok((status, headers, body)) => {
                    tracing::info!(
                        target: "portal::http",
                        service = call.service.label(),
                        method = %call.method,
                        path = call.log_path(),
                        status = status.as_u16(),
                        request_id = %request_id,
                        duration_ms = started.elapsed().as_millis() as u64,
                        attempt,
                    );
                    let resp = Response {
                        service: call.service,
                        status,
                        headers,
                        body,
                        sent_request_id: request_id,
                        attempts: attempt,
                    };
                    let transient = matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504);
                    // A success whose body is not the service's envelope was
                    // mangled on the way (or answered by something else).
                    let garbled = status.is_success()
                        && status != StatusCode::NO_CONTENT
                        && !is_envelope(call.service, &resp.body);
                    if last || !(transient || garbled) {
                        if garbled && call.is_write() && resp.non_json_kind().is_some() {
                            return Err(unreadable_answer(call, &resp));
                        }
                        return Ok(resp);
                    }
                    let wait = match resp.retry_after() {
                        Some(d) if d > self.config.max_retry_after => return Ok(resp),
                        Some(d) => d,
                        None => self.backoff(attempt),
                    };
                    tokio::time::sleep(wait).await;
                }
                Err(failure) => {
                    tracing::info!(
                        target: "portal::http",
                        service = call.service.label(),
                        method = %call.method,
                        path = call.log_path(),
                        request_id = %request_id,
                        duration_ms = started.elapsed().as_millis() as u64,
                        attempt,
                        error = %failure.kind,
                    );
                    // A certificate refused now is refused on every attempt.
                    if last || failure.kind.is_final() {
                        return Err(failure.into_error(call, request_id, &self.network));
                    }
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16));
        let capped = exp.min(self.config.max_delay);
        // Full jitter between half and all of the delay.
        let ms = capped.as_millis() as u64;
        Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms.max(1)))
    }

    async fn attempt(
        &self,
        call: &Call<'_>,
        request_id: &str,
    ) -> std::result::Result<(StatusCode, HeaderMap, Vec<u8>), Failure> {
        let mut req = self
            .inner
            .request(call.method.clone(), call.url.clone())
            .header("x-request-id", request_id)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = call.bearer {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| Failure::new(FailureKind::BadCredential))?;
            value.set_sensitive(true);
            req = req.header(AUTHORIZATION, value);
        }
        if let Some(key) = &call.idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        for (name, value) in &call.headers {
            req = req.header(*name, value);
        }
        match &call.body {
            Body::Empty => {}
            Body::Json(v) => {
                let bytes = serde_json::to_vec(v).map_err(|_| Failure::new(FailureKind::Other))?;
                req = req.header(CONTENT_TYPE, "application/json").body(bytes);
            }
            // reqwest sets `multipart/form-data; boundary=…` (and the length when known).
            Body::Multipart(build) => {
                req = req.multipart(build().map_err(|_| Failure::new(FailureKind::File))?);
            }
        }
        let mut resp = req.send().await.map_err(Failure::from_send)?;
        let status = resp.status();
        if status.is_redirection() {
            let target = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| call.url.join(v).ok());
            return Err(Failure {
                kind: FailureKind::Redirect { status, target },
                sent: true,
            });
        }
        let headers = resp.headers().clone();
        let cap = self.config.max_body_bytes;
        let too_large = |declared| Failure {
            kind: FailureKind::TooLarge {
                status,
                cap,
                declared,
            },
            sent: true,
        };
        if let Some(declared) = resp.content_length().filter(|n| *n > cap) {
            return Err(too_large(Some(declared)));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > cap {
                        return Err(too_large(None));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure {
                        kind: if e.is_timeout() {
                            FailureKind::Timeout
                        } else {
                            FailureKind::BodyLost
                        },
                        sent: true,
                    })
                }
            }
        }
        Ok((status, headers, body))
    }
}

#[derive(Debug, Clone)]
enum FailureKind {
    /// A 3xx answer: never followed. `target` is the `Location`, resolved.
    Redirect {
        status: StatusCode,
        target: Option<url::Url>,
    },
    /// The body is larger than the cap (`declared` by `Content-Length`, or
    /// found while reading).
    TooLarge {
        status: StatusCode,
        cap: u64,
        declared: Option<u64>,
    },
    /// The server's certificate was refused during the TLS handshake.
    Certificate(CertProblem),
    Connect,
    Timeout,
    /// The connection broke after the request went out.
    BodyLost,
    BadCredential,
    /// The file of a multipart body could not be opened.
    File,
    Other,
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Redirect { .. } => "redirect",
            Self::TooLarge { .. } => "body too large",
            Self::Certificate(_) => "certificate refused",
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::BodyLost => "connection lost",
            Self::BadCredential => "bad credential",
            Self::File => "file unreadable",
            Self::Other => "request failed",
        })
    }
}

impl FailureKind {
    /// An answer that another attempt would only repeat (a certificate
    /// refused now is refused on every attempt).
    fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Redirect { .. } | Self::TooLarge { .. } | Self::Certificate(_)
        )
    }
}

/// A URL as it may appear in a message: origin and path, without the
/// user name, password, query or fragment (they may carry values).
pub(crate) fn shown(url: &url::Url) -> String {
    format!("{}{}", url.origin().ascii_serialization(), url.path())
}

fn redirect_error(call: &Call<'_>, status: StatusCode, target: Option<&url::Url>) -> Error {
    let service = call.service.label();
    let configured = call.url.origin().ascii_serialization();
    let (code, message) = match target {
        Some(t) if !crate::origin::same_url_origin(t, &call.url) => (
            ErrorCode::ForeignOrigin,
            format!(
                "{service} answered HTTP {} redirecting to another origin, {}; the portal follows no \
                 redirect, and nothing was sent there (the configured origin is {configured}).",
                status.as_u16(),
                shown(t)
            ),
        ),
        Some(t) => (
            ErrorCode::BadResponse,
            format!(
                "{service} answered HTTP {} redirecting to {}; the portal follows no redirect.",
                status.as_u16(),
                shown(t)
            ),
        ),
        None => (
            ErrorCode::BadResponse,
            format!(
                "{service} answered HTTP {} (a redirect without a usable Location); the portal follows no redirect.",
                status.as_u16()
            ),
        ),
    };
    let mut e = Error::new(code, message)
        .with_service(call.service)
        .with_hint("Check the base URL: use the address the service answers on directly (scheme, host, port and path).");
    e.status = Some(status.as_u16());
    e
}

fn too_large_error(call: &Call<'_>, status: StatusCode, cap: u64, declared: Option<u64>) -> Error {
    let service = call.service.label();
    let size = match declared {
        Some(n) => format!("an answer of {n} bytes"),
        None => "an answer".to_owned(),
    };
    const MIB: u64 = 1024 * 1024;
    let limit = if cap >= MIB && (cap / MIB) * MIB == cap {
        format!("{} MiB", cap / MIB)
    } else {
        format!("{cap} bytes")
    };
    // A write the service accepted whose answer cannot be read: as for a
    // garbled answer, it may have taken effect.
    let (code, tail) = if call.is_write() && status.is_success() {
        (
            ErrorCode::OutcomeUnknown,
            "; it may or may not have taken effect",
        )
    } else {
        (ErrorCode::BadResponse, "")
    };
    let mut e = Error::new(
        code,
        format!(
            "{service} sent {size} larger than the {limit} limit to the {} request; none of it was used{tail}.",
            call.method
        ),
    )
    .with_service(call.service);
    e.status = Some(status.as_u16());
    e
}

struct Failure {
    kind: FailureKind,
    /// Whether the request may have reached the service.
    sent: bool,
}

impl Failure {
    fn new(kind: FailureKind) -> Self {
        Self { kind, sent: false }
    }

    fn from_send(e: reqwest::Error) -> Self {
        if let Some(problem) = certificate_problem(&e) {
            Self {
                kind: FailureKind::Certificate(problem),
                sent: false,
            }
        } else if e.is_connect() {
            Self {
                kind: FailureKind::Connect,
                sent: false,
            }
        } else if e.is_timeout() {
            Self {
                kind: FailureKind::Timeout,
                sent: true,
            }
        } else if e.is_builder() {
            Self {
                kind: FailureKind::Other,
                sent: false,
            }
        } else {
            Self {
                kind: FailureKind::BodyLost,
                sent: true,
            }
        }
    }

    fn into_error(self, call: &Call<'_>, request_id: String, network: &NetworkSettings) -> Error {
        let service = call.service.label();
        let host = call.url.host_str().unwrap_or("the service").to_owned();
        let write = call.is_write();
        let (code, message) = match self.kind {
            FailureKind::Redirect { status, target } => {
                return redirect_error(call, status, target.as_ref())
                    .with_request_id(Some(request_id))
            }
            FailureKind::TooLarge {
                status,
                cap,
                declared,
            } => {
                return too_large_error(call, status, cap, declared)
                    .with_request_id(Some(request_id))
            }
            FailureKind::Certificate(problem) => {
                return problem
                    .into_error(&host)
                    .with_service(call.service)
            }
            FailureKind::BadCredential => (
                ErrorCode::Validation,
                "The stored credential contains characters that cannot be sent in a header.".to_owned(),
            ),
            FailureKind::File => (
                ErrorCode::Io,
                "The file to upload could not be opened (moved or deleted?).".to_owned(),
            ),
            _ if self.sent && write => (
                ErrorCode::OutcomeUnknown,
                format!(
                    "The {} request reached {service} but its answer was lost ({}); it may or may not have taken effect.",
                    call.method, self.kind
                ),
            ),
            FailureKind::Connect => (
                ErrorCode::Unavailable,
                match crate::network::proxy_for(network, call.url.as_str()) {
                    Some((proxy, source)) => format!(
                        "Could not connect to {service} at {host} through the proxy {proxy} ({}).",
                        source.label()
                    ),
                    None => format!("Could not connect to {service} at {host}."),
                },
            ),
            FailureKind::Timeout => (ErrorCode::Unavailable, format!("{service} did not answer in time.")),
            FailureKind::BodyLost | FailureKind::Other => {
                (ErrorCode::Unavailable, format!("The connection to {service} broke before its answer arrived."))
            }
        };
        // A request that never left has no id the service could look up.
        Error::new(code, message)
            .with_service(call.service)
            .with_request_id(self.sent.then_some(request_id))
    }
}

/// `id` as one path segment: percent-encoded so that `/`, `?`, `#`, `%`
/// and `.` stay inside it. An empty or dot-only id (`.`, `..`…) is refused
/// before anything is sent: URL parsers read `%2e%2e` as `..` again.
/// `what` names the id in the error (`token id`).
pub fn segment(id: &str, what: &str) -> Result<String> {
    if id.chars().all(|c| c == '.') {
        return Err(Error::validation(format!(
            "'{id}' is not a {what}: an id cannot be empty or only dots."
        )));
    }
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'~');
    Ok(percent_encoding::utf8_percent_encode(id, SEGMENT).to_string())
}

/// Installs ring as the process's rustls crypto provider, once (reqwest's
/// `rustls-no-provider` uses the installed one; tauri-plugin-updater does the
/// same). Every reqwest client in the process needs it, so tests that build
/// their own call this too.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err: another thread installed one first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// What was wrong with a server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CertProblem {
    /// Signed by no authority this computer trusts (self-signed included).
    UnknownIssuer,
    /// Past its `notAfter` (the date, when known).
    Expired(Option<String>),
    NotValidYet(Option<String>),
    /// Issued for other names (those, when known).
    WrongName(Vec<String>),
    Revoked,
    /// Anything else rustls refused, as rustls words it.
    Other(String),
}

impl CertProblem {
    fn from_rustls(e: &rustls::CertificateError) -> Self {
        use rustls::CertificateError as C;
        let date = |t: &rustls::pki_types::UnixTime| {
            chrono::DateTime::from_timestamp(i64::try_from(t.as_secs()).unwrap_or(i64::MAX), 0)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        };
        match e {
            C::UnknownIssuer => Self::UnknownIssuer,
            C::Expired => Self::Expired(None),
            C::ExpiredContext { not_after, .. } => Self::Expired(date(not_after)),
            C::NotValidYet => Self::NotValidYet(None),
            C::NotValidYetContext { not_before, .. } => Self::NotValidYet(date(not_before)),
            C::NotValidForName => Self::WrongName(Vec::new()),
            C::NotValidForNameContext { presented, .. } => Self::WrongName(presented.clone()),
            C::Revoked => Self::Revoked,
            other => Self::Other(format!("{other:?}")),
        }
    }

    fn into_error(self, host: &str) -> Error {
        const INSTALL_CA: &str =
            "If your company inspects or issues its own certificates, install its CA \
             certificate in the system's certificate store, or give this profile a CA file \
             (Settings, or `portal profile edit --ca-file FILE`), or point SSL_CERT_FILE at it.";
        let (what, hint) = match self {
            Self::UnknownIssuer => (
                format!(
                    "The certificate of {host} is not trusted: its issuer is unknown to this computer \
                     (unknown issuer, or a self-signed certificate)."
                ),
                INSTALL_CA.to_owned(),
            ),
            Self::Expired(when) => (
                match when {
                    Some(d) => format!("The certificate of {host} has expired (on {d})."),
                    None => format!("The certificate of {host} has expired."),
                },
                "The server's operator must renew its certificate; check also that this computer's \
                 date and time are right."
                    .to_owned(),
            ),
            Self::NotValidYet(when) => (
                match when {
                    Some(d) => format!("The certificate of {host} is not valid yet (from {d})."),
                    None => format!("The certificate of {host} is not valid yet."),
                },
                "Check that this computer's date and time are right.".to_owned(),
            ),
            Self::WrongName(names) => (
                if names.is_empty() {
                    format!(
                        "The certificate of {host} is not valid for this host (it was issued for another name)."
                    )
                } else {
                    format!(
                        "The certificate of {host} is not valid for this host: it was issued for {}.",
                        names.join(", ")
                    )
                },
                "Check the service URL in the profile: it must use a name the server's certificate \
                 was issued for."
                    .to_owned(),
            ),
            Self::Revoked => (
                format!("The certificate of {host} has been revoked."),
                "The server's operator must replace its certificate.".to_owned(),
            ),
            Self::Other(detail) => (
                format!("The certificate of {host} was refused ({detail})."),
                INSTALL_CA.to_owned(),
            ),
        };
        Error::new(ErrorCode::Certificate, what).with_hint(hint)
    }
}

/// The certificate rustls refused, found in reqwest's chain of causes
/// (rustls' error sits inside an `io::Error`, whose `source()` skips it).
fn certificate_problem(e: &reqwest::Error) -> Option<CertProblem> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(CertProblem::from_rustls(c));
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    None
}

/// An error and its causes on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = err.source();
    }
    out
}

/// Joins a base URL and a path (`base` may carry a path prefix such as `/v2`).
pub fn join(base: &str, path: &str) -> Result<url::Url> {
    let full = format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    url::Url::parse(&full).map_err(|e| Error::config(format!("Bad URL '{full}': {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_prefixes() {
        assert_eq!(
            join("https://a.b/v2/", "/jwt_keys").unwrap().as_str(),
            "https://a.b/v2/jwt_keys"
        );
        assert_eq!(
            join("https://a.b", "v1/auth/tokens").unwrap().as_str(),
            "https://a.b/v1/auth/tokens"
        );
    }

    #[test]
    fn only_safe_calls_are_retryable() {
        let url = join("http://x", "/y").unwrap();
        assert!(Call::new(Service::Vault, Method::GET, url.clone()).retryable());
        assert!(Call::new(Service::Vault, Method::DELETE, url.clone()).retryable());
        assert!(!Call::new(Service::VaultStream, Method::POST, url.clone()).retryable());
        assert!(Call::new(Service::Vault, Method::POST, url.clone())
            .idempotency_key("k")
            .retryable());
        assert!(!Call::new(Service::Vault, Method::PATCH, url).retryable());
    }

    #[test]
    fn status_codes_map_to_stable_codes() {
        assert_eq!(
            code_for_status(StatusCode::UNAUTHORIZED),
            ErrorCode::Unauthorized
        );
        assert_eq!(code_for_status(StatusCode::CONFLICT), ErrorCode::Conflict);
        assert_eq!(
            code_for_status(StatusCode::UNPROCESSABLE_ENTITY),
            ErrorCode::Validation
        );
        assert_eq!(
            code_for_status(StatusCode::BAD_GATEWAY),
            ErrorCode::Unavailable
        );
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
