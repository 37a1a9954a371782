//! A fault rule: its text form (`METHOD PATH=item,item…`), parsed and
//! printed, its checks, and which requests it matches.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a matching rule does to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultAction {
    /// Only the latency; the request is then served normally.
    Delay,
    /// An error status in the service's envelope.
    Status,
    /// Close the connection without a response.
    Drop,
    /// Abort the connection in the middle of the body.
    Reset,
    /// Truncated JSON.
    Malformed,
    /// An HTML error page.
    Html,
    /// An empty body.
    Empty,
    /// Well-formed JSON in another service's envelope.
    WrongEnvelope,
}

/// One fault rule; see the module docs for the text form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method, upper case; `None` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern (full path, service prefix included).
    pub path: String,
    pub action: FaultAction,
    /// Status for `status` (default 503) and the body faults.
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default = "one")]
    pub rate: f64,
    #[serde(default)]
    pub times: Option<u32>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Apply after the real handler ran.
    #[serde(default)]
    pub after: bool,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, thiserror::Error)]
#[error("invalid fault rule {rule:?}: {reason}")]
pub struct FaultRuleError {
    rule: String,
    reason: String,
}

impl FromStr for FaultRule {
    type Err = FaultRuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_rule(s.trim()).map_err(|reason| FaultRuleError {
            rule: s.to_owned(),
            reason,
        })
    }
}

fn parse_rule(s: &str) -> Result<FaultRule, String> {
    let (target, items) = s.split_once('=').ok_or("expected `[METHOD] PATH=ITEM,…`")?;
    let target = target.trim();
    let (method, path) = match target.split_once(char::is_whitespace) {
        Some((m, p)) => (Some(m.trim().to_ascii_uppercase()), p.trim()),
        None => (None, target),
    };
    let method = method.filter(|m| m != "*");
    if !path.starts_with('/') {
        return Err("the path must start with `/`".into());
    }
    let mut rule = FaultRule {
        method,
        path: path.to_owned(),
        action: FaultAction::Delay,
        status: None,
        latency_ms: 0,
        rate: 1.0,
        times: None,
        retry_after: None,
        after: false,
    };
    let mut action = None;
    for item in items.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        apply_item(&mut rule, &mut action, item)?;
    }
    rule.action = match action {
        Some(a) => a,
        None if rule.status.is_some() => FaultAction::Status,
        None if rule.latency_ms > 0 => FaultAction::Delay,
        None => return Err("nothing to do: give status, latency, drop, reset or body".into()),
    };
    rule.validate()?;
    Ok(rule)
}

fn apply_item(
    rule: &mut FaultRule,
    action: &mut Option<FaultAction>,
    item: &str,
) -> Result<(), String> {
    let (key, value) = match item.split_once(':') {
        Some((k, v)) => (k.trim(), Some(v.trim())),
        None => (item, None),
    };
    let number = |v: Option<&str>| -> Result<u64, String> {
        v.ok_or(format!("`{key}` needs a value"))?
            .parse::<u64>()
            .map_err(|_| format!("`{key}` needs a whole number"))
    };
    let mut set = |a: FaultAction| -> Result<(), String> {
        match action.replace(a) {
            Some(previous) if previous != a => Err("give only one of drop, reset, body".into()),
            _ => Ok(()),
        }
    };
    match key {
        "status" => rule.status = Some(u16::try_from(number(value)?).map_err(|e| e.to_string())?),
        "latency" => rule.latency_ms = number(value)?,
        "times" => rule.times = Some(u32::try_from(number(value)?).map_err(|e| e.to_string())?),
        "retry-after" => rule.retry_after = Some(number(value)?),
        "rate" => {
            rule.rate = value
                .ok_or("`rate` needs a value")?
                .parse()
                .map_err(|_| "`rate` needs a number between 0 and 1")?
        }
        "burst" => {
            rule.status = Some(429);
            rule.times = Some(u32::try_from(number(value)?).map_err(|e| e.to_string())?);
        }
        "after" => rule.after = true,
        "drop" => set(FaultAction::Drop)?,
        "reset" => set(FaultAction::Reset)?,
        "body" => set(match value {
            Some("malformed") => FaultAction::Malformed,
            Some("html") => FaultAction::Html,
            Some("empty") => FaultAction::Empty,
            Some("wrong-envelope") => FaultAction::WrongEnvelope,
            _ => return Err("body is one of malformed, html, empty, wrong-envelope".into()),
        })?,
        other => return Err(format!("unknown item `{other}`")),
    }
    Ok(())
}

/// Longest latency a rule may add: 10 minutes.
pub const MAX_LATENCY_MS: u64 = 600_000;
/// Largest `retry-after` a rule may announce: one day.
pub const MAX_RETRY_AFTER: u64 = 86_400;

impl FaultRule {
    /// Whether the rule can be applied: status 100..=599, rate 0..=1,
    /// latency at most 10 minutes, retry-after at most a day, a path.
    /// Every way in (text, JSON, config, [`crate::Sandbox::add_fault`])
    /// checks it, so no rule reaches the middleware that could make it
    /// panic or overflow.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err("`rate` must be between 0 and 1".into());
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(format!("`latency` must be at most {MAX_LATENCY_MS} ms"));
        }
        if self.retry_after.is_some_and(|s| s > MAX_RETRY_AFTER) {
            return Err(format!("`retry-after` must be at most {MAX_RETRY_AFTER} s"));
        }
        if let Some(status) = self.status {
            if !(100..=599).contains(&status) {
                return Err(format!("status {status} is not an HTTP status"));
            }
        }
        if self.action == FaultAction::Status && self.status.is_none() {
            return Err("action status needs a status".into());
        }
        if !self.path.starts_with('/') {
            return Err("the path must start with `/`".into());
        }
        Ok(())
    }

    /// Whether this rule is about `method` `path`.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        path_matches(&self.path, path)
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        match self.action {
            FaultAction::Delay | FaultAction::Status => {}
            FaultAction::Drop => items.push("drop".to_owned()),
            FaultAction::Reset => items.push("reset".to_owned()),
            FaultAction::Malformed => items.push("body:malformed".to_owned()),
            FaultAction::Html => items.push("body:html".to_owned()),
            FaultAction::Empty => items.push("body:empty".to_owned()),
            FaultAction::WrongEnvelope => items.push("body:wrong-envelope".to_owned()),
        }
        if let Some(status) = self.status {
            items.push(format!("status:{status}"));
        }
        if self.latency_ms > 0 {
            items.push(format!("latency:{}", self.latency_ms));
        }
        if self.rate < 1.0 {
            items.push(format!("rate:{}", self.rate));
        }
        if let Some(times) = self.times {
            items.push(format!("times:{times}"));
        }
        if let Some(s) = self.retry_after {
            items.push(format!("retry-after:{s}"));
        }
        if self.after {
            items.push("after".to_owned());
        }
        let method = self.method.as_deref().unwrap_or("*");
        write!(f, "{method} {}={}", self.path, items.join(","))
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for (i, p) in pattern.iter().enumerate() {
        if *p == "**" && i == pattern.len() - 1 {
            return path.len() >= i;
        }
        let Some(segment) = path.get(i) else {
            return false;
        };
        let wildcard = *p == "*" || (p.starts_with('{') && p.ends_with('}'));
        if !wildcard && p != segment {
            return false;
        }
    }
    pattern.len() == path.len()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let rule: FaultRule = "POST /vaultstream/v1/auth/tokens=status:503,rate:1.0"
            .parse()
            .unwrap();
        assert_eq!(rule.method.as_deref(), Some("POST"));
        assert_eq!(rule.action, FaultAction::Status);
        assert_eq!(rule.status, Some(503));
        assert_eq!(
            rule.to_string(),
            "POST /vaultstream/v1/auth/tokens=status:503"
        );
        assert_eq!(rule.to_string().parse::<FaultRule>().unwrap(), rule);
    }

    #[test]
    fn parses_every_item() {
        let rule: FaultRule = "/vault/**=drop,after,times:2,latency:10".parse().unwrap();
        assert_eq!(rule.method, None);
        assert_eq!(rule.action, FaultAction::Drop);
        assert!(rule.after);
        assert_eq!(rule.times, Some(2));
        let burst: FaultRule = "GET /x=burst:3,retry-after:2".parse().unwrap();
        assert_eq!(
            (burst.status, burst.times, burst.retry_after),
            (Some(429), Some(3), Some(2))
        );
        let html: FaultRule = "* /x=body:html,status:504".parse().unwrap();
        assert_eq!((html.action, html.status), (FaultAction::Html, Some(504)));
        assert_eq!(html.to_string().parse::<FaultRule>().unwrap(), html);
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "/x",
            "GET x=status:500",
            "/x=status:999",
            "/x=rate:2,status:500",
            "/x=drop,reset",
            "/x=frobnicate",
            "/x=",
        ] {
            assert!(bad.parse::<FaultRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn patterns() {
        assert!(path_matches("/a/{id}/c", "/a/42/c"));
        assert!(!path_matches("/a/{id}/c", "/a/42"));
        assert!(path_matches("/a/**", "/a"));
        assert!(path_matches("/a/**", "/a/b/c"));
        assert!(!path_matches("/a/**", "/b/a"));
        assert!(path_matches("/a/*", "/a/x/"));
        assert!(!path_matches("/a", "/a/b"));
    }
}
