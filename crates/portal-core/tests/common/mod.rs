//! Shared by the integration tests that talk to an in-process sandbox.

#![allow(dead_code)]

use std::time::Duration;

use portal_core::http::HttpConfig;
use portal_core::profiles::{Environment, Profile, ServiceUrls};
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
