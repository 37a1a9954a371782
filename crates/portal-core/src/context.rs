//! A profile ready to talk to its services: its URLs, its HTTP client (with
//! the profile's CA file and proxy: see [`crate::network`]) and where its
//! credentials come from.
//!
//! A profile's stored credentials belong to the origins its URLs name. A URL
//! given for one use ([`ProfileContext::override_url`], the CLI's
//! `--vaultstream-url`…) at another origin cuts that service off from the
//! store: nothing stored for it is read (so nothing stored is sent there)
//! and nothing is written (so a credential of that origin never becomes the
//! profile's). Only credentials given with
//! [`ProfileContext::override_credential`] are used for it.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::jwt_keys::JwtKeysClient;
use crate::origin::{check_base_url, origin_of, same_origin};
use crate::policy::{Effective, Policy};
use crate::profiles::Profile;
use crate::secret::Secret;
use crate::secrets::{EntryName, Item, SecretStore};
use crate::service::Service;
use crate::vault::{SessionStore, Vault, VaultClaims, VaultClient, VaultIdentity, VaultSession};
use crate::vaultstream::TokensClient;

pub struct ProfileContext {
    pub profile: Profile,
    pub http: HttpClient,
    pub secrets: Arc<dyn SecretStore>,
    /// Credentials that win over the store (the CLI's environment variables).
    overrides: HashMap<String, Secret>,
    /// Services pointed at another origin than the profile's, for this
    /// context only: cut off from the store.
    foreign: HashMap<Service, ForeignUrl>,
    /// The team's rules for this profile's environment (`None`: no policy
    /// file), or why the policy file cannot be used: set by the shell
    /// ([`Self::set_policy`]), consulted by the use cases that create.
    policy: std::result::Result<Option<Effective>, Error>,
}

/// A service's URL given for one use, at another origin than the profile's.
struct ForeignUrl {
    profile_origin: String,
    given_origin: String,
    /// What the user can do (the shell's words: an environment variable…).
    hint: String,
}

/// The service whose stored credential `item` is; `None` for what is not
/// sent to a service (saved token values, private keys).
fn service_of(item: &Item) -> Option<Service> {
    match item {
        Item::VaultStreamToken => Some(Service::VaultStream),
        Item::JwtKeysApiKey => Some(Service::JwtKeys),
        Item::VaultPassword
        | Item::VaultAccessToken
        | Item::VaultRefreshToken
        | Item::SandboxVaultPassword => Some(Service::Vault),
        Item::SavedToken(_)
        | Item::PrivateKey(_)
        | Item::ActivityLogKey
        | Item::ActivityLogHead => None,
    }
}

impl ProfileContext {
    /// Builds the profile's client: its CA file and proxy (a CA file that
    /// cannot be read is a `config` error naming it).
    pub fn new(
        profile: Profile,
        secrets: Arc<dyn SecretStore>,
        config: HttpConfig,
    ) -> Result<Self> {
        let http = HttpClient::with_network(config, &profile.network())?;
        Ok(Self::with_client(profile, secrets, http))
    }

    /// Reuses an existing client (and its connection pool) for this profile;
    /// the client must have been built with the profile's [`NetworkSettings`].
    pub fn with_client(profile: Profile, secrets: Arc<dyn SecretStore>, http: HttpClient) -> Self {
        Self {
            profile,
            http,
            secrets,
            overrides: HashMap::new(),
            foreign: HashMap::new(),
            policy: Ok(None),
        }
    }

    /// The policy file the shell found for this context (see
    /// `ops::policy::load`): its rules for the profile's environment apply
    /// from now on; an error (a malformed or unreadable file) makes every
    /// use case that consults the policy fail with it.
    pub fn set_policy(&mut self, policy: Result<Option<Policy>>) {
        let environment = self.profile.environment;
        self.policy = policy.map(|p| p.map(|p| p.effective(environment)));
    }

    /// The rules that apply here (`None`: no policy), or the policy file's error.
    pub fn policy(&self) -> Result<Option<&Effective>> {
        self.policy
            .as_ref()
            .map(Option::as_ref)
            .map_err(Clone::clone)
    }

    pub fn override_credential(&mut self, item: Item, value: Secret) {
        self.overrides.insert(item.account_suffix(), value);
    }

    /// Points `service` at `url` for this context only. The URL is checked
    /// like a profile's (`https://`, or `http://` to this machine). When its
    /// origin (scheme, host, port) is not the profile's, the service is cut
    /// off from the store (see the module docs) and `hint` says, in the
    /// shell's words, how to give a credential instead. The same origin with
    /// another path changes nothing else.
    pub fn override_url(&mut self, service: Service, url: &str, hint: &str) -> Result<()> {
        check_base_url(service, url)?;
        let stored = self.profile.urls.get(service);
        if !same_origin(stored, url) {
            self.foreign.insert(
                service,
                ForeignUrl {
                    profile_origin: origin_of(stored),
                    given_origin: origin_of(url),
                    hint: hint.to_owned(),
                },
            );
        }
        self.profile.urls.set(service, url.trim().to_owned());
        Ok(())
    }

    /// Whether `service` was pointed at another origin than the profile's.
    pub fn is_foreign(&self, service: Service) -> bool {
        self.foreign.contains_key(&service)
    }

    /// Why the profile's stored credential of `service` is not used (or
    /// `writing`: not kept), when the service points at another origin.
    pub(crate) fn foreign_refusal(&self, service: Service, writing: bool) -> Option<Error> {
        let f = self.foreign.get(&service)?;
        let what = if writing {
            "a credential for that origin is not stored in the profile"
        } else {
            "its stored credential is not sent there"
        };
        Some(
            Error::new(
                ErrorCode::NoCredentials,
                format!(
                    "The {label} URL given ({given}) is not the origin of profile '{name}' \
                     ({profile}): {what}.",
                    label = service.label(),
                    given = f.given_origin,
                    name = self.profile.name,
                    profile = f.profile_origin,
                ),
            )
            .with_service(service)
            .with_hint(f.hint.clone()),
        )
    }

    fn entry(&self, item: Item) -> EntryName {
        EntryName::new(self.profile.name.clone(), item)
    }

    /// A credential given for this context, else the profile's stored one
    /// (never for a service pointed at another origin).
    pub fn stored(&self, item: Item) -> Result<Option<Secret>> {
        if let Some(v) = self.overrides.get(&item.account_suffix()) {
            return Ok(Some(v.duplicate()));
        }
        if service_of(&item).is_some_and(|s| self.is_foreign(s)) {
            return Ok(None);
        }
        self.secrets.get(&self.entry(item))
    }

    /// The credential, or `no_credentials` naming what is missing (and, for
    /// a service pointed at another origin, why the stored one is not used).
    pub fn credential(&self, item: Item, service: Service) -> Result<Secret> {
        self.stored(item.clone())?.ok_or_else(|| {
            if let Some(e) = self.foreign_refusal(service, false) {
                return e;
            }
            Error::new(
                ErrorCode::NoCredentials,
                format!(
                    "Profile '{}' has no {} credential.",
                    self.profile.name,
                    service.label()
                ),
            )
            .with_service(service)
        })
    }

    /// Keeps `value` as the profile's; refused for a service pointed at
    /// another origin.
    pub fn store(&self, item: Item, value: &Secret) -> Result<()> {
        if let Some(e) = service_of(&item).and_then(|s| self.foreign_refusal(s, true)) {
            return Err(e);
        }
        self.secrets.set(&self.entry(item), value)
    }

    pub fn forget(&self, item: Item) -> Result<()> {
        self.secrets.delete(&self.entry(item))
    }

    pub fn url(&self, service: Service) -> &str {
        self.profile.urls.get(service)
    }

    pub fn tokens<'a>(&'a self, credential: &'a Secret) -> TokensClient<'a> {
        TokensClient::new(&self.http, self.url(Service::VaultStream), credential)
    }

    pub fn jwt_keys<'a>(&'a self, credential: &'a Secret) -> JwtKeysClient<'a> {
        JwtKeysClient::new(&self.http, self.url(Service::JwtKeys), credential)
    }

    pub fn vault(&self) -> VaultClient<'_> {
        VaultClient::new(&self.http, self.url(Service::Vault))
    }

    /// The stored vault session, if any.
    pub fn vault_session(&self) -> Result<Option<VaultSession>> {
        let Some(access_token) = self.stored(Item::VaultAccessToken)? else {
            return Ok(None);
        };
        let claims = VaultClaims::decode(&access_token)?;
        Ok(Some(VaultSession {
            access_token,
            refresh_token: self.stored(Item::VaultRefreshToken)?,
            claims,
        }))
    }

    pub fn save_vault_session(&self, session: &VaultSession) -> Result<()> {
        self.store(Item::VaultAccessToken, &session.access_token)?;
        match &session.refresh_token {
            Some(r) => self.store(Item::VaultRefreshToken, r),
            None => self.forget(Item::VaultRefreshToken),
        }
    }

    /// One real, read-only call per service.
    pub async fn check(&self, service: Service) -> ServiceStatus {
        let result = match service {
            Service::VaultStream => match self.credential(Item::VaultStreamToken, service) {
                Ok(c) => self.tokens(&c).list_page(1, None).await.map(|_| ()),
                Err(e) => Err(e),
            },
            Service::JwtKeys => match self.credential(Item::JwtKeysApiKey, service) {
                Ok(c) => self.jwt_keys(&c).list_page_probe().await,
                Err(e) => Err(e),
            },
            // Through the self-refreshing session: an access token that just
            // expired is renewed (and saved) rather than reported as refused.
            Service::Vault => match self.open_vault() {
                Ok(vault) => {
                    let query = crate::vault::AssetQuery {
                        limit: 1,
                        ..Default::default()
                    };
                    vault.list_assets(&query).await.map(|_| ())
                }
                Err(e) => Err(e),
            },
        };
        ServiceStatus::from_result(service, result)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionState {
    Connected,
    /// No credential, or not logged in.
    NotConfigured,
    /// The credential was refused.
    Unauthorized,
    /// The service could not be reached or failed.
    Offline,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServiceStatus {
    pub service: Service,
    pub state: ConnectionState,
    pub error: Option<Error>,
}

impl ServiceStatus {
    fn from_result(service: Service, result: Result<()>) -> Self {
        let state = match &result {
            Ok(()) => ConnectionState::Connected,
            Err(e) => match e.code {
                ErrorCode::NoCredentials => ConnectionState::NotConfigured,
                ErrorCode::Unauthorized | ErrorCode::Forbidden => ConnectionState::Unauthorized,
                _ => ConnectionState::Offline,
            },
        };
        Self {
            service,
            state,
            error: result.err(),
        }
    }
}

impl ProfileContext {
    /// Logs in, saves the access and refresh tokens, and keeps the password
    /// only when `remember` (otherwise a previously remembered one is forgotten).
    pub async fn vault_login(
        &self,
        email: &str,
        password: &Secret,
        remember: bool,
    ) -> Result<VaultIdentity> {
        let session = self.vault().login(email, password).await?;
        self.save_vault_session(&session)?;
        if remember {
            self.store(Item::VaultPassword, password)?;
        } else {
            self.forget(Item::VaultPassword)?;
        }
        Ok(VaultIdentity::of(&session.claims))
    }

    /// Forgets the access token, the refresh token and a remembered password.
    pub fn vault_logout(&self) -> Result<()> {
        for item in [
            Item::VaultAccessToken,
            Item::VaultRefreshToken,
            Item::VaultPassword,
        ] {
            self.forget(item)?;
        }
        Ok(())
    }

    /// The stored session as a [`Vault`] that saves renewed tokens back here.
    pub fn open_vault(&self) -> Result<Vault<'_>> {
        let session = self.vault_session()?.ok_or_else(|| {
            self.foreign_refusal(Service::Vault, false)
                .unwrap_or_else(|| {
                    Error::new(ErrorCode::NoCredentials, "Not logged in to the vault.")
                        .with_service(Service::Vault)
                        .with_hint("Log in to the vault (`portal login vault`).")
                })
        })?;
        Ok(Vault::new(&self.http, self.url(Service::Vault), session).saving_to(self))
    }
}

impl SessionStore for ProfileContext {
    fn save_session(&self, session: &VaultSession) -> Result<()> {
        self.save_vault_session(session)
    }

    fn remembered(&self) -> Result<(Option<String>, Option<Secret>)> {
        Ok((
            self.profile.vault_email.clone(),
            self.stored(Item::VaultPassword)?,
        ))
    }

    fn forget_password(&self) -> Result<()> {
        self.forget(Item::VaultPassword)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::profiles::Environment;
    use crate::secrets::MemoryStore;

    const HINT: &str = "Set PORTAL_VAULTSTREAM_TOKEN.";

    fn ctx(environment: Environment) -> ProfileContext {
        let mut p = Profile::new("Acme", environment);
        p.urls.vaultstream = "https://vs.acme.test".into();
        p.urls.vault = "https://vault.acme.test".into();
        let ctx = ProfileContext::new(p, Arc::new(MemoryStore::default()), HttpConfig::default())
            .unwrap();
        for item in [
            Item::VaultStreamToken,
            Item::JwtKeysApiKey,
            Item::VaultAccessToken,
            Item::VaultRefreshToken,
            Item::VaultPassword,
        ] {
            ctx.store(item, &Secret::new("stored")).unwrap();
        }
        ctx
    }

    #[test]
    fn the_same_origin_with_another_path_keeps_the_stored_credential() {
        let mut c = ctx(Environment::Production);
        c.override_url(Service::VaultStream, "https://VS.acme.test:443/next", HINT)
            .unwrap();
        assert!(!c.is_foreign(Service::VaultStream));
        assert_eq!(c.url(Service::VaultStream), "https://VS.acme.test:443/next");
        let got = c.credential(Item::VaultStreamToken, Service::VaultStream);
        assert_eq!(got.unwrap().expose(), "stored");
    }

    #[test]
    fn another_origin_never_gets_or_keeps_a_stored_credential() {
        for environment in [Environment::Production, Environment::Staging] {
            let mut c = ctx(environment);
            c.override_url(Service::VaultStream, "https://vs.acme.test:8443", HINT)
                .unwrap();
            c.override_url(Service::Vault, "http://127.0.0.1:9", "Set the vault login.")
                .unwrap();
            assert!(c.is_foreign(Service::VaultStream) && c.is_foreign(Service::Vault));
            let e = c
                .credential(Item::VaultStreamToken, Service::VaultStream)
                .unwrap_err();
            assert_eq!(e.code, ErrorCode::NoCredentials);
            assert_eq!(e.service, Some(Service::VaultStream));
            assert_eq!(
                e.message,
                "The VaultStream URL given (https://vs.acme.test:8443) is not the origin of \
                 profile 'Acme' (https://vs.acme.test): its stored credential is not sent there."
            );
            assert_eq!(e.hint.as_deref(), Some(HINT));
            // The vault session and a remembered password stay home too.
            assert!(c.vault_session().unwrap().is_none());
            assert!(c.stored(Item::VaultPassword).unwrap().is_none());
            let e = c.open_vault().err().unwrap();
            assert!(e.message.contains("(http://127.0.0.1:9)"), "{}", e.message);
            // Nothing from that origin becomes the profile's.
            let e = c
                .store(Item::VaultStreamToken, &Secret::new("other"))
                .unwrap_err();
            assert!(
                e.message.contains("not stored in the profile"),
                "{}",
                e.message
            );
            assert_eq!(
                c.secrets
                    .get(&EntryName::new("Acme", Item::VaultStreamToken))
                    .unwrap()
                    .unwrap()
                    .expose(),
                "stored"
            );
            // Untouched services keep theirs.
            assert!(c.stored(Item::JwtKeysApiKey).unwrap().is_some());
            // A credential given for this use is the one used.
            c.override_credential(Item::VaultStreamToken, Secret::new("given"));
            let got = c.credential(Item::VaultStreamToken, Service::VaultStream);
            assert_eq!(got.unwrap().expose(), "given");
        }
    }

    #[test]
    fn an_override_is_checked_like_a_profile_url() {
        let mut c = ctx(Environment::Other);
        let e = c
            .override_url(Service::VaultStream, "http://example.com", HINT)
            .unwrap_err();
        assert!(e.message.contains("must use https://"), "{}", e.message);
        assert_eq!(c.url(Service::VaultStream), "https://vs.acme.test");
        assert!(!c.is_foreign(Service::VaultStream));
    }
}
