//! Per-credential rate limits with `X-RateLimit-*` headers and 429s.
//!
//! Fixed windows: a credential's first request of a class opens a window of
//! `window_seconds`; at most the class's limit of requests pass in it.
//! Reads are GET/HEAD, uploads are multipart requests, writes the rest.
//! The key is the SHA-256 of the `Authorization` header, so no credential
//! is kept in memory in plain text. Requests without one are not counted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::RateLimits;
use crate::context::Service;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    Read,
    Write,
    Upload,
}

#[derive(Debug)]
struct Window {
    opened: Instant,
    reset_unix: i64,
    count: u32,
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: Mutex<RateLimits>,
    windows: Mutex<HashMap<(Service, String, Class), Window>>,
}

struct Decision {
    limit: u32,
    remaining: u32,
    reset_unix: i64,
    retry_after: Option<u64>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits: Mutex::new(limits),
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub fn limits(&self) -> RateLimits {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// New limits; open windows are forgotten.
    pub fn set_limits(&self, limits: RateLimits) {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner()) = limits;
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    fn check(&self, service: Service, key: String, class: Class) -> Option<Decision> {
        let limits = self.limits();
        let limit = match class {
            Class::Read => limits.reads_per_minute,
            Class::Write => limits.writes_per_minute,
            Class::Upload => limits.uploads_per_minute,
        };
        if limit == 0 {
            return None;
        }
        let window_len = Duration::from_secs(limits.window_seconds.max(1));
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows
            .entry((service, key, class))
            .or_insert_with(|| Window {
                opened: now,
                reset_unix: 0,
                count: 0,
            });
        if window.count == 0 || now.duration_since(window.opened) >= window_len {
            window.opened = now;
            window.count = 0;
            window.reset_unix =
                chrono::Utc::now().timestamp() + i64::try_from(window_len.as_secs()).unwrap_or(60);
        }
        let left = window_len.saturating_sub(now.duration_since(window.opened));
        if window.count >= limit {
            return Some(Decision {
                limit,
                remaining: 0,
                reset_unix: window.reset_unix,
                retry_after: Some(left.as_secs_f64().ceil().max(1.0) as u64),
            });
        }
        window.count += 1;
        Some(Decision {
            limit,
            remaining: limit - window.count,
            reset_unix: window.reset_unix,
            retry_after: None,
        })
    }
}

fn class_of(method: &Method, headers: &HeaderMap) -> Class {
    if method == Method::GET || method == Method::HEAD {
        return Class::Read;
    }
    let multipart = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/"));
    if multipart {
        Class::Upload
    } else {
        Class::Write
    }
}

/// Middleware enforcing the limits on the three emulated services.
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let service = Service::from_path(req.uri().path());
    let auth = req.headers().get(axum::http::header::AUTHORIZATION);
    let (true, Some(auth)) = (service.is_emulated(), auth) else {
        return next.run(req).await;
    };
    let key = crate::ids::sha256_hex(auth.as_bytes());
    let class = class_of(req.method(), req.headers());
    let Some(decision) = state.rate_limiter.check(service, key, class) else {
        return next.run(req).await;
    };
    let mut response = match decision.retry_after {
        Some(retry) => ApiError::status(
            service,
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "rate limit of {} requests per window exceeded; retry after {retry} s",
                decision.limit
            ),
        )
        .with_header("retry-after", retry)
        .into_response(),
        None => next.run(req).await,
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", i64::from(decision.limit)),
        ("x-ratelimit-remaining", i64::from(decision.remaining)),
        ("x-ratelimit-reset", decision.reset_unix),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(name, v);
        }
    }
    response
}
