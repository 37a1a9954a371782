//! Shared by the integration tests that talk to an in-process sandbox.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::profiles::{Environment, Profile, ServiceUrls};
use portal_core::secrets::{Item, MemoryStore};
use portal_core::Secret;
use portal_sandbox::Sandbox;

/// A sandbox-environment profile named `name` pointing at `sb`.
pub fn sandbox_profile(sb: &Sandbox, name: &str) -> Profile {
    let mut p = Profile::new(name, Environment::Sandbox);
    p.urls = ServiceUrls {
        vaultstream: sb.vaultstream_url(),
        jwt_keys: sb.jwt_keys_url(),
        vault: sb.vault_url(),
    };
    p
}

/// Retries with short back-offs, so fault tests run quickly.
pub fn fast_retries() -> HttpConfig {
    HttpConfig {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..HttpConfig::default()
    }
}

/// A context for `sb` (secrets in memory) holding the sandbox's VaultStream
/// admin token and JWT keys API key.
pub fn signed_in(sb: &Sandbox, config: HttpConfig) -> ProfileContext {
    let ctx = ProfileContext::new(
        sandbox_profile(sb, "Test"),
        Arc::new(MemoryStore::default()),
        config,
    )
    .expect("a context for the sandbox");
    let c = sb.credentials();
    for (item, value) in [
        (Item::VaultStreamToken, c.vaultstream_admin_token.as_str()),
        (Item::JwtKeysApiKey, c.jwt_keys_api_key.as_str()),
    ] {
        ctx.store(item, &Secret::new(value))
            .expect("the memory store keeps it");
    }
    ctx
}
