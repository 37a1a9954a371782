//! The middleware that applies the first matching rule: a delay, a status in
//! the service's envelope, a garbled body, a dropped or cut connection.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::rule::FaultAction;
use super::FaultRule;
use crate::context::Service;
use crate::error::ApiError;
use crate::state::AppState;

/// Response marker: the server must close the connection instead of
/// answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// Response marker: which fault rule shaped this response.
#[derive(Debug, Clone)]
pub struct AppliedFault(pub String);

/// Middleware applying the first matching rule.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let service = Service::from_path(req.uri().path());
    if !service.is_emulated() {
        return next.run(req).await;
    }
    let picked = state.faults.pick(req.method().as_str(), req.uri().path());
    let Some((id, rule)) = picked else {
        return next.run(req).await;
    };
    tracing::info!(fault = %id, rule = %rule, "injecting fault");
    let delay = Duration::from_millis(rule.latency_ms);
    let mut response = if rule.after {
        let real = next.run(req).await;
        tokio::time::sleep(delay).await;
        match rule.action {
            FaultAction::Delay => real,
            _ => fault_response(service, &rule, &state),
        }
    } else {
        tokio::time::sleep(delay).await;
        match rule.action {
            FaultAction::Delay => next.run(req).await,
            _ => fault_response(service, &rule, &state),
        }
    };
    response.extensions_mut().insert(AppliedFault(id));
    response
}

fn fault_response(service: Service, rule: &FaultRule, state: &AppState) -> Response {
    let status = |default: u16| {
        StatusCode::from_u16(rule.status.unwrap_or(default)).unwrap_or(StatusCode::OK)
    };
    match rule.action {
        FaultAction::Delay => StatusCode::OK.into_response(),
        FaultAction::Status => error_response(service, status(503), rule, state),
        FaultAction::Drop => {
            let mut r = Response::new(Body::empty());
            r.extensions_mut().insert(DropConnection);
            r
        }
        FaultAction::Reset => reset_response(),
        FaultAction::Malformed => {
            json_text(status(200), "{\"status\":\"ok\",\"data\":{\"id\":\"tok_")
        }
        FaultAction::Empty => json_text(status(200), ""),
        FaultAction::Html => {
            let code = status(502);
            let reason = code.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{n} {reason}</title></head>\r\n<body>\r\n<center><h1>{n} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                n = code.as_u16()
            );
            (code, [(header::CONTENT_TYPE, "text/html")], page).into_response()
        }
        FaultAction::WrongEnvelope => json_text(status(200), &wrong_envelope(service).to_string()),
    }
}

fn error_response(
    service: Service,
    status: StatusCode,
    rule: &FaultRule,
    state: &AppState,
) -> Response {
    let mut err = ApiError::status(service, status, format!("injected fault ({status})"));
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry = rule.retry_after.unwrap_or(1);
        let reset = chrono::Utc::now().timestamp() + i64::try_from(retry).unwrap_or(1);
        err = err
            .with_header("retry-after", retry)
            .with_header(
                "x-ratelimit-limit",
                state.rate_limiter.limits().writes_per_minute,
            )
            .with_header("x-ratelimit-remaining", 0)
            .with_header("x-ratelimit-reset", reset);
        err.message = format!("rate limit exceeded; retry after {retry} s");
    }
    err.into_response()
}

fn json_text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_owned(),
    )
        .into_response()
}

/// Headers and half a body, then an error: the server aborts the connection.
/// The pause makes sure the headers and the first bytes are on the wire.
fn reset_response() -> Response {
    let body = Body::from_stream(futures_util::stream::unfold(0u8, |step| async move {
        match step {
            0 => Some((
                Ok(axum::body::Bytes::from_static(
                    b"{\"status\":\"ok\",\"data\":[{\"id\":",
                )),
                1,
            )),
            1 => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "injected reset",
                    )),
                    2,
                ))
            }
            _ => None,
        }
    }));
    let mut r = (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from_static("4096")),
        ],
        body,
    )
        .into_response();
    r.extensions_mut().insert(ResetBody);
    r
}

/// Response marker: the body will be cut off.
#[derive(Debug, Clone, Copy)]
pub struct ResetBody;

fn wrong_envelope(service: Service) -> serde_json::Value {
    match service {
        Service::VaultStream => json!({"success": true, "result": [], "links": {}, "errors": []}),
        Service::JwtKeys => json!({"data": [], "error": null, "page": null, "meta": {}}),
        _ => json!({"status": "ok", "data": {"items": []}, "meta": {}}),
    }
}
