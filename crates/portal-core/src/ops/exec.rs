//! `portal exec`: hands a profile's credentials to a command in its
//! environment. This is the part both shells would share: which credential
//! a source names, reading it (a fresh vault access token included), the
//! activity entry of each use (`credential_use`: the source and the
//! command's `argv[0]`, never a value), and the [`mask::Masker`] that hides
//! the values in the command's output. Spawning the command stays in the
//! shell (the CLI's `cmd/exec.rs`).
//!
//! A source is `vaultstream` (the VaultStream admin token), `jwt-keys` (the
//! JWT keys API key), `vault-access` (a vault access token, renewed first
//! when it is about to expire) or `saved:NAME` (a token kept in the
//! keychain from the reveal dialog, by id or by name). Each has a default
//! variable name ([`Source::default_var`]), used by `--env SOURCE` without
//! `VAR=`.

pub mod mask;

use chrono::Utc;

use super::{record, Outcome, Recorder};
use crate::activity::Action;
use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode, Result};
use crate::profiles::KeyValueStore;
use crate::secret::Secret;
use crate::secrets::Item;
use crate::token_records::TokenRecords;
use crate::vault::{needs_refresh, AssetQuery, Vault};
use crate::Service;

/// A credential of the profile that can be handed to a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    VaultStream,
    JwtKeys,
    VaultAccess,
    /// A saved token, by id or by name.
    Saved(String),
}

/// The sources as the user names them, for messages and help.
pub const SOURCES: &str = "vaultstream, jwt-keys, vault-access or saved:NAME";

impl Source {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "vaultstream" => Self::VaultStream,
            "jwt-keys" => Self::JwtKeys,
            "vault-access" => Self::VaultAccess,
            _ => match s.strip_prefix("saved:") {
                Some(name) if !name.trim().is_empty() => Self::Saved(name.trim().to_owned()),
                _ => {
                    return Err(Error::validation(format!(
                        "Unknown credential source '{s}': use {SOURCES}."
                    )))
                }
            },
        })
    }

    /// The source as the user names it (the activity entry's target).
    pub fn name(&self) -> String {
        match self {
            Self::VaultStream => "vaultstream".into(),
            Self::JwtKeys => "jwt-keys".into(),
            Self::VaultAccess => "vault-access".into(),
            Self::Saved(name) => format!("saved:{name}"),
        }
    }

    /// The variable it goes in when `--env` names no variable. A saved
    /// token is a VaultStream token, so it goes where the admin one would.
    pub fn default_var(&self) -> &'static str {
        match self {
            Self::VaultStream | Self::Saved(_) => "VAULTSTREAM_TOKEN",
            Self::JwtKeys => "JWT_KEYS_API_KEY",
            Self::VaultAccess => "VAULT_ACCESS_TOKEN",
        }
    }
}

/// One variable of the command's environment and the credential it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub var: String,
    pub source: Source,
}

impl Binding {
    /// `VAR=SOURCE`, or `SOURCE` alone (its default variable).
    pub fn parse(s: &str) -> Result<Self> {
        let (var, source) = match s.split_once('=') {
            Some((var, source)) => (Some(var), source),
            None => (None, s),
        };
        let source = Source::parse(source)?;
        let var = match var {
            Some(var) => {
                check_var(var)?;
                var.to_owned()
            }
            None => source.default_var().to_owned(),
        };
        Ok(Self { var, source })
    }

    /// What `--env` gives, checked: by default the VaultStream token as
    /// `VAULTSTREAM_TOKEN`; no variable twice.
    pub fn parse_all(specs: &[String]) -> Result<Vec<Self>> {
        if specs.is_empty() {
            return Ok(vec![Self {
                var: Source::VaultStream.default_var().to_owned(),
                source: Source::VaultStream,
            }]);
        }
        let bindings = specs
            .iter()
            .map(|s| Self::parse(s))
            .collect::<Result<Vec<_>>>()?;
        for (i, b) in bindings.iter().enumerate() {
            if bindings[..i].iter().any(|a| a.var == b.var) {
                return Err(Error::validation(format!(
                    "{} is given twice: name another variable (--env VAR={}).",
                    b.var,
                    b.source.name()
                )));
            }
        }
        Ok(bindings)
    }
}

/// A variable name a shell can read: a letter or `_`, then letters, digits, `_`.
fn check_var(var: &str) -> Result<()> {
    let mut chars = var.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "'{var}' is not a variable name (letters, digits and _, not starting with a digit)."
        )))
    }
}

/// The values for a command's environment, in the order of the bindings.
pub struct Handover {
    pub vars: Vec<(String, Secret)>,
}

impl Handover {
    /// The values, for a [`mask::Masker`].
    pub fn values(&self) -> Vec<&[u8]> {
        self.vars
            .iter()
            .map(|(_, v)| v.expose().as_bytes())
            .collect()
    }
}

/// Reads the credential of each binding and records each use
/// (`credential_use`, the source as target, `program` in the summary).
/// Nothing is recorded unless every credential could be read. `vault` is
/// the session to take a vault access token from (the CLI's environment
/// login); without it, the profile's stored session.
pub async fn hand_over(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    vault: Option<Vault<'_>>,
    bindings: &[Binding],
    program: &str,
) -> Result<Outcome<Handover>> {
    let mut vault = vault;
    let mut access: Option<Secret> = None;
    let mut vars = Vec::with_capacity(bindings.len());
    for b in bindings {
        let value = match &b.source {
            Source::VaultStream => ctx.credential(Item::VaultStreamToken, Service::VaultStream)?,
            Source::JwtKeys => ctx.credential(Item::JwtKeysApiKey, Service::JwtKeys)?,
            Source::VaultAccess => match &access {
                Some(token) => token.duplicate(),
                None => {
                    let session = match vault.take() {
                        Some(v) => v,
                        None => ctx.open_vault()?,
                    };
                    let token = fresh_access_token(session).await?;
                    access = Some(token.duplicate());
                    token
                }
            },
            Source::Saved(name) => saved_token(ctx, settings, name)?,
        };
        vars.push((b.var.clone(), value));
    }
    let mut warnings = Vec::new();
    for b in bindings {
        record(
            recorder,
            ctx,
            Action::CredentialUse,
            &b.source.name(),
            &format!("Handed to `{program}` as {}", b.var),
            &mut warnings,
        );
    }
    Ok(Outcome {
        value: Handover { vars },
        warnings,
    })
}

/// The session's access token, renewed first when it expires within the
/// renewal margin (one read renews it the way every call does, and saves
/// the new session where the vault saves it).
pub async fn fresh_access_token(vault: Vault<'_>) -> Result<Secret> {
    if needs_refresh(vault.claims().await.exp, Utc::now().timestamp()) {
        let probe = AssetQuery {
            limit: 1,
            ..Default::default()
        };
        vault.list_assets(&probe).await?;
    }
    Ok(vault.into_session().await.access_token)
}

/// The saved token `name` names (its id, else its name, which must then
/// be unique among the profile's saved tokens).
fn saved_token(ctx: &ProfileContext, settings: &dyn KeyValueStore, name: &str) -> Result<Secret> {
    let saved = TokenRecords::new(settings).saved(&ctx.profile.name);
    let id = match saved.iter().find(|s| s.id == name) {
        Some(s) => s.id.clone(),
        None => {
            let named: Vec<_> = saved.iter().filter(|s| s.name == name).collect();
            match named.as_slice() {
                [one] => one.id.clone(),
                [] => {
                    return Err(Error::new(
                        ErrorCode::NotFound,
                        format!(
                            "Profile '{}' has no saved token '{name}' (source saved:{name}).",
                            ctx.profile.name
                        ),
                    )
                    .with_hint("Save a token from the app's reveal dialog, or name it by id."))
                }
                _ => {
                    return Err(Error::validation(format!(
                        "{} saved tokens are named '{name}': name one by id (saved:ID).",
                        named.len()
                    )))
                }
            }
        }
    };
    ctx.stored(Item::SavedToken(id))?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("The saved token '{name}' is no longer in the keychain."),
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::http::HttpConfig;
    use crate::profiles::{Environment, Profile};
    use crate::secrets::{EntryName, MemoryStore, SecretStore};
    use crate::token_records::SavedToken;

    #[derive(Default)]
    struct Log(Mutex<Vec<(Action, String, String)>>);

    impl Recorder for Log {
        fn record(&self, _: &str, action: Action, target: &str, summary: &str) -> Result<()> {
            self.0
                .lock()
                .unwrap()
                .push((action, target.to_owned(), summary.to_owned()));
            Ok(())
        }
    }

    #[derive(Default)]
    struct Settings(Mutex<std::collections::HashMap<String, serde_json::Value>>);

    impl KeyValueStore for Settings {
        fn get(&self, key: &str) -> Option<serde_json::Value> {
            self.0.lock().unwrap().get(key).cloned()
        }
        fn set(&self, key: &str, value: serde_json::Value) -> Result<()> {
            self.0.lock().unwrap().insert(key.to_owned(), value);
            Ok(())
        }
    }

    fn ctx() -> ProfileContext {
        let store = Arc::new(MemoryStore::default());
        store
            .set(
                &EntryName::new("Acme", Item::VaultStreamToken),
                &Secret::new("vs-admin-value"),
            )
            .unwrap();
        store
            .set(
                &EntryName::new("Acme", Item::SavedToken("tok_1".into())),
                &Secret::new("saved-value"),
            )
            .unwrap();
        let p = Profile::new("Acme", Environment::Staging);
        ProfileContext::new(p, store, HttpConfig::default()).unwrap()
    }

    fn settings_with_saved() -> Settings {
        let settings = Settings::default();
        TokenRecords::new(&settings)
            .add_saved(SavedToken {
                profile: "Acme".into(),
                id: "tok_1".into(),
                name: "CI".into(),
                scopes: vec!["content:read".into()],
                saved_at: Utc::now(),
            })
            .unwrap();
        settings
    }

    #[test]
    fn bindings_name_a_variable_or_take_the_default() {
        let b = Binding::parse("TOKEN=vaultstream").unwrap();
        assert_eq!((b.var.as_str(), b.source), ("TOKEN", Source::VaultStream));
        let b = Binding::parse("saved:CI").unwrap();
        assert_eq!(b.var, "VAULTSTREAM_TOKEN");
        assert_eq!(b.source, Source::Saved("CI".into()));
        for (source, var) in [
            ("vaultstream", "VAULTSTREAM_TOKEN"),
            ("jwt-keys", "JWT_KEYS_API_KEY"),
            ("vault-access", "VAULT_ACCESS_TOKEN"),
        ] {
            assert_eq!(Binding::parse(source).unwrap().var, var);
            assert_eq!(Source::parse(source).unwrap().name(), source);
        }
        let none: Vec<String> = Vec::new();
        assert_eq!(
            Binding::parse_all(&none).unwrap(),
            vec![Binding {
                var: "VAULTSTREAM_TOKEN".into(),
                source: Source::VaultStream
            }]
        );
    }

    #[test]
    fn bad_bindings_are_refused_with_what_was_given() {
        let e = Binding::parse("X=vaultstrem").unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
        assert!(e.message.contains("'vaultstrem'"), "{}", e.message);
        assert!(e.message.contains("saved:NAME"), "{}", e.message);
        for bad in ["saved:", "", "X="] {
            assert_eq!(Binding::parse(bad).unwrap_err().code, ErrorCode::Validation);
        }
        for bad_var in ["1X=vaultstream", "A-B=vaultstream", "=vaultstream"] {
            let e = Binding::parse(bad_var).unwrap_err();
            assert!(e.message.contains("not a variable name"), "{}", e.message);
        }
        let twice = ["vaultstream".to_owned(), "saved:CI".to_owned()];
        let e = Binding::parse_all(&twice).unwrap_err();
        assert!(
            e.message.contains("VAULTSTREAM_TOKEN is given twice"),
            "{}",
            e.message
        );
    }

    #[tokio::test]
    async fn each_use_is_recorded_with_the_source_and_the_program_never_a_value() {
        let (ctx, log, settings) = (ctx(), Log::default(), settings_with_saved());
        let bindings = Binding::parse_all(&["vaultstream".into(), "MINE=saved:CI".into()]).unwrap();
        let out = hand_over(&ctx, &log, &settings, None, &bindings, "deploy.sh")
            .await
            .unwrap();
        assert!(out.warnings.is_empty());
        let vars: Vec<(&str, &str)> = out
            .value
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(
            vars,
            [
                ("VAULTSTREAM_TOKEN", "vs-admin-value"),
                ("MINE", "saved-value")
            ]
        );
        let entries = log.0.lock().unwrap().clone();
        assert_eq!(
            entries,
            [
                (
                    Action::CredentialUse,
                    "vaultstream".to_owned(),
                    "Handed to `deploy.sh` as VAULTSTREAM_TOKEN".to_owned()
                ),
                (
                    Action::CredentialUse,
                    "saved:CI".to_owned(),
                    "Handed to `deploy.sh` as MINE".to_owned()
                ),
            ]
        );
        // By id as well as by name.
        let by_id = [Binding::parse("saved:tok_1").unwrap()];
        let out = hand_over(&ctx, &log, &settings, None, &by_id, "x")
            .await
            .unwrap();
        assert_eq!(out.value.vars[0].1.expose(), "saved-value");
    }

    #[tokio::test]
    async fn a_missing_credential_records_nothing() {
        let (ctx, log, settings) = (ctx(), Log::default(), settings_with_saved());
        for (specs, code, named) in [
            (
                &["vaultstream", "jwt-keys"][..],
                ErrorCode::NoCredentials,
                "JWT keys",
            ),
            (&["saved:nope"], ErrorCode::NotFound, "saved:nope"),
            (&["vault-access"], ErrorCode::NoCredentials, "vault"),
        ] {
            let specs: Vec<String> = specs.iter().map(|s| (*s).to_owned()).collect();
            let bindings = Binding::parse_all(&specs).unwrap();
            let e = hand_over(&ctx, &log, &settings, None, &bindings, "x")
                .await
                .err()
                .unwrap();
            assert_eq!(e.code, code, "{specs:?}");
            assert!(e.message.contains(named), "{specs:?}: {}", e.message);
        }
        assert!(log.0.lock().unwrap().is_empty());
    }
}
