//! The JWT signing key use cases (issue 7), shared by the app's key commands
//! and `portal keys`: the overview (local and server keys paired), generate,
//! import, upload (and its resumption), the check after an upload, delete,
//! sign (within the profile's TTL cap), the watch/embed/HLS URL templates,
//! the sandbox playback check and the verification of any JWT.
//!
//! The private half stays here: it is kept in the profile's secret store (or
//! a file the user names) before anything is uploaded, and only its public
//! half and fingerprints leave this module. Uploads and deletions record
//! themselves (`key_upload`, `key_delete`) so no shell can forget to.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::policy::allow_key;
use super::{record, Outcome, Recorder};
use crate::activity::Action;
use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{join, Call};
use crate::jwt_keys::{validate_key_name, JwtKey};
use crate::key_records::KeyRecords;
use crate::keypair::{
    self, import_pem, pairs_with, write_private_key_file, GenProgress, PrivateKey, PublicKey,
};
use crate::local_keys::{pairings, server_fingerprints, unchecked, LocalKey, LocalKeys};
use crate::profile_secrets::VIDEO_URL_TEMPLATES;
use crate::profiles::{Environment, KeyValueStore};
use crate::secret::Secret;
use crate::secrets::Item;
use crate::service::Service;
use crate::signing::{self, Subject, Verdict};

/// Where the sandbox's JWT keys API lives under its base URL.
const SANDBOX_JWT_KEYS_PREFIX: &str = "/jwt-keys/v2";

/// What every key use case works with: the profile, the settings file that
/// indexes its local keys and URL templates, and where changes are recorded.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub pc: &'a ProfileContext,
    pub settings: &'a dyn KeyValueStore,
    pub recorder: &'a dyn Recorder,
}

impl<'a> Cx<'a> {
    /// The profile's keys kept here.
    pub fn local(&self) -> LocalKeys<'a> {
        LocalKeys::new(self.settings, self.pc)
    }

    pub(crate) fn api_key(&self) -> Result<Secret> {
        self.pc.credential(Item::JwtKeysApiKey, Service::JwtKeys)
    }

    pub(crate) fn is_sandbox(&self) -> bool {
        self.pc.profile.embedded_sandbox || self.pc.profile.environment == Environment::Sandbox
    }

    fn record(&self, warnings: &mut Vec<String>, action: Action, target: &str, summary: &str) {
        record(self.recorder, self.pc, action, target, summary, warnings);
    }
}

/// The keys page: every server key (all pages) paired with the local keys.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeysOverview {
    pub rows: Vec<crate::local_keys::KeyStatus>,
    /// The profile can run the sandbox playback check.
    pub sandbox: bool,
    /// Why the server's keys are missing: the JWT keys API did not answer,
    /// and the rows are the keys kept here, unchecked.
    pub server_error: Option<crate::Error>,
    /// The deletions scheduled for when a key's last JWT expires.
    pub scheduled: Vec<crate::key_records::ScheduledDeletion>,
    /// The server key id the profile signs with when none is named.
    pub default_kid: Option<String>,
}

/// One key with both sides' fingerprints (the public PEM is public).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyDetails {
    pub status: crate::local_keys::KeyStatus,
    /// From the server's PEM, or the local key's public half when not uploaded.
    pub summary: Option<crate::keypair::KeySummary>,
    /// `None` when one side is missing.
    pub fingerprints_match: Option<bool>,
}

/// An imported key: its public facts, and the local record when its private
/// half was kept here.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedKeyView {
    pub kind: crate::keypair::PemKind,
    pub summary: crate::keypair::KeySummary,
    pub local: Option<crate::local_keys::LocalKey>,
}

/// A local key's public half, for the review step.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LocalKeyView {
    pub local: crate::local_keys::LocalKey,
    pub summary: crate::keypair::KeySummary,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadedKey {
    pub server: crate::jwt_keys::JwtKey,
    pub local: Option<crate::local_keys::LocalKey>,
}

/// The wizard's last step: the key fetched back and a test JWT.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UploadVerification {
    pub ok: bool,
    pub message: String,
    pub server_fingerprints: Option<crate::keypair::Fingerprints>,
    pub local_fingerprints: Option<crate::keypair::Fingerprints>,
    pub fingerprints_match: bool,
    /// A JWT signed here and verified with the fetched public key.
    pub test_jwt: Option<crate::signing::Verdict>,
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
    /// The key (the JWT's `kid`); blank: the profile's default signing key.
    pub server_id: String,
    /// `None`: all videos (`sub` = `*`).
    pub video_id: Option<String>,
    pub ttl_seconds: u32,
    /// All videos only: the video whose watch, embed and HLS links to show
    /// (`{video_id}` filled in). `None` or blank keeps the placeholder.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub link_video_id: Option<String>,
}

/// Where a signed JWT is used; `{video_id}` stays in when signed for all
/// videos and no video is named for the links.
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

/// Every key of the profile (all pages) with its pairing. When the service
/// does not answer, the keys kept here are still listed, unchecked, beside
/// the error (to export, inspect or delete them); with none, the error.
pub async fn overview(cx: Cx<'_>) -> Result<KeysOverview> {
    let local = cx.local().list();
    let server = async { cx.pc.jwt_keys(&cx.api_key()?).list_all().await }.await;
    let (rows, server_error) = match server {
        Ok(server) => (pairings(&server, &local), None),
        Err(e) if local.is_empty() => return Err(e),
        Err(e) => (unchecked(&local), Some(e)),
    };
    Ok(KeysOverview {
        rows,
        sandbox: cx.is_sandbox(),
        server_error,
        scheduled: KeyRecords::new(cx.settings).scheduled(&cx.pc.profile.name),
        default_kid: default_key(cx),
    })
}

/// The server key id the profile signs with when none is named.
pub fn default_key(cx: Cx<'_>) -> Option<String> {
    KeyRecords::new(cx.settings).default_key(&cx.pc.profile.name)
}

/// The key to sign with: the one named, else the profile's default.
pub fn signing_key(cx: Cx<'_>, named: Option<&str>) -> Result<String> {
    match named.map(str::trim).filter(|n| !n.is_empty()) {
        Some(kid) => Ok(kid.to_owned()),
        None => default_key(cx).ok_or_else(|| {
            Error::validation(format!(
                "Which key? Profile '{}' has no default signing key: name one, or make one the default.",
                cx.pc.profile.name
            ))
        }),
    }
}

/// Makes uploaded key `kid` the profile's default signing key. It must be
/// able to sign here: its private half is kept on this computer. Records
/// `key_default_set`.
pub async fn set_default(cx: Cx<'_>, kid: &str) -> Result<Outcome<JwtKey>> {
    let server = cx.pc.jwt_keys(&cx.api_key()?).get(kid).await?;
    make_default(cx, server)
}

/// [`set_default`] for a key just read from the service.
pub(crate) fn make_default(cx: Cx<'_>, server: JwtKey) -> Result<Outcome<JwtKey>> {
    let kid = server.id.clone();
    if cx.local().find_by_server_id(&kid).is_none() {
        return Err(Error::validation(format!(
            "JWT key '{}' ({kid}) cannot sign here: its private key is not on this computer.",
            server.name
        )));
    }
    KeyRecords::new(cx.settings).set_default_key(&cx.pc.profile.name, &kid)?;
    let mut out = Outcome::new(server);
    let summary = format!(
        "Made JWT key '{}' ({kid}) the default signing key",
        out.value.name
    );
    cx.record(&mut out.warnings, Action::KeyDefaultSet, &kid, &summary);
    Ok(out)
}

/// One key: a server id, or the local id (`lk_…`) of a key kept here.
pub async fn details(cx: Cx<'_>, id: &str) -> Result<KeyDetails> {
    let local = cx.local();
    if id.starts_with("lk_") {
        let key = local.get(id)?;
        let summary = local.private_key(id)?.public_key().summary()?;
        let status = pairings(&[], std::slice::from_ref(&key)).remove(0);
        return Ok(KeyDetails {
            status,
            summary: Some(summary),
            fingerprints_match: None,
        });
    }
    let server = cx.pc.jwt_keys(&cx.api_key()?).get(id).await?;
    let status = pairings(std::slice::from_ref(&server), &local.list()).remove(0);
    let summary = PublicKey::from_pem(&server.public_key)
        .and_then(|k| k.summary())
        .ok();
    let fingerprints_match = match (&status.fingerprints, &status.local) {
        (Some(f), Some(l)) => Some(f.sha256 == l.fingerprints.sha256),
        _ => None,
    };
    Ok(KeyDetails {
        status,
        summary,
        fingerprints_match,
    })
}

/// A new RSA key pair, generated on a blocking thread: `progress` runs
/// there; setting `cancel` stops it (`cancelled`).
pub async fn generate_pair(
    bits: usize,
    progress: impl Fn(GenProgress) + Send + 'static,
    cancel: Arc<AtomicBool>,
) -> Result<PrivateKey> {
    tokio::task::spawn_blocking(move || keypair::generate(bits, progress, &cancel))
        .await
        .map_err(|e| Error::internal(format!("key generation failed: {e}")))?
}

/// Fails now when the profile's secret store is locked or missing, before
/// a key is generated and long before anything is uploaded.
pub fn check_store(cx: Cx<'_>) -> Result<()> {
    cx.pc.stored(Item::PrivateKey("_probe".into())).map(|_| ())
}

/// Generates a key pair and keeps it in the secret store, not uploaded yet
/// (its name and size checked against the profile's policy first).
pub async fn generate(
    cx: Cx<'_>,
    name: &str,
    bits: usize,
    progress: impl Fn(GenProgress) + Send + 'static,
    cancel: Arc<AtomicBool>,
) -> Result<LocalKey> {
    validate_key_name(name)?;
    allow_key(cx.pc, name, bits)?;
    check_store(cx)?;
    let key = generate_pair(bits, progress, cancel).await?;
    cx.local().add(name, &key)
}

/// Keeps a private key given here (imported) in the secret store, when the
/// profile's policy allows it.
pub fn keep(cx: Cx<'_>, name: &str, key: &PrivateKey) -> Result<LocalKey> {
    validate_key_name(name)?;
    allow_key(cx.pc, name, key.bits())?;
    cx.local().add(name, key)
}

/// Reads a PEM (SPKI, PKCS#1, X.509, PKCS#1/PKCS#8 private, encrypted
/// PKCS#8) and, when asked and possible, keeps its private half here. A
/// key the profile's policy forbids (its size, its name) is refused.
pub fn import(
    cx: Cx<'_>,
    name: &str,
    pem: &Secret,
    passphrase: Option<&Secret>,
    keep_private: bool,
) -> Result<ImportedKeyView> {
    validate_key_name(name)?;
    let imported = import_pem(pem.expose(), passphrase)?;
    allow_key(cx.pc, name, imported.public.bits())?;
    let local = match (&imported.private, keep_private) {
        (Some(key), true) => Some(cx.local().add(name, key)?),
        _ => None,
    };
    Ok(ImportedKeyView {
        kind: imported.kind,
        summary: imported.public.summary()?,
        local,
    })
}

/// A local key's public half: exactly what [`upload`] will send.
pub fn local_key(cx: Cx<'_>, local_id: &str) -> Result<LocalKeyView> {
    let keys = cx.local();
    Ok(LocalKeyView {
        local: keys.get(local_id)?,
        summary: keys.private_key(local_id)?.public_key().summary()?,
    })
}

/// A file name for a local key's private half (`<name>.private.pem`).
pub fn export_file_name(cx: Cx<'_>, local_id: &str) -> Result<String> {
    let name: String = cx
        .local()
        .get(local_id)?
        .name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    Ok(format!("{name}.private.pem"))
}

/// Writes a private key to a new file as PKCS#8 PEM, encrypted when a
/// passphrase is given; mode 0600, never over an existing file.
pub async fn write_private_key(
    key: PrivateKey,
    path: &Path,
    passphrase: Option<Secret>,
) -> Result<()> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let pem = match &passphrase {
            Some(p) => key.to_encrypted_pkcs8_pem(p)?,
            None => key.to_pkcs8_pem()?,
        };
        write_private_key_file(&path, &pem)
    })
    .await
    .map_err(|e| Error::internal(format!("export failed: {e}")))?
}

/// Writes a local key's private half to `path` (see [`write_private_key`]).
pub async fn export_private_key(
    cx: Cx<'_>,
    local_id: &str,
    path: &Path,
    passphrase: Option<Secret>,
) -> Result<()> {
    let key = cx.local().private_key(local_id)?;
    write_private_key(key, path, passphrase).await
}

/// Uploads the public half of a local key (never retried) and links it.
/// A key whose upload failed, or whose server copy is gone, is uploaded
/// again (the resumption); one the service holds is refused, and so is one
/// the profile's policy forbids (made before the policy said so).
pub async fn upload(cx: Cx<'_>, local_id: &str) -> Result<Outcome<UploadedKey>> {
    let keys = cx.local();
    let local = keys.get(local_id)?;
    let public = keys.private_key(local_id)?.public_key();
    allow_key(cx.pc, &local.name, public.bits())?;
    let credential = cx.api_key()?;
    let client = cx.pc.jwt_keys(&credential);
    if let Some(existing) = &local.server_key_id {
        if client.get(existing).await.is_ok() {
            return Err(Error::validation(format!(
                "Local key '{}' is already uploaded as {existing}.",
                local.name
            )));
        }
    }
    let server = client.create(&local.name, &public.to_pem()?).await?;
    let linked = keys.link(local_id, &server.id)?;
    let mut out = Outcome::new(UploadedKey {
        server,
        local: Some(linked),
    });
    record_upload(cx, &mut out.warnings, &out.value.server, &public);
    Ok(out)
}

/// Uploads a public key with no private half here (imported), when the
/// profile's policy allows it.
pub async fn upload_public(cx: Cx<'_>, name: &str, pem: &str) -> Result<Outcome<UploadedKey>> {
    validate_key_name(name)?;
    let public = PublicKey::from_pem(pem)?;
    allow_key(cx.pc, name, public.bits())?;
    let server = cx
        .pc
        .jwt_keys(&cx.api_key()?)
        .create(name, &public.to_pem()?)
        .await?;
    let mut out = Outcome::new(UploadedKey {
        server,
        local: None,
    });
    record_upload(cx, &mut out.warnings, &out.value.server, &public);
    Ok(out)
}

fn record_upload(cx: Cx<'_>, warnings: &mut Vec<String>, server: &JwtKey, public: &PublicKey) {
    let fingerprint = public.fingerprints().map(|f| f.sha256).unwrap_or_default();
    cx.record(
        warnings,
        Action::KeyUpload,
        &server.id,
        &format!(
            "Uploaded JWT key '{}' (RSA {}, SHA-256 {fingerprint})",
            server.name,
            public.bits()
        ),
    );
}

/// Fetches the key back, compares fingerprints, and signs a test JWT here
/// that must verify with the fetched public key.
pub async fn verify_uploaded_key(cx: Cx<'_>, server_id: &str) -> Result<UploadVerification> {
    let server = cx.pc.jwt_keys(&cx.api_key()?).get(server_id).await?;
    verify_against(cx, &server)
}

/// [`verify_uploaded_key`] with the service's copy already fetched.
pub(crate) fn verify_against(cx: Cx<'_>, server: &JwtKey) -> Result<UploadVerification> {
    let server_id = server.id.as_str();
    let keys = cx.local();
    let local = keys.find_by_server_id(server_id);
    let server_fingerprints = server_fingerprints(server);
    let local_fingerprints = local.as_ref().map(|l| l.fingerprints.clone());
    let fingerprints_match = match (&server_fingerprints, &local_fingerprints) {
        (Some(s), Some(l)) => s == l,
        _ => false,
    };
    let test_jwt = match (&local, PublicKey::from_pem(&server.public_key)) {
        (Some(l), Ok(public)) => {
            let private = keys.private_key(&l.local_id)?;
            let signed = signing::sign(
                &private,
                server_id,
                &Subject::AllVideos,
                Duration::minutes(5),
            )?;
            Some(signing::verify(signed.jwt.expose(), &public, Utc::now()))
        }
        _ => None,
    };
    let ok = fingerprints_match && test_jwt.as_ref().is_some_and(Verdict::is_valid);
    let message = match (&server_fingerprints, &local, ok) {
        (_, _, true) => {
            "The service holds this key's public half: a JWT signed here verifies with it."
        }
        (None, _, _) => "The service's copy of the public key cannot be read.",
        (_, None, _) => {
            "No private key for this key on this computer: only the public half was checked."
        }
        _ => "The service's public key does not match the private key kept here.",
    };
    Ok(UploadVerification {
        ok,
        message: message.to_owned(),
        server_fingerprints,
        local_fingerprints,
        fingerprints_match,
        test_jwt,
    })
}

/// Deletes a server key (and, when `delete_local`, its private key here), or
/// a local key that was never uploaded (`server_id` `None`). Each deletion
/// records `key_delete`: the server id, or the local id of a local-only key.
pub async fn delete(
    cx: Cx<'_>,
    server_id: Option<&str>,
    local_id: Option<&str>,
    delete_local: bool,
) -> Result<Outcome<DeleteKeyOutcome>> {
    let summary = server_id.map(|id| format!("Deleted JWT key {id}"));
    let summary = summary.unwrap_or_default();
    delete_as(cx, server_id, local_id, delete_local, &summary).await
}

/// [`delete`], recording a server key's deletion with `summary`. What is
/// kept about the key's retirement (`key_records.rs`) goes with it.
pub(crate) async fn delete_as(
    cx: Cx<'_>,
    server_id: Option<&str>,
    local_id: Option<&str>,
    delete_local: bool,
    summary: &str,
) -> Result<Outcome<DeleteKeyOutcome>> {
    let keys = cx.local();
    let mut out = Outcome::new(DeleteKeyOutcome {
        server_deleted: false,
        local_deleted: false,
    });
    let linked = match (server_id, local_id) {
        (_, Some(l)) => Some(keys.get(l)?),
        (Some(s), None) => keys.find_by_server_id(s),
        (None, None) => return Err(Error::validation("Which key? Give a server or local id.")),
    };
    if let Some(id) = server_id {
        cx.pc.jwt_keys(&cx.api_key()?).delete(id).await?;
        out.value.server_deleted = true;
        cx.record(&mut out.warnings, Action::KeyDelete, id, summary);
        if let Err(e) = KeyRecords::new(cx.settings).forget(&cx.pc.profile.name, id) {
            out.warnings.push(format!(
                "could not forget the key's signing record: {}",
                e.message
            ));
        }
    }
    if let Some(l) = linked.filter(|_| delete_local || server_id.is_none()) {
        keys.remove(&l.local_id)?;
        out.value.local_deleted = true;
        if server_id.is_none() {
            cx.record(
                &mut out.warnings,
                Action::KeyDelete,
                &l.local_id,
                &format!("Deleted local key '{}' (never uploaded)", l.name),
            );
        }
    }
    Ok(out)
}

/// The subject of a request: a video id (trimmed), or all videos when none
/// or blank.
pub fn subject_of(video_id: Option<&str>) -> Subject {
    match video_id.map(str::trim) {
        Some(v) if !v.is_empty() => Subject::Video(v.to_owned()),
        _ => Subject::AllVideos,
    }
}

/// A private key given for one signature (a file the user names), and what
/// to call it in errors.
pub struct GivenKey {
    /// Reads the key (maybe asking for its passphrase): called only once the
    /// lifetime is known to be within the profile's cap.
    pub load: Box<dyn FnOnce() -> Result<PrivateKey> + Send>,
    pub source: String,
}

/// Signs a private-video JWT for no longer than the profile's cap with key
/// `request.server_id` (blank: the profile's default key), with the
/// private half kept here, or with `given` (checked against the uploaded
/// key when the service can be asked). Over the cap: refused before any
/// key is read. The URLs come from the profile's templates; `copy_id` is
/// left empty (the app fills it).
pub async fn sign(
    cx: Cx<'_>,
    request: &SignVideoRequest,
    given: Option<GivenKey>,
) -> Result<SignedVideoJwt> {
    let ttl = Duration::seconds(i64::from(request.ttl_seconds));
    signing::check_ttl(&cx.pc.profile, ttl)?;
    let kid = signing_key(cx, Some(&request.server_id))?;
    let kid = kid.as_str();
    let key = match given {
        Some(given) => check_given(cx, kid, given).await?,
        None => {
            let keys = cx.local();
            let local = keys.find_by_server_id(kid).ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!(
                        "No private key of JWT key {kid} on this computer (profile '{}').",
                        cx.pc.profile.name
                    ),
                )
            })?;
            keys.private_key(&local.local_id)?
        }
    };
    let subject = subject_of(request.video_id.as_deref());
    let signed = signing::sign_for_profile(&cx.pc.profile, &key, kid, &subject, ttl)?;
    // Handed out only once remembered, so a deletion can wait for it.
    KeyRecords::new(cx.settings).note_signed(&cx.pc.profile.name, kid, signed.expires_at)?;
    let jwt = signed.jwt.expose().to_owned();
    let decoded = signing::decode(&jwt)?;
    let link_video = match (&subject, request.link_video_id.as_deref().map(str::trim)) {
        (Subject::AllVideos, Some(id)) if !id.is_empty() => Some(id),
        (Subject::Video(id), _) => Some(id.as_str()),
        _ => None,
    };
    let urls = fill_urls(&url_templates(cx), link_video, &jwt);
    Ok(SignedVideoJwt {
        jwt,
        header: decoded.header,
        claims: decoded.claims,
        expires_at: signed.expires_at,
        urls,
        copy_id: String::new(),
    })
}

/// When the service can be asked, makes sure a given key is the other half
/// of the uploaded key `kid`.
async fn check_given(cx: Cx<'_>, kid: &str, given: GivenKey) -> Result<PrivateKey> {
    let key = (given.load)()?;
    if let Some(credential) = cx.pc.stored(Item::JwtKeysApiKey).ok().flatten() {
        let server: JwtKey = cx.pc.jwt_keys(&credential).get(kid).await?;
        let public = PublicKey::from_pem(&server.public_key)?;
        if !pairs_with(&key, &public) {
            return Err(Error::validation(format!(
                "The private key in {} is not the other half of JWT key {kid} \
                 (its fingerprint is {}, the key's is {}).",
                given.source,
                key.public_key().fingerprints()?.sha256,
                public.fingerprints()?.sha256
            )));
        }
    }
    Ok(key)
}

/// The profile's watch/embed/HLS URL templates (`{video_id}` placeholder).
pub fn url_templates(cx: Cx<'_>) -> VideoUrls {
    cx.settings
        .get(VIDEO_URL_TEMPLATES)
        .and_then(|all| all.get(&cx.pc.profile.name).cloned())
        .and_then(|v: Value| serde_json::from_value(v).ok())
        .unwrap_or_else(default_templates)
}

/// Saves the profile's URL templates (not secret: kept in settings); each
/// must be an http(s) URL.
pub fn set_url_templates(cx: Cx<'_>, templates: VideoUrls) -> Result<VideoUrls> {
    for t in [&templates.watch, &templates.embed, &templates.hls] {
        if !(t.starts_with("https://") || t.starts_with("http://")) {
            return Err(Error::validation(format!(
                "'{t}' is not an http(s) URL template."
            )));
        }
    }
    let mut all = cx
        .settings
        .get(VIDEO_URL_TEMPLATES)
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Default::default()));
    all[cx.pc.profile.name.as_str()] =
        serde_json::to_value(&templates).map_err(|e| Error::internal(e.to_string()))?;
    cx.settings.set(VIDEO_URL_TEMPLATES, all)?;
    Ok(templates)
}

pub fn default_templates() -> VideoUrls {
    VideoUrls {
        watch: "https://watch.vidbeo.com/{video_id}".into(),
        embed: "https://player.vidbeo.com/embed/{video_id}".into(),
        hls: "https://stream.vidbeo.com/{video_id}/playlist.m3u8".into(),
    }
}

/// The templates with `video` in place of `{video_id}` (kept when `None`)
/// and the JWT added.
fn fill_urls(templates: &VideoUrls, video: Option<&str>, jwt: &str) -> VideoUrls {
    let fill = |t: &str| {
        let url = match video {
            Some(id) => t.replace("{video_id}", &percent_encode(id)),
            None => t.to_owned(),
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}jwt={jwt}")
    };
    VideoUrls {
        watch: fill(&templates.watch),
        embed: fill(&templates.embed),
        hls: fill(&templates.hls),
    }
}

fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sandbox profiles only: would the sandbox player play `video_id` with `jwt`?
pub async fn test_playback(cx: Cx<'_>, video_id: &str, jwt: &str) -> Result<PlaybackVerdict> {
    if !cx.is_sandbox() {
        return Err(Error::validation(
            "The playback test runs against the sandbox only.",
        ));
    }
    let base = sandbox_base(cx.pc.url(Service::JwtKeys))?;
    let mut url = join(base, "/sandbox/playback")?;
    url.path_segments_mut()
        .map_err(|_| Error::config(format!("{base} cannot be a base URL.")))?
        .push(video_id);
    url.query_pairs_mut().append_pair("jwt", jwt);
    let resp = cx
        .pc
        .http
        .send(&Call::new(Service::JwtKeys, Method::GET, url))
        .await?;
    let body = resp.json()?;
    let text = |k: &str| body[k].as_str().map(str::to_owned);
    let allowed = body["allowed"].as_bool().unwrap_or(false);
    Ok(PlaybackVerdict {
        allowed,
        reason: text("reason"),
        message: text("message").unwrap_or_else(|| {
            if allowed {
                format!("The sandbox player would play video {video_id}.")
            } else {
                format!("Refused (HTTP {}).", resp.status.as_u16())
            }
        }),
    })
}

/// The sandbox's base URL: its JWT keys URL without `/jwt-keys/v2`.
pub fn sandbox_base(jwt_keys_url: &str) -> Result<&str> {
    let url = jwt_keys_url.trim_end_matches('/');
    url.strip_suffix(SANDBOX_JWT_KEYS_PREFIX).ok_or_else(|| {
        Error::config(format!(
            "{url} is not a sandbox JWT keys URL (…{SANDBOX_JWT_KEYS_PREFIX})."
        ))
    })
}

/// Any JWT: decoded, checked against the uploaded key its kid names.
pub async fn verify_jwt(cx: Cx<'_>, jwt: &str) -> Result<Verdict> {
    let credential = cx.api_key()?;
    signing::verify_with_service(jwt.trim(), &cx.pc.jwt_keys(&credential)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_jwt_and_the_encoded_video() {
        let urls = fill_urls(
            &VideoUrls {
                watch: "https://w/{video_id}".into(),
                embed: "https://e/{video_id}?autoplay=1".into(),
                hls: "https://h/{video_id}/p.m3u8".into(),
            },
            Some("a b"),
            "J",
        );
        assert_eq!(urls.watch, "https://w/a%20b?jwt=J");
        assert_eq!(urls.embed, "https://e/a%20b?autoplay=1&jwt=J");
        assert_eq!(urls.hls, "https://h/a%20b/p.m3u8?jwt=J");
        let all = fill_urls(&default_templates(), None, "J");
        assert!(all.watch.contains("{video_id}"));
    }

    #[test]
    fn the_sandbox_base_drops_the_jwt_keys_prefix() {
        assert_eq!(
            sandbox_base("http://127.0.0.1:4100/jwt-keys/v2/").ok(),
            Some("http://127.0.0.1:4100")
        );
        assert!(sandbox_base("https://api.vidbeo.com/v2").is_err());
    }

    #[test]
    fn a_blank_video_means_all_videos() {
        assert_eq!(subject_of(Some(" v1 ")), Subject::Video("v1".into()));
        assert_eq!(subject_of(Some("  ")), Subject::AllVideos);
        assert_eq!(subject_of(None), Subject::AllVideos);
    }
}
