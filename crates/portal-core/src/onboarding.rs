//! Connecting an account: check each credential with a real call, and only
//! then save the profile and its secrets.

use std::sync::Arc;

use crate::context::ProfileContext;
use crate::error::{Error, Result};
use crate::http::HttpConfig;
use crate::profiles::{Profile, Profiles};
use crate::secret::Secret;
use crate::secrets::{Item, MemoryStore, SecretStore};
use crate::service::Service;

/// Credentials typed by the user for a new profile. Each is optional.
#[derive(Debug, Default)]
pub struct NewCredentials {
    pub vaultstream_token: Option<Secret>,
    pub jwt_keys_api_key: Option<Secret>,
    pub vault_login: Option<(String, Secret)>,
}

impl NewCredentials {
    pub fn is_empty(&self) -> bool {
        self.vaultstream_token.is_none()
            && self.jwt_keys_api_key.is_none()
            && self.vault_login.is_none()
    }
}

/// Verifies every given credential against its service, then saves the
/// profile (made active) and the credentials. Nothing is saved on failure.
pub async fn connect(
    profiles: &Profiles<'_>,
    store: Arc<dyn SecretStore>,
    mut profile: Profile,
    creds: NewCredentials,
    http: HttpConfig,
) -> Result<Profile> {
    profile.validate()?;
    if profiles.list().iter().any(|p| p.name == profile.name) {
        return Err(Error::validation(format!(
            "A profile named '{}' exists already.",
            profile.name
        )));
    }
    if creds.is_empty() {
        return Err(Error::validation(
            "Enter at least one credential to connect.",
        ));
    }
    // The API credentials given, each with its service.
    let given: Vec<(Service, &Secret)> = [
        (Service::VaultStream, &creds.vaultstream_token),
        (Service::JwtKeys, &creds.jwt_keys_api_key),
    ]
    .into_iter()
    .filter_map(|(service, secret)| secret.as_ref().map(|s| (service, s)))
    .collect();
    // Check with a throwaway in-memory context first.
    let mut probe = ProfileContext::new(profile.clone(), Arc::new(MemoryStore::default()), http)?;
    for &(service, secret) in &given {
        check_new(&mut probe, service, secret).await?;
    }
    let session = match &creds.vault_login {
        Some((email, password)) => Some(probe.vault().login(email, password).await?),
        None => None,
    };

    profile.vault_email = creds.vault_login.as_ref().map(|(e, _)| e.trim().to_owned());
    let ctx = ProfileContext::with_client(profile.clone(), store, probe.http.clone());
    for &(service, secret) in &given {
        ctx.store(api_credential(service)?, secret)?;
    }
    if let Some(s) = &session {
        ctx.save_vault_session(s)?;
    }
    profiles.add(profile.clone())?;
    profiles.set_active(&profile.name)?;
    Ok(profile)
}

/// Replaces the stored credential of `service` (the VaultStream token or the
/// JWT keys API key) for `ctx`'s profile, after checking the new one with a
/// real call. On any failure the old credential stays as it was. Surrounding
/// whitespace (a pasted line break) is dropped.
pub async fn replace_credential(
    ctx: &ProfileContext,
    service: Service,
    secret: Secret,
) -> Result<()> {
    let item = api_credential(service)?;
    if ctx.profile.embedded_sandbox {
        return Err(Error::validation(
            "The local sandbox's credentials are kept by the app and cannot be replaced.",
        ));
    }
    let trimmed = secret.expose().trim();
    if trimmed.is_empty() {
        return Err(Error::validation(format!(
            "Enter the new {} credential.",
            service.label()
        )));
    }
    let secret = Secret::new(trimmed);
    let mut probe = ProfileContext::with_client(
        ctx.profile.clone(),
        Arc::new(MemoryStore::default()),
        ctx.http.clone(),
    );
    check_new(&mut probe, service, &secret)
        .await
        .map_err(|e| e.during(&format!("Checking the new {} credential", service.label())))?;
    ctx.store(item, &secret)
}

/// The stored item of `service`'s API credential. The vault has none: it
/// takes an email and a password.
fn api_credential(service: Service) -> Result<Item> {
    match service {
        Service::VaultStream => Ok(Item::VaultStreamToken),
        Service::JwtKeys => Ok(Item::JwtKeysApiKey),
        Service::Vault => Err(Error::validation(
            "The vault takes an email and a password: log in again on the Assets page.",
        )),
    }
}

/// Checks `secret` as `service`'s API credential with a real call from
/// `probe`, a context whose own store holds nothing to lose.
async fn check_new(probe: &mut ProfileContext, service: Service, secret: &Secret) -> Result<()> {
    probe.override_credential(api_credential(service)?, secret.duplicate());
    check(probe, service).await
}

async fn check(ctx: &ProfileContext, service: Service) -> Result<()> {
    let status = ctx.check(service).await;
    match status.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
