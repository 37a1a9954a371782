//! The HTTP rules against the sandbox's fault injection: what is retried,
//! what never is, and what a lost answer becomes.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::secrets::{Item, MemoryStore};
use portal_core::vaultstream::NewToken;
use portal_core::{ErrorCode, Secret, Service};
use portal_sandbox::{Sandbox, SandboxConfig};

async fn setup() -> (Sandbox, ProfileContext) {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let p = common::sandbox_profile(&sb, "T");
    let config = HttpConfig {
        request_timeout: Duration::from_secs(5),
        ..common::fast_retries()
    };
    let ctx = ProfileContext::new(p, Arc::new(MemoryStore::default()), config).unwrap();
    ctx.store(
        Item::VaultStreamToken,
        &Secret::new(sb.credentials().vaultstream_admin_token.as_str()),
    )
    .unwrap();
    (sb, ctx)
}

fn attempts(sb: &Sandbox, method: &str, path: &str) -> Vec<portal_sandbox::LoggedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

const TOKENS: &str = "/vaultstream/v1/auth/tokens";

fn new_token() -> NewToken {
    NewToken {
        name: "ingest".into(),
        scopes: vec!["content:write".into()],
        expires_at: None,
    }
}

#[tokio::test]
async fn a_read_is_retried_through_transient_failures_each_with_a_fresh_request_id() {
    let (sb, ctx) = setup().await;
    sb.add_fault(format!("GET {TOKENS}=status:503,times:1").parse().unwrap());
    sb.add_fault(format!("GET {TOKENS}=drop,times:1").parse().unwrap());
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let list = ctx.tokens(&cred).list_all().await.unwrap();
    assert!(!list.is_empty());
    let tries = attempts(&sb, "GET", TOKENS);
    assert_eq!(tries.len(), 3, "503, dropped, then success");
    let ids: std::collections::HashSet<_> = tries
        .iter()
        .map(|r| r.request_id.clone().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "every attempt has its own x-request-id");
    sb.shutdown().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (sb, ctx) = setup().await;
    sb.add_fault(
        format!("GET {TOKENS}=status:429,retry-after:1,times:1")
            .parse()
            .unwrap(),
    );
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let started = Instant::now();
    ctx.tokens(&cred).list_page(10, None).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(attempts(&sb, "GET", TOKENS).len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_token_create_is_never_retried() {
    let (sb, ctx) = setup().await;
    sb.add_fault(format!("POST {TOKENS}=status:503,times:1").parse().unwrap());
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let err = ctx.tokens(&cred).create(&new_token()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert_eq!(err.status, Some(503));
    assert_eq!(attempts(&sb, "POST", TOKENS).len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_lost_create_answer_is_outcome_unknown_and_not_repeated() {
    let (sb, ctx) = setup().await;
    // The token is created, then the connection drops before the answer.
    sb.add_fault(format!("POST {TOKENS}=drop,after,times:1").parse().unwrap());
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    let before = ctx.tokens(&cred).list_all().await.unwrap().len();
    let err = ctx.tokens(&cred).create(&new_token()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::OutcomeUnknown, "{err}");
    assert!(err.message.contains("may or may not"), "{}", err.message);
    assert_eq!(attempts(&sb, "POST", TOKENS).len(), 1);
    let after = ctx.tokens(&cred).list_all().await.unwrap();
    assert_eq!(after.len(), before + 1, "exactly one token was created");
    sb.shutdown().await;
}

#[tokio::test]
async fn html_and_wrong_envelopes_are_bad_responses_that_name_the_service() {
    let (sb, ctx) = setup().await;
    let cred = ctx
        .credential(Item::VaultStreamToken, Service::VaultStream)
        .unwrap();
    // Not the service's own answer: retried, then reported.
    sb.add_fault(format!("GET {TOKENS}=body:wrong-envelope").parse().unwrap());
    let err = ctx.tokens(&cred).list_page(5, None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::BadResponse);
    assert_eq!(err.service, Some(Service::VaultStream));
    assert!(err.request_id.is_some());
    assert_eq!(attempts(&sb, "GET", TOKENS).len(), 4);
    sb.clear_faults();

    sb.add_fault(
        format!("GET {TOKENS}=status:500,body:html")
            .parse()
            .unwrap(),
    );
    let err = ctx.tokens(&cred).list_page(5, None).await.unwrap_err();
    assert!(err.message.contains("HTML page"), "{}", err.message);
    sb.clear_faults();

    // Once only: the retry gets the real answer.
    sb.add_fault(
        format!("GET {TOKENS}=body:wrong-envelope,times:1")
            .parse()
            .unwrap(),
    );
    ctx.tokens(&cred).list_page(5, None).await.unwrap();
    sb.shutdown().await;
}
