//! The profile commands: app state, the sandbox, connecting an account,
//! switching, removing, credentials and network settings (adapters of
//! `portal_core::ops::profiles`).

use portal_core::clock::ClockStatus;
use portal_core::context::ServiceStatus;
use portal_core::network::NetworkInfo;
use portal_core::ops::profiles as ops;
pub use portal_core::ops::profiles::SANDBOX_PROFILE;
use portal_core::profile_secrets::RemovedProfile;
use portal_core::profiles::Profile;
use portal_core::{Result, Secret, Service};
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::dto::{AppState, ConnectInput};
use crate::save_dialog::ask_open_path;
use crate::state::{logged, AppCtx};

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
    let start = |profile, new| start_sandbox(&app, profile, new);
    Ok(logged(
        ops::explore_sandbox(app.profiles_cx(), start).await?,
    ))
}

/// Starts the embedded sandbox for `profile` (the existing Sandbox profile
/// through its context; a `new` one gets the sandbox's URLs and vault email).
async fn start_sandbox(app: &AppCtx, mut profile: Profile, new: bool) -> Result<Profile> {
    if !new {
        app.context_for(profile.clone()).await?;
        return Ok(profile);
    }
    let secrets = app.secrets()?;
    profile.urls = app
        .sandbox
        .ensure(&app.data_dir, SANDBOX_PROFILE, secrets.as_ref())
        .await?;
    profile.vault_email = app.sandbox.admin_email().await;
    Ok(profile)
}

#[tauri::command]
#[instrument(skip_all, fields(name = %input.name), err)]
pub async fn connect_account(app: State<'_, AppCtx>, input: ConnectInput) -> Result<Profile> {
    let (profile, creds) = input.into_parts();
    let connected = ops::connect(app.profiles_cx(), app.secrets()?, profile, creds).await?;
    Ok(logged(connected))
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
    let ctx = app.active_context().await?;
    let secret = Secret::from(secret);
    let replaced = ops::replace_credential(&ctx, app.inner(), service, secret).await;
    replaced.map(logged)
}

#[tauri::command]
#[instrument(skip(app), err)]
pub async fn switch_profile(app: State<'_, AppCtx>, name: String) -> Result<()> {
    ops::switch(app.profiles_cx(), &name).map(logged)
}

/// Removes the profile and everything it kept in the secret store (refused
/// while the store is locked); says what was removed.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn remove_profile(app: State<'_, AppCtx>, name: String) -> Result<RemovedProfile> {
    let removed = ops::remove(app.profiles_cx(), app.secrets(), &name)?;
    app.forget_client(&name);
    Ok(logged(removed))
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

/// The active profile's services' clock against this computer's, from the
/// `Date` of the answers so far (the warning when over a minute apart).
#[tauri::command]
#[instrument(skip_all, err)]
pub async fn service_clock(app: State<'_, AppCtx>) -> Result<ClockStatus> {
    Ok(app.active_context().await?.http.clock().status())
}

/// Which proxy (the profile's, an environment variable's, the system's) and
/// which extra CA certificate file a profile uses; a proxy login is masked.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn profile_network(app: State<'_, AppCtx>, name: String) -> Result<NetworkInfo> {
    Ok(app.profiles().get(&name)?.network_info())
}

/// Sets (or, with `None` or blank, clears) a profile's extra CA certificate
/// file and proxy URL. Both are checked first: the file must hold PEM
/// certificates a client can trust, the URL must be http(s) without a login.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn set_profile_network(
    app: State<'_, AppCtx>,
    name: String,
    ca_file: Option<String>,
    proxy: Option<String>,
) -> Result<Profile> {
    let changes = ops::Changes {
        ca_file: Some(ca_file),
        proxy: Some(proxy),
        ..ops::Changes::default()
    };
    let edited = logged(ops::edit(app.profiles_cx(), &name, changes)?);
    app.forget_client(&name);
    Ok(edited.profile)
}

/// The native file picker, for a profile's CA certificate file: the chosen
/// path, or `None` when the user cancelled.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn pick_ca_file<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>> {
    ask_open_path(
        &app,
        "CA certificate (PEM)",
        "PEM certificates",
        &["pem", "crt", "cer"],
    )
    .await
}
