//! Types that exist only at the IPC boundary. TypeScript twins are generated
//! into `ui/src/lib/bindings/` by ts-rs (`cargo test`).

use portal_core::profiles::{Environment, Profile, ServiceUrls};
use portal_core::secrets::SecretBackend;
use portal_core::token_records::Preferences;
use portal_core::tokens::ApiToken;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

impl From<NewTokenInput> for portal_core::tokens::NewToken {
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
}

impl From<portal_core::ops::tokens::SignedUserJwt> for UserJwtView {
    fn from(j: portal_core::ops::tokens::SignedUserJwt) -> Self {
        Self {
            jwt: j.jwt.expose().to_owned(),
            header: j.header,
            claims: j.claims,
            expires_at: j.expires_at,
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

/// The keys page: every server key (all pages) paired with the local keys.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeysOverview {
    pub rows: Vec<portal_core::local_keys::KeyStatus>,
    /// The profile can run the sandbox playback check.
    pub sandbox: bool,
    /// Why the server's keys are missing: the JWT keys API did not answer,
    /// and the rows are the keys kept here, unchecked.
    pub server_error: Option<portal_core::Error>,
}

/// One key with both sides' fingerprints (the public PEM is public).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyDetails {
    pub status: portal_core::local_keys::KeyStatus,
    /// From the server's PEM, or the local key's public half when not uploaded.
    pub summary: Option<portal_core::keypair::KeySummary>,
    /// `None` when one side is missing.
    pub fingerprints_match: Option<bool>,
}

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

/// An imported key: its public facts, and the local record when its private
/// half was kept here.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedKeyView {
    pub kind: portal_core::keypair::PemKind,
    pub summary: portal_core::keypair::KeySummary,
    pub local: Option<portal_core::local_keys::LocalKey>,
}

/// A local key's public half, for the review step.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LocalKeyView {
    pub local: portal_core::local_keys::LocalKey,
    pub summary: portal_core::keypair::KeySummary,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadedKey {
    pub server: portal_core::jwt_keys::JwtKey,
    pub local: Option<portal_core::local_keys::LocalKey>,
}

/// The wizard's last step: the key fetched back and a test JWT.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadVerification {
    pub ok: bool,
    pub message: String,
    pub server_fingerprints: Option<portal_core::keypair::Fingerprints>,
    pub local_fingerprints: Option<portal_core::keypair::Fingerprints>,
    pub fingerprints_match: bool,
    /// A JWT signed here and verified with the fetched public key.
    pub test_jwt: Option<portal_core::signing::Verdict>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeleteKeyOutcome {
    pub server_deleted: bool,
    pub local_deleted: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignVideoRequest {
    pub server_id: String,
    /// `None`: all videos (`sub` = `*`).
    pub video_id: Option<String>,
    pub ttl_seconds: u32,
}

/// Where a signed JWT is used; `{video_id}` stays in when signed for all videos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VideoUrls {
    pub watch: String,
    pub embed: String,
    pub hls: String,
}

/// A signed private-video JWT (the product the user copies), decoded.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignedVideoJwt {
    pub jwt: String,
    pub header: serde_json::Value,
    pub claims: serde_json::Value,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub urls: VideoUrls,
    /// Copy the JWT or a URL with `copy_held(copyId, "jwt" | "watch" |
    /// "embed" | "hls")`: Rust writes it and clears the clipboard later.
    pub copy_id: String,
}

/// A share link, and the id to copy it by (`copy_held(copyId, "url")`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShareView {
    pub share: portal_core::assets::Share,
    pub copy_id: String,
}

/// The sandbox player's answer.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlaybackVerdict {
    pub allowed: bool,
    /// The refusal code (`expired`, `wrong_video`, `unknown_kid`…).
    pub reason: Option<String>,
    pub message: String,
}

/// The vault session as the UI sees it: who, and what the role allows (no token).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VaultSessionView {
    pub identity: portal_core::assets::VaultIdentity,
    pub permissions: Vec<portal_core::assets::Permission>,
}

/// One asset with its legal hold (when held) and its transforms.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssetDetails {
    pub asset: portal_core::assets::Asset,
    pub legal_hold: Option<portal_core::assets::LegalHold>,
    pub transforms: Vec<portal_core::assets::Transform>,
}

/// An upload the app started (its events follow on `asset-upload`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadStarted {
    pub upload_id: String,
    pub name: String,
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UploadState {
    Uploading,
    Done,
    Failed,
    Cancelled,
}

/// Progress or end of one upload (event `asset-upload`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadEvent {
    pub upload_id: String,
    pub name: String,
    pub state: UploadState,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub total: u64,
    pub asset: Option<portal_core::assets::Asset>,
    pub error: Option<portal_core::Error>,
}
