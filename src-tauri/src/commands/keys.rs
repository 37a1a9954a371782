//! JWT signing keys (issue 7). The private half stays in Rust: it is kept
//! in the profile's secret store before anything is uploaded, and only
//! fingerprints and public PEMs cross to the UI. Signed private-video JWTs do
//! cross, to be shown; copying one (or a URL carrying it) goes through Rust
//! (`copy_held`), which clears the clipboard afterwards. A JWT lives no
//! longer than the profile's cap (`Profile::jwt_max_ttl_seconds`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use portal_core::activity::Action;
use portal_core::context::ProfileContext;
use portal_core::http::{join, Call};
use portal_core::jwt_keys::{validate_key_name, JwtKey};
use portal_core::keypair::{self, import_pem, write_private_key_file, GenProgress, PublicKey};
use portal_core::local_keys::{pairings, server_fingerprints, unchecked, LocalKey, LocalKeys};
use portal_core::profile_secrets::VIDEO_URL_TEMPLATES;
use portal_core::profiles::{Environment, KeyValueStore, Profile};
use portal_core::secrets::Item;
use portal_core::signing::{self, Subject, Verdict};
use portal_core::token_records::TokenRecords;
use portal_core::{Error, ErrorCode, Result, Secret, Service};
use serde_json::Value;
use tauri::{AppHandle, Emitter, Runtime, State};

use tracing::instrument;

use crate::copies::{copy_to_clipboard, Copies};
use crate::dto::{
    ClipboardCopy, DeleteKeyOutcome, ImportKeyInput, ImportedKeyView, KeyDetails, KeysOverview,
    LocalKeyView, PlaybackVerdict, SignVideoRequest, SignedVideoJwt, UploadVerification,
    UploadedKey, VideoUrls,
};
use crate::save_dialog::ask_save_path;
use crate::state::AppCtx;

/// The event that carries [`GenProgress`] while a key is generated.
pub const KEYGEN_PROGRESS: &str = "keygen-progress";
/// Where the sandbox's JWT keys API lives under its base URL.
const SANDBOX_JWT_KEYS_PREFIX: &str = "/jwt-keys/v2";

/// The cancel flag of the generation under way (one at a time).
#[derive(Default)]
pub struct Keygen(Mutex<Option<Arc<AtomicBool>>>);

fn api_key(pc: &ProfileContext) -> Result<Secret> {
    pc.credential(Item::JwtKeysApiKey, Service::JwtKeys)
}

fn is_sandbox(pc: &ProfileContext) -> bool {
    pc.profile.embedded_sandbox || pc.profile.environment == Environment::Sandbox
}

fn settings(ctx: &AppCtx) -> &dyn KeyValueStore {
    ctx.settings.as_ref()
}

/// Every key of the profile (all pages) with its pairing.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn keys_overview(ctx: State<'_, AppCtx>) -> Result<KeysOverview> {
    let pc = ctx.active_context().await?;
    let local = LocalKeys::new(settings(&ctx), &pc).list();
    let server = async { pc.jwt_keys(&api_key(&pc)?).list_all().await }.await;
    let (rows, server_error) = match server {
        Ok(server) => (pairings(&server, &local), None),
        Err(e) if local.is_empty() => return Err(e),
        // The keys kept here are still listed (to export, inspect or
        // delete) when the service does not answer.
        Err(e) => (unchecked(&local), Some(e)),
    };
    Ok(KeysOverview {
        rows,
        sandbox: is_sandbox(&pc),
        server_error,
    })
}

/// One key: a server id, or the local id (`lk_…`) of a key not uploaded.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn key_details(ctx: State<'_, AppCtx>, id: String) -> Result<KeyDetails> {
    let pc = ctx.active_context().await?;
    let local = LocalKeys::new(settings(&ctx), &pc);
    if id.starts_with("lk_") {
        let key = local.get(&id)?;
        let summary = local.private_key(&id)?.public_key().summary()?;
        let status = pairings(&[], std::slice::from_ref(&key)).remove(0);
        return Ok(KeyDetails {
            status,
            summary: Some(summary),
            fingerprints_match: None,
        });
    }
    let server = pc.jwt_keys(&api_key(&pc)?).get(&id).await?;
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

/// Generates a key pair off the UI thread (progress: `keygen-progress`
/// events; `cancel_keygen` stops it) and keeps it in the secret store, not
/// uploaded yet.
#[tauri::command]
#[instrument(skip(app, ctx, keygen), err)]
pub async fn generate_key<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    keygen: State<'_, Keygen>,
    name: String,
    bits: u32,
) -> Result<LocalKey> {
    generate_and_keep(&ctx, &keygen, name, bits, move |p| {
        let _ = app.emit(KEYGEN_PROGRESS, p);
    })
    .await
}

/// [`generate_key`] without Tauri: `progress` runs on the blocking thread.
async fn generate_and_keep(
    ctx: &AppCtx,
    keygen: &Keygen,
    name: String,
    bits: u32,
    progress: impl Fn(GenProgress) + Send + 'static,
) -> Result<LocalKey> {
    validate_key_name(&name)?;
    let pc = ctx.active_context().await?;
    // A locked or missing secret store fails now, before the work.
    pc.stored(Item::PrivateKey("_probe".into()))?;
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut slot = keygen.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(Error::validation("A key is already being generated."));
        }
        *slot = Some(cancel.clone());
    }
    let flag = cancel.clone();
    let generated =
        tokio::task::spawn_blocking(move || keypair::generate(bits as usize, progress, &flag))
            .await;
    *keygen.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    let key = generated.map_err(|e| Error::internal(format!("key generation failed: {e}")))??;
    LocalKeys::new(settings(ctx), &pc).add(&name, &key)
}

#[tauri::command]
#[instrument(skip_all)]
pub fn cancel_keygen(keygen: State<'_, Keygen>) {
    if let Some(flag) = keygen.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        flag.store(true, Ordering::Relaxed);
    }
}

/// Reads a PEM (SPKI, PKCS#1, X.509, PKCS#1/PKCS#8 private, encrypted
/// PKCS#8) and, when asked and possible, keeps its private half here.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn import_key(ctx: State<'_, AppCtx>, input: ImportKeyInput) -> Result<ImportedKeyView> {
    // The PEM may hold a private key: wrapped (zeroized on drop) before anything can fail.
    let pem = Secret::from(input.pem);
    let passphrase = input.passphrase.map(Secret::from);
    validate_key_name(&input.name)?;
    let imported = import_pem(pem.expose(), passphrase.as_ref())?;
    let local = match (&imported.private, input.keep_private) {
        (Some(key), true) => {
            let pc = ctx.active_context().await?;
            Some(LocalKeys::new(settings(&ctx), &pc).add(&input.name, key)?)
        }
        _ => None,
    };
    Ok(ImportedKeyView {
        kind: imported.kind,
        summary: imported.public.summary()?,
        local,
    })
}

/// A local key's public half: exactly what `upload_key` will send.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn local_key(ctx: State<'_, AppCtx>, local_id: String) -> Result<LocalKeyView> {
    let pc = ctx.active_context().await?;
    let keys = LocalKeys::new(settings(&ctx), &pc);
    Ok(LocalKeyView {
        local: keys.get(&local_id)?,
        summary: keys.private_key(&local_id)?.public_key().summary()?,
    })
}

/// Writes the private key to a file the user picks in a native dialog
/// (opened here: the webview never names a path), as PKCS#8 PEM, encrypted
/// when a passphrase is given; mode 0600. `None` when the user cancelled.
#[tauri::command]
#[instrument(skip(handle, ctx, passphrase), err)]
pub async fn export_private_key<R: Runtime>(
    handle: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    local_id: String,
    passphrase: Option<String>,
) -> Result<Option<String>> {
    let passphrase = passphrase.filter(|p| !p.is_empty()).map(Secret::from);
    let pc = ctx.active_context().await?;
    let keys = LocalKeys::new(settings(&ctx), &pc);
    let local = keys.get(&local_id)?;
    let key = keys.private_key(&local_id)?;
    let file_name: String = local
        .name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let Some(path) =
        ask_save_path(&handle, &format!("{file_name}.private.pem"), "PEM", "pem").await?
    else {
        return Ok(None);
    };
    let written = path.clone();
    tokio::task::spawn_blocking(move || {
        let pem = match &passphrase {
            Some(p) => key.to_encrypted_pkcs8_pem(p)?,
            None => key.to_pkcs8_pem()?,
        };
        write_private_key_file(&written, &pem)
    })
    .await
    .map_err(|e| Error::internal(format!("export failed: {e}")))??;
    Ok(Some(path.display().to_string()))
}

/// Uploads the public half of a local key (never retried) and links it.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn upload_key(ctx: State<'_, AppCtx>, local_id: String) -> Result<UploadedKey> {
    let pc = ctx.active_context().await?;
    let keys = LocalKeys::new(settings(&ctx), &pc);
    let local = keys.get(&local_id)?;
    let public = keys.private_key(&local_id)?.public_key();
    let credential = api_key(&pc)?;
    let client = pc.jwt_keys(&credential);
    if let Some(existing) = &local.server_key_id {
        if client.get(existing).await.is_ok() {
            return Err(Error::validation(format!(
                "Local key '{}' is already uploaded as {existing}.",
                local.name
            )));
        }
    }
    let server = client.create(&local.name, &public.to_pem()?).await?;
    let linked = keys.link(&local_id, &server.id)?;
    record_upload(&ctx, &pc, &server, &public);
    Ok(UploadedKey {
        server,
        local: Some(linked),
    })
}

/// Uploads an imported public key (no private half here).
#[tauri::command]
#[instrument(skip(ctx, pem), err)]
pub async fn upload_public_key(
    ctx: State<'_, AppCtx>,
    name: String,
    pem: String,
) -> Result<UploadedKey> {
    let public = PublicKey::from_pem(&pem)?;
    let pc = ctx.active_context().await?;
    let server = pc
        .jwt_keys(&api_key(&pc)?)
        .create(&name, &public.to_pem()?)
        .await?;
    record_upload(&ctx, &pc, &server, &public);
    Ok(UploadedKey {
        server,
        local: None,
    })
}

fn record_upload(ctx: &AppCtx, pc: &ProfileContext, server: &JwtKey, public: &PublicKey) {
    let fingerprint = public.fingerprints().map(|f| f.sha256).unwrap_or_default();
    ctx.record(
        &pc.profile.name,
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
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn verify_uploaded_key(
    ctx: State<'_, AppCtx>,
    server_id: String,
) -> Result<UploadVerification> {
    let pc = ctx.active_context().await?;
    let server = pc.jwt_keys(&api_key(&pc)?).get(&server_id).await?;
    let keys = LocalKeys::new(settings(&ctx), &pc);
    let local = keys.find_by_server_id(&server_id);
    let server_fingerprints = server_fingerprints(&server);
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
                &server_id,
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

/// Deletes a server key (and, when asked, its private key here), or a local
/// key that was never uploaded (`server_id` null).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn delete_key(
    ctx: State<'_, AppCtx>,
    server_id: Option<String>,
    local_id: Option<String>,
    delete_local: bool,
) -> Result<DeleteKeyOutcome> {
    let pc = ctx.active_context().await?;
    let keys = LocalKeys::new(settings(&ctx), &pc);
    let mut outcome = DeleteKeyOutcome {
        server_deleted: false,
        local_deleted: false,
    };
    let linked = match (&server_id, &local_id) {
        (_, Some(l)) => Some(keys.get(l)?),
        (Some(s), None) => keys.find_by_server_id(s),
        (None, None) => return Err(Error::validation("Which key? Give a server or local id.")),
    };
    if let Some(id) = &server_id {
        pc.jwt_keys(&api_key(&pc)?).delete(id).await?;
        outcome.server_deleted = true;
        ctx.record(
            &pc.profile.name,
            Action::KeyDelete,
            id,
            &format!("Deleted JWT key {id}"),
        );
    }
    if let Some(l) = linked.filter(|_| delete_local || server_id.is_none()) {
        keys.remove(&l.local_id)?;
        outcome.local_deleted = true;
        if server_id.is_none() {
            ctx.record(
                &pc.profile.name,
                Action::KeyDelete,
                &l.local_id,
                &format!("Deleted local key '{}' (never uploaded)", l.name),
            );
        }
    }
    Ok(outcome)
}

/// Signs a private-video JWT with the private half kept here, for no longer
/// than the profile's cap. The JWT and its URLs are held for `copy_held`.
#[tauri::command]
#[instrument(skip(app, ctx, copies), err)]
pub async fn sign_video_jwt<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    copies: State<'_, Copies>,
    request: SignVideoRequest,
) -> Result<SignedVideoJwt> {
    let signed = sign_video(&ctx, request).await?;
    let copy_id = copies.hold(
        &app,
        vec![
            ("jwt", Secret::new(signed.jwt.as_str())),
            ("watch", Secret::new(signed.urls.watch.as_str())),
            ("embed", Secret::new(signed.urls.embed.as_str())),
            ("hls", Secret::new(signed.urls.hls.as_str())),
        ],
    );
    Ok(SignedVideoJwt { copy_id, ..signed })
}

/// [`sign_video_jwt`] without Tauri (its `copy_id` is left empty).
async fn sign_video(ctx: &AppCtx, request: SignVideoRequest) -> Result<SignedVideoJwt> {
    let pc = ctx.active_context().await?;
    let ttl = Duration::seconds(i64::from(request.ttl_seconds));
    // Over the cap: refused before the key is read.
    signing::check_ttl(&pc.profile, ttl)?;
    let keys = LocalKeys::new(settings(ctx), &pc);
    let local = keys.find_by_server_id(&request.server_id).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!(
                "No private key of JWT key {} on this computer.",
                request.server_id
            ),
        )
    })?;
    let subject = match request.video_id.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Subject::Video(v.to_owned()),
        _ => Subject::AllVideos,
    };
    let signed = signing::sign_for_profile(
        &pc.profile,
        &keys.private_key(&local.local_id)?,
        &request.server_id,
        &subject,
        ttl,
    )?;
    let jwt = signed.jwt.expose().to_owned();
    let decoded = signing::decode(&jwt)?;
    let urls = fill_urls(&url_templates(ctx, &pc), &subject, &jwt);
    Ok(SignedVideoJwt {
        jwt,
        header: decoded.header,
        claims: decoded.claims,
        expires_at: signed.expires_at,
        urls,
        copy_id: String::new(),
    })
}

/// Sets the active profile's longest JWT lifetime (1 minute to 365 days).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_jwt_max_ttl(ctx: State<'_, AppCtx>, seconds: u32) -> Result<Profile> {
    let profiles = ctx.profiles();
    let name = profiles
        .active_name()
        .ok_or_else(|| Error::config("No profile yet."))?;
    profiles.set_jwt_max_ttl(&name, seconds)
}

/// Copies a held signed JWT, one of its URLs, or a share link (`part`) to
/// the clipboard from Rust, cleared after the configured delay.
#[tauri::command]
#[instrument(skip(app, ctx, copies), err)]
pub fn copy_held<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    copies: State<'_, Copies>,
    copy_id: String,
    part: String,
) -> Result<ClipboardCopy> {
    let text = copies.part_at(&copy_id, &part, std::time::Instant::now())?;
    let delay = TokenRecords::new(settings(&ctx))
        .preferences()
        .clipboard_clear_seconds;
    Ok(ClipboardCopy {
        clears_in_seconds: copy_to_clipboard(&app, &text, delay)?,
    })
}

/// The profile's watch/embed/HLS URL templates (`{video_id}` placeholder).
fn url_templates(ctx: &AppCtx, pc: &ProfileContext) -> VideoUrls {
    settings(ctx)
        .get(VIDEO_URL_TEMPLATES)
        .and_then(|all| all.get(&pc.profile.name).cloned())
        .and_then(|v: Value| serde_json::from_value(v).ok())
        .unwrap_or_else(default_templates)
}

/// The active profile's watch / embed / HLS URL templates.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn video_url_templates(ctx: State<'_, AppCtx>) -> Result<VideoUrls> {
    let pc = ctx.active_context().await?;
    Ok(url_templates(&ctx, &pc))
}

/// Saves the active profile's URL templates (not secret: kept in settings).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_video_url_templates(
    ctx: State<'_, AppCtx>,
    templates: VideoUrls,
) -> Result<VideoUrls> {
    for t in [&templates.watch, &templates.embed, &templates.hls] {
        if !(t.starts_with("https://") || t.starts_with("http://")) {
            return Err(Error::validation(format!(
                "'{t}' is not an http(s) URL template."
            )));
        }
    }
    let pc = ctx.active_context().await?;
    let mut all = settings(&ctx)
        .get(VIDEO_URL_TEMPLATES)
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Default::default()));
    all[pc.profile.name.as_str()] =
        serde_json::to_value(&templates).map_err(|e| Error::internal(e.to_string()))?;
    settings(&ctx).set(VIDEO_URL_TEMPLATES, all)?;
    Ok(templates)
}

fn default_templates() -> VideoUrls {
    VideoUrls {
        watch: "https://watch.vidbeo.com/{video_id}".into(),
        embed: "https://player.vidbeo.com/embed/{video_id}".into(),
        hls: "https://stream.vidbeo.com/{video_id}/playlist.m3u8".into(),
    }
}

fn fill_urls(templates: &VideoUrls, subject: &Subject, jwt: &str) -> VideoUrls {
    let fill = |t: &str| {
        let url = match subject {
            Subject::Video(id) => t.replace("{video_id}", &percent_encode(id)),
            Subject::AllVideos => t.to_owned(),
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
#[tauri::command]
#[instrument(skip(ctx, jwt), err)]
pub async fn test_playback(
    ctx: State<'_, AppCtx>,
    video_id: String,
    jwt: String,
) -> Result<PlaybackVerdict> {
    let pc = ctx.active_context().await?;
    if !is_sandbox(&pc) {
        return Err(Error::validation(
            "The playback test runs against the sandbox only.",
        ));
    }
    let base = sandbox_base(pc.url(Service::JwtKeys))?;
    let mut url = join(base, "/sandbox/playback")?;
    url.path_segments_mut()
        .map_err(|_| Error::config(format!("{base} cannot be a base URL.")))?
        .push(&video_id);
    url.query_pairs_mut().append_pair("jwt", &jwt);
    let resp = pc
        .http
        .send(&Call::new(Service::JwtKeys, tauri::http::Method::GET, url))
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
fn sandbox_base(jwt_keys_url: &str) -> Result<&str> {
    let url = jwt_keys_url.trim_end_matches('/');
    url.strip_suffix(SANDBOX_JWT_KEYS_PREFIX).ok_or_else(|| {
        Error::config(format!(
            "{url} is not a sandbox JWT keys URL (…{SANDBOX_JWT_KEYS_PREFIX})."
        ))
    })
}

/// Any JWT: decoded, checked against the uploaded key its kid names.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn verify_any_jwt(ctx: State<'_, AppCtx>, jwt: String) -> Result<Verdict> {
    let pc = ctx.active_context().await?;
    let credential = api_key(&pc)?;
    signing::verify_with_service(jwt.trim(), &pc.jwt_keys(&credential)).await
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
            &Subject::Video("a b".into()),
            "J",
        );
        assert_eq!(urls.watch, "https://w/a%20b?jwt=J");
        assert_eq!(urls.embed, "https://e/a%20b?autoplay=1&jwt=J");
        assert_eq!(urls.hls, "https://h/a%20b/p.m3u8?jwt=J");
        let all = fill_urls(&default_templates(), &Subject::AllVideos, "J");
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
}

#[cfg(test)]
#[path = "keys_flow.rs"]
mod flow;

#[cfg(test)]
mod bindings {
    use ts_rs::TS;

    /// The `keygen-progress` event's payload is not a command result: export it here.
    #[test]
    fn export_keygen_progress() {
        portal_core::keypair::GenProgress::export_all(&ts_rs::Config::from_env())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
