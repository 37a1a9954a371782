//! The fault matrix's tables, shared by the core test
//! (`crates/portal-core/tests/it/fault_matrix.rs`) and the CLI test
//! (`crates/portal-cli/tests/it/fault_matrix.rs`): the faults, the operations,
//! what each must end in, and the writer of `docs/RELIABILITY.md`.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use portal_core::{ErrorCode, Service};

/// The name of everything a case creates.
pub const NAME: &str = "matrix";

/// Attempts in all for a retried call (kept low: the 429 cases wait 1 s
/// between attempts).
pub const MAX_ATTEMPTS: u32 = 3;
/// The timeout fault answers after this long…
pub const FAULT_LATENCY_MS: u64 = 4_500;

/// …and the client gives up after a third of that. Other faults get a
/// generous timeout, so that a loaded machine cannot turn them into timeouts.
pub fn client_timeout(fault: Fault) -> Duration {
    if fault == Fault::Timeout {
        Duration::from_millis(FAULT_LATENCY_MS / 3)
    } else {
        Duration::from_secs(15)
    }
}

/// The requests of a case's call (its method, to `path`) the sandbox logged
/// after `after_seq`: every one of the client's `attempts`, unless the port
/// was closed. After a timeout the last abandoned attempt may still be on
/// its way to the log: wait (at most until the fault would have answered)
/// for all of them.
pub async fn reached(
    sb: &portal_sandbox::Sandbox,
    case: &Case,
    after_seq: u64,
    path: &str,
    attempts: u32,
) -> Vec<portal_sandbox::LoggedRequest> {
    let expected = if case.fault == Fault::Refused {
        0
    } else {
        attempts as usize
    };
    let method = case.target.method();
    let deadline = std::time::Instant::now() + Duration::from_millis(FAULT_LATENCY_MS + 500);
    loop {
        let found: Vec<_> = sb
            .requests()
            .into_iter()
            .filter(|r| r.seq > after_seq && r.method == method && r.path == path)
            .collect();
        if found.len() >= expected || std::time::Instant::now() >= deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Arms the case's fault on its request (the collection, or the subject
/// under it) and returns the last request seen before it and that path.
pub fn arm(sb: &portal_sandbox::Sandbox, case: &Case, subject_id: Option<&str>) -> (u64, String) {
    let t = case.target;
    let last_seq = sb.requests().iter().map(|r| r.seq).max().unwrap_or(0);
    let path = match subject_id {
        Some(id) => format!("{}/{id}", t.collection()),
        None => t.collection().to_owned(),
    };
    if let Some(items) = case.fault.rule_items() {
        let times = if case.transient { ",times:1" } else { "" };
        sb.add_fault(
            format!("{} {path}={items}{times}", t.method())
                .parse()
                .unwrap(),
        );
    }
    (last_seq, path)
}

/// What a case left behind, read through `good` (a context without faults):
/// after a create, the resources named [`NAME`] (for a key, with the public
/// key `key_pem` when given); after a delete, 1 if the subject still exists.
pub async fn remaining(
    good: &portal_core::context::ProfileContext,
    vs: &portal_core::Secret,
    jk: &portal_core::Secret,
    t: Target,
    subject_id: Option<&str>,
    key_pem: Option<&str>,
) -> usize {
    let ours = |name: &str, id: &str| match t.op {
        Op::Create => name == NAME,
        _ => Some(id) == subject_id,
    };
    match (t.service, t.op) {
        (_, Op::List) => 0,
        (Service::VaultStream, _) => {
            let list = good.tokens(vs).list_all().await.unwrap();
            list.iter().filter(|k| ours(&k.name, &k.id)).count()
        }
        (Service::JwtKeys, op) => {
            let list = good.jwt_keys(jk).list_all().await.unwrap();
            list.iter()
                .filter(|k| ours(&k.name, &k.id))
                .filter(|k| op != Op::Create || key_pem.is_none_or(|p| k.public_key.trim() == p))
                .count()
        }
        (Service::Vault, _) => {
            let query = portal_core::vault::AssetQuery {
                page: 1,
                limit: 100,
                ..Default::default()
            };
            let vault = good.open_vault().unwrap();
            let all = vault.list_all_assets(&query).await.unwrap();
            all.iter().filter(|a| ours(&a.name, &a.id)).count()
        }
    }
}

/// Cases run on this many threads at once (each its own runtime and sandbox).
pub const WORKERS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    Refused,
    Timeout,
    Reset,
    Status500,
    Status502,
    Status503,
    RateLimited,
    Malformed,
    Html,
    Empty,
    WrongEnvelope,
}

impl Fault {
    pub const ALL: [Fault; 11] = [
        Fault::Refused,
        Fault::Timeout,
        Fault::Reset,
        Fault::Status500,
        Fault::Status502,
        Fault::Status503,
        Fault::RateLimited,
        Fault::Malformed,
        Fault::Html,
        Fault::Empty,
        Fault::WrongEnvelope,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Fault::Refused => "connection refused",
            Fault::Timeout => "timeout",
            Fault::Reset => "reset mid-response",
            Fault::Status500 => "HTTP 500",
            Fault::Status502 => "HTTP 502",
            Fault::Status503 => "HTTP 503",
            Fault::RateLimited => "HTTP 429 + Retry-After: 1",
            Fault::Malformed => "malformed JSON (200)",
            Fault::Html => "HTML error page (502)",
            Fault::Empty => "empty body (200)",
            Fault::WrongEnvelope => "wrong envelope (200)",
        }
    }

    /// The sandbox rule's items (`None`: the URL points at a closed port).
    /// Faults that model an answer lost or mangled after the service acted
    /// run the real handler first (`after`), so a write really happens.
    pub fn rule_items(self) -> Option<String> {
        Some(match self {
            Fault::Refused => return None,
            Fault::Timeout => format!("latency:{FAULT_LATENCY_MS},after"),
            Fault::Reset => "reset,after".into(),
            Fault::Status500 => "status:500".into(),
            Fault::Status502 => "status:502".into(),
            Fault::Status503 => "status:503".into(),
            Fault::RateLimited => "status:429,retry-after:1".into(),
            Fault::Malformed => "body:malformed,after".into(),
            Fault::Html => "body:html".into(),
            Fault::Empty => "body:empty,after".into(),
            Fault::WrongEnvelope => "body:wrong-envelope".into(),
        })
    }

    /// Whether the service acted before the fault (the write happened).
    pub fn acts(self) -> bool {
        self.rule_items().is_some_and(|i| i.ends_with("after"))
    }

    /// The status the client sees, when it sees one.
    pub fn status(self) -> Option<u16> {
        match self {
            Fault::Status500 => Some(500),
            Fault::Status502 | Fault::Html => Some(502),
            Fault::Status503 => Some(503),
            Fault::RateLimited => Some(429),
            Fault::Malformed | Fault::Empty | Fault::WrongEnvelope => Some(200),
            Fault::Refused | Fault::Timeout | Fault::Reset => None,
        }
    }

    /// The code every operation must end with when the fault persists.
    pub fn expected(self, op: Op) -> ErrorCode {
        let write = op != Op::List;
        match self {
            // The write happened and its answer was lost or unreadable.
            _ if write && self.acts() => ErrorCode::OutcomeUnknown,
            Fault::Refused
            | Fault::Timeout
            | Fault::Reset
            | Fault::Status500
            | Fault::Status502
            | Fault::Status503
            | Fault::Html => ErrorCode::Unavailable,
            Fault::RateLimited => ErrorCode::RateLimited,
            Fault::Malformed | Fault::Empty | Fault::WrongEnvelope => ErrorCode::BadResponse,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    List,
    Create,
    Delete,
}

/// How a call may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Never repeated automatically (POST without `Idempotency-Key`).
    Never,
    /// Repeated: a read, or a DELETE (idempotent by definition).
    Yes,
    /// Repeated with the same `Idempotency-Key` on every attempt.
    SameKey,
}

pub fn service_order(s: Service) -> u8 {
    match s {
        Service::VaultStream => 0,
        Service::JwtKeys => 1,
        Service::Vault => 2,
    }
}

/// One operation of one service: what it is called, what goes on the wire.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub service: Service,
    pub op: Op,
}

impl Target {
    pub fn all() -> Vec<Target> {
        let mut all = Vec::new();
        for service in Service::ALL {
            for op in [Op::List, Op::Create, Op::Delete] {
                all.push(Target { service, op });
            }
        }
        all
    }

    pub fn operation(self) -> &'static str {
        match (self.service, self.op) {
            (Service::VaultStream, Op::List) => "list API tokens",
            (Service::VaultStream, Op::Create) => "create API token",
            (Service::VaultStream, Op::Delete) => "revoke API token",
            (Service::JwtKeys, Op::List) => "list JWT keys",
            (Service::JwtKeys, Op::Create) => "upload JWT key",
            (Service::JwtKeys, Op::Delete) => "delete JWT key",
            (Service::Vault, Op::List) => "list assets",
            (Service::Vault, Op::Create) => "upload asset",
            (Service::Vault, Op::Delete) => "delete asset",
        }
    }

    /// What the error message must say was being done.
    pub fn doing(self) -> &'static str {
        match (self.service, self.op) {
            (Service::VaultStream, Op::List) => "Listing API tokens",
            (Service::VaultStream, Op::Create) => "Creating API token",
            (Service::VaultStream, Op::Delete) => "Revoking API token",
            (Service::JwtKeys, Op::List) => "Listing JWT keys",
            (Service::JwtKeys, Op::Create) => "Uploading JWT key",
            (Service::JwtKeys, Op::Delete) => "Deleting JWT key",
            (Service::Vault, Op::List) => "Listing assets",
            (Service::Vault, Op::Create) => "Uploading",
            (Service::Vault, Op::Delete) => "Deleting asset",
        }
    }

    pub fn method(self) -> &'static str {
        match self.op {
            Op::List => "GET",
            Op::Create => "POST",
            Op::Delete => "DELETE",
        }
    }

    pub fn collection(self) -> &'static str {
        match self.service {
            Service::VaultStream => "/vaultstream/v1/auth/tokens",
            Service::JwtKeys => "/jwt-keys/v2/jwt_keys",
            Service::Vault => "/vault/vault/v1/assets",
        }
    }

    pub fn retry(self) -> Retry {
        match (self.service, self.op) {
            (Service::Vault, Op::Create | Op::Delete) => Retry::SameKey,
            (_, Op::Create) => Retry::Never,
            _ => Retry::Yes,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub target: Target,
    pub fault: Fault,
    /// `times:1`: the fault hits the first attempt only.
    pub transient: bool,
}

/// Attempts a case's call must make: a retried call goes to the limit (or
/// recovers on the second attempt after a transient fault); the rest are
/// sent exactly once.
pub fn expected_attempts(c: &Case) -> u32 {
    match (c.target.retry(), c.transient) {
        (Retry::Never, _) => 1,
        (_, true) => 2,
        (_, false) => MAX_ATTEMPTS,
    }
}

/// What the core and the CLI matrix both check on the wire: the attempts
/// made and received, one Idempotency-Key for all attempts of a vault write
/// (none on other calls), and what exists afterwards (nothing twice, exactly
/// what happened). `remaining`: resources of the case's name after a create,
/// or 1 if the deleted one is still there. Failures go to `expect`.
pub fn check_wire(
    c: &Case,
    attempts: u32,
    expected_attempts: u32,
    reached: &[portal_sandbox::LoggedRequest],
    remaining: usize,
    expect: &mut impl FnMut(bool, String),
) {
    expect(
        attempts == expected_attempts,
        format!("{expected_attempts} attempts expected, made {attempts}"),
    );
    let expected_reached = if c.fault == Fault::Refused {
        0
    } else {
        attempts
    };
    let got = reached.len() as u32;
    expect(
        got == expected_reached,
        format!("{expected_reached} requests should reach the service, {got} did"),
    );

    let keys: std::collections::BTreeSet<Option<&str>> = reached
        .iter()
        .map(|r| r.idempotency_key.as_deref())
        .collect();
    match c.target.retry() {
        Retry::SameKey if got > 0 => expect(
            keys.len() == 1 && keys.iter().all(Option::is_some),
            format!("every attempt must carry the same Idempotency-Key: {keys:?}"),
        ),
        Retry::SameKey => {}
        _ => expect(
            keys.iter().all(Option::is_none),
            format!("unexpected Idempotency-Key: {keys:?}"),
        ),
    }

    let happened = c.transient || c.fault.acts();
    match c.target.op {
        Op::List => {}
        Op::Create => expect(
            remaining == usize::from(happened),
            format!(
                "{} resource(s) named {NAME} expected afterwards, found {remaining}",
                usize::from(happened)
            ),
        ),
        Op::Delete => expect(
            remaining == usize::from(!happened),
            format!(
                "the deleted resource should {}exist afterwards",
                if happened { "no longer " } else { "still " }
            ),
        ),
    }
}

/// Every case: each fault persisting, and once only where the call is
/// retried (a closed port cannot be "once").
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for target in Target::all() {
        for fault in Fault::ALL {
            cases.push(Case {
                target,
                fault,
                transient: false,
            });
            if target.retry() != Retry::Never && fault != Fault::Refused {
                cases.push(Case {
                    target,
                    fault,
                    transient: true,
                });
            }
        }
    }
    cases
}

/// What the request log and the messages call the resource of a case:
/// `lk_` + 32 hex digits (random per run) becomes `lk_…`.
pub fn stable_local_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("lk_") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 3..];
        let hex = tail.chars().take_while(char::is_ascii_hexdigit).count();
        out.push_str("lk_…");
        rest = &tail[hex..];
    }
    out.push_str(rest);
    out
}

/// The order of the rows: service, operation, fault.
pub fn sort_key(case: &Case) -> (u8, Op, Fault, bool) {
    (
        service_order(case.target.service),
        case.target.op,
        case.fault,
        case.transient,
    )
}

/// Replaces the table between `<!-- fault-matrix:SECTION:begin -->` and
/// its end marker in `docs/RELIABILITY.md` (rows already sorted), and
/// writes the file only when it changed.
pub fn write_section(section: &str, header: &str, rows: &[String]) {
    let begin = format!("<!-- fault-matrix:{section}:begin -->");
    let end = format!("<!-- fault-matrix:{section}:end -->");
    let columns = header.matches('|').count() - 1;
    let mut table = format!("{header}\n|{}\n", "---|".repeat(columns));
    for row in rows {
        table.push_str(row);
        table.push('\n');
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/RELIABILITY.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let block = format!("{begin}\n{table}{end}");
    let new = match (doc.find(&begin), doc.find(&end)) {
        (Some(b), Some(e)) if e > b => format!("{}{block}{}", &doc[..b], &doc[e + end.len()..]),
        _ => format!("{doc}\n{block}\n"),
    };
    if new != doc {
        // A read-only checkout still runs the matrix; only the doc is stale.
        if let Err(e) = std::fs::write(&path, new) {
            eprintln!("warning: could not update {}: {e}", path.display());
        }
    }
}
