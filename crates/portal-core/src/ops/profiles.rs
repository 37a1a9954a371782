//! The profile and credential use cases, shared by the app's profile
//! commands and `portal profile` / `portal login`: add (plain, connected
//! with checked credentials, or the embedded sandbox), edit (URLs, CA file,
//! proxy, JWT lifetime cap), switch, remove (with everything the profile kept
//! in the secret store) and replace an API credential. Each records itself
//! (`profile_add`, `profile_edit`, `profile_switch`, `profile_remove`,
//! `credential_replace`), the target being the profile's name (the service's
//! label for a credential).

use std::future::Future;
use std::sync::Arc;

use super::{record_as, Outcome, Recorder};
use crate::activity::Action;
use crate::context::ProfileContext;
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::onboarding::{self, NewCredentials};
use crate::profile_secrets::{remove_profile, RemovedProfile};
use crate::profiles::{Environment, KeyValueStore, Profile, Profiles};
use crate::secret::Secret;
use crate::secrets::SecretStore;
use crate::service::Service;

/// The name of the profile that uses the app's embedded sandbox.
pub const SANDBOX_PROFILE: &str = "Sandbox";

/// What every profile use case works with: the settings file holding the
/// profiles, and where changes are recorded.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub settings: &'a dyn KeyValueStore,
    pub recorder: &'a dyn Recorder,
}

impl<'a> Cx<'a> {
    pub fn profiles(&self) -> Profiles<'a> {
        Profiles::new(self.settings)
    }

    fn record<T>(&self, value: T, profile: &str, action: Action, summary: &str) -> Outcome<T> {
        let mut outcome = Outcome::new(value);
        record_as(
            self.recorder,
            profile,
            action,
            profile,
            summary,
            &mut outcome.warnings,
        );
        outcome
    }
}

/// Adds `profile` with `changes` made on it (its credentials come later:
/// `portal login`), checked as [`edit`] checks them.
pub fn add(cx: Cx<'_>, mut profile: Profile, changes: Changes) -> Result<Outcome<Profile>> {
    let network = changes.touches_network();
    apply(&mut profile, changes)?;
    check(&profile, network)?;
    cx.profiles().add(profile.clone())?;
    let summary = format!(
        "Added profile '{}' ({:?})",
        profile.name, profile.environment
    );
    let name = profile.name.clone();
    Ok(cx.record(profile, &name, Action::ProfileAdd, &summary))
}

/// The credentials as typed in a form: blank ones are not given, and the
/// vault login only with both its email and password.
pub fn typed_credentials(
    vaultstream_token: Option<String>,
    jwt_keys_api_key: Option<String>,
    vault_email: Option<String>,
    vault_password: Option<String>,
) -> NewCredentials {
    let given = |v: Option<String>| v.filter(|s| !s.is_empty()).map(Secret::from);
    NewCredentials {
        vaultstream_token: given(vaultstream_token),
        jwt_keys_api_key: given(jwt_keys_api_key),
        vault_login: match (vault_email, vault_password) {
            (Some(e), Some(p)) if !e.trim().is_empty() && !p.is_empty() => {
                Some((e, Secret::from(p)))
            }
            _ => None,
        },
    }
}

/// Checks every given credential with a real call, then adds `profile`
/// (made active) and keeps the credentials in `store`. Nothing is saved on
/// failure.
pub async fn connect(
    cx: Cx<'_>,
    store: Arc<dyn SecretStore>,
    profile: Profile,
    creds: NewCredentials,
) -> Result<Outcome<Profile>> {
    let profiles = cx.profiles();
    let profile =
        onboarding::connect(&profiles, store, profile, creds, HttpConfig::default()).await?;
    let summary = format!(
        "Added profile '{}' ({:?}) after checking its credentials",
        profile.name, profile.environment
    );
    let name = profile.name.clone();
    Ok(cx.record(profile, &name, Action::ProfileAdd, &summary))
}

/// Makes the Sandbox profile the active one, adding it the first time.
/// `start` starts the embedded sandbox for the profile it is given (`true`:
/// a new one, to be returned with the sandbox's URLs and vault email).
pub async fn explore_sandbox<F, Fut>(cx: Cx<'_>, start: F) -> Result<Outcome<Profile>>
where
    F: FnOnce(Profile, bool) -> Fut,
    Fut: Future<Output = Result<Profile>>,
{
    let profiles = cx.profiles();
    if let Ok(existing) = profiles.get(SANDBOX_PROFILE) {
        profiles.set_active(SANDBOX_PROFILE)?;
        return Ok(Outcome::new(start(existing, false).await?));
    }
    let mut profile = Profile::new(SANDBOX_PROFILE, Environment::Sandbox);
    profile.embedded_sandbox = true;
    let profile = start(profile, true).await?;
    profiles.add(profile.clone())?;
    profiles.set_active(SANDBOX_PROFILE)?;
    let summary = "Added the Sandbox profile (embedded sandbox)";
    Ok(cx.record(profile, SANDBOX_PROFILE, Action::ProfileAdd, summary))
}

/// Makes profile `name` the active one.
pub fn switch(cx: Cx<'_>, name: &str) -> Result<Outcome<()>> {
    cx.profiles().set_active(name)?;
    let summary = format!("Switched to profile '{name}'");
    Ok(cx.record((), name, Action::ProfileSwitch, &summary))
}

/// Removes profile `name` and everything it kept in `secrets` (the store as
/// the shell has it: locked or unavailable refuses the removal).
pub fn remove(
    cx: Cx<'_>,
    secrets: Result<Arc<dyn SecretStore>>,
    name: &str,
) -> Result<Outcome<RemovedProfile>> {
    let removed = remove_profile(cx.settings, secrets, name)?;
    let summary = removed.summary.clone();
    Ok(cx.record(removed, name, Action::ProfileRemove, &summary))
}

/// Checks a new VaultStream token or JWT keys API key of `ctx`'s profile
/// with a real call, then keeps it in place of the stored one (which stays
/// as it was when the check fails).
pub async fn replace_credential(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    service: Service,
    secret: Secret,
) -> Result<Outcome<()>> {
    onboarding::replace_credential(ctx, service, secret).await?;
    let name = &ctx.profile.name;
    let summary = format!(
        "Replaced the {} credential of profile '{name}' after checking it",
        service.label()
    );
    let mut outcome = Outcome::new(());
    let (action, target) = (Action::CredentialReplace, service.label());
    record_as(
        recorder,
        name,
        action,
        target,
        &summary,
        &mut outcome.warnings,
    );
    Ok(outcome)
}

/// What to change in a profile; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Base URLs, each with its service.
    pub urls: Vec<(Service, String)>,
    /// The extra CA certificate file (a full path); `Some(None)` or blank
    /// clears it.
    pub ca_file: Option<Option<String>>,
    /// The proxy URL (no login); `Some(None)` or blank clears it.
    pub proxy: Option<Option<String>>,
    /// The longest lifetime of a JWT signed under the profile.
    pub jwt_max_ttl_seconds: Option<u32>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
            && self.ca_file.is_none()
            && self.proxy.is_none()
            && self.jwt_max_ttl_seconds.is_none()
    }

    fn touches_network(&self) -> bool {
        self.ca_file.is_some() || self.proxy.is_some()
    }
}

/// An edited profile, and what changed (`None`: nothing did, and nothing
/// was saved or recorded).
#[derive(Debug, Clone)]
pub struct Edited {
    pub profile: Profile,
    pub summary: Option<String>,
}

/// Changes profile `name` as asked. Everything is checked before it is
/// saved: the URLs, the proxy URL (no login), the CA file (read, and a
/// client built with it, as the next request would).
pub fn edit(cx: Cx<'_>, name: &str, changes: Changes) -> Result<Outcome<Edited>> {
    if changes.is_empty() {
        return Err(Error::validation(
            "Nothing to change: give a URL, a CA file, a proxy or a JWT lifetime cap.",
        ));
    }
    let profiles = cx.profiles();
    let mut profile = profiles.get(name)?;
    if profile.embedded_sandbox && changes.touches_network() {
        return Err(Error::validation(
            "The local sandbox runs on this computer: it is reached directly, with no proxy or CA file.",
        ));
    }
    let network = changes.touches_network();
    let changed = apply(&mut profile, changes)?;
    check(&profile, network)?;
    if changed.is_empty() {
        return Ok(Outcome::new(Edited {
            profile,
            summary: None,
        }));
    }
    profiles.update(profile.clone())?;
    let summary = format!("Changed profile '{name}': {}", changed.join(", "));
    let edited = Edited {
        profile,
        summary: Some(summary.clone()),
    };
    Ok(cx.record(edited, name, Action::ProfileEdit, &summary))
}

/// Checks `profile` before it is saved; with `network`, reads its CA file
/// and builds a client, as the next request would.
fn check(profile: &Profile, network: bool) -> Result<()> {
    profile.validate()?;
    if network {
        HttpClient::with_network(HttpConfig::default(), &profile.network())?;
    }
    Ok(())
}

/// Sets what `changes` asks on `profile`; says what differs from before.
fn apply(profile: &mut Profile, changes: Changes) -> Result<Vec<String>> {
    let mut changed = Vec::new();
    if let Some(secs) = changes.jwt_max_ttl_seconds {
        crate::profiles::validate_ttl_cap(secs)?;
        if secs != profile.jwt_max_ttl_seconds {
            profile.jwt_max_ttl_seconds = secs;
            let cap = crate::signing::describe_seconds(i64::from(secs));
            changed.push(format!("signed JWTs last at most {cap}"));
        }
    }
    for (service, url) in changes.urls {
        let url = url.trim().to_owned();
        if profile.urls.get(service) != url {
            profile.urls.set(service, url);
            changed.push(format!("{} URL", service.label()));
        }
    }
    if let Some(ca_file) = changes.ca_file {
        set_optional(&mut profile.ca_file, ca_file, "CA file", &mut changed);
    }
    if let Some(proxy) = changes.proxy {
        set_optional(&mut profile.proxy, proxy, "proxy", &mut changed);
    }
    Ok(changed)
}

/// Sets an optional setting (blank clears it); says so in `changed` when it
/// differs from before.
fn set_optional(
    slot: &mut Option<String>,
    new: Option<String>,
    what: &str,
    changed: &mut Vec<String>,
) {
    let new = new.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if new != *slot {
        changed.push(match &new {
            Some(v) => format!("{what} {v}"),
            None => format!("{what} cleared"),
        });
        *slot = new;
    }
}
