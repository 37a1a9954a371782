use std::io::{BufRead, IsTerminal};

use clap::{Args, ValueEnum};
use portal_core::secrets::Item;
use portal_core::{Error, Result, Secret, Service};

use crate::session::{env_vault_login, Globals};

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

/// A secret from a hidden prompt on a terminal, or the first line of stdin.
pub fn read_secret(prompt: &str) -> Result<Secret> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{prompt}: "))?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = line.trim_end_matches(['\r', '\n']).to_owned();
        zeroize_string(line);
        trimmed
    };
    if value.is_empty() {
        return Err(Error::validation(format!("{prompt}: nothing was entered.")));
    }
    Ok(Secret::from(value))
}

fn zeroize_string(s: String) {
    drop(Secret::from(s));
}

fn read_line(prompt: &str) -> Result<String> {
    use std::io::Write;
    eprint!("{prompt}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

pub async fn login(g: &Globals, args: LoginArgs) -> anyhow::Result<()> {
    let mut ctx = g.context()?;
    match args.service {
        LoginService::Vaultstream | LoginService::JwtKeys => {
            let (item, service, prompt) = match args.service {
                LoginService::Vaultstream => (
                    Item::VaultStreamToken,
                    Service::VaultStream,
                    "VaultStream admin token",
                ),
                _ => (Item::JwtKeysApiKey, Service::JwtKeys, "JWT keys API key"),
            };
            let secret = read_secret(prompt)?;
            ctx.override_credential(item.clone(), secret.duplicate());
            if let Some(e) = ctx.check(service).await.error {
                return Err(e.into());
            }
            ctx.store(item, &secret)?;
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
