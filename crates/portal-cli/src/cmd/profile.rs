use clap::Subcommand;
use portal_core::profiles::{Environment, Profile, Profiles};
use portal_core::Service;

use crate::output;
use crate::session::{record, settings, Globals, LazyStore};
use portal_core::activity::Action;
use portal_core::profile_secrets::remove_profile;
use portal_core::secrets::SecretStore;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum ProfileCommand {
    /// List profiles (the active one is marked with *).
    List,
    /// Add a profile; URLs come from --vaultstream-url, --jwt-keys-url, --vault-url (else the defaults).
    Add {
        name: String,
        /// production, staging, sandbox or other.
        #[arg(long, short, default_value = "other")]
        environment: Environment,
        /// Longest lifetime of a JWT signed under this profile (e.g. 7d, 12h; default 7d).
        #[arg(long, value_name = "DURATION")]
        jwt_max_ttl: Option<String>,
    },
    /// Change a profile's settings.
    Edit {
        name: String,
        /// Longest lifetime of a JWT signed under this profile (1m to 365d).
        #[arg(long, value_name = "DURATION")]
        jwt_max_ttl: Option<String>,
    },
    /// Remove a profile and everything it kept in the secret store
    /// (credentials, vault session, saved tokens, private keys); refused
    /// while the store is locked.
    Remove {
        name: String,
        #[arg(long)]
        yes: bool,
    },
    /// Make a profile the active one.
    Use { name: String },
}

/// A duration flag (`7d`, `12h`…) as the seconds of a JWT lifetime cap.
fn cap_seconds(text: &str) -> portal_core::Result<u32> {
    let secs = super::tokens::parse_duration(text)?.num_seconds();
    let secs = u32::try_from(secs).unwrap_or(u32::MAX);
    portal_core::signing::validate_ttl_cap(secs)?;
    Ok(secs)
}

fn env_label(e: Environment) -> &'static str {
    match e {
        Environment::Production => "PRODUCTION",
        Environment::Staging => "staging",
        Environment::Sandbox => "sandbox",
        Environment::Other => "other",
    }
}

pub async fn run(g: &Globals, command: ProfileCommand) -> anyhow::Result<()> {
    let file = settings()?;
    let profiles = Profiles::new(&file);
    match command {
        ProfileCommand::List => {
            let list = profiles.list();
            if g.json {
                return output::json(&list);
            }
            if list.is_empty() {
                eprintln!("No profiles yet: `portal profile add NAME --environment staging`.");
                return Ok(());
            }
            let active = profiles.active_name();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|p| {
                    let mark = if active.as_deref() == Some(&p.name) {
                        "*"
                    } else {
                        ""
                    };
                    vec![
                        mark.into(),
                        p.name.clone(),
                        env_label(p.environment).into(),
                        if p.embedded_sandbox {
                            "(embedded sandbox)".into()
                        } else {
                            p.urls.vaultstream.clone()
                        },
                    ]
                })
                .collect();
            output::table(&["", "name", "environment", "vaultstream url"], &rows);
        }
        ProfileCommand::Add {
            name,
            environment,
            jwt_max_ttl,
        } => {
            let mut profile = Profile::new(name, environment);
            if let Some(ttl) = &jwt_max_ttl {
                profile.jwt_max_ttl_seconds = cap_seconds(ttl)?;
            }
            for service in Service::ALL {
                let url = match service {
                    Service::VaultStream => &g.vaultstream_url,
                    Service::JwtKeys => &g.jwt_keys_url,
                    Service::Vault => &g.vault_url,
                };
                if let Some(u) = url {
                    profile.urls.set(service, u.clone());
                }
            }
            profiles.add(profile.clone())?;
            record(
                &profile.name,
                Action::ProfileAdd,
                &profile.name,
                &format!("Added profile '{}'", profile.name),
            );
            if g.json {
                return output::json(&profile);
            }
            eprintln!(
                "Added profile '{}'. Store its credentials with `portal login`.",
                profile.name
            );
        }
        ProfileCommand::Remove { name, yes } => {
            let profile = profiles.get(&name)?;
            let warn = if profile.is_production() {
                " (PRODUCTION)"
            } else {
                ""
            };
            if !yes
                && !super::confirm(&format!(
                    "Remove profile '{name}'{warn} with its stored credentials, saved tokens and private keys?"
                ))?
            {
                return Err(portal_core::Error::new(
                    portal_core::ErrorCode::Cancelled,
                    "Nothing was removed.",
                )
                .into());
            }
            let store: Arc<dyn SecretStore> = Arc::new(LazyStore::new(&file)?);
            let removed = remove_profile(&file, Ok(store), &name)?;
            record(&name, Action::ProfileRemove, &name, &removed.summary);
            if g.json {
                return output::json(&removed);
            }
            eprintln!("{}", removed.summary);
        }
        ProfileCommand::Edit { name, jwt_max_ttl } => {
            let mut profile = profiles.get(&name)?;
            if let Some(ttl) = &jwt_max_ttl {
                profile = profiles.set_jwt_max_ttl(&name, cap_seconds(ttl)?)?;
            }
            if g.json {
                return output::json(&profile);
            }
            eprintln!(
                "Profile '{name}': signed JWTs last at most {}.",
                portal_core::signing::describe_seconds(i64::from(profile.jwt_max_ttl_seconds))
            );
        }
        ProfileCommand::Use { name } => {
            profiles.set_active(&name)?;
            record(
                &name,
                Action::ProfileSwitch,
                &name,
                &format!("Switched to profile '{name}'"),
            );
            eprintln!("Active profile: {name}");
        }
    }
    Ok(())
}

pub async fn status(g: &Globals) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let (a, b, c) = tokio::join!(
        ctx.check(Service::VaultStream),
        ctx.check(Service::JwtKeys),
        ctx.check(Service::Vault)
    );
    let all = [a, b, c];
    if g.json {
        return output::json(&all);
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            vec![
                s.service.label().into(),
                serde_json::to_value(s.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                s.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["service", "state", "detail"], &rows);
    Ok(())
}
