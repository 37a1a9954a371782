//! Token commands: adapters of the use cases in `portal_core::ops::tokens`,
//! plus the one-time reveal of a created value (UI mechanics, `reveal.rs`).

use chrono::Utc;
use portal_core::ops::tokens::{RotationPair, RotationsReport};
use portal_core::ops::{self};
use portal_core::profiles::KeyValueStore;
use portal_core::snippets::{usage_snippets, CopyWhat, Snippet};
use portal_core::token_records::{Preferences, RotationReminder, SavedToken, TokenRecords};
use portal_core::vaultstream::{ApiToken, NewToken, ScopeInfo, UserJwtRequest, SCOPES};
use portal_core::Result;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_notification::NotificationExt;
use tracing::instrument;

use crate::dto::{ClipboardCopy, CreatedTokenView, NewTokenInput, UserJwtView};
use crate::reveal::Reveals;
use crate::state::{logged, AppCtx};
use crate::warm::{self, StartupTokens};

/// Every token of the active profile, all pages (never their values). Warns
/// on the desktop about tokens expiring within 7 days, once per token per day.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn list_tokens<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    startup: State<'_, StartupTokens>,
) -> Result<Vec<ApiToken>> {
    let pc = ctx.active_context().await?;
    let tokens = match startup.take(&pc.profile.name, warm::FRESH_FOR).await {
        Some(tokens) => tokens,
        None => warm::fetch_tokens(&pc).await?,
    };
    notify_expiring(&app, ctx.settings.as_ref(), &pc.profile.name, &tokens)?;
    Ok(tokens)
}

/// A desktop notification per token expiring within 7 days, once per token
/// per day (one not shown is only logged).
fn notify_expiring<R: Runtime>(
    app: &AppHandle<R>,
    settings: &dyn KeyValueStore,
    profile: &str,
    tokens: &[ApiToken],
) -> Result<()> {
    let due = TokenRecords::new(settings).due_expiry_warnings(profile, tokens, Utc::now())?;
    for t in due {
        let when = t
            .expires_at
            .map(|e| e.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        let body = format!(
            "'{}' ({}) of profile {profile} expires {when}. Rotate it before then.",
            t.name, t.id
        );
        notify(app, "API token expires soon", &body);
    }
    Ok(())
}

/// A desktop notification (one not shown is only logged).
pub(crate) fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(e) = shown {
        tracing::debug!("desktop notification not shown: {e}");
    }
}

#[tauri::command]
pub fn token_scopes() -> Vec<ScopeInfo> {
    SCOPES.to_vec()
}

/// Creates a token (never retried: a lost answer is `outcome_unknown`) and
/// holds its value for the one-time reveal.
#[tauri::command]
#[instrument(skip_all, fields(name = %input.name), err)]
pub async fn create_token<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    reveals: State<'_, Reveals>,
    input: NewTokenInput,
) -> Result<CreatedTokenView> {
    // Bad input fails before the embedded sandbox starts.
    let new = NewToken::from(input).validated()?;
    let pc = ctx.active_context().await?;
    let created = logged(ops::tokens::create(&pc, ctx.inner(), new).await?);
    Ok(reveals.hold(&app, &pc, created))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub fn reveal_token(reveals: State<'_, Reveals>, reveal_id: String) -> Result<String> {
    reveals.reveal(&reveal_id)
}

#[tauri::command]
#[instrument(skip(app, ctx, reveals), err)]
pub fn copy_token<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    reveals: State<'_, Reveals>,
    reveal_id: String,
    what: CopyWhat,
) -> Result<ClipboardCopy> {
    let delay = ctx.clipboard_clear_seconds();
    Ok(ClipboardCopy {
        clears_in_seconds: reveals.copy(&app, &reveal_id, what, delay)?,
    })
}

#[tauri::command]
#[instrument(skip_all, err)]
pub fn token_snippets(reveals: State<'_, Reveals>, reveal_id: String) -> Result<Vec<Snippet>> {
    reveals.with(&reveal_id, |p| Ok(usage_snippets(&p.base_url)))
}

/// Keeps the revealed value in the keychain under its profile.
#[tauri::command]
#[instrument(skip_all, err)]
pub fn save_revealed_token(
    ctx: State<'_, AppCtx>,
    reveals: State<'_, Reveals>,
    reveal_id: String,
) -> Result<SavedToken> {
    let (secrets, settings) = (ctx.secrets()?, ctx.settings.as_ref());
    let saved = reveals.with(&reveal_id, |p| {
        ops::tokens::save(secrets.as_ref(), settings, &p.profile, &p.token, &p.value)
    })?;
    Ok(logged(saved))
}

#[tauri::command]
#[instrument(skip_all)]
pub fn close_reveal<R: Runtime>(app: AppHandle<R>, reveals: State<'_, Reveals>, reveal_id: String) {
    reveals.close(&app, &reveal_id);
}

/// Revokes a token (effective within 60 s globally) and forgets what the
/// portal kept about it.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn revoke_token(ctx: State<'_, AppCtx>, id: String) -> Result<()> {
    let pc = ctx.active_context().await?;
    let done = ops::tokens::revoke(&pc, ctx.inner(), ctx.settings.as_ref(), &id);
    logged(done.await?);
    Ok(())
}

/// Creates the replacement of a token: same name, scopes and expiry policy.
#[tauri::command]
#[instrument(skip(app, ctx, reveals), err)]
pub async fn rotate_token<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    reveals: State<'_, Reveals>,
    id: String,
) -> Result<CreatedTokenView> {
    let pc = ctx.active_context().await?;
    let rotation = logged(ops::tokens::rotate(&pc, ctx.inner(), &id).await?);
    Ok(reveals.hold(&app, &pc, rotation.created))
}

/// After a rotation: revoke the old token now (a quiet period of 0), or
/// once the service reports it unused for `quiet_period_seconds`.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn finish_rotation(
    ctx: State<'_, AppCtx>,
    old_id: String,
    new_id: String,
    quiet_period_seconds: u32,
) -> Result<()> {
    let pc = ctx.active_context().await?;
    let pair = RotationPair::ids(old_id, new_id);
    let (settings, recorder) = (ctx.settings.as_ref(), ctx.inner());
    let quiet = chrono::Duration::seconds(i64::from(quiet_period_seconds));
    let done = ops::tokens::finish_rotation(&pc, recorder, settings, pair, quiet);
    logged(done.await?);
    Ok(())
}

/// The active profile's pending rotations and where each stands, without
/// acting (the launch check acts: `warm::check_rotations`).
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn rotation_states(ctx: State<'_, AppCtx>) -> Result<RotationsReport> {
    let pc = ctx.active_context().await?;
    let (settings, recorder) = (ctx.settings.as_ref(), ctx.inner());
    let report = ops::tokens::check_rotations(&pc, recorder, settings, false).await?;
    Ok(logged(report))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn rotation_reminders(ctx: State<'_, AppCtx>) -> Result<Vec<RotationReminder>> {
    let profile = ctx.profiles().active_name().unwrap_or_default();
    Ok(TokenRecords::new(ctx.settings.as_ref()).reminders(&profile))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn saved_tokens(ctx: State<'_, AppCtx>) -> Result<Vec<SavedToken>> {
    let profile = ctx.profiles().active_name().unwrap_or_default();
    Ok(TokenRecords::new(ctx.settings.as_ref()).saved(&profile))
}

/// A user JWT for player embedding, with the profile's token or a saved one.
#[tauri::command]
#[instrument(skip(app, ctx, copies, request), err)]
pub async fn create_user_jwt<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    copies: State<'_, crate::copies::Copies>,
    request: UserJwtRequest,
    saved_token_id: Option<String>,
) -> Result<UserJwtView> {
    let pc = ctx.active_context().await?;
    let j = logged(ops::tokens::user_jwt(&pc, &request, saved_token_id).await?);
    let parts = vec![
        ("jwt", j.jwt.duplicate()),
        ("snippet", j.snippet.duplicate()),
    ];
    Ok(UserJwtView::new(&j, copies.hold(&app, parts)))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub fn set_preferences(ctx: State<'_, AppCtx>, prefs: Preferences) -> Result<Preferences> {
    TokenRecords::new(ctx.settings.as_ref()).set_preferences(&prefs)?;
    Ok(prefs)
}

#[cfg(test)]
#[path = "tokens_flow.rs"]
mod flow;
