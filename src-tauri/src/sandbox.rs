//! The sandbox running in-process for profiles marked `embedded_sandbox`
//! (127.0.0.1, random port, state kept in the app data directory).

use portal_core::assets::VaultClient;
use portal_core::http::{HttpClient, HttpConfig};
use portal_core::network::NetworkSettings;
use portal_core::profiles::ServiceUrls;
use portal_core::secrets::{EntryName, Item, SecretStore};
use portal_core::{Error, Result, Secret};
use portal_sandbox::{BootstrapCredentials, Sandbox, SandboxConfig};

use crate::state::AppCtx;

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
        app: &AppCtx,
        profile: &str,
        secrets: &dyn SecretStore,
    ) -> Result<ServiceUrls> {
        let mut running = self.running.lock().await;
        if let Some(sandbox) = running.as_ref() {
            return Ok(urls(sandbox));
        }
        let dir = app.data_dir.join("sandbox");
        std::fs::create_dir_all(&dir)?;
        let data = dir.join("sandbox.db");
        let entry = |item| EntryName::new(profile, item);
        // The keychain holds the bootstrap credentials; the sandbox's data
        // file only their hashes (its JWT signing secrets are derived from
        // them, not kept there).
        let bootstrap = match (
            secrets.get(&entry(Item::VaultStreamToken))?,
            secrets.get(&entry(Item::JwtKeysApiKey))?,
        ) {
            (Some(t), Some(k)) => BootstrapCredentials {
                admin_token: t.expose().to_owned(),
                api_key: k.expose().to_owned(),
            },
            _ => BootstrapCredentials::random(),
        };
        let config = SandboxConfig {
            seed_assets: if data.exists() { 0 } else { FIRST_RUN_ASSETS },
            data: Some(data),
            bootstrap: Some(bootstrap),
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

    pub async fn stop(&self) {
        if let Some(sandbox) = self.running.lock().await.take() {
            sandbox.shutdown().await;
        }
    }
}
