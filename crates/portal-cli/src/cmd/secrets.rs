//! `portal secrets`: which store is in use, and the backend switch
//! (`portal_core::ops::secrets`).

use clap::Subcommand;
use portal_core::ops::secrets as ops;
use portal_core::profiles::data_dir;
use portal_core::secrets::{KeychainStore, SecretBackend};
use portal_core::secrets_file::EncryptedFileStore;
use portal_core::{Error, ErrorCode, Secret};
use serde_json::json;

use crate::output;
use crate::prompt::read_secret;
use crate::session::{backend, settings, CliRecorder, Globals};

#[derive(Subcommand)]
pub enum SecretsCommand {
    /// Which secret store is in use, and whether it can be used now.
    Status,
    /// Opt in to the encrypted secrets file (for machines without a usable keychain).
    UseFile,
    /// Go back to the OS keychain.
    UseKeychain,
}

fn passphrase(confirm: bool) -> portal_core::Result<Secret> {
    if let Ok(p) = std::env::var("PORTAL_SECRETS_PASSPHRASE") {
        return Ok(Secret::from(p));
    }
    let first = read_secret("Passphrase for the encrypted secrets file")?;
    if confirm && read_secret("Repeat the passphrase")? != first {
        return Err(Error::validation("The two passphrases differ."));
    }
    Ok(first)
}

pub async fn run(g: &Globals, command: SecretsCommand) -> anyhow::Result<()> {
    let file = settings()?;
    let dir = data_dir()?;
    let cx = ops::Cx {
        settings: &file,
        data_dir: &dir,
        recorder: &CliRecorder,
    };
    match command {
        SecretsCommand::Status => {
            let backend = backend(&file);
            let problem = match backend {
                SecretBackend::Keychain => KeychainStore::open(None).err(),
                SecretBackend::EncryptedFile if !EncryptedFileStore::exists(&dir) => {
                    Some(Error::new(
                        ErrorCode::SecretsLocked,
                        "The encrypted secrets file does not exist yet.",
                    ))
                }
                _ => None,
            };
            if g.json {
                return output::json(&json!({
                    "backend": backend,
                    "description": backend.describe(),
                    "ready": problem.is_none(),
                    "problem": problem,
                }));
            }
            println!("Secret store: {}", backend.describe());
            match problem {
                None => println!("Status: ready"),
                Some(p) => {
                    println!("Status: NOT available: {}", p.message);
                    if let Some(h) = p.hint {
                        println!("Hint: {h}");
                    }
                }
            }
        }
        SecretsCommand::UseFile => {
            output::warned(ops::use_encrypted_file(cx, passphrase, |_| {})?);
            eprintln!(
                "Credentials now go to the encrypted file {}. Commands will ask for its passphrase \
                 (or read PORTAL_SECRETS_PASSPHRASE). Credentials already in the keychain stay there.",
                dir.join(portal_core::secrets_file::FILE_NAME).display()
            );
        }
        SecretsCommand::UseKeychain => {
            output::warned(ops::use_keychain(cx)?);
            eprintln!(
                "Credentials now go to the OS keychain ({}).",
                SecretBackend::Keychain.describe()
            );
        }
    }
    Ok(())
}
