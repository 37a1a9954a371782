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
//!
//! [`rule`] parses and prints the rules; [`inject`] is the middleware that
//! applies them; the list of installed rules is here.

mod inject;
mod rule;

use std::sync::Mutex;

use rand::Rng;
use serde::Serialize;

pub use inject::{inject, AppliedFault, DropConnection, ResetBody};
pub use rule::{FaultAction, FaultRule, FaultRuleError, MAX_LATENCY_MS, MAX_RETRY_AFTER};

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
