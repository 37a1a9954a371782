//! JWT signing keys (issue 7): adapters of `portal_core::ops::keys`, which
//! holds the use cases and records them. The private half stays in Rust: only
//! fingerprints and public PEMs cross to the UI. Signed private-video JWTs do
//! cross, to be shown; copying one (or a URL carrying it) goes through Rust
//! (`copy_held`), which clears the clipboard afterwards. What stays here is UI
//! mechanics: `keygen-progress` events and the one cancellable generation
//! (`Keygen`), the save dialog, and the held copies.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use portal_core::context::ProfileContext;
use portal_core::jwt_keys::JwtKey;
use portal_core::keypair::GenProgress;
use portal_core::local_keys::LocalKey;
use portal_core::ops::keys::{self as ops, Cx};
use portal_core::ops::playback::{self, PlaybackReport};
use portal_core::profiles::Profile;
use portal_core::signing::Verdict;
use portal_core::{Error, Result, Secret};
use tauri::{AppHandle, Emitter, Runtime, State};

use tracing::instrument;

use crate::copies::{copy_to_clipboard, Copies};
use crate::dto::{
    ClipboardCopy, DeleteKeyOutcome, ImportKeyInput, ImportedKeyView, KeyDetails, KeysOverview,
    LocalKeyView, PlaybackVerdict, SignVideoRequest, SignedVideoJwt, UploadVerification,
    UploadedKey, VideoUrls,
};
use crate::running::Running;
use crate::save_dialog::ask_save_path;
use crate::state::{logged, AppCtx};

/// The event that carries [`GenProgress`] while a key is generated.
pub const KEYGEN_PROGRESS: &str = "keygen-progress";

/// The cancel flag of the generation under way (one at a time).
pub type Keygen = Running<AtomicBool>;

/// The key use cases' view of this app: its settings, recording here.
pub(super) fn cx<'a>(ctx: &'a AppCtx, pc: &'a ProfileContext) -> Cx<'a> {
    Cx {
        pc,
        settings: ctx.settings.as_ref(),
        recorder: ctx,
    }
}

/// Every key of the profile (all pages) with its pairing.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn keys_overview(ctx: State<'_, AppCtx>) -> Result<KeysOverview> {
    let pc = ctx.active_context().await?;
    ops::overview(cx(&ctx, &pc)).await
}

/// One key: a server id, or the local id (`lk_…`) of a key not uploaded.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn key_details(ctx: State<'_, AppCtx>, id: String) -> Result<KeyDetails> {
    let pc = ctx.active_context().await?;
    ops::details(cx(&ctx, &pc), &id).await
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
/// One generation at a time; its flag is the one `cancel_keygen` sets.
async fn generate_and_keep(
    ctx: &AppCtx,
    keygen: &Keygen,
    name: String,
    bits: u32,
    progress: impl Fn(GenProgress) + Send + 'static,
) -> Result<LocalKey> {
    let pc = ctx.active_context().await?;
    let cancel = Arc::new(AtomicBool::new(false));
    let generated = ops::generate(cx(ctx, &pc), &name, bits as usize, progress, cancel.clone());
    let busy = "A key is already being generated.";
    keygen.run(cancel, busy, generated).await
}

#[tauri::command]
#[instrument(skip_all)]
pub fn cancel_keygen(keygen: State<'_, Keygen>) {
    keygen.with_current(|flag| flag.store(true, Ordering::Relaxed));
}

/// Reads a PEM (SPKI, PKCS#1, X.509, PKCS#1/PKCS#8 private, encrypted
/// PKCS#8) and, when asked and possible, keeps its private half here.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn import_key(ctx: State<'_, AppCtx>, input: ImportKeyInput) -> Result<ImportedKeyView> {
    // The PEM may hold a private key: wrapped (zeroized on drop) before anything can fail.
    let pem = Secret::from(input.pem);
    let passphrase = input.passphrase.map(Secret::from);
    let (name, keep) = (input.name, input.keep_private);
    let pc = ctx.active_context().await?;
    ops::import(cx(&ctx, &pc), &name, &pem, passphrase.as_ref(), keep)
}

/// A local key's public half: exactly what `upload_key` will send.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn local_key(ctx: State<'_, AppCtx>, local_id: String) -> Result<LocalKeyView> {
    let pc = ctx.active_context().await?;
    ops::local_key(cx(&ctx, &pc), &local_id)
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
    let cx = cx(&ctx, &pc);
    let file_name = ops::export_file_name(cx, &local_id)?;
    let Some(path) = ask_save_path(&handle, &file_name, "PEM", "pem").await? else {
        return Ok(None);
    };
    ops::export_private_key(cx, &local_id, &path, passphrase).await?;
    Ok(Some(path.display().to_string()))
}

/// Uploads the public half of a local key (never retried) and links it;
/// again after a failed upload (resume).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn upload_key(ctx: State<'_, AppCtx>, local_id: String) -> Result<UploadedKey> {
    let pc = ctx.active_context().await?;
    ops::upload(cx(&ctx, &pc), &local_id).await.map(logged)
}

/// Uploads an imported public key (no private half here).
#[tauri::command]
#[instrument(skip(ctx, pem), err)]
pub async fn upload_public_key(
    ctx: State<'_, AppCtx>,
    name: String,
    pem: String,
) -> Result<UploadedKey> {
    let pc = ctx.active_context().await?;
    let uploaded = ops::upload_public(cx(&ctx, &pc), &name, &pem).await;
    uploaded.map(logged)
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
    ops::verify_uploaded_key(cx(&ctx, &pc), &server_id).await
}

/// Makes an uploaded key whose private half is here the profile's default
/// signing key (preselected when signing).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_default_key(ctx: State<'_, AppCtx>, server_id: String) -> Result<JwtKey> {
    let pc = ctx.active_context().await?;
    ops::set_default(cx(&ctx, &pc), &server_id)
        .await
        .map(logged)
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
    let (server, local) = (server_id.as_deref(), local_id.as_deref());
    let deleted = ops::delete(cx(&ctx, &pc), server, local, delete_local).await;
    deleted.map(logged)
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
    ops::sign(cx(ctx, &pc), &request, None).await
}

/// Sets the active profile's longest JWT lifetime (1 minute to 365 days).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_jwt_max_ttl(ctx: State<'_, AppCtx>, seconds: u32) -> Result<Profile> {
    let name = ctx.profiles().active_name();
    let name = name.ok_or_else(|| Error::config("No profile yet."))?;
    let changes = portal_core::ops::profiles::Changes {
        jwt_max_ttl_seconds: Some(seconds),
        ..Default::default()
    };
    let edited = portal_core::ops::profiles::edit(ctx.profiles_cx(), &name, changes)?;
    Ok(crate::state::logged(edited).profile)
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
    Ok(ClipboardCopy {
        clears_in_seconds: copy_to_clipboard(&app, &text, ctx.clipboard_clear_seconds())?,
    })
}

/// The active profile's watch / embed / HLS URL templates.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn video_url_templates(ctx: State<'_, AppCtx>) -> Result<VideoUrls> {
    let pc = ctx.active_context().await?;
    Ok(ops::url_templates(cx(&ctx, &pc)))
}

/// Saves the active profile's URL templates (not secret: kept in settings).
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_video_url_templates(
    ctx: State<'_, AppCtx>,
    templates: VideoUrls,
) -> Result<VideoUrls> {
    let pc = ctx.active_context().await?;
    ops::set_url_templates(cx(&ctx, &pc), templates)
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
    ops::test_playback(cx(&ctx, &pc), &video_id, &jwt).await
}

/// Any JWT: decoded, checked against the uploaded key its kid names.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn verify_any_jwt(ctx: State<'_, AppCtx>, jwt: String) -> Result<Verdict> {
    let pc = ctx.active_context().await?;
    ops::verify_jwt(cx(&ctx, &pc), &jwt).await
}

/// The playback doctor: why a watch, embed or HLS URL (or a bare JWT) would
/// not play, check by check (a read: nothing recorded; the JWT does not
/// come back). `skew_seconds` defaults to a minute.
#[tauri::command]
#[instrument(skip(ctx, input), err)]
pub async fn diagnose_playback(
    ctx: State<'_, AppCtx>,
    input: String,
    skew_seconds: Option<u32>,
) -> Result<PlaybackReport> {
    let pc = ctx.active_context().await?;
    let skew = skew_seconds.unwrap_or(playback::DEFAULT_SKEW_SECONDS);
    playback::doctor(
        cx(&ctx, &pc),
        &input,
        chrono::Duration::seconds(i64::from(skew)),
    )
    .await
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
