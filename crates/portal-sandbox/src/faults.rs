//! Fault injection, per method and path, for the reliability tests.
//!
//! # Rule syntax
//!
//! ```text
//! RULE    = [METHOD " "] PATTERN "=" ITEM ("," ITEM)*
//! METHOD  = GET | POST | PUT | PATCH | DELETE | "*"        (default: any)
//! PATTERN = full request path, e.g. /vault/vault/v1/assets/{id}
//!           a segment "{name}" or "*" matches one segment,
//!           a last segment "**" matches any rest (also none)
//! ITEM    = status:CODE        answer CODE in the service's error envelope
//!                              (429 also gets Retry-After and X-RateLimit-*)
//!         | burst:N            shorthand for status:429,times:N
//!         | latency:MS         wait MS milliseconds (alone: then answer normally)
//!         | drop               close the connection without any response
//!         | reset              send the headers and part of the body, then abort
//!         | body:malformed     truncated JSON           (status default 200)
//!         | body:html          an HTML error page       (status default 502)
//!         | body:empty         an empty body            (status default 200)
//!         | body:wrong-envelope  valid JSON in another service's envelope (200)
//!         | rate:P             apply to a fraction P (0..=1) of matches (default 1)
//!         | times:N            apply to the next N matches only, then stop
//!         | retry-after:S      Retry-After seconds for 429 (default 1)
//!         | after              run the real handler first (the write happens),
//!                              then replace its response by the fault
//! ```
//!
//! Examples: `POST /vaultstream/v1/auth/tokens=status:503,rate:1.0`,
//! `GET /jwt-keys/v2/jwt_keys=burst:3,retry-after:2`,
//! `POST /vault/vault/v1/assets=drop,after,times:1`,
//! `* /vault/**=latency:1500`.
//!
//! A rule needs a status in 100..=599, a rate in 0..=1, a latency of at
//! most [`MAX_LATENCY_MS`] and a retry-after of at most [`MAX_RETRY_AFTER`]
//! ([`FaultRule::validate`], checked on every way in).
//!
//! Rules come from `--fault RULE` (repeatable), `PORTAL_SANDBOX_FAULTS`
//! (rules separated by `;`) and `/sandbox/faults`. The first matching rule
//! applies. Sandbox endpoints (`/sandbox/…`) are never faulted.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::Service;
use crate::error::ApiError;
use crate::state::AppState;

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

/// A rule as installed, with its id and counters.
#[derive(Debug, Clone, Serialize)]
pub struct InstalledFault {
    pub id: String,
    pub rule: String,
    #[serde(flatten)]
    pub spec: FaultRule,
    /// Matches still to fault when `times` was given.
    pub remaining: Option<u32>,
    /// Requests faulted so far.
    pub hits: u64,
}

/// The active rules.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<FaultList>,
}

#[derive(Debug, Default)]
struct FaultList {
    next_id: u64,
    rules: Vec<InstalledFault>,
}

impl Faults {
    pub fn add(&self, rule: FaultRule) -> InstalledFault {
        let mut list = self.lock();
        list.next_id += 1;
        let installed = InstalledFault {
            id: format!("f{}", list.next_id),
            rule: rule.to_string(),
            remaining: rule.times,
            spec: rule,
            hits: 0,
        };
        list.rules.push(installed.clone());
        installed
    }

    pub fn list(&self) -> Vec<InstalledFault> {
        self.lock().rules.clone()
    }

    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    pub fn remove(&self, id: &str) -> bool {
        let mut list = self.lock();
        let before = list.rules.len();
        list.rules.retain(|r| r.id != id);
        list.rules.len() != before
    }

    /// The rule to apply to this request, if any (counts it as a hit).
    fn pick(&self, method: &str, path: &str) -> Option<(String, FaultRule)> {
        let mut list = self.lock();
        let mut rng = rand::thread_rng();
        for installed in list.rules.iter_mut() {
            if installed.remaining == Some(0) || !installed.spec.matches(method, path) {
                continue;
            }
            if installed.spec.rate < 1.0 && !rng.gen_bool(installed.spec.rate.max(0.0)) {
                continue;
            }
            if let Some(n) = installed.remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
            installed.hits += 1;
            return Some((installed.id.clone(), installed.spec.clone()));
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultList> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Response marker: the server must close the connection instead of
/// answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// Response marker: which fault rule shaped this response.
#[derive(Debug, Clone)]
pub struct AppliedFault(pub String);

/// Middleware applying the first matching rule.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let service = Service::from_path(req.uri().path());
    if !service.is_emulated() {
        return next.run(req).await;
    }
    let picked = state.faults.pick(req.method().as_str(), req.uri().path());
    let Some((id, rule)) = picked else {
        return next.run(req).await;
    };
    tracing::info!(fault = %id, rule = %rule, "injecting fault");
    let delay = Duration::from_millis(rule.latency_ms);
    let mut response = if rule.after {
        let real = next.run(req).await;
        tokio::time::sleep(delay).await;
        match rule.action {
            FaultAction::Delay => real,
            _ => fault_response(service, &rule, &state),
        }
    } else {
        tokio::time::sleep(delay).await;
        match rule.action {
            FaultAction::Delay => next.run(req).await,
            _ => fault_response(service, &rule, &state),
        }
    };
    response.extensions_mut().insert(AppliedFault(id));
    response
}

fn fault_response(service: Service, rule: &FaultRule, state: &AppState) -> Response {
    let status = |default: u16| {
        StatusCode::from_u16(rule.status.unwrap_or(default)).unwrap_or(StatusCode::OK)
    };
    match rule.action {
        FaultAction::Delay => StatusCode::OK.into_response(),
        FaultAction::Status => error_response(service, status(503), rule, state),
        FaultAction::Drop => {
            let mut r = Response::new(Body::empty());
            r.extensions_mut().insert(DropConnection);
            r
        }
        FaultAction::Reset => reset_response(),
        FaultAction::Malformed => {
            json_text(status(200), "{\"status\":\"ok\",\"data\":{\"id\":\"tok_")
        }
        FaultAction::Empty => json_text(status(200), ""),
        FaultAction::Html => {
            let code = status(502);
            let reason = code.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{n} {reason}</title></head>\r\n<body>\r\n<center><h1>{n} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                n = code.as_u16()
            );
            (code, [(header::CONTENT_TYPE, "text/html")], page).into_response()
        }
        FaultAction::WrongEnvelope => json_text(status(200), &wrong_envelope(service).to_string()),
    }
}

fn error_response(
    service: Service,
    status: StatusCode,
    rule: &FaultRule,
    state: &AppState,
) -> Response {
    let mut err = ApiError::status(service, status, format!("injected fault ({status})"));
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry = rule.retry_after.unwrap_or(1);
        let reset = chrono::Utc::now().timestamp() + i64::try_from(retry).unwrap_or(1);
        err = err
            .with_header("retry-after", retry)
            .with_header(
                "x-ratelimit-limit",
                state.rate_limiter.limits().writes_per_minute,
            )
            .with_header("x-ratelimit-remaining", 0)
            .with_header("x-ratelimit-reset", reset);
        err.message = format!("rate limit exceeded; retry after {retry} s");
    }
    err.into_response()
}

fn json_text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_owned(),
    )
        .into_response()
}

/// Headers and half a body, then an error: the server aborts the connection.
/// The pause makes sure the headers and the first bytes are on the wire.
fn reset_response() -> Response {
    let body = Body::from_stream(futures_util::stream::unfold(0u8, |step| async move {
        match step {
            0 => Some((
                Ok(axum::body::Bytes::from_static(
                    b"{\"status\":\"ok\",\"data\":[{\"id\":",
                )),
                1,
            )),
            1 => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "injected reset",
                    )),
                    2,
                ))
            }
            _ => None,
        }
    }));
    let mut r = (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from_static("4096")),
        ],
        body,
    )
        .into_response();
    r.extensions_mut().insert(ResetBody);
    r
}

/// Response marker: the body will be cut off.
#[derive(Debug, Clone, Copy)]
pub struct ResetBody;

fn wrong_envelope(service: Service) -> serde_json::Value {
    match service {
        Service::VaultStream => json!({"success": true, "result": [], "links": {}, "errors": []}),
        Service::JwtKeys => json!({"data": [], "error": null, "page": null, "meta": {}}),
        _ => json!({"status": "ok", "data": {"items": []}, "meta": {}}),
    }
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
