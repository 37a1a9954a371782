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
    /// The `/sandbox` controls (faults, request log, clock, rate limits).
    /// `None` (the default, and the app's embedded sandbox) does not mount
    /// them at all; `Some` mounts them behind this secret, which every
    /// control request must send as `X-Sandbox-Control`.
    pub control: Option<ControlSecret>,
}

/// The per-run secret that opens the `/sandbox` controls: a page in a
/// browser, or any other local program, cannot change faults or the clock,
/// or read the request log, without it.
#[derive(Clone)]
pub struct ControlSecret(String);

impl ControlSecret {
    /// The header that carries it.
    pub const HEADER: &'static str = "x-sandbox-control";

    /// 32 random bytes, base64url.
    pub fn random() -> Self {
        ControlSecret(crate::ids::secret(32))
    }

    /// A secret chosen by the caller (e.g. a test harness). `None` when it
    /// is too short to be a secret (fewer than 16 characters) or is not a
    /// valid header value.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let value = value.into();
        let valid = value.len() >= 16 && value.bytes().all(|b| b.is_ascii_graphic());
        valid.then_some(ControlSecret(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is this secret. Both sides are hashed first, so the
    /// comparison's timing says nothing about the secret.
    pub fn matches(&self, given: &[u8]) -> bool {
        crate::ids::sha256_hex(given) == crate::ids::sha256_hex(self.0.as_bytes())
    }
}

impl std::fmt::Debug for ControlSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ControlSecret(<redacted>)")
    }
}

/// The admin token and API key a caller wants the sandbox to accept. The
/// sandbox's JWT signing secrets are then derived from them rather than kept
/// in its data file (see `seed::secret`).
#[derive(Clone)]
pub struct BootstrapCredentials {
    /// A `vst_live_…` value.
    pub admin_token: String,
    pub api_key: String,
    /// The password of every seeded Vault user. `None` keeps the documented
    /// public test password (`Password123!`); given, it replaces that
    /// password at every start, also in a persisted sandbox that had it.
    pub vault_password: Option<String>,
}

impl BootstrapCredentials {
    /// Fresh random values of the right shape, a random Vault password
    /// included.
    pub fn random() -> Self {
        Self {
            admin_token: format!("vst_live_{}", crate::ids::secret(32)),
            api_key: crate::ids::alnum(40),
            vault_password: Some(Self::random_vault_password()),
        }
    }

    /// A random Vault password (24 random bytes, base64url).
    pub fn random_vault_password() -> String {
        crate::ids::secret(24)
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
            control: None,
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
    /// Window length in seconds, 1 to 86 400; 60 unless a test wants it
    /// shorter.
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
    /// Longest window accepted: one day.
    pub const MAX_WINDOW_SECONDS: u64 = 86_400;

    /// Whether these limits can be enforced (the window is 1 s to a day).
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=Self::MAX_WINDOW_SECONDS).contains(&self.window_seconds) {
            return Err(format!(
                "window_seconds must be between 1 and {}",
                Self::MAX_WINDOW_SECONDS
            ));
        }
        Ok(())
    }

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
