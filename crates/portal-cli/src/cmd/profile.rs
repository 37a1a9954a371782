use clap::Subcommand;
use portal_core::profiles::{Environment, Profile, Profiles};
use portal_core::Service;

use crate::output;
use crate::session::{record, settings, Globals, LazyStore};
use portal_core::activity::Action;
use portal_core::secrets::SecretStore;

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
    },
    /// Remove a profile and its stored credentials.
    Remove {
        name: String,
        #[arg(long)]
        yes: bool,
    },
    /// Make a profile the active one.
    Use { name: String },
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
        ProfileCommand::Add { name, environment } => {
            let mut profile = Profile::new(name, environment);
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
                    "Remove profile '{name}'{warn} and its stored credentials?"
                ))?
            {
                return Err(portal_core::Error::new(
                    portal_core::ErrorCode::Cancelled,
                    "Nothing was removed.",
                )
                .into());
            }
            LazyStore::new(&file)?.delete_profile(&name, &[])?;
            profiles.remove(&name)?;
            record(
                &name,
                Action::ProfileRemove,
                &name,
                &format!("Removed profile '{name}' and its stored credentials"),
            );
            eprintln!("Removed profile '{name}'.");
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
