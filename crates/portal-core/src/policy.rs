//! Policy as code (issue 15 §4): a team's rules for tokens and keys, read
//! from a TOML file (`portal-policy.toml`), per environment. Pure: parsing,
//! the rules that apply to one environment, and checking one token or key
//! against them. Where the file comes from and what is checked when is in
//! `ops::policy`; the use cases that create or upload consult the rules
//! through `ProfileContext::policy`.
//!
//! ```toml
//! [default]                        # every environment, unless overridden
//! max_token_lifetime_days = 90
//! require_expiry = true
//! forbidden_scopes = ["tokens:admin", "vault:*"]
//! max_scopes = 5
//! min_rsa_bits = 3072
//! max_key_age_days = 365
//! name_pattern = "^[a-z0-9-]+$"
//! [environments.production]        # production | staging | sandbox | other
//! max_token_lifetime_days = 30
//! ```
//!
//! An environment's table overrides `[default]` field by field. A file
//! that cannot be read, has an unknown key, a value of the wrong type, a
//! zero or negative number, an invalid regex or an unknown environment is
//! a `config` error naming the file, the line and the column: never ignored.

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::profiles::Environment;

/// The file's usual name.
pub const POLICY_FILE_NAME: &str = "portal-policy.toml";

/// One environment's rules; `None` (or empty) means no such rule. The
/// names are the file's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "PolicyRules")]
pub struct Rules {
    /// The longest lifetime of a token, in days (creation to expiry).
    #[serde(default, deserialize_with = "positive")]
    pub max_token_lifetime_days: Option<u32>,
    /// Every token must have an expiry.
    #[serde(default)]
    pub require_expiry: Option<bool>,
    /// Scopes no token may have: exact names, or a prefix ending in `*`.
    #[serde(default, deserialize_with = "scope_patterns")]
    pub forbidden_scopes: Option<Vec<String>>,
    /// The most scopes one token may have.
    #[serde(default, deserialize_with = "positive")]
    pub max_scopes: Option<u32>,
    /// The smallest RSA key, in bits.
    #[serde(default, deserialize_with = "positive")]
    pub min_rsa_bits: Option<u32>,
    /// The oldest a key may be, in days.
    #[serde(default, deserialize_with = "positive")]
    pub max_key_age_days: Option<u32>,
    /// A regular expression (the `regex` crate's syntax) every token and
    /// key name must match; anchor it (`^…$`) to match the whole name.
    #[serde(default, deserialize_with = "pattern")]
    pub name_pattern: Option<String>,
}

/// Which rule a token or key breaks (named after the file's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "PolicyRule")]
pub enum Rule {
    MaxTokenLifetimeDays,
    RequireExpiry,
    ForbiddenScopes,
    MaxScopes,
    MinRsaBits,
    MaxKeyAgeDays,
    NamePattern,
}

impl Rule {
    /// The key in the policy file.
    pub fn key(self) -> &'static str {
        match self {
            Self::MaxTokenLifetimeDays => "max_token_lifetime_days",
            Self::RequireExpiry => "require_expiry",
            Self::ForbiddenScopes => "forbidden_scopes",
            Self::MaxScopes => "max_scopes",
            Self::MinRsaBits => "min_rsa_bits",
            Self::MaxKeyAgeDays => "max_key_age_days",
            Self::NamePattern => "name_pattern",
        }
    }
}

/// A broken rule, in one clause ("tokens may live at most 30 days; this
/// one would live 90").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "PolicyViolation")]
pub struct Violation {
    pub rule: Rule,
    pub message: String,
}

fn violation(rule: Rule, message: String) -> Violation {
    Violation { rule, message }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Environments {
    production: Option<Rules>,
    staging: Option<Rules>,
    sandbox: Option<Rules>,
    other: Option<Rules>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyToml {
    #[serde(default)]
    default: Rules,
    #[serde(default)]
    environments: Environments,
}

/// A parsed policy file: its default rules and each environment's.
#[derive(Debug)]
pub struct Policy {
    /// Where it was read from.
    pub file: PathBuf,
    parsed: PolicyToml,
}

impl Policy {
    /// Parses `text`, the content of `file` (named in errors).
    pub fn parse(text: &str, file: &Path) -> Result<Self> {
        let parsed: PolicyToml = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|span| line_and_column(text, span))
                .map(|(line, col)| format!(", line {line}, column {col}"))
                .unwrap_or_default();
            malformed(
                file,
                &format!(
                    "{}{at}: {}",
                    file.display(),
                    e.message().trim_end().replace('\n', " ")
                ),
            )
        })?;
        Ok(Self {
            file: file.to_owned(),
            parsed,
        })
    }

    /// Reads and parses the file at `file`.
    pub fn read(file: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            malformed(
                file,
                &format!("Cannot read the policy file {}: {e}", file.display()),
            )
        })?;
        Self::parse(&text, file)
    }

    /// The `[default]` table's rules.
    pub fn default_rules(&self) -> &Rules {
        &self.parsed.default
    }

    /// The rules for `environment`: its table over `[default]`, field by field.
    pub fn rules_for(&self, environment: Environment) -> Rules {
        let envs = &self.parsed.environments;
        let table = match environment {
            Environment::Production => &envs.production,
            Environment::Staging => &envs.staging,
            Environment::Sandbox => &envs.sandbox,
            Environment::Other => &envs.other,
        };
        let base = self.parsed.default.clone();
        let Some(over) = table.clone() else {
            return base;
        };
        Rules {
            max_token_lifetime_days: over
                .max_token_lifetime_days
                .or(base.max_token_lifetime_days),
            require_expiry: over.require_expiry.or(base.require_expiry),
            forbidden_scopes: over.forbidden_scopes.or(base.forbidden_scopes),
            max_scopes: over.max_scopes.or(base.max_scopes),
            min_rsa_bits: over.min_rsa_bits.or(base.min_rsa_bits),
            max_key_age_days: over.max_key_age_days.or(base.max_key_age_days),
            name_pattern: over.name_pattern.or(base.name_pattern),
        }
    }

    /// The rules that apply to `environment`, ready to check against.
    pub fn effective(&self, environment: Environment) -> Effective {
        let rules = self.rules_for(environment);
        // Checked when parsed: this compiles.
        let name_regex = rules
            .name_pattern
            .as_deref()
            .and_then(|p| Regex::new(p).ok());
        Effective {
            file: self.file.clone(),
            environment,
            rules,
            name_regex,
        }
    }
}

fn malformed(file: &Path, message: &str) -> Error {
    Error::config(message.to_owned()).with_hint(format!(
        "Fix the policy file {} or choose another (Settings → Policy, `--policy FILE`, PORTAL_POLICY).",
        file.display()
    ))
}

/// 1-based line and column (in characters) of a byte span's start.
fn line_and_column(text: &str, span: Range<usize>) -> (usize, usize) {
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, col)
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u32>, D::Error> {
    let n = i64::deserialize(d)?;
    u32::try_from(n)
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "must be a whole number from 1 to {}, not {n}",
                u32::MAX
            ))
        })
}

fn pattern<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let p = String::deserialize(d)?;
    Regex::new(&p).map_err(|e| {
        serde::de::Error::custom(format!(
            "not a valid regular expression: {}",
            e.to_string().replace('\n', " ")
        ))
    })?;
    Ok(Some(p))
}

fn scope_patterns<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<String>>, D::Error> {
    let scopes = Vec::<String>::deserialize(d)?;
    for s in &scopes {
        let stem = s.strip_suffix('*').unwrap_or(s);
        if s.trim().is_empty() || s.trim() != s || stem.contains('*') {
            return Err(serde::de::Error::custom(format!(
                "'{s}' is not a scope: give exact scope names, or a prefix ending in '*'"
            )));
        }
    }
    Ok(Some(scopes))
}

/// Whether `scope` is one that `forbidden` (exact, or `prefix*`) names.
fn scope_matches(forbidden: &str, scope: &str) -> bool {
    match forbidden.strip_suffix('*') {
        Some(prefix) => scope.starts_with(prefix),
        None => scope == forbidden,
    }
}

/// Whole days in `d`, what a rule compares: a part of a day does not
/// count (a token made to expire at the end of a day 30 days ahead lives
/// 30 days).
fn whole_days(d: Duration) -> i64 {
    d.num_days()
}

/// `d` in days, to the nearest, for messages (a token made for 90 days a
/// moment ago "lives 90 days").
fn rounded_days(d: Duration) -> i64 {
    (d.num_seconds() + 43_200).div_euclid(86_400)
}

/// The rules that apply to one environment, from one file.
#[derive(Debug, Clone)]
pub struct Effective {
    pub file: PathBuf,
    pub environment: Environment,
    pub rules: Rules,
    name_regex: Option<Regex>,
}

impl Effective {
    fn name(&self, what: &str, name: &str) -> Option<Violation> {
        let re = self.name_regex.as_ref()?;
        (!re.is_match(name)).then(|| {
            violation(
                Rule::NamePattern,
                format!("{what} names must match {}; '{name}' does not", re.as_str()),
            )
        })
    }

    /// What an existing token with these facts breaks. `lifetime`: from
    /// its creation to its expiry; `None`: it never expires.
    pub fn check_token(
        &self,
        name: &str,
        scopes: &[String],
        lifetime: Option<Duration>,
    ) -> Vec<Violation> {
        self.token_violations(name, scopes, lifetime, "lives")
    }

    /// What a new token (expiring at `expires_at`, made `now`) would break.
    pub fn check_new_token(
        &self,
        name: &str,
        scopes: &[String],
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<Violation> {
        self.token_violations(name, scopes, expires_at.map(|at| at - now), "would live")
    }

    fn token_violations(
        &self,
        name: &str,
        scopes: &[String],
        lifetime: Option<Duration>,
        lives: &str,
    ) -> Vec<Violation> {
        let r = &self.rules;
        let mut out = Vec::new();
        match (lifetime, r.max_token_lifetime_days, r.require_expiry) {
            (None, _, Some(true)) => out.push(violation(
                Rule::RequireExpiry,
                "tokens must have an expiry; this one never expires".into(),
            )),
            (None, Some(max), _) => out.push(violation(
                Rule::MaxTokenLifetimeDays,
                format!("tokens may live at most {max} days; this one never expires"),
            )),
            (Some(life), Some(max), _) if whole_days(life) > i64::from(max) => {
                out.push(violation(
                    Rule::MaxTokenLifetimeDays,
                    format!(
                        "tokens may live at most {max} days; this one {lives} {}",
                        rounded_days(life)
                    ),
                ));
            }
            _ => {}
        }
        let forbidden: Vec<&str> = scopes
            .iter()
            .filter(|s| {
                r.forbidden_scopes
                    .iter()
                    .flatten()
                    .any(|f| scope_matches(f, s))
            })
            .map(String::as_str)
            .collect();
        if !forbidden.is_empty() {
            out.push(violation(
                Rule::ForbiddenScopes,
                format!("scope {} is forbidden", forbidden.join(", ")),
            ));
        }
        if let Some(max) = r.max_scopes {
            if scopes.len() > max as usize {
                out.push(violation(
                    Rule::MaxScopes,
                    format!(
                        "tokens may have at most {max} scopes; this one has {}",
                        scopes.len()
                    ),
                ));
            }
        }
        out.extend(self.name("token", name));
        out
    }

    /// What an RSA key of `bits` (`None`: unknown) named `name` breaks,
    /// `age` old (`None`: unknown, or being made now).
    pub fn check_key(
        &self,
        name: &str,
        bits: Option<usize>,
        age: Option<Duration>,
    ) -> Vec<Violation> {
        let r = &self.rules;
        let mut out = Vec::new();
        if let (Some(min), Some(bits)) = (r.min_rsa_bits, bits) {
            if bits < min as usize {
                out.push(violation(
                    Rule::MinRsaBits,
                    format!("RSA keys need at least {min} bits; this one has {bits}"),
                ));
            }
        }
        if let (Some(max), Some(age)) = (r.max_key_age_days, age) {
            if whole_days(age) > i64::from(max) {
                out.push(violation(
                    Rule::MaxKeyAgeDays,
                    format!(
                        "keys may be at most {max} days old; this one is {}",
                        whole_days(age)
                    ),
                ));
            }
        }
        out.extend(self.name("key", name));
        out
    }

    /// Where these rules come from, for messages: `portal-policy.toml, production`.
    pub fn origin(&self) -> String {
        let file = self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let env = serde_json::to_value(self.environment)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        format!("{file}, {env}")
    }

    /// `Ok` when nothing is broken; else the `policy` refusal naming the
    /// rules and the file.
    pub fn refuse(&self, violations: &[Violation]) -> Result<()> {
        if violations.is_empty() {
            return Ok(());
        }
        let what: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
        Err(Error::new(
            ErrorCode::Policy,
            format!(
                "Refused by policy ({}): {}.",
                self.origin(),
                what.join("; ")
            ),
        )
        .with_hint(format!(
            "Change the request to follow the rule ({}), or ask the owner of {} to change it.",
            violations
                .iter()
                .map(|v| v.rule.key())
                .collect::<Vec<_>>()
                .join(", "),
            self.file.display()
        )))
    }
}

impl Rules {
    /// Each rule in plain words, for `portal policy show` and Settings.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(d) = self.max_token_lifetime_days {
            out.push(format!("Tokens may live at most {d} days."));
        }
        match self.require_expiry {
            Some(true) => out.push("Every token must have an expiry.".into()),
            Some(false) => out.push("Tokens may be made without an expiry.".into()),
            None => {}
        }
        if let Some(s) = self.forbidden_scopes.as_ref().filter(|s| !s.is_empty()) {
            out.push(format!("Forbidden scopes: {}.", s.join(", ")));
        }
        if let Some(n) = self.max_scopes {
            out.push(format!("A token may have at most {n} scopes."));
        }
        if let Some(b) = self.min_rsa_bits {
            out.push(format!("RSA keys need at least {b} bits."));
        }
        if let Some(d) = self.max_key_age_days {
            out.push(format!("Keys may be at most {d} days old."));
        }
        if let Some(p) = &self.name_pattern {
            out.push(format!("Token and key names must match {p}."));
        }
        if out.is_empty() {
            out.push("No rules for this environment.".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const FULL: &str = r#"
# applies to every environment unless overridden
[default]
max_token_lifetime_days = 90
require_expiry = true
forbidden_scopes = ["tokens:admin", "vault:*"]
max_scopes = 3
min_rsa_bits = 3072
max_key_age_days = 365
name_pattern = "^[a-z0-9-]+$"

[environments.production]
max_token_lifetime_days = 30

[environments.sandbox]
require_expiry = false
forbidden_scopes = []
"#;

    fn parse(text: &str) -> Result<Policy> {
        Policy::parse(text, Path::new("/team/portal-policy.toml"))
    }

    fn err(text: &str) -> String {
        let e = parse(text).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
        assert!(e.hint.unwrap().contains("/team/portal-policy.toml"));
        e.message
    }

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn every_rule_is_read_and_environments_override_field_by_field() {
        let p = parse(FULL).unwrap();
        let staging = p.rules_for(Environment::Staging);
        assert_eq!(
            staging,
            Rules {
                max_token_lifetime_days: Some(90),
                require_expiry: Some(true),
                forbidden_scopes: Some(strings(&["tokens:admin", "vault:*"])),
                max_scopes: Some(3),
                min_rsa_bits: Some(3072),
                max_key_age_days: Some(365),
                name_pattern: Some("^[a-z0-9-]+$".into()),
            }
        );
        let prod = p.rules_for(Environment::Production);
        assert_eq!(prod.max_token_lifetime_days, Some(30));
        assert_eq!(prod.min_rsa_bits, Some(3072));
        let sandbox = p.rules_for(Environment::Sandbox);
        assert_eq!(sandbox.require_expiry, Some(false));
        assert_eq!(sandbox.forbidden_scopes, Some(vec![]));
        assert_eq!(sandbox.max_token_lifetime_days, Some(90));
        // An empty file: no rules at all.
        assert_eq!(
            parse("").unwrap().rules_for(Environment::Production),
            Rules::default()
        );
    }

    #[test]
    fn a_malformed_file_names_its_line_and_what_is_wrong() {
        let cases = [
            (
                "[default]\nmax_token_days = 3\n",
                "line 2, column 1",
                "unknown field `max_token_days`",
            ),
            (
                "[default]\n\nmax_scopes = \"five\"\n",
                "line 3, column 14",
                "invalid type",
            ),
            (
                "[default]\nmax_scopes = 0\n",
                "line 2, column 14",
                "from 1 to",
            ),
            (
                "[default]\nmax_key_age_days = -5\n",
                "line 2, column 20",
                "not -5",
            ),
            (
                "[default]\nname_pattern = \"[a-\"\n",
                "line 2, column 16",
                "not a valid regular expression",
            ),
            (
                "[environments.prod]\nmax_scopes = 2\n",
                "line 1, column 15",
                "unknown field `prod`",
            ),
            (
                "[default]\nforbidden_scopes = [\"a*b\"]\n",
                "line 2, column 20",
                "is not a scope",
            ),
            ("[default\n", "line 1", "/team/portal-policy.toml"),
            ("[rules]\n", "line 1, column 2", "unknown field `rules`"),
        ];
        for (text, at, what) in cases {
            let m = err(text);
            assert!(m.starts_with("/team/portal-policy.toml, "), "{m}");
            assert!(m.contains(at), "{text:?}: {m}");
            assert!(m.contains(what), "{text:?}: {m}");
        }
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let e = Policy::read(Path::new("/nonexistent/portal-policy.toml")).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
        assert!(
            e.message.contains("/nonexistent/portal-policy.toml"),
            "{}",
            e.message
        );
    }

    #[test]
    fn tokens_are_checked_against_each_rule() {
        let prod = parse(FULL).unwrap().effective(Environment::Production);
        let rules = |v: Vec<Violation>| v.into_iter().map(|v| v.rule).collect::<Vec<_>>();
        let ok = strings(&["content:read"]);
        assert!(prod
            .check_token("ci-deploy", &ok, Some(Duration::days(30)))
            .is_empty());
        // A part of a day over is not a day over.
        assert!(prod
            .check_token("ci", &ok, Some(Duration::days(30) + Duration::hours(20)))
            .is_empty());
        let long = prod.check_token("ci", &ok, Some(Duration::days(90)));
        assert_eq!(
            long[0].message,
            "tokens may live at most 30 days; this one lives 90"
        );
        assert_eq!(
            rules(prod.check_token("ci", &ok, None)),
            [Rule::RequireExpiry]
        );
        assert_eq!(
            rules(prod.check_token(
                "CI Deploy",
                &strings(&["tokens:admin", "vault:write", "a", "b"]),
                Some(Duration::days(1))
            )),
            [Rule::ForbiddenScopes, Rule::MaxScopes, Rule::NamePattern]
        );
        let bad = prod.check_token("ci", &strings(&["vault:read"]), Some(Duration::days(1)));
        assert_eq!(bad[0].message, "scope vault:read is forbidden");
        // Sandbox: expiry not required, but the inherited cap still applies.
        let sandbox = parse(FULL).unwrap().effective(Environment::Sandbox);
        assert_eq!(
            sandbox.check_token("ci", &strings(&["tokens:admin"]), None)[0].message,
            "tokens may live at most 90 days; this one never expires"
        );
        let new =
            prod.check_new_token("ci", &ok, Some(Utc::now() + Duration::days(90)), Utc::now());
        assert_eq!(
            new[0].message,
            "tokens may live at most 30 days; this one would live 90"
        );
    }

    #[test]
    fn keys_are_checked_for_size_age_and_name() {
        let p = parse(FULL).unwrap().effective(Environment::Staging);
        assert!(p
            .check_key("signing", Some(3072), Some(Duration::days(365)))
            .is_empty());
        assert!(p.check_key("signing", Some(4096), None).is_empty());
        let v = p.check_key("Old Key", Some(2048), Some(Duration::days(400)));
        assert_eq!(
            v.iter().map(|v| v.message.as_str()).collect::<Vec<_>>(),
            [
                "RSA keys need at least 3072 bits; this one has 2048",
                "keys may be at most 365 days old; this one is 400",
                "key names must match ^[a-z0-9-]+$; 'Old Key' does not",
            ]
        );
    }

    #[test]
    fn a_refusal_names_the_rule_and_the_file() {
        let prod = parse(FULL).unwrap().effective(Environment::Production);
        assert!(prod.refuse(&[]).is_ok());
        let v = prod.check_new_token(
            "ci",
            &strings(&["content:read"]),
            Some(Utc::now() + Duration::days(90)),
            Utc::now(),
        );
        let e = prod.refuse(&v).unwrap_err();
        assert_eq!(e.code, ErrorCode::Policy);
        assert_eq!(
            e.message,
            "Refused by policy (portal-policy.toml, production): tokens may live at most 30 days; this one would live 90."
        );
        assert!(e.hint.unwrap().contains("max_token_lifetime_days"));
    }

    #[test]
    fn rules_are_described_in_plain_words() {
        let words = parse(FULL)
            .unwrap()
            .rules_for(Environment::Production)
            .describe();
        assert_eq!(words[0], "Tokens may live at most 30 days.");
        assert!(words.contains(&"Forbidden scopes: tokens:admin, vault:*.".to_owned()));
        assert_eq!(
            Rules::default().describe(),
            ["No rules for this environment."]
        );
    }
}
