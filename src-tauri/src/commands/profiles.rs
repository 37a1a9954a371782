use portal_core::activity::Action;
use portal_core::context::ServiceStatus;
use portal_core::http::{HttpClient, HttpConfig};
use portal_core::network::NetworkInfo;
use portal_core::onboarding::{self, connect, NewCredentials};
use portal_core::profile_secrets::{remove_profile as remove_profile_and_secrets, RemovedProfile};
use portal_core::profiles::{Environment, Profile};
use portal_core::{Result, Secret, Service};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
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
    let profiles = app.profiles();
    let mut profile = profiles.get(&name)?;
    if profile.embedded_sandbox {
        return Err(portal_core::Error::validation(
            "The local sandbox runs on this computer: it is reached directly, with no proxy or CA file.",
        ));
    }
    let blank_to_none =
        |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (ca_file, proxy) = (blank_to_none(ca_file), blank_to_none(proxy));
    let mut changed = Vec::new();
    if ca_file != profile.ca_file {
        changed.push(match &ca_file {
            Some(f) => format!("CA file {f}"),
            None => "CA file cleared".to_owned(),
        });
    }
    if proxy != profile.proxy {
        changed.push(match &proxy {
            Some(p) => format!("proxy {p}"),
            None => "proxy cleared".to_owned(),
        });
    }
    profile.ca_file = ca_file;
    profile.proxy = proxy;
    profile.validate()?;
    // Reads the CA file and builds a client, as the next request would.
    HttpClient::with_network(HttpConfig::default(), &profile.network())?;
    if changed.is_empty() {
        return Ok(profile);
    }
    profiles.update(profile.clone())?;
    app.forget_client(&name);
    let summary = format!("Changed profile '{name}': {}", changed.join(", "));
    app.record(&name, Action::ProfileEdit, &name, &summary);
    Ok(profile)
}

/// The native file picker, for a profile's CA certificate file: the chosen
/// path, or `None` when the user cancelled.
#[tauri::command]
#[instrument(skip(app), err)]
pub async fn pick_ca_file<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("CA certificate (PEM)")
        .add_filter("PEM certificates", &["pem", "crt", "cer"])
        .pick_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen
        .into_path()
        .map_err(|e| portal_core::Error::validation(format!("Cannot use that file: {e}")))?;
    Ok(Some(path.to_string_lossy().into_owned()))
}
