//! Errors rendered in each service's own envelope.
//!
//! - VaultStream: `{"status":"error","error":{"code","message","request_id"}}`
//! - JWT keys: `{"success":false,"result":null,"links":null,"errors":[{"code","message","field"?}]}`
//! - Vault: `{"data":null,"error":{"code","message","details"?},"page":null,"meta":{"request_id"}}`
//! - sandbox endpoints: `{"error":{"code","message"}}`

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::context::{request_id, Service};

pub type ApiResult<T> = Result<T, ApiError>;

/// One failed call, in the vocabulary of the service that answers it.
#[derive(Debug)]
pub struct ApiError {
    pub service: Service,
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// JWT keys: extra `errors` entries; Vault: `error.details`.
    pub details: Vec<Value>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(
        service: Service,
        status: StatusCode,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            service,
            status,
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// The error with the service's usual code for `status`.
    pub fn status(service: Service, status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::new(service, status, default_code(service, status), message)
    }

    pub fn with_details(mut self, details: Vec<Value>) -> Self {
        self.details = details;
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl ToString) -> Self {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            self.headers.push((HeaderName::from_static(name), v));
        }
        self
    }

    /// The JSON body of this error.
    pub fn body(&self) -> Value {
        match self.service {
            Service::VaultStream => json!({
                "status": "error",
                "error": {"code": self.code, "message": self.message, "request_id": request_id()},
            }),
            Service::JwtKeys => {
                let errors = if self.details.is_empty() {
                    vec![json!({"code": self.code, "message": self.message})]
                } else {
                    self.details.clone()
                };
                json!({"success": false, "result": null, "links": null, "errors": errors})
            }
            Service::Vault => {
                let mut error = json!({"code": self.code, "message": self.message});
                if !self.details.is_empty() {
                    error["details"] = Value::Array(self.details.clone());
                }
                json!({"data": null, "error": error, "page": null, "meta": {"request_id": request_id()}})
            }
            Service::Sandbox | Service::Unknown => {
                json!({"error": {"code": self.code, "message": self.message}})
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED && self.service != Service::Sandbox {
            response
                .headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        }
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// The code each service uses for a bare HTTP status.
pub fn default_code(service: Service, status: StatusCode) -> &'static str {
    let snake = match status.as_u16() {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable_entity",
        429 => "rate_limited",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        s if s >= 500 => "internal_error",
        _ => "error",
    };
    match (service, status.as_u16()) {
        (Service::VaultStream, 401) => "invalid_token",
        (Service::Vault, _) => upper(snake),
        _ => snake,
    }
}

fn upper(code: &'static str) -> &'static str {
    match code {
        "invalid_request" => "VALIDATION_ERROR",
        "unauthorized" => "UNAUTHORIZED",
        "forbidden" => "FORBIDDEN",
        "not_found" => "NOT_FOUND",
        "method_not_allowed" => "METHOD_NOT_ALLOWED",
        "conflict" => "CONFLICT",
        "payload_too_large" => "PAYLOAD_TOO_LARGE",
        "unsupported_media_type" => "UNSUPPORTED_MEDIA_TYPE",
        "unprocessable_entity" => "UNPROCESSABLE_ENTITY",
        "rate_limited" => "RATE_LIMITED",
        "bad_gateway" => "BAD_GATEWAY",
        "service_unavailable" => "SERVICE_UNAVAILABLE",
        "gateway_timeout" => "GATEWAY_TIMEOUT",
        "internal_error" => "INTERNAL_ERROR",
        _ => "ERROR",
    }
}

/// Any storage failure: logged, answered as a 500 in the service's envelope.
pub fn internal(service: Service, err: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "sandbox internal error");
    ApiError::status(
        service,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the sandbox failed to handle this request",
    )
}

/// Parse a JSON request body: `application/json` required (415 otherwise),
/// unknown fields rejected (400), so a client that misnames a field learns it.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    service: Service,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> ApiResult<T> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == "application/json" || v.ends_with("+json")
        });
    if !is_json {
        return Err(ApiError::status(
            service,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON with Content-Type: application/json",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::status(
            service,
            StatusCode::BAD_REQUEST,
            format!("invalid JSON body: {e}"),
        )
    })
}

/// `router` with the answers of a path it does not have (404) and of a
/// method a path does not take (405), in `service`'s envelope: "no such
/// {name} endpoint", "method not allowed on this {name} endpoint".
pub fn with_fallbacks<S>(router: Router<S>, service: Service, name: &'static str) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .fallback(move || async move {
            ApiError::status(
                service,
                StatusCode::NOT_FOUND,
                format!("no such {name} endpoint"),
            )
        })
        .method_not_allowed_fallback(move || async move {
            ApiError::status(
                service,
                StatusCode::METHOD_NOT_ALLOWED,
                format!("method not allowed on this {name} endpoint"),
            )
        })
}
