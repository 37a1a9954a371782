//! The health check (issue 15 §3), shared by the app's Health panel and
//! `portal doctor`: what went stale for a profile, each finding with its fix
//! (a button in the app, a command printed in full in the terminal).
//!
//! - saved tokens whose server token was revoked, has expired or is gone;
//! - server tokens that have expired but were never revoked;
//! - keys kept here whose server key is gone, keys kept here never
//!   uploaded, and server keys whose private half is not here;
//! - a stored credential the service refuses;
//! - rotation reminders that are overdue;
//! - key deletions scheduled (`ops::retire`), due or later;
//! - tokens and keys that break the profile's policy (`ops::policy`), and a
//!   policy file that cannot be used.
//!
//! What cannot be checked (a service that does not answer, no credential)
//! is said as a note, never as a finding. Nothing is changed, so nothing is
//! recorded.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::cli;
use super::policy::{audit_keys, audit_tokens, PolicyFinding, PolicyTarget};
use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode};
use crate::key_records::KeyRecords;
use crate::local_keys::{self, LocalKeys, Pairing};
use crate::policy::Effective;
use crate::profiles::KeyValueStore;
use crate::secrets::Item;
use crate::service::Service;
use crate::token_records::TokenRecords;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HealthKind {
    /// A token value saved here whose token the service no longer lists.
    SavedTokenGone,
    /// A token value saved here whose token has expired.
    SavedTokenExpired,
    /// A server token past its expiry that was never revoked.
    TokenExpired,
    /// A private key kept here whose uploaded public half is gone.
    KeyServerGone,
    /// A private key kept here that was never uploaded.
    KeyNotUploaded,
    /// A server key whose private half is not on this machine.
    KeyNoPrivateHalf,
    /// The service refuses the profile's stored credential.
    CredentialRefused,
    /// A rotated token still not revoked after its rotation's deadline.
    RotationOverdue,
    /// A token or key breaks the policy, or the policy file cannot be used.
    PolicyViolation,
    /// A key deletion scheduled for when its last JWT expires, now due and
    /// not yet carried out.
    KeyDeletionDue,
    /// A key deletion scheduled for later (worth knowing).
    KeyDeletionScheduled,
}

/// How to fix a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthFix {
    /// The app's button, e.g. "Revoke…".
    pub label: String,
    /// The command that does it, in full.
    pub command: String,
}

/// One thing that went stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthFinding {
    pub kind: HealthKind,
    /// True: needs action (`portal doctor` exits 1). False: worth knowing.
    pub action: bool,
    /// What it is about, e.g. "token 'CI' (tok_1)".
    pub subject: String,
    /// One sentence: what is wrong.
    pub detail: String,
    pub fix: Option<HealthFix>,
    /// The token id, key id or local key id the fix acts on.
    pub id: Option<String>,
}

/// A profile's health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthReport {
    pub profile: String,
    pub findings: Vec<HealthFinding>,
    /// What could not be checked, and why.
    pub notes: Vec<String>,
}

impl HealthReport {
    /// Something needs action.
    pub fn needs_action(&self) -> bool {
        self.findings.iter().any(|f| f.action)
    }
}

fn finding(
    kind: HealthKind,
    subject: String,
    detail: String,
    fix: Option<(&str, String)>,
    id: &str,
) -> HealthFinding {
    HealthFinding {
        kind,
        action: !matches!(
            kind,
            HealthKind::KeyNoPrivateHalf | HealthKind::KeyDeletionScheduled
        ),
        subject,
        detail,
        fix: fix.map(|(label, command)| HealthFix {
            label: label.to_owned(),
            command,
        }),
        id: Some(id.to_owned()),
    }
}

/// A refused credential is a finding; any other failure a note.
fn refused_or_note(report: &mut HealthReport, service: Service, login: &str, e: &Error) -> bool {
    match e.code {
        ErrorCode::Unauthorized => {
            report.findings.push(HealthFinding {
                kind: HealthKind::CredentialRefused,
                action: true,
                subject: format!("{} credential", service.label()),
                detail: format!(
                    "{} refuses the stored credential of profile {}: it was revoked, expired or replaced.",
                    service.label(),
                    report.profile
                ),
                fix: Some(HealthFix {
                    label: "Replace…".into(),
                    command: cli(&format!("login {login}"), &report.profile),
                }),
                id: None,
            });
            true
        }
        ErrorCode::NoCredentials => false,
        _ => {
            report.notes.push(format!(
                "{} was not checked: {}",
                service.label(),
                e.message
            ));
            false
        }
    }
}

/// The tokens side: saved copies, expired tokens, overdue reminders.
async fn tokens(
    pc: &ProfileContext,
    records: &TokenRecords<'_>,
    rules: Option<&Effective>,
    now: DateTime<Utc>,
    report: &mut HealthReport,
) {
    let profile = pc.profile.name.clone();
    let listed = async {
        let credential = pc.credential(Item::VaultStreamToken, Service::VaultStream)?;
        pc.tokens(&credential).list_all().await
    }
    .await;
    // `now` was read from this computer's clock: judge by the service's.
    let now = pc.http.clock().at(now);
    for r in records.reminders(&profile) {
        // Overdue once its deadline passed: before, the rotation is still
        // waiting for its old token to go quiet (`ops::tokens::check_rotations`).
        if r.deadline() <= now {
            report.findings.push(finding(
                HealthKind::RotationOverdue,
                format!("token '{}' ({})", r.old_name, r.old_id),
                format!(
                    "Replaced by '{}' ({}) on {}, and still not revoked.",
                    r.new_name,
                    r.new_id,
                    r.created_at.format("%Y-%m-%d")
                ),
                Some((
                    "Revoke…",
                    cli(&format!("tokens revoke {}", r.old_id), &profile),
                )),
                &r.old_id,
            ));
        }
    }
    let tokens = match listed {
        Ok(t) => t,
        Err(e) => {
            refused_or_note(report, Service::VaultStream, "vaultstream", &e);
            return;
        }
    };
    if let Some(rules) = rules {
        policy_findings(report, audit_tokens(rules, &tokens, &profile));
    }
    for t in &tokens {
        if t.expires_at.is_some_and(|at| at <= now) {
            report.findings.push(finding(
                HealthKind::TokenExpired,
                format!("token '{}' ({})", t.name, t.id),
                "It has expired but was never revoked: it still shows in every list.".into(),
                Some(("Revoke…", cli(&format!("tokens revoke {}", t.id), &profile))),
                &t.id,
            ));
        }
    }
    for saved in records.saved(&profile) {
        let server = tokens.iter().find(|t| t.id == saved.id);
        let (kind, detail) = match server {
            None => (
                HealthKind::SavedTokenGone,
                "Its token is gone from the service (revoked or deleted): the saved value no longer works.",
            ),
            Some(t) if t.expires_at.is_some_and(|at| at <= now) => (
                HealthKind::SavedTokenExpired,
                "Its token has expired: the saved value no longer works.",
            ),
            Some(_) => continue,
        };
        report.findings.push(finding(
            kind,
            format!("saved token '{}' ({})", saved.name, saved.id),
            detail.into(),
            Some((
                "Forget",
                cli(&format!("tokens forget {}", saved.id), &profile),
            )),
            &saved.id,
        ));
    }
}

/// Policy findings as health findings: each needs action, its fix the
/// command that removes the offender (after a compliant replacement).
fn policy_findings(report: &mut HealthReport, found: Vec<PolicyFinding>) {
    for f in found {
        let what = match f.target {
            PolicyTarget::Token => "token",
            PolicyTarget::Key => "JWT key",
            PolicyTarget::LocalKey => "key",
        };
        let label = match f.target {
            PolicyTarget::Token => "Revoke…",
            _ => "Delete key…",
        };
        report.findings.push(finding(
            HealthKind::PolicyViolation,
            format!("{what} '{}' ({})", f.name, f.id),
            format!(
                "Breaks the policy ({}): {}. Make a compliant replacement, then remove it.",
                f.rule.key(),
                f.message
            ),
            Some((label, f.fix)),
            &f.id,
        ));
    }
}

/// The keys side: local keys against the server's.
async fn keys(
    pc: &ProfileContext,
    settings: &dyn KeyValueStore,
    rules: Option<&Effective>,
    now: DateTime<Utc>,
    report: &mut HealthReport,
) {
    let profile = pc.profile.name.clone();
    scheduled_deletions(settings, &profile, now, report);
    let local = LocalKeys::new(settings, pc).list();
    let server = async {
        let key = pc.credential(Item::JwtKeysApiKey, Service::JwtKeys)?;
        pc.jwt_keys(&key).list_all().await
    }
    .await;
    let now = pc.http.clock().at(now);
    let server = match server {
        Ok(s) => s,
        Err(e) => {
            refused_or_note(report, Service::JwtKeys, "jwt-keys", &e);
            return;
        }
    };
    if let Some(rules) = rules {
        policy_findings(report, audit_keys(rules, &server, &local, now, &profile));
    }
    for row in local_keys::pairings(&server, &local) {
        match (row.pairing, &row.local, &row.server) {
            (Pairing::NotUploaded, Some(l), _) if l.server_key_id.is_some() => {
                report.findings.push(finding(
                    HealthKind::KeyServerGone,
                    format!("key '{}' ({})", l.name, l.local_id),
                    format!(
                        "Its public half (JWT key {}) is gone from the service: nothing it signs will play.",
                        l.server_key_id.as_deref().unwrap_or_default()
                    ),
                    Some((
                        "Delete key…",
                        cli(&format!("keys delete {}", l.local_id), &profile),
                    )),
                    &l.local_id,
                ));
            }
            (Pairing::NotUploaded, Some(l), _) => report.findings.push(finding(
                HealthKind::KeyNotUploaded,
                format!("key '{}' ({})", l.name, l.local_id),
                "It was made here but its upload never finished.".into(),
                Some((
                    "Resume upload",
                    cli(&format!("keys upload {}", l.local_id), &profile),
                )),
                &l.local_id,
            )),
            (Pairing::NoPrivateKeyHere, _, Some(s)) => report.findings.push(finding(
                HealthKind::KeyNoPrivateHalf,
                format!("JWT key '{}' ({})", s.name, s.id),
                "Its private half is not on this machine: this portal cannot sign with it.".into(),
                None,
                &s.id,
            )),
            _ => {}
        }
    }
}

/// Scheduled key deletions: due ones need action (the app and `portal keys
/// retire --due` carry them out), later ones are worth knowing.
fn scheduled_deletions(
    settings: &dyn KeyValueStore,
    profile: &str,
    now: DateTime<Utc>,
    report: &mut HealthReport,
) {
    for s in KeyRecords::new(settings).scheduled(profile) {
        let when = s.due_at.format("%Y-%m-%d %H:%M UTC");
        let (kind, detail, fix) = if s.due_at <= now {
            (
                HealthKind::KeyDeletionDue,
                format!("Its deletion was due at {when}: the JWTs signed with it have expired."),
                ("Delete due keys", cli("keys retire --due", profile)),
            )
        } else {
            (
                HealthKind::KeyDeletionScheduled,
                format!("It is deleted at {when}, when the last JWT signed with it expires."),
                (
                    "Cancel schedule",
                    cli(&format!("keys retire --cancel {}", s.kid), profile),
                ),
            )
        };
        report.findings.push(finding(
            kind,
            format!("JWT key '{}' ({})", s.name, s.kid),
            detail,
            Some(fix),
            &s.kid,
        ));
    }
}

/// The health of profile `pc` at `now` (a reading of this computer's
/// clock; each side is judged by the service's clock, once it answered).
pub async fn check(
    pc: &ProfileContext,
    settings: &dyn KeyValueStore,
    now: DateTime<Utc>,
) -> HealthReport {
    let mut report = HealthReport {
        profile: pc.profile.name.clone(),
        ..HealthReport::default()
    };
    let records = TokenRecords::new(settings);
    let rules = match pc.policy() {
        Ok(rules) => rules,
        Err(e) => {
            report.findings.push(HealthFinding {
                kind: HealthKind::PolicyViolation,
                action: true,
                subject: "policy file".into(),
                detail: format!(
                    "It cannot be used, so nothing can be created: {}",
                    e.message
                ),
                fix: Some(HealthFix {
                    label: "Settings → Policy".into(),
                    command: cli("policy show", &report.profile),
                }),
                id: None,
            });
            None
        }
    };
    tokens(pc, &records, rules, now, &mut report).await;
    keys(pc, settings, rules, now, &mut report).await;
    report.findings.sort_by_key(|f| (!f.action, f.kind as u8));
    report
}
