//! The sandbox running in-process for profiles marked `embedded_sandbox`
//! (127.0.0.1, random port, state kept in the app data directory).
//!
//! It is private to the app: its `/sandbox` controls (faults, clock,
//! request log, rate limits) are not mounted, it answers only requests
//! addressed to `127.0.0.1:PORT`/`localhost:PORT`, and its credentials
//! (admin token, API key, and the Vault users' password, random per
//! install rather than the documented public one) live only in the secret
//! store; the app logs in to its Vault itself.

use portal_core::http::{HttpClient, HttpConfig};
use portal_core::network::NetworkSettings;
use portal_core::profiles::ServiceUrls;
use portal_core::secrets::{EntryName, Item, SecretStore};
use portal_core::vault::VaultClient;
use portal_core::{Error, Result, Secret};
use portal_sandbox::{BootstrapCredentials, Sandbox, SandboxConfig};

/// Assets created the first time the sandbox starts, so the app has
/// something to show.
const FIRST_RUN_ASSETS: usize = 240;

#[derive(Default)]
pub struct EmbeddedSandbox {
    running: tokio::sync::Mutex<Option<Sandbox>>,
}

fn urls(sandbox: &Sandbox) -> ServiceUrls {
    ServiceUrls {
        vaultstream: sandbox.vaultstream_url(),
        jwt_keys: sandbox.jwt_keys_url(),
        vault: sandbox.vault_url(),
    }
}

impl EmbeddedSandbox {
    /// Starts the sandbox once per process and (re)writes its credentials
    /// into `profile`'s entries of the secret store. Returns its URLs.
    pub async fn ensure(
        &self,
        data_dir: &std::path::Path,
        profile: &str,
        secrets: &dyn SecretStore,
    ) -> Result<ServiceUrls> {
        let mut running = self.running.lock().await;
        if let Some(sandbox) = running.as_ref() {
            return Ok(urls(sandbox));
        }
        let dir = data_dir.join("sandbox");
        std::fs::create_dir_all(&dir)?;
        let data = dir.join("sandbox.db");
        let entry = |item| EntryName::new(profile, item);
        // The keychain holds the bootstrap credentials; the sandbox's data
        // file only their hashes (its JWT signing secrets are derived from
        // them, not kept there).
        let mut bootstrap = match (
            secrets.get(&entry(Item::VaultStreamToken))?,
            secrets.get(&entry(Item::JwtKeysApiKey))?,
        ) {
            (Some(t), Some(k)) => BootstrapCredentials {
                admin_token: t.expose().to_owned(),
                api_key: k.expose().to_owned(),
                vault_password: None,
            },
            _ => BootstrapCredentials::random(),
        };
        bootstrap.vault_password = Some(match secrets.get(&entry(Item::SandboxVaultPassword))? {
            Some(p) => p.expose().to_owned(),
            None => BootstrapCredentials::random_vault_password(),
        });
        let config = SandboxConfig {
            seed_assets: if data.exists() { 0 } else { FIRST_RUN_ASSETS },
            data: Some(data),
            bootstrap: Some(bootstrap),
            // No controls: nothing outside the app may fault, time-shift or
            // read this sandbox (a debug build's E2E seam aside).
            control: test_seam::control_secret(),
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start(config)
            .await
            .map_err(|e| Error::internal(format!("The local sandbox could not start: {e:#}")))?;
        let creds = sandbox.credentials();
        secrets.set(
            &entry(Item::VaultStreamToken),
            &Secret::new(creds.vaultstream_admin_token.as_str()),
        )?;
        secrets.set(
            &entry(Item::JwtKeysApiKey),
            &Secret::new(creds.jwt_keys_api_key.as_str()),
        )?;
        if let Some(admin) = creds.vault_users.iter().find(|u| u.role == "admin") {
            secrets.set(
                &entry(Item::SandboxVaultPassword),
                &Secret::new(admin.password.as_str()),
            )?;
            // The sandbox is on this computer: no proxy could reach it.
            let http = HttpClient::with_network(HttpConfig::default(), &NetworkSettings::direct())?;
            let vault_url = sandbox.vault_url();
            let session = VaultClient::new(&http, &vault_url)
                .login(&admin.email, &Secret::new(admin.password.as_str()))
                .await?;
            secrets.set(&entry(Item::VaultAccessToken), &session.access_token)?;
            if let Some(r) = &session.refresh_token {
                secrets.set(&entry(Item::VaultRefreshToken), r)?;
            }
        }
        tracing::info!(addr = %sandbox.addr(), "embedded sandbox started");
        let u = urls(&sandbox);
        *running = Some(sandbox);
        Ok(u)
    }

    /// The admin email of the sandbox's vault, for the profile.
    pub async fn admin_email(&self) -> Option<String> {
        let running = self.running.lock().await;
        running
            .as_ref()?
            .credentials()
            .vault_users
            .iter()
            .find(|u| u.role == "admin")
            .map(|u| u.email.clone())
    }

    /// Installs a fault rule in the running sandbox (the in-process tests'
    /// way in, since it mounts no `/sandbox/faults`).
    #[cfg(test)]
    pub async fn add_fault(&self, rule: portal_sandbox::FaultRule) {
        let running = self.running.lock().await;
        let Some(sandbox) = running.as_ref() else {
            panic!("the embedded sandbox is not running");
        };
        sandbox.add_fault(rule);
    }

    pub async fn stop(&self) {
        if let Some(sandbox) = self.running.lock().await.take() {
            sandbox.shutdown().await;
        }
    }
}

/// Test seam, debug builds only (like `portal_sandbox`'s secret ledger):
/// the end-to-end tests drive the real app, whose embedded sandbox mounts
/// no controls. `PORTAL_TEST_SANDBOX_CONTROL_SECRET` mounts the `/sandbox`
/// controls behind that secret (sent as `X-Sandbox-Control`), so a test can
/// install a fault (`tests/e2e/keys.test.mjs`). A release build compiles
/// [`control_secret`](test_seam::control_secret) to `None` and never reads
/// the variable.
mod test_seam {
    use portal_sandbox::ControlSecret;

    #[cfg(debug_assertions)]
    pub fn control_secret() -> Option<ControlSecret> {
        let value = std::env::var("PORTAL_TEST_SANDBOX_CONTROL_SECRET").ok()?;
        let secret = ControlSecret::new(value);
        if secret.is_none() {
            tracing::warn!(
                "PORTAL_TEST_SANDBOX_CONTROL_SECRET is too short or not printable: ignored"
            );
        }
        secret
    }

    #[cfg(not(debug_assertions))]
    #[inline(always)]
    pub fn control_secret() -> Option<ControlSecret> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::secrets::MemoryStore;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One raw HTTP/1.1 request to the sandbox: its status line's code.
    async fn status_of(addr: std::net::SocketAddr, method: &str, path: &str, host: &str) -> u16 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {answer:?}"))
    }

    #[tokio::test]
    async fn the_embedded_sandbox_is_private_and_its_vault_password_random_and_kept() {
        // A debug build mounts the controls only when this variable is set
        // (the E2E seam); the app's normal start leaves it unset.
        assert!(std::env::var_os("PORTAL_TEST_SANDBOX_CONTROL_SECRET").is_none());
        let dir = std::env::temp_dir().join(format!("portal-embedded-{}", uuid::Uuid::new_v4()));
        let store = MemoryStore::default();
        let embedded = EmbeddedSandbox::default();
        embedded.ensure(&dir, "Sandbox", &store).await.unwrap();
        let addr = embedded.running.lock().await.as_ref().unwrap().addr();
        let host = format!("127.0.0.1:{}", addr.port());

        // No controls: not behind a secret, not there at all.
        for (method, path) in [
            ("GET", "/sandbox/faults"),
            ("POST", "/sandbox/faults"),
            ("POST", "/sandbox/clock"),
            ("GET", "/sandbox/requests"),
            ("POST", "/sandbox/rate-limits"),
        ] {
            assert_eq!(
                status_of(addr, method, path, &host).await,
                404,
                "{method} {path}"
            );
        }
        // A name other than this machine's is refused (DNS rebinding), while
        // the same request addressed to 127.0.0.1 is served.
        assert_eq!(status_of(addr, "GET", "/sandbox/health", &host).await, 200);
        assert_ne!(
            status_of(
                addr,
                "GET",
                "/sandbox/health",
                &format!("evil.example:{}", addr.port())
            )
            .await,
            200
        );

        // The Vault users' password is random, not the documented one, and
        // kept in the secret store for the next start.
        let entry = EntryName::new("Sandbox", Item::SandboxVaultPassword);
        let password = store
            .get(&entry)
            .unwrap()
            .expect("the password is in the store");
        assert_ne!(password.expose(), "Password123!");
        assert!(password.expose().len() >= 24);
        embedded.stop().await;

        let again = EmbeddedSandbox::default();
        again.ensure(&dir, "Sandbox", &store).await.unwrap();
        assert_eq!(
            store.get(&entry).unwrap().unwrap().expose(),
            password.expose()
        );
        again.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
