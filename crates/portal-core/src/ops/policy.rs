//! Policy as code (issue 15 §4), the use cases: where a profile's policy
//! file comes from ([`load`]: the shell's `--policy FILE` or
//! `PORTAL_POLICY`, else the one chosen in Settings → Policy, kept in the
//! shared settings file), what it says ([`status`]), choosing it
//! ([`set_file`], checked before it is kept), the checks the create,
//! rotate, generate, import and upload use cases run before anything is
//! sent ([`allow_token`], [`allow_key`]), and the audit of what exists
//! ([`check`]; `ops::health` lists the same findings).
//!
//! Nothing here changes a token or key, so nothing is recorded.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::cli;
use crate::context::ProfileContext;
use crate::error::{Error, Result};
use crate::jwt_keys::JwtKey;
use crate::keypair::PublicKey;
use crate::local_keys::{LocalKey, LocalKeys};
use crate::policy::{Effective, Policy, Rule, Rules};
use crate::profiles::{Environment, KeyValueStore};
use crate::secrets::Item;
use crate::service::Service;
use crate::vaultstream::{ApiToken, NewToken};

/// The settings key of the policy file chosen in the app (an absolute path).
pub const POLICY_FILE_SETTING: &str = "policyFile";

/// Where the policy file's path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PolicySource {
    /// The CLI's `--policy FILE`.
    Flag,
    /// The `PORTAL_POLICY` environment variable.
    Environment,
    /// Settings → Policy (the shared settings file).
    Settings,
}

impl PolicySource {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Flag => "--policy",
            Self::Environment => "PORTAL_POLICY",
            Self::Settings => "Settings → Policy",
        }
    }
}

/// A policy file path and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyPath {
    pub path: PathBuf,
    pub source: PolicySource,
}

/// The file that applies: the one the shell was given, else the settings'.
pub fn locate(settings: &dyn KeyValueStore, given: Option<PolicyPath>) -> Option<PolicyPath> {
    given.or_else(|| {
        settings
            .get(POLICY_FILE_SETTING)
            .and_then(|v| v.as_str().map(PathBuf::from))
            .filter(|p| !p.as_os_str().is_empty())
            .map(|path| PolicyPath {
                path,
                source: PolicySource::Settings,
            })
    })
}

/// The policy for a context (`ProfileContext::set_policy`): `None` when no
/// file is chosen; an error when the chosen one cannot be read or parsed.
pub fn load(settings: &dyn KeyValueStore, given: Option<PolicyPath>) -> Result<Option<Policy>> {
    locate(settings, given)
        .map(|p| Policy::read(&p.path))
        .transpose()
}

/// What Settings → Policy and `portal policy show` say: the file, where
/// its path came from, and its rules for the environment in plain words,
/// or its error.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyStatus {
    /// `None`: no policy file is chosen.
    pub file: Option<String>,
    pub source: Option<PolicySource>,
    /// The environment the rules are for (the profile's); `None`: no
    /// profile, so the `[default]` table's.
    pub environment: Option<Environment>,
    pub rules: Option<Rules>,
    /// Each rule in plain words.
    pub described: Vec<String>,
    /// Why the file cannot be used (its line and what is wrong).
    pub error: Option<Error>,
}

/// The status of the policy for `environment`.
pub fn status(
    settings: &dyn KeyValueStore,
    given: Option<PolicyPath>,
    environment: Option<Environment>,
) -> PolicyStatus {
    let located = locate(settings, given);
    let mut out = PolicyStatus {
        file: located.as_ref().map(|p| p.path.display().to_string()),
        source: located.as_ref().map(|p| p.source),
        environment,
        rules: None,
        described: Vec::new(),
        error: None,
    };
    if let Some(p) = located {
        match Policy::read(&p.path) {
            Ok(policy) => {
                let rules = match environment {
                    Some(e) => policy.rules_for(e),
                    None => policy.default_rules().clone(),
                };
                out.described = rules.describe();
                out.rules = Some(rules);
            }
            Err(e) => out.error = Some(e),
        }
    }
    out
}

/// Chooses the app's policy file (`None`: none). A file is read and parsed
/// first: one that cannot be used is refused with its error, not kept.
pub fn set_file(
    settings: &dyn KeyValueStore,
    path: Option<&str>,
    environment: Option<Environment>,
) -> Result<PolicyStatus> {
    let value = match path.map(str::trim).filter(|p| !p.is_empty()) {
        None => Value::Null,
        Some(p) => {
            if !Path::new(p).is_absolute() {
                return Err(Error::validation(format!(
                    "The policy file must be given by its full path, not '{p}'."
                )));
            }
            Policy::read(Path::new(p))?;
            Value::String(p.to_owned())
        }
    };
    settings.set(POLICY_FILE_SETTING, value)?;
    Ok(status(settings, None, environment))
}

/// Refuses a new token (a create, or a rotation's replacement) that breaks
/// the profile's policy, before anything is sent. A malformed policy file
/// refuses everything with its error.
pub fn allow_token(ctx: &ProfileContext, new: &NewToken, now: DateTime<Utc>) -> Result<()> {
    match ctx.policy()? {
        Some(p) => p.refuse(&p.check_new_token(&new.name, &new.scopes, new.expires_at, now)),
        None => Ok(()),
    }
}

/// Refuses a key about to be generated, kept or uploaded that breaks the
/// profile's policy (its size and name), before anything is made or sent.
pub fn allow_key(ctx: &ProfileContext, name: &str, bits: usize) -> Result<()> {
    match ctx.policy()? {
        Some(p) => p.refuse(&p.check_key(name, Some(bits), None)),
        None => Ok(()),
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PolicyTarget {
    /// A VaultStream API token.
    Token,
    /// A JWT key on the service.
    Key,
    /// A key kept here whose public half is not on the service.
    LocalKey,
}

/// A token or key that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyFinding {
    pub target: PolicyTarget,
    /// The token id, JWT key id, or local key id (`lk_…`).
    pub id: String,
    pub name: String,
    pub rule: Rule,
    /// The rule and the fact, e.g. "tokens may live at most 30 days; this
    /// one lives 90".
    pub message: String,
    /// The command that removes the offender, in full (make a compliant
    /// replacement first).
    pub fix: String,
}

/// The audit of a profile's tokens and keys against its policy.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyReport {
    pub profile: String,
    pub file: String,
    pub environment: Environment,
    pub findings: Vec<PolicyFinding>,
}

/// The lifetime a token was given: creation to expiry (`None`: it never
/// expires; an unknown creation counts as none, so the cap is not judged).
fn lifetime(t: &ApiToken) -> Option<Duration> {
    let expires = t.expires_at?;
    Some(t.created_at.map_or_else(Duration::zero, |c| expires - c))
}

/// The tokens that break `rules`, each with its fix.
pub fn audit_tokens(rules: &Effective, tokens: &[ApiToken], profile: &str) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    for t in tokens {
        for v in rules.check_token(&t.name, &t.scopes, lifetime(t)) {
            out.push(PolicyFinding {
                target: PolicyTarget::Token,
                id: t.id.clone(),
                name: t.name.clone(),
                rule: v.rule,
                message: v.message,
                fix: cli(&format!("tokens revoke {}", t.id), profile),
            });
        }
    }
    out
}

/// The keys that break `rules` at `now`: every server key (its size from
/// its public key, its age from its creation), and the keys kept here whose
/// public half is not among them.
pub fn audit_keys(
    rules: &Effective,
    server: &[JwtKey],
    local: &[LocalKey],
    now: DateTime<Utc>,
    profile: &str,
) -> Vec<PolicyFinding> {
    let mut out = Vec::new();
    let mut push = |target, id: &str, name: &str, v: crate::policy::Violation| {
        out.push(PolicyFinding {
            target,
            id: id.to_owned(),
            name: name.to_owned(),
            rule: v.rule,
            message: v.message,
            fix: cli(&format!("keys delete {id}"), profile),
        });
    };
    for k in server {
        let bits = PublicKey::from_pem(&k.public_key).ok().map(|p| p.bits());
        let age = k.created_time.map(|c| now - c);
        for v in rules.check_key(&k.name, bits, age) {
            push(PolicyTarget::Key, &k.id, &k.name, v);
        }
    }
    for l in local {
        let on_server = l
            .server_key_id
            .as_ref()
            .is_some_and(|id| server.iter().any(|k| &k.id == id));
        if on_server {
            continue;
        }
        for v in rules.check_key(&l.name, Some(l.bits), Some(now - l.created)) {
            push(PolicyTarget::LocalKey, &l.local_id, &l.name, v);
        }
    }
    out
}

/// Audits the profile's tokens and keys (all pages of each) against its
/// policy at `now`. Without a policy file, or when a service cannot be
/// asked, an error: an audit for a team's CI never passes by not looking.
pub async fn check(
    pc: &ProfileContext,
    settings: &dyn KeyValueStore,
    now: DateTime<Utc>,
) -> Result<PolicyReport> {
    let rules = pc.policy()?.ok_or_else(|| {
        Error::config("No policy file is chosen.").with_hint(
            "Give one with `--policy FILE` or PORTAL_POLICY, or choose one in Settings → Policy.",
        )
    })?;
    let profile = pc.profile.name.as_str();
    let credential = pc.credential(Item::VaultStreamToken, Service::VaultStream)?;
    let tokens = pc.tokens(&credential).list_all().await?;
    let api_key = pc.credential(Item::JwtKeysApiKey, Service::JwtKeys)?;
    let server = pc.jwt_keys(&api_key).list_all().await?;
    let local = LocalKeys::new(settings, pc).list();
    let mut findings = audit_tokens(rules, &tokens, profile);
    findings.extend(audit_keys(rules, &server, &local, now, profile));
    Ok(PolicyReport {
        profile: profile.to_owned(),
        file: rules.file.display().to_string(),
        environment: rules.environment,
        findings,
    })
}
