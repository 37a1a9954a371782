//! A profile ready to talk to its services: its URLs, its HTTP client (with
//! the profile's CA file and proxy: see [`crate::network`]) and where its
//! credentials come from.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::assets::{VaultClaims, VaultClient, VaultSession};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::jwt_keys::JwtKeysClient;
use crate::network::NetworkSettings;
use crate::profiles::Profile;
use crate::secret::Secret;
use crate::secrets::{EntryName, Item, SecretStore};
use crate::service::Service;
use crate::tokens::TokensClient;

pub struct ProfileContext {
    pub profile: Profile,
    pub http: HttpClient,
    pub secrets: Arc<dyn SecretStore>,
    /// Credentials that win over the store (the CLI's environment variables).
    overrides: HashMap<String, Secret>,
}

impl ProfileContext {
    /// Builds the profile's client: its CA file and proxy (a CA file that
    /// cannot be read is a `config` error naming it).
    pub fn new(
        profile: Profile,
        secrets: Arc<dyn SecretStore>,
        config: HttpConfig,
    ) -> Result<Self> {
        let http = HttpClient::with_network(config, &NetworkSettings::of(&profile))?;
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
        }
    }

    pub fn override_credential(&mut self, item: Item, value: Secret) {
        self.overrides.insert(item.account_suffix(), value);
    }

    fn entry(&self, item: Item) -> EntryName {
        EntryName::new(self.profile.name.clone(), item)
    }

    pub fn stored(&self, item: Item) -> Result<Option<Secret>> {
        if let Some(v) = self.overrides.get(&item.account_suffix()) {
            return Ok(Some(v.duplicate()));
        }
        self.secrets.get(&self.entry(item))
    }

    /// The credential, or `no_credentials` naming what is missing.
    pub fn credential(&self, item: Item, service: Service) -> Result<Secret> {
        self.stored(item.clone())?.ok_or_else(|| {
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

    pub fn store(&self, item: Item, value: &Secret) -> Result<()> {
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
                    let query = crate::assets::AssetQuery {
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
