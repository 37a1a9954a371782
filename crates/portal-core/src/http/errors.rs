//! What a failed attempt becomes: the stable code of an HTTP status, the
//! next step a status suggests, and the typed error of an attempt that got
//! no usable answer (no connection, a timeout, a redirect, a body too large,
//! a refused certificate).

use reqwest::StatusCode;

use super::call::Call;
use super::tls::{certificate_problem, CertProblem};
use crate::error::{Error, ErrorCode};
use crate::network::NetworkSettings;

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

/// What to do next, when the status says more than the code's hint.
pub(super) fn status_hint(status: StatusCode, retry_after_secs: Option<u32>) -> Option<String> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return retry_after_secs
            .map(|s| format!("The service asks to wait {s} s: try again after that."));
    }
    status.is_server_error().then(|| {
        "The service failed on its side: try again in a minute, and quote the request id if it keeps failing."
            .to_owned()
    })
}

#[derive(Debug, Clone)]
pub(super) enum FailureKind {
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
    pub(super) fn is_final(&self) -> bool {
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

pub(super) struct Failure {
    pub(super) kind: FailureKind,
    /// Whether the request may have reached the service.
    pub(super) sent: bool,
}

impl Failure {
    pub(super) fn new(kind: FailureKind) -> Self {
        Self { kind, sent: false }
    }

    pub(super) fn from_send(e: reqwest::Error) -> Self {
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

    pub(super) fn into_error(
        self,
        call: &Call<'_>,
        request_id: String,
        network: &NetworkSettings,
    ) -> Error {
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
