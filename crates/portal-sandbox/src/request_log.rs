//! A bounded log of the requests the emulated services received, for tests
//! that must prove a retry reused its `Idempotency-Key` or that no write was
//! duplicated (`GET /sandbox/requests`). Credentials are never logged.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::context::Service;
use crate::faults::{AppliedFault, DropConnection, ResetBody};
use crate::state::AppState;

/// Response marker: the Vault answered from its idempotency record.
#[derive(Debug, Clone, Copy)]
pub struct Replayed;

/// One request received by an emulated service.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub seq: u64,
    pub at: String,
    pub service: Service,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub idempotency_key: Option<String>,
    /// The client's `x-request-id`, if it sent one.
    pub request_id: Option<String>,
    /// Status sent; 0 when the connection was dropped or the client left.
    pub status: u16,
    /// `ok`, `dropped`, `reset`, or `abandoned` (the client closed the
    /// connection before the answer, e.g. on its timeout).
    pub outcome: &'static str,
    pub fault: Option<String>,
    /// Answered from a stored idempotency record.
    pub replayed: bool,
    pub duration_ms: u64,
}

#[derive(Debug)]
pub struct RequestLog {
    capacity: usize,
    inner: Mutex<(u64, VecDeque<LoggedRequest>)>,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        RequestLog {
            capacity: capacity.max(1),
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    fn push(&self, mut entry: LoggedRequest) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.0 += 1;
        entry.seq = inner.0;
        if inner.1.len() == self.capacity {
            inner.1.pop_front();
        }
        inner.1.push_back(entry);
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.1.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clear();
    }
}

/// Share-link paths carry a secret: keep it out of the log.
fn redact(path: &str) -> String {
    match path.strip_prefix("/vault/shares/") {
        Some(_) => "/vault/shares/<redacted>".to_owned(),
        None => path.to_owned(),
    }
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The entry of a request being served. A client that gives up (its
/// timeout) closes the connection and the server drops the handler: the
/// request is then logged as `abandoned` rather than lost from the log.
struct Pending {
    state: AppState,
    entry: Option<LoggedRequest>,
    started: Instant,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(mut entry) = self.entry.take() {
            entry.status = 0;
            entry.outcome = "abandoned";
            entry.duration_ms =
                u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.state.request_log.push(entry);
        }
    }
}

/// Middleware recording every request to an emulated service.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let service = Service::from_path(req.uri().path());
    if !service.is_emulated() {
        return next.run(req).await;
    }
    let started = Instant::now();
    let entry = LoggedRequest {
        seq: 0,
        at: crate::clock::to_db(state.clock.now()),
        service,
        method: req.method().to_string(),
        path: redact(req.uri().path()),
        query: req.uri().query().map(str::to_owned),
        idempotency_key: header(&req, "idempotency-key"),
        request_id: header(&req, "x-request-id"),
        status: 0,
        outcome: "ok",
        fault: None,
        replayed: false,
        duration_ms: 0,
    };
    let mut pending = Pending {
        state: state.clone(),
        entry: Some(entry),
        started,
    };
    let response = next.run(req).await;
    let Some(mut entry) = pending.entry.take() else {
        return response;
    };
    let ext = response.extensions();
    entry.status = response.status().as_u16();
    if ext.get::<DropConnection>().is_some() {
        entry.status = 0;
        entry.outcome = "dropped";
    } else if ext.get::<ResetBody>().is_some() {
        entry.outcome = "reset";
    }
    entry.fault = ext.get::<AppliedFault>().map(|f| f.0.clone());
    entry.replayed = ext.get::<Replayed>().is_some();
    entry.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::debug!(
        method = %entry.method,
        path = %entry.path,
        status = entry.status,
        outcome = entry.outcome,
        "request"
    );
    state.request_log.push(entry);
    response
}
