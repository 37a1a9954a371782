//! Settings → Policy (issue 15 §4): adapters of `portal_core::ops::policy`.
//! The file chosen here is kept in the shared settings file, so the CLI
//! uses it too (unless given `--policy` or `PORTAL_POLICY`); every context
//! the app builds carries its rules (`AppCtx::context_for`), so creates,
//! rotations and key uploads that break them are refused in core.

use portal_core::ops::policy::{self as ops, PolicyReport, PolicyStatus};
use portal_core::profiles::Environment;
use portal_core::Result;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::save_dialog::ask_open_path;
use crate::state::AppCtx;

fn active_environment(ctx: &AppCtx) -> Option<Environment> {
    ctx.profiles().active().map(|p| p.environment)
}

/// The chosen file, and its rules for the active profile's environment in
/// plain words, or its error (the line and what is wrong).
#[tauri::command]
#[instrument(skip_all)]
pub async fn policy_status(ctx: State<'_, AppCtx>) -> Result<PolicyStatus> {
    Ok(ops::status(
        ctx.settings.as_ref(),
        None,
        active_environment(&ctx),
    ))
}

/// Chooses the policy file (`None`: none); a file that cannot be used is
/// refused with its error and not kept.
#[tauri::command]
#[instrument(skip(ctx), err)]
pub async fn set_policy_file(ctx: State<'_, AppCtx>, path: Option<String>) -> Result<PolicyStatus> {
    ops::set_file(
        ctx.settings.as_ref(),
        path.as_deref(),
        active_environment(&ctx),
    )
}

/// The native file picker for a policy file: its path, or `None` when the
/// user cancelled.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn pick_policy_file<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>> {
    ask_open_path(&app, "Policy file (portal-policy.toml)", "TOML", &["toml"]).await
}

/// Audits the active profile's tokens and keys against the policy.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn check_policy(ctx: State<'_, AppCtx>) -> Result<PolicyReport> {
    let pc = ctx.active_context().await?;
    ops::check(&pc, ctx.settings.as_ref(), chrono::Utc::now()).await
}
