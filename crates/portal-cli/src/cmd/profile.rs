//! `portal profile` (list, add, edit, remove, use) and `portal status`:
//! parse, call `portal_core::ops::profiles`, print.

use std::sync::Arc;

use clap::Subcommand;
use portal_core::ops::profiles::{self as ops, Changes};
use portal_core::profiles::{Environment, Profile, Profiles};
use portal_core::secrets::SecretStore;
use portal_core::Service;

use crate::output;
use crate::session::{settings, CliRecorder, Globals, LazyStore};

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

/// A duration flag (`7d`, `12h`…) as the seconds of a JWT lifetime cap
/// (checked by the use case).
fn cap_seconds(text: &str) -> portal_core::Result<u32> {
    let secs = super::tokens::parse_duration(text)?.num_seconds();
    Ok(u32::try_from(secs).unwrap_or(u32::MAX))
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

/// The flags of `profile add` and `profile edit` as the changes to make:
/// the URL flags, the CA file (as a full path), the proxy, the JWT lifetime
/// cap; `clear_*` clears a setting.
fn changes(
    g: &Globals,
    network: NetworkArgs,
    jwt_max_ttl: Option<&str>,
    clear_ca_file: bool,
    clear_proxy: bool,
) -> portal_core::Result<Changes> {
    let ca_file = match network.ca_file {
        Some(path) => Some(Some(
            std::path::absolute(&path)
                .map_err(|e| portal_core::Error::config(format!("{}: {e}", path.display())))?
                .to_string_lossy()
                .into_owned(),
        )),
        None => clear_ca_file.then_some(None),
    };
    let urls = [
        (Service::VaultStream, &g.vaultstream_url),
        (Service::JwtKeys, &g.jwt_keys_url),
        (Service::Vault, &g.vault_url),
    ];
    Ok(Changes {
        urls: urls
            .into_iter()
            .filter_map(|(s, url)| url.clone().map(|u| (s, u)))
            .collect(),
        ca_file,
        proxy: network.proxy.map(Some).or(clear_proxy.then_some(None)),
        jwt_max_ttl_seconds: jwt_max_ttl.map(cap_seconds).transpose()?,
    })
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
    let cx = ops::Cx {
        settings: &file,
        recorder: &CliRecorder,
    };
    match command {
        ProfileCommand::List => {
            let list = profiles.list();
            let active = profiles.active_name();
            let empty = "No profiles yet: `portal profile add NAME --environment staging`.";
            let headers = ["", "name", "environment", "vaultstream url"];
            output::list(g.json, &list, Some(empty), &headers, |p| {
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
            })?;
        }
        ProfileCommand::Add {
            name,
            environment,
            jwt_max_ttl,
            network,
        } => {
            let changes = changes(g, network, jwt_max_ttl.as_deref(), false, false)?;
            let profile = output::warned(ops::add(cx, Profile::new(name, environment), changes)?);
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
            let changes = changes(
                g,
                network,
                jwt_max_ttl.as_deref(),
                clear_ca_file,
                clear_proxy,
            )?;
            let edited = output::warned(ops::edit(cx, &name, changes)?);
            if g.json {
                return output::json(&edited.profile);
            }
            let summary = edited.summary;
            eprintln!(
                "{}.",
                summary.unwrap_or_else(|| format!("Profile '{name}' unchanged"))
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
            let removed = output::warned(ops::remove(cx, Ok(store), &name)?);
            if g.json {
                return output::json(&removed);
            }
            eprintln!("{}", removed.summary);
        }
        ProfileCommand::Use { name } => {
            output::warned(ops::switch(cx, &name)?);
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
                output::wire_name(s.state),
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
