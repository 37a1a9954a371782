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
        #[command(flatten)]
        network: NetworkArgs,
    },
    /// Change a profile: its URLs (--vaultstream-url …), CA file, proxy or JWT lifetime cap.
    Edit {
        name: String,
        #[command(flatten)]
        network: NetworkArgs,
        /// Longest lifetime of a JWT signed under this profile (1m to 365d).
        #[arg(long, value_name = "DURATION")]
        jwt_max_ttl: Option<String>,
        /// Trust only the system's certificates again.
        #[arg(long, conflicts_with = "ca_file")]
        clear_ca_file: bool,
        /// Use the environment's proxy settings again.
        #[arg(long, conflicts_with = "proxy")]
        clear_proxy: bool,
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

/// A profile's network settings on the command line.
#[derive(clap::Args)]
pub struct NetworkArgs {
    /// A PEM file of CA certificates to trust for this profile, on top of the
    /// system's (a company CA).
    #[arg(long, value_name = "FILE")]
    ca_file: Option<std::path::PathBuf>,
    /// The proxy for this profile (http://host:port); wins over HTTPS_PROXY
    /// and the like. A proxy that needs a login goes in HTTPS_PROXY instead.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
}

impl NetworkArgs {
    /// Sets what was given on `profile`, after checking it: the CA file is
    /// read now (and kept as a full path), the proxy URL parsed.
    fn apply(&self, profile: &mut Profile) -> portal_core::Result<()> {
        if let Some(path) = &self.ca_file {
            let full = std::path::absolute(path)
                .map_err(|e| portal_core::Error::config(format!("{}: {e}", path.display())))?;
            portal_core::network::load_ca_file(&full)?;
            profile.ca_file = Some(full.to_string_lossy().into_owned());
        }
        if let Some(proxy) = &self.proxy {
            portal_core::network::check_proxy(proxy)?;
            profile.proxy = Some(proxy.trim().to_owned());
        }
        Ok(())
    }
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
            network,
        } => {
            let mut profile = Profile::new(name, environment);
            if let Some(ttl) = &jwt_max_ttl {
                profile.jwt_max_ttl_seconds = cap_seconds(ttl)?;
            }
            network.apply(&mut profile)?;
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
        ProfileCommand::Edit {
            name,
            network,
            jwt_max_ttl,
            clear_ca_file,
            clear_proxy,
        } => {
            let mut profile = profiles.get(&name)?;
            let mut changed = Vec::new();
            if let Some(ttl) = &jwt_max_ttl {
                profile.jwt_max_ttl_seconds = cap_seconds(ttl)?;
                changed.push(format!(
                    "signed JWTs last at most {}",
                    portal_core::signing::describe_seconds(i64::from(profile.jwt_max_ttl_seconds))
                ));
            }
            for service in Service::ALL {
                let url = match service {
                    Service::VaultStream => &g.vaultstream_url,
                    Service::JwtKeys => &g.jwt_keys_url,
                    Service::Vault => &g.vault_url,
                };
                if let Some(u) = url {
                    profile.urls.set(service, u.clone());
                    changed.push(format!("{} URL", service.label()));
                }
            }
            network.apply(&mut profile)?;
            if network.ca_file.is_some() {
                changed.push("CA file".to_owned());
            }
            if network.proxy.is_some() {
                changed.push("proxy".to_owned());
            }
            if clear_ca_file {
                profile.ca_file = None;
                changed.push("CA file (cleared)".to_owned());
            }
            if clear_proxy {
                profile.proxy = None;
                changed.push("proxy (cleared)".to_owned());
            }
            if changed.is_empty() {
                return Err(portal_core::Error::validation(
                    "Nothing to change: give --jwt-max-ttl, --ca-file, --proxy, --clear-ca-file, --clear-proxy or a URL flag.",
                )
                .into());
            }
            profiles.update(profile.clone())?;
            let summary = format!("Changed profile '{name}': {}", changed.join(", "));
            record(&name, Action::ProfileEdit, &name, &summary);
            if g.json {
                return output::json(&profile);
            }
            eprintln!("{summary}.");
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
    let network = ctx.profile.network_info();
    if g.json {
        return output::json(&serde_json::json!({
            "profile": ctx.profile.name,
            "services": all,
            "network": network,
        }));
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
    println!();
    println!("proxy:    {}", network.proxy_summary());
    println!(
        "extra CA: {}",
        network
            .ca_file
            .as_deref()
            .unwrap_or("none (the system's certificates only)")
    );
    for (var, value) in [
        ("SSL_CERT_FILE", &network.ssl_cert_file),
        ("SSL_CERT_DIR", &network.ssl_cert_dir),
    ] {
        if let Some(v) = value {
            println!("{var}: {v}");
        }
    }
    Ok(())
}
