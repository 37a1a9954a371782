//! State shared by every handler.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::Db;
use crate::faults::Faults;
use crate::rate_limit::RateLimiter;
use crate::request_log::RequestLog;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

pub struct Shared {
    pub db: Db,
    pub clock: Clock,
    pub faults: Faults,
    pub rate_limiter: RateLimiter,
    pub request_log: RequestLog,
    /// HS256 secret of VaultStream user JWTs.
    pub vaultstream_jwt_secret: Vec<u8>,
    /// HS256 secret of Vault access tokens.
    pub vault_jwt_secret: Vec<u8>,
    /// Uploaded bytes live here.
    pub files_dir: PathBuf,
    pub upload_limit: u64,
    pub transform_delay: Duration,
    /// `http://host:port` as bound; used when a request has no Host header.
    pub origin: String,
    /// Whether the token list reports `last_used_at` (the contract says it
    /// *may*): off, the sandbox plays a service that never does.
    pub reports_last_used: AtomicBool,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState {
            inner: Arc::new(shared),
        }
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.inner
    }
}

/// `http://host:port` of a request, from its Host header when present.
pub fn origin_of(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ']))
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| state.origin.clone())
}
