use portal_core::activity::Action;
use portal_core::context::ServiceStatus;
use portal_core::http::HttpConfig;
use portal_core::onboarding::{self, connect, NewCredentials};
use portal_core::profile_secrets::{remove_profile as remove_profile_and_secrets, RemovedProfile};
use portal_core::profiles::{Environment, Profile};
use portal_core::{Result, Secret, Service};
use tauri::State;
use tracing::instrument;

use crate::dto::{AppState, ConnectInput};
use crate::state::AppCtx;

pub const SANDBOX_PROFILE: &str = "Sandbox";

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn app_state(app: State<'_, AppCtx>) -> Result<AppState> {
    let profiles = app.profiles();
    Ok(AppState {
        profiles: profiles.list(),
        active_profile: profiles.active_name(),
        secrets: app.secrets_info(),
        preferences: portal_core::token_records::TokenRecords::new(app.settings.as_ref())
            .preferences(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// "Explore with the local sandbox": start it in-process and make the
/// Sandbox profile (holding its credentials) the active one.
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn explore_sandbox(app: State<'_, AppCtx>) -> Result<Profile> {
    let profiles = app.profiles();
    if let Ok(existing) = profiles.get(SANDBOX_PROFILE) {
        profiles.set_active(SANDBOX_PROFILE)?;
        app.context_for(existing.clone()).await?;
        return Ok(existing);
    }
    let secrets = app.secrets()?;
    let mut profile = Profile::new(SANDBOX_PROFILE, Environment::Sandbox);
    profile.embedded_sandbox = true;
    profile.urls = app
        .sandbox
        .ensure(&app, SANDBOX_PROFILE, secrets.as_ref())
        .await?;
    profile.vault_email = app.sandbox.admin_email().await;
    profiles.add(profile.clone())?;
    profiles.set_active(SANDBOX_PROFILE)?;
    app.record(
        SANDBOX_PROFILE,
        Action::ProfileAdd,
        SANDBOX_PROFILE,
        "Added the Sandbox profile (embedded sandbox)",
    );
    Ok(profile)
}

#[tauri::command]
#[instrument(skip_all, fields(name = %input.name), err)]
pub async fn connect_account(app: State<'_, AppCtx>, input: ConnectInput) -> Result<Profile> {
    let mut profile = Profile::new(input.name, input.environment);
    profile.urls = input.urls;
    let creds = NewCredentials {
        vaultstream_token: input
            .vaultstream_token
            .filter(|s| !s.is_empty())
            .map(Secret::from),
        jwt_keys_api_key: input
            .jwt_keys_api_key
            .filter(|s| !s.is_empty())
            .map(Secret::from),
        vault_login: match (input.vault_email, input.vault_password) {
            (Some(e), Some(p)) if !e.trim().is_empty() && !p.is_empty() => {
                Some((e, Secret::from(p)))
            }
            _ => None,
        },
    };
    let profile = connect(
        &app.profiles(),
        app.secrets()?,
        profile,
        creds,
        HttpConfig::default(),
    )
    .await?;
    let summary = format!(
        "Added profile '{}' ({:?}) after checking its credentials",
        profile.name, profile.environment
    );
    app.record(&profile.name, Action::ProfileAdd, &profile.name, &summary);
    Ok(profile)
}

/// Checks a new VaultStream token or JWT keys API key for the active
/// profile with a real call, then keeps it in place of the stored one (which
/// stays as it was when the check fails).
#[tauri::command]
#[instrument(skip(app, secret), err)]
pub async fn replace_credential(
    app: State<'_, AppCtx>,
    service: Service,
    secret: String,
) -> Result<()> {
    let secret = Secret::from(secret);
    let ctx = app.active_context().await?;
    onboarding::replace_credential(&ctx, service, secret).await?;
    let summary = format!(
        "Replaced the {} credential of profile '{}' after checking it",
        service.label(),
        ctx.profile.name
    );
    app.record(
        &ctx.profile.name,
        Action::CredentialReplace,
        service.label(),
        &summary,
    );
    Ok(())
}

#[tauri::command]
#[instrument(skip(app), err)]
pub async fn switch_profile(app: State<'_, AppCtx>, name: String) -> Result<()> {
    app.profiles().set_active(&name)?;
    app.record(
        &name,
        Action::ProfileSwitch,
        &name,
        &format!("Switched to profile '{name}'"),
    );
    Ok(())
}

/// Removes the profile and everything it kept in the secret store (refused
/// while the store is locked); says what was removed.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn remove_profile(app: State<'_, AppCtx>, name: String) -> Result<RemovedProfile> {
    let removed = remove_profile_and_secrets(app.settings.as_ref(), app.secrets(), &name)?;
    app.forget_client(&name);
    app.record(&name, Action::ProfileRemove, &name, &removed.summary);
    Ok(removed)
}

#[tauri::command]
#[instrument(skip_all, err)]
pub async fn service_status(app: State<'_, AppCtx>) -> Result<Vec<ServiceStatus>> {
    let ctx = app.active_context().await?;
    let (a, b, c) = tokio::join!(
        ctx.check(portal_core::Service::VaultStream),
        ctx.check(portal_core::Service::JwtKeys),
        ctx.check(portal_core::Service::Vault)
    );
    Ok(vec![a, b, c])
}
