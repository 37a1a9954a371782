//! The secrets backend commands: opt in to the encrypted secrets file, or
//! unlock it (`portal_core::ops::secrets`, through the app's state).

use portal_core::{Result, Secret};
use tauri::State;
use tracing::instrument;

use crate::dto::SecretsInfo;
use crate::state::AppCtx;

/// The explicit opt-in to the encrypted secrets file (creates it, or unlocks
/// the existing one).
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn use_encrypted_file(app: State<'_, AppCtx>, passphrase: String) -> Result<SecretsInfo> {
    app.use_encrypted_file(Secret::from(passphrase))
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn unlock_secrets(app: State<'_, AppCtx>, passphrase: String) -> Result<SecretsInfo> {
    app.use_encrypted_file(Secret::from(passphrase))
}
