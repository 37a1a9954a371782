//! Streamed uploads against the sandbox: progress, cancel, and retries
//! that keep one `Idempotency-Key` (so one asset).

#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::secrets::MemoryStore;
use portal_core::vault::{AssetQuery, UploadProgress, UploadRequest, Vault};
use portal_core::{ErrorCode, Secret};
use portal_sandbox::{LoggedRequest, RateLimits, Sandbox, SandboxConfig};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

const ASSETS: &str = "/vault/vault/v1/assets";
const SIZE: usize = 6 * 1024 * 1024 + 123;

async fn setup() -> (Sandbox, ProfileContext) {
    let sb = Sandbox::start(SandboxConfig {
        rate_limits: RateLimits::unlimited(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let p = common::sandbox_profile(&sb, "T");
    let config = HttpConfig {
        ..common::fast_retries()
    };
    let ctx = ProfileContext::new(p, Arc::new(MemoryStore::default()), config).unwrap();
    ctx.vault_login("organizer@eventzr.com", &Secret::new("Password123!"), false)
        .await
        .unwrap();
    (sb, ctx)
}

/// A temp file of `SIZE` pseudo-random bytes and its SHA-256.
fn big_file(dir: &tempfile::TempDir, name: &str) -> (std::path::PathBuf, String) {
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let mut h = Sha256::new();
    let mut x: u32 = 12345;
    let mut buf = vec![0u8; SIZE];
    for b in buf.iter_mut() {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *b = (x >> 16) as u8;
    }
    h.update(&buf);
    f.write_all(&buf).unwrap();
    (path, format!("{:x}", h.finalize()))
}

fn posts(sb: &Sandbox) -> Vec<LoggedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == ASSETS)
        .collect()
}

async fn count_named(vault: &Vault<'_>, name: &str) -> usize {
    let q = AssetQuery {
        q: Some(name.into()),
        ..AssetQuery::default()
    };
    vault.list_assets(&q).await.unwrap().items.len()
}

#[tokio::test]
async fn a_multi_megabyte_file_streams_with_progress_to_its_size() {
    let (sb, ctx) = setup().await;
    let vault = ctx.open_vault().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = big_file(&dir, "keynote.mp4");
    let calls = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicU64::new(0));
    let (c, m) = (calls.clone(), max.clone());
    let progress = Arc::new(move |p: UploadProgress| {
        assert_eq!(p.total, SIZE as u64);
        c.fetch_add(1, Ordering::Relaxed);
        m.fetch_max(p.sent, Ordering::Relaxed);
    });
    let req = UploadRequest {
        path: path.clone(),
        name: Some("Keynote 2026".into()),
        tags: vec!["keynote".into(), "2026".into()],
        ..UploadRequest::default()
    };
    let asset = vault
        .upload(&req, Some(progress), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(asset.name, "Keynote 2026");
    assert_eq!(asset.size, Some(SIZE as u64));
    assert_eq!(asset.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(asset.tags, vec!["keynote", "2026"]);
    assert!(asset.has_content);
    assert_eq!(asset.sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(max.load(Ordering::Relaxed), SIZE as u64);
    assert!(calls.load(Ordering::Relaxed) > 10, "progress in chunks");
    let sent = posts(&sb);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].idempotency_key.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_the_upload_and_creates_nothing() {
    let (sb, ctx) = setup().await;
    let vault = ctx.open_vault().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = big_file(&dir, "cancel-me.bin");
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    let max = Arc::new(AtomicU64::new(0));
    let m = max.clone();
    let progress = Arc::new(move |p: UploadProgress| {
        m.fetch_max(p.sent, Ordering::Relaxed);
        if p.sent >= 1024 * 1024 {
            c.cancel();
        }
    });
    let req = UploadRequest {
        path,
        ..UploadRequest::default()
    };
    let e = vault
        .upload(&req, Some(progress), &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert!(max.load(Ordering::Relaxed) < SIZE as u64);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count_named(&vault, "cancel-me").await, 0);
    assert!(posts(&sb).iter().all(|r| r.status != 201));

    // Cancelled before it starts: nothing is sent.
    let before = posts(&sb).len();
    let e = vault.upload(&req, None, &cancel).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert_eq!(posts(&sb).len(), before);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_upload_retried_after_503_or_a_lost_answer_keeps_one_key_and_one_asset() {
    let (sb, ctx) = setup().await;
    let vault = ctx.open_vault().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = big_file(&dir, "retry-503.mov");
    sb.add_fault(format!("POST {ASSETS}=status:503,times:1").parse().unwrap());
    let req = UploadRequest {
        path,
        ..UploadRequest::default()
    };
    let asset = vault
        .upload(&req, None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(asset.size, Some(SIZE as u64));
    let sent = posts(&sb);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].status, 503);
    assert_eq!(sent[0].idempotency_key, sent[1].idempotency_key);
    assert_eq!(count_named(&vault, "retry-503").await, 1);

    let (path, _) = big_file(&dir, "dropped-after.mov");
    sb.add_fault(format!("POST {ASSETS}=drop,after,times:1").parse().unwrap());
    let req = UploadRequest {
        path,
        ..UploadRequest::default()
    };
    let again = vault
        .upload(&req, None, &CancellationToken::new())
        .await
        .unwrap();
    let sent = posts(&sb);
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[2].outcome, "dropped");
    assert!(sent[3].replayed);
    assert_eq!(sent[2].idempotency_key, sent[3].idempotency_key);
    assert_ne!(sent[1].idempotency_key, sent[2].idempotency_key);
    assert_eq!(count_named(&vault, "dropped-after").await, 1);
    assert_eq!(vault.get_asset(&again.id).await.unwrap().id, again.id);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_missing_file_fails_before_any_request() {
    let (sb, ctx) = setup().await;
    let vault = ctx.open_vault().unwrap();
    let req = UploadRequest {
        path: "/no/such/file.mp4".into(),
        ..UploadRequest::default()
    };
    let e = vault
        .upload(&req, None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(posts(&sb).is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn an_upload_with_an_expired_token_refreshes_and_sends_the_file_again() {
    let (sb, ctx) = setup().await;
    let vault = ctx.open_vault().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = big_file(&dir, "after-expiry.mp4");
    sb.advance_clock(86_400 + 10);
    let req = UploadRequest {
        path,
        ..UploadRequest::default()
    };
    let asset = vault
        .upload(&req, None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(asset.sha256.as_deref(), Some(sha.as_str()));
    // The server may answer 401 before the big body has been read; the
    // client then sees a broken pipe and repeats the write (same key) before
    // it sees the 401. Either way: refused with the stale token, then exactly
    // one upload that lands, all under one Idempotency-Key.
    let sent = posts(&sb);
    let statuses: Vec<u16> = sent.iter().map(|r| r.status).collect();
    let (last, refused) = statuses.split_last().unwrap();
    assert_eq!(*last, 201, "{statuses:?}");
    assert!(
        !refused.is_empty() && refused.len() <= 2 && refused.iter().all(|s| *s == 401),
        "{statuses:?}"
    );
    assert!(sent
        .iter()
        .all(|r| r.idempotency_key == sent[0].idempotency_key));
    assert!(sent[0].idempotency_key.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_form_whose_file_is_gone_is_an_io_error_not_a_lost_answer() {
    use portal_core::http::{join, Body, Call};
    let (sb, ctx) = setup().await;
    let url = join(&sb.vault_url(), "/vault/v1/assets").unwrap();
    let mut call = Call::new(portal_core::Service::Vault, reqwest::Method::POST, url)
        .idempotency_key("k-gone");
    call.body = Body::Multipart(Arc::new(|| {
        Err(std::io::Error::new(std::io::ErrorKind::NotFound, "gone"))
    }));
    let e = ctx.http.send(&call).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(posts(&sb).is_empty());
    sb.shutdown().await;
}
