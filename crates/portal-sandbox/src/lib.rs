//! Local sandbox implementing the three APIs the portal speaks, faithfully
//! enough that the app, the CLI and their tests run on a fresh machine with
//! no account.
//!
//! One listener (127.0.0.1 unless told otherwise) serves:
//!
//! - `/vaultstream/…`: VaultStream API tokens, scopes and user JWTs
//!   ([`vaultstream`] has the scope each call needs),
//! - `/jwt-keys/v2/…`: the JWT keys API,
//! - `/vault/…`: the multi-tenant Vault Service,
//! - `/sandbox/…`: health and playback checks, and, only when
//!   [`SandboxConfig::control`] holds a secret (`portal sandbox` makes one
//!   per run), the controls: faults, request log, clock, rate limits (see
//!   [`sandbox_api`]). The app's embedded sandbox has no controls.
//!
//! Every request must name the sandbox as `Host` (`127.0.0.1:PORT`,
//! `localhost:PORT`), against DNS rebinding; every error, axum's own
//! rejections included, is answered in the addressed service's envelope.
//!
//! The OpenAPI documents in `docs/api/` describe every call and are checked
//! against the sandbox's responses by this crate's tests.
//!
//! State lives in SQLite: in memory by default (credentials random per
//! start), or in a file (`SandboxConfig::data`, `--data FILE`) where
//! everything, the bootstrap credentials included, survives restarts.
//! Tokens, API keys, passwords, refresh tokens and share links are stored
//! only as SHA-256 hashes; the bootstrap admin token and API key are also
//! kept in plain text in the sandbox's own `settings` table so that a
//! persisted sandbox can print them again.
//!
//! # Fault rules
//!
//! `RULE = [METHOD " "] PATTERN "=" ITEM ("," ITEM)*`, where the pattern is
//! a full path (`{name}` or `*` match one segment, a final `**` the rest)
//! and the items are `status:CODE`, `burst:N`, `latency:MS`, `drop`,
//! `reset`, `body:malformed|html|empty|wrong-envelope`, `rate:P`,
//! `times:N`, `retry-after:S` and `after`. For example
//! `POST /vaultstream/v1/auth/tokens=status:503,rate:1.0` or
//! `POST /vault/vault/v1/assets=drop,after,times:1`. See [`faults`] for
//! the full grammar.

pub mod cli;
mod clock;
mod config;
mod context;
mod credentials;
mod db;
mod drain;
mod error;
pub mod faults;
mod host;
mod ids;
mod jwt;
mod jwt_keys;
mod ledger;
mod playback;
mod rate_limit;
mod rejections;
mod request_log;
pub mod sandbox_api;
mod seed;
mod server;
mod state;
mod validate;
mod vault;
pub mod vaultstream;

pub use config::{BootstrapCredentials, ControlSecret, QuotaLimits, RateLimits, SandboxConfig};
pub use context::Service;
pub use credentials::{SandboxCredentials, VaultUser};
pub use faults::{FaultAction, FaultRule};
pub use request_log::LoggedRequest;
pub use server::Sandbox;
