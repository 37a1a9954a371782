//! `portal login` and `portal logout`: a service's credential (checked,
//! then kept: `ops::profiles::replace_credential`) or the vault session.

use clap::{Args, ValueEnum};
use portal_core::ops::profiles::replace_credential;
use portal_core::secrets::Item;
use portal_core::Service;

use crate::output;
use crate::prompt::{read_line, read_secret};
use crate::session::{env_vault_login, CliRecorder, Globals};

#[derive(Clone, Copy, ValueEnum)]
pub enum LoginService {
    /// VaultStream admin token (an API token with admin:write).
    Vaultstream,
    /// JWT keys API key.
    JwtKeys,
    /// Vault email and password (the password is not kept; the session tokens are).
    Vault,
}

#[derive(Args)]
pub struct LoginArgs {
    #[arg(value_enum)]
    service: LoginService,
    /// Vault login email (default: PORTAL_VAULT_EMAIL, else the profile's, else asked).
    #[arg(long)]
    email: Option<String>,
    /// Keep the vault password in the keychain, to log in again by itself
    /// when the session cannot be renewed (default: the password is not kept).
    #[arg(long)]
    remember: bool,
}

#[derive(Args)]
pub struct LogoutArgs {
    #[arg(value_enum)]
    service: LoginService,
}

pub async fn login(g: &Globals, args: LoginArgs) -> anyhow::Result<()> {
    let ctx = g.context()?;
    match args.service {
        LoginService::Vaultstream | LoginService::JwtKeys => {
            let (service, prompt) = match args.service {
                LoginService::Vaultstream => (Service::VaultStream, "VaultStream admin token"),
                _ => (Service::JwtKeys, "JWT keys API key"),
            };
            let secret = read_secret(prompt)?;
            let replaced = replace_credential(&ctx, &CliRecorder, service, secret).await?;
            output::warned(replaced);
            eprintln!(
                "Stored the {} credential of profile '{}' in the keychain.",
                service.label(),
                ctx.profile.name
            );
        }
        LoginService::Vault => {
            let (email, password) = match env_vault_login() {
                Some(login) => login,
                None => {
                    let email = match args.email.or_else(|| ctx.profile.vault_email.clone()) {
                        Some(e) => e,
                        None => read_line("Vault email")?,
                    };
                    (email, read_secret("Vault password")?)
                }
            };
            let who =
                portal_core::ops::assets::login(&ctx, &email, password, args.remember).await?;
            eprintln!(
                "Logged in to the vault as {} ({:?}, tenant {}){}.",
                who.email.as_deref().unwrap_or(&email),
                who.role,
                who.tenant_id,
                if args.remember {
                    "; the password is kept in the keychain"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

pub async fn logout(g: &Globals, args: LogoutArgs) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let items: &[Item] = match args.service {
        LoginService::Vaultstream => &[Item::VaultStreamToken],
        LoginService::JwtKeys => &[Item::JwtKeysApiKey],
        LoginService::Vault => {
            ctx.vault_logout()?;
            eprintln!("Forgotten.");
            return Ok(());
        }
    };
    for item in items {
        ctx.forget(item.clone())?;
    }
    eprintln!("Forgotten.");
    Ok(())
}
