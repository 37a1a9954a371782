//! What came back: a [`Response`] with its body read, and the error a
//! non-2xx answer (or a write's unreadable 2xx answer) becomes.

use std::time::Duration;

use serde_json::Value;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::call::Call;
use super::errors::{code_for_status, said, status_hint};
use super::retry::retry_after;
use crate::error::{Error, ErrorCode, Result};
use crate::service::Service;

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
    /// A JSON answer that is not `service`'s envelope (`envelope` names it
    /// and shows its shape: `vault envelope ({…})`).
    pub(crate) fn not_the_envelope(&self, service: Service, envelope: &str) -> Error {
        let mut e = Error::new(
            ErrorCode::BadResponse,
            format!("The answer is JSON but not the {envelope}."),
        )
        .with_service(service)
        .with_request_id(Some(self.sent_request_id.clone()));
        e.status = Some(self.status.as_u16());
        e
    }

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

    pub(super) fn not_json(&self) -> Error {
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

    /// The service's clock when it answered: its `Date` header, if readable.
    pub fn date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc2822(self.header("date")?.trim())
            .ok()
            .map(|d| d.to_utc())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
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

/// A write the service accepted (2xx) whose answer cannot be read: it
/// probably took effect, and it must not be repeated blindly.
pub(super) fn unreadable_answer(call: &Call<'_>, resp: &Response) -> Error {
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
