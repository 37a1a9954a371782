//! Every answer that axum produced by itself (an extractor's rejection:
//! 413 body too large, 400 undecodable path or query, 415 or 422 from a
//! JSON extractor, a bare 405 or 404) is re-rendered in the addressed
//! service's own JSON envelope, with its status and axum's explanation as
//! the message, so a client never meets a plain-text error from a service
//! that documents JSON ones.
//!
//! It wraps the routes only: fault rules (deliberately malformed, HTML or
//! empty bodies) answer outside it and stay as they are.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::context::Service;
use crate::error::ApiError;

/// Longest plain-text explanation kept as the message.
const MAX_MESSAGE: usize = 4096;

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == "application/json" || v.ends_with("+json")
        })
}

/// Middleware: a non-JSON error answer becomes the service's envelope.
pub async fn in_envelope(req: Request, next: Next) -> Response {
    let service = Service::from_path(req.uri().path());
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, MAX_MESSAGE * 4)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let mut message: String = text.chars().take(MAX_MESSAGE).collect();
    if message.is_empty() {
        message = status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_owned();
    }
    let mut rendered = ApiError::status(service, status, message).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let (mut new_parts, body): (_, Body) = rendered.into_parts();
    new_parts.extensions = parts.extensions;
    Response::from_parts(new_parts, body)
}
