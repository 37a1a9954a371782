//! The credentials a user needs to call the sandbox, and the banner that
//! prints them.

use std::fmt;

use serde::Serialize;

/// Credentials for the three services.
#[derive(Clone, Serialize)]
pub struct SandboxCredentials {
    /// `vst_live_…` holding all six scopes, no expiry.
    pub vaultstream_admin_token: String,
    /// API key of the JWT keys API.
    pub jwt_keys_api_key: String,
    /// Seeded Vault users (with the documented password, unless the caller
    /// gave another in [`crate::BootstrapCredentials::vault_password`]).
    pub vault_users: Vec<VaultUser>,
}

/// A seeded Vault user.
#[derive(Clone, Serialize)]
pub struct VaultUser {
    pub email: String,
    pub password: String,
    /// `user`, `organizer` or `admin`.
    pub role: String,
    /// Tenant name.
    pub tenant: String,
    pub tenant_id: String,
}

impl fmt::Debug for SandboxCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxCredentials")
            .field("vaultstream_admin_token", &"<redacted>")
            .field("jwt_keys_api_key", &"<redacted>")
            .field("vault_users", &self.vault_users)
            .finish()
    }
}

impl fmt::Debug for VaultUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultUser")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .field("tenant", &self.tenant)
            .finish()
    }
}

/// Everything a user needs, as `portal sandbox` prints it.
pub fn banner(
    vaultstream_url: &str,
    jwt_keys_url: &str,
    vault_url: &str,
    sandbox_url: &str,
    creds: &SandboxCredentials,
    control: Option<&str>,
    persisted: Option<&std::path::Path>,
) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line("Partner Portal sandbox is running.".into());
    line(match persisted {
        Some(path) => format!("State is kept in {} (survives restarts).", path.display()),
        None => "State is in memory: it and these credentials are gone when it stops.".into(),
    });
    line(String::new());
    // An API with one bearer secret: its URL, the secret, a request to try.
    let bearer_apis = [
        (
            "VaultStream API (API tokens, user JWTs)",
            vaultstream_url,
            "admin token",
            &creds.vaultstream_admin_token,
            "/v1/auth/tokens",
        ),
        (
            "JWT keys API (public keys for private-video JWTs)",
            jwt_keys_url,
            "API key",
            &creds.jwt_keys_api_key,
            "/jwt_keys",
        ),
    ];
    for (title, url, name, secret, try_path) in bearer_apis {
        line(title.into());
        line(format!("  base URL     {url}"));
        line(format!("  {name:<13}{secret}"));
        line(format!(
            "  try          curl -H 'Authorization: Bearer {secret}' {url}{try_path}"
        ));
        line(String::new());
    }
    line("Vault Service (assets, multi-tenant)".into());
    line(format!("  base URL     {vault_url}"));
    for user in &creds.vault_users {
        line(format!(
            "  user         {:<24} {:<13} role {:<10} tenant {}",
            user.email, user.password, user.role, user.tenant
        ));
    }
    if let Some(admin) = creds.vault_users.iter().find(|u| u.role == "admin") {
        line(format!(
            "  try          curl -H 'Content-Type: application/json' -d '{{\"email\":\"{}\",\"password\":\"{}\"}}' {vault_url}/auth/v1/login",
            admin.email, admin.password
        ));
    }
    line(String::new());
    line(format!(
        "Sandbox: {sandbox_url}/health, /playback/{{video_id}}?jwt=…, /player/{{content_id}}?jwt=…"
    ));
    if let Some(secret) = control {
        line(
            "  controls     /faults, /requests, /clock, /rate-limits (JSON bodies only), with the header"
                .into(),
        );
        line(format!("               X-Sandbox-Control: {secret}"));
        line(format!(
            "  try          curl -H 'X-Sandbox-Control: {secret}' {sandbox_url}/faults"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_gives_each_api_its_url_secret_and_a_request_to_try() {
        let creds = SandboxCredentials {
            vaultstream_admin_token: "vst_live_T".into(),
            jwt_keys_api_key: "jk_K".into(),
            vault_users: vec![],
        };
        let text = banner(
            "http://h/vs",
            "http://h/jk",
            "http://h/v",
            "http://h",
            &creds,
            None,
            None,
        );
        let expected = "\
VaultStream API (API tokens, user JWTs)
  base URL     http://h/vs
  admin token  vst_live_T
  try          curl -H 'Authorization: Bearer vst_live_T' http://h/vs/v1/auth/tokens

JWT keys API (public keys for private-video JWTs)
  base URL     http://h/jk
  API key      jk_K
  try          curl -H 'Authorization: Bearer jk_K' http://h/jk/jwt_keys

Vault Service (assets, multi-tenant)
";
        assert!(text.contains(expected), "{text}");
    }
}
