//! Types that exist only at the IPC boundary. TypeScript twins are generated
//! into `ui/src/lib/bindings/` by ts-rs (`cargo test`).

use portal_core::onboarding::NewCredentials;
use portal_core::profiles::{Environment, Profile, ServiceUrls};
use portal_core::secrets::SecretBackend;
use portal_core::token_records::Preferences;
use portal_core::vaultstream::ApiToken;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The asset details and the upload events are core's (`portal_core::ops::assets`).
pub use portal_core::ops::assets::uploads::{UploadEvent, UploadStarted, UploadState};
pub use portal_core::ops::assets::AssetDetails;
/// The key use cases' results cross IPC as they are (see `portal_core::ops::keys`).
pub use portal_core::ops::keys::{
    DeleteKeyOutcome, ImportedKeyView, KeyDetails, KeysOverview, LocalKeyView, PlaybackVerdict,
    SignVideoRequest, SignedVideoJwt, UploadVerification, UploadedKey, VideoUrls,
};

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppState {
    pub profiles: Vec<Profile>,
    pub active_profile: Option<String>,
    pub secrets: SecretsInfo,
    pub preferences: Preferences,
    pub version: String,
}

/// What the create dialog sends.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewTokenInput {
    pub name: String,
    pub scopes: Vec<String>,
    /// RFC 3339, or null for "until revoked".
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<NewTokenInput> for portal_core::vaultstream::NewToken {
    fn from(i: NewTokenInput) -> Self {
        Self {
            name: i.name,
            scopes: i.scopes,
            expires_at: i.expires_at,
        }
    }
}

/// A created token and the handle of its held value (the value is not here).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CreatedTokenView {
    pub token: ApiToken,
    pub reveal_id: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClipboardCopy {
    /// 0 = never cleared.
    pub clears_in_seconds: u32,
}

/// A user JWT for the player, decoded for display.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserJwtView {
    pub jwt: String,
    pub header: serde_json::Value,
    pub claims: serde_json::Value,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Copy the JWT or the player snippet with `copy_held(copyId, "jwt" |
    /// "snippet")`: Rust writes it and clears the clipboard later.
    pub copy_id: String,
}

impl UserJwtView {
    /// The view of `j`, whose JWT and snippet wait under `copy_id`.
    pub fn new(j: &portal_core::ops::tokens::SignedUserJwt, copy_id: String) -> Self {
        Self {
            jwt: j.jwt.expose().to_owned(),
            header: j.header.clone(),
            claims: j.claims.clone(),
            expires_at: j.expires_at,
            copy_id,
        }
    }
}

/// Where credentials are kept, and whether that place can be used now.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SecretsInfo {
    pub backend: SecretBackend,
    pub description: String,
    pub ready: bool,
    pub problem: Option<portal_core::Error>,
    pub encrypted_file_exists: bool,
}

/// "Connect your account". The credentials travel UI → Rust only; they are
/// checked with a real call, then kept in the secret store, never returned.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectInput {
    pub name: String,
    pub environment: Environment,
    pub urls: ServiceUrls,
    pub vaultstream_token: Option<String>,
    pub jwt_keys_api_key: Option<String>,
    pub vault_email: Option<String>,
    pub vault_password: Option<String>,
}

impl ConnectInput {
    /// The profile to add and the credentials typed for it.
    pub fn into_parts(self) -> (Profile, NewCredentials) {
        let mut profile = Profile::new(self.name, self.environment);
        profile.urls = self.urls;
        let creds = portal_core::ops::profiles::typed_credentials(
            self.vaultstream_token,
            self.jwt_keys_api_key,
            self.vault_email,
            self.vault_password,
        );
        (profile, creds)
    }
}

impl std::fmt::Debug for ConnectInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectInput")
            .field("name", &self.name)
            .field("environment", &self.environment)
            .field("urls", &self.urls)
            .field("vault_email", &self.vault_email)
            .finish_non_exhaustive()
    }
}

// ---- JWT signing keys (issue 7). Private keys never appear in these types.

/// What the import step sends. The PEM and passphrase travel UI → Rust only.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportKeyInput {
    pub name: String,
    pub pem: String,
    pub passphrase: Option<String>,
    /// Keep the private half (when the PEM has one) in the keychain.
    pub keep_private: bool,
}

impl std::fmt::Debug for ImportKeyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportKeyInput")
            .field("name", &self.name)
            .field("keep_private", &self.keep_private)
            .finish_non_exhaustive()
    }
}

/// A share link, and the id to copy it by (`copy_held(copyId, "url")`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShareView {
    pub share: portal_core::vault::Share,
    pub copy_id: String,
}

/// The vault session as the UI sees it: who, and what the role allows (no token).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VaultSessionView {
    pub identity: portal_core::vault::VaultIdentity,
    pub permissions: Vec<portal_core::vault::Permission>,
}
