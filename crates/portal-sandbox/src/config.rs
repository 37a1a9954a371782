//! Start-up configuration of a sandbox.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::faults::FaultRule;

/// Everything [`crate::Sandbox::start`] needs. `Default` gives an in-memory
/// sandbox on `127.0.0.1`, a random port, no seeded assets, no faults and the
/// documented rate limits.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to bind; `127.0.0.1` unless told otherwise.
    pub bind: IpAddr,
    /// Port to bind; `0` picks a free one.
    pub port: u16,
    /// SQLite file holding all state. `None` keeps everything in memory and
    /// puts uploaded bytes in a temporary directory removed on drop.
    pub data: Option<PathBuf>,
    /// Where uploaded bytes go. `None`: `<data>.files/` beside the SQLite
    /// file, or a temporary directory when in memory.
    pub files_dir: Option<PathBuf>,
    /// Number of assets the first tenant should hold (topped up, never
    /// removed). Any value above zero also seeds a few tokens and JWT keys.
    pub seed_assets: usize,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// Per-credential rate limits.
    pub rate_limits: RateLimits,
    /// Largest accepted upload, in bytes (413 above it).
    pub upload_limit: u64,
    /// Time a Vault transform takes to go from `requested` to `completed`.
    pub transform_delay: Duration,
    /// Per-tenant Vault quota.
    pub quota: QuotaLimits,
    /// How many requests `GET /sandbox/requests` remembers.
    pub request_log_capacity: usize,
    /// Bootstrap credentials kept by the caller (e.g. in the app's keychain).
    /// Given, the sandbox stores them only as hashes, even with `data`.
    pub bootstrap: Option<BootstrapCredentials>,
}

/// The admin token and API key a caller wants the sandbox to accept. The
/// sandbox's JWT signing secrets are then derived from them rather than kept
/// in its data file (see `seed::secret`).
#[derive(Clone)]
pub struct BootstrapCredentials {
    /// A `vst_live_…` value.
    pub admin_token: String,
    pub api_key: String,
}

impl BootstrapCredentials {
    /// Fresh random values of the right shape.
    pub fn random() -> Self {
        Self {
            admin_token: format!("vst_live_{}", crate::ids::secret(32)),
            api_key: crate::ids::alnum(40),
        }
    }
}

impl std::fmt::Debug for BootstrapCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BootstrapCredentials(<redacted>)")
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            data: None,
            files_dir: None,
            seed_assets: 0,
            faults: Vec::new(),
            rate_limits: RateLimits::default(),
            upload_limit: 512 * 1024 * 1024,
            transform_delay: Duration::from_secs(3),
            quota: QuotaLimits::default(),
            bootstrap: None,
            request_log_capacity: 10_000,
        }
    }
}

/// Requests allowed per credential and per window. Zero means unlimited
/// (and no `X-RateLimit-*` headers for that class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimits {
    /// GET requests per window (documented: 300/min).
    pub reads_per_minute: u32,
    /// Other requests per window (documented: 60/min).
    pub writes_per_minute: u32,
    /// Multipart uploads per window (documented: 10/min).
    pub uploads_per_minute: u32,
    /// Window length in seconds; 60 unless a test wants it shorter.
    #[serde(default = "default_window")]
    pub window_seconds: u64,
}

fn default_window() -> u64 {
    60
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            reads_per_minute: 300,
            writes_per_minute: 60,
            uploads_per_minute: 10,
            window_seconds: 60,
        }
    }
}

impl RateLimits {
    /// No rate limiting at all.
    pub fn unlimited() -> Self {
        RateLimits {
            reads_per_minute: 0,
            writes_per_minute: 0,
            uploads_per_minute: 0,
            window_seconds: 60,
        }
    }
}

/// Storage allowed per Vault tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaLimits {
    /// Total bytes of all assets.
    pub bytes: u64,
    /// Number of assets.
    pub assets: u64,
}

impl Default for QuotaLimits {
    fn default() -> Self {
        QuotaLimits {
            bytes: 50 * 1024 * 1024 * 1024,
            assets: 250_000,
        }
    }
}
