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
//!
//! Trust is loaded only when needed: a request that makes no TLS handshake
//! (an `http://` URL, such as a sandbox on this machine, reached directly or
//! through an `http://` proxy) goes through a client that loads no
//! certificate and trusts none; the client for every other request reads
//! the system's roots on the first such request (see [`crate::network`]).
//!
//! The parts: [`call`] (what to send), [`response`] (what came back, and the
//! error a non-2xx answer becomes), [`retry`] (when and how long to wait),
//! [`errors`] (what a failed attempt becomes) and [`tls`] (trust and the
//! certificate errors). Whether a body is a service's own envelope is asked
//! of [`crate::envelope`]: the transport knows no service's format.

mod call;
mod errors;
mod response;
mod retry;
mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use rustls::pki_types::CertificateDer;
use tokio::sync::OnceCell;

use crate::clock::ServiceClock;
use crate::error::{Error, Result};
use crate::network::{NetworkSettings, Routes};

pub use call::{Body, Call, FormBuilder};
pub use errors::code_for_status;
pub(crate) use errors::said;
pub(crate) use errors::shown;
use errors::{Failure, FailureKind};
use response::unreadable_answer;
pub use response::{status_error, Response};
use tls::error_chain;
pub use tls::install_crypto_provider;

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

/// One client per profile; cheap to clone (connection pools shared).
#[derive(Clone)]
pub struct HttpClient {
    /// For requests that make no TLS handshake ([`Routes::needs_tls`]):
    /// built without reading any certificate, and trusting none, so that a
    /// handshake asked of it by mistake would fail, never pass unchecked.
    plain: reqwest::Client,
    /// For every other request: the system's trust, the environment's and
    /// the profile's CA certificates; built by the first such request (an
    /// error is not kept: the next one tries again), then shared by clones.
    tls: Arc<OnceCell<reqwest::Client>>,
    /// The profile's CA file's certificates, read and checked at build time.
    ca_certs: Arc<[CertificateDer<'static>]>,
    /// Which requests go through `tls`.
    routes: Routes,
    config: HttpConfig,
    /// What it was built with: a failed connection names the proxy.
    network: NetworkSettings,
    /// The services' clock, from each answer's `Date`.
    clock: ServiceClock,
}

impl HttpClient {
    /// A client that trusts the system's certificates and follows the
    /// environment's proxy settings (see [`crate::network`]).
    pub fn new(config: HttpConfig) -> Result<Self> {
        Self::with_network(config, &NetworkSettings::default())
    }

    /// A client for a profile: the system's trust plus the profile's CA file,
    /// and the profile's proxy over the environment's. A CA file that cannot
    /// be read, holds no certificate or holds one that cannot be a trust
    /// anchor is a `config` error naming it, here. The system's trust is
    /// read by the first request that needs it: a trust store that yields
    /// no certificate is that request's `config` error.
    pub fn with_network(config: HttpConfig, network: &NetworkSettings) -> Result<Self> {
        install_crypto_provider();
        let ca_certs: Arc<[CertificateDer<'static>]> = match &network.ca_file {
            Some(path) => checked_anchors(path)?.into(),
            None => Arc::new([]),
        };
        // No trust at all: not even the system's roots are read.
        let plain = builder(&config, network)?
            .tls_certs_only(Vec::new())
            .build()
            .map_err(|e| Error::internal(format!("HTTP client: {}", error_chain(&e))))?;
        Ok(Self {
            plain,
            tls: Arc::new(OnceCell::new()),
            ca_certs,
            routes: Routes::new(network),
            config,
            network: network.clone(),
            clock: ServiceClock::default(),
        })
    }

    /// The client for a request to `url`: the TLS one is built on first use.
    async fn client_for(&self, url: &url::Url) -> Result<&reqwest::Client> {
        if !self.routes.needs_tls(url) {
            return Ok(&self.plain);
        }
        self.tls
            .get_or_try_init(|| async { self.build_tls() })
            .await
    }

    /// The client that verifies certificates: the system's roots (read now),
    /// those `SSL_CERT_FILE`/`SSL_CERT_DIR` add on macOS and Windows, and the
    /// profile's CA certificates.
    fn build_tls(&self) -> Result<reqwest::Client> {
        let network = &self.network;
        let mut extra = crate::network::env_roots();
        extra.extend(self.ca_certs.iter().cloned());
        let mut builder = builder(&self.config, network)?;
        if !extra.is_empty() {
            let certs = extra
                .iter()
                .map(|der| reqwest::Certificate::from_der(der))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| Error::config(format!("A CA certificate cannot be used: {e}")))?;
            builder = builder.tls_certs_merge(certs);
        }
        builder.build().map_err(|e| match &network.ca_file {
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
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The services' clock as learned from the answers so far.
    pub fn clock(&self) -> &ServiceClock {
        &self.clock
    }

    /// Sends `call`, retrying when that is safe. Non-2xx responses are
    /// returned as `Ok`: the service's envelope parser turns them into errors.
    pub async fn send(&self, call: &Call<'_>) -> Result<Response> {
        let client = self.client_for(&call.url).await?;
        let retryable = call.retryable();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = !retryable || attempt >= self.config.max_attempts;
            let request_id = uuid::Uuid::new_v4().to_string();
            let started = Instant::now();
            match self.attempt(client, call, &request_id).await {
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
                    if let Some(date) = resp.date() {
                        self.clock.learn(date, chrono::Utc::now());
                    }
                    let transient = matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504);
                    // A success whose body is not the service's envelope was
                    // mangled on the way (or answered by something else).
                    let garbled = status.is_success()
                        && status != StatusCode::NO_CONTENT
                        && !crate::envelope::is_envelope(call.service, &resp.body);
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
        retry::backoff(self.config.base_delay, self.config.max_delay, attempt)
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        call: &Call<'_>,
        request_id: &str,
    ) -> std::result::Result<(StatusCode, HeaderMap, Vec<u8>), Failure> {
        let mut req = client
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

/// What both clients share: the user agent, the timeouts, no redirect
/// followed, and the proxy (none for a direct client; the profile's over
/// the environment's).
fn builder(config: &HttpConfig, network: &NetworkSettings) -> Result<reqwest::ClientBuilder> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        // A redirect would carry the Authorization header or a login
        // body wherever it points: none is followed (see `attempt`).
        .redirect(reqwest::redirect::Policy::none());
    if network.direct {
        builder = builder.no_proxy();
    } else if let Some(proxy) = &network.proxy {
        crate::network::check_proxy(proxy)?;
        let proxy = reqwest::Proxy::all(proxy.trim())
            .map_err(|e| Error::config(format!("The proxy URL cannot be used: {e}")))?
            .no_proxy(reqwest::NoProxy::from_env());
        builder = builder.proxy(proxy);
    }
    Ok(builder)
}

/// The certificates of a profile's CA file, each checked as the verifier
/// will take it (a trust anchor), so that a file that cannot be used is
/// reported when the profile's client is built, as one that cannot be read.
fn checked_anchors(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = crate::network::load_ca_file(path)?;
    let mut store = rustls::RootCertStore::empty();
    for der in &certs {
        store.add(der.clone()).map_err(|e| {
            Error::config(format!(
                "The CA certificate file {} cannot be used: {e}",
                path.display()
            ))
        })?;
    }
    Ok(certs)
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
    use super::retry::retry_after;
    use super::*;
    use crate::error::ErrorCode;
    use crate::service::Service;
    use reqwest::header::RETRY_AFTER;
    use reqwest::Method;

    #[test]
    fn a_client_can_be_shared_across_threads_and_tasks() {
        // The app keeps one per profile in its state and uses it from
        // spawned tasks (the lazily built TLS client included).
        fn shared<T: Send + Sync + Clone + 'static>() {}
        shared::<HttpClient>();
    }

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
