//! Prints how long `--seed N` takes and how long paging through every asset
//! (limit 100) takes. Not a test: timings depend on the machine.
//!
//! `cargo run --release -p portal-sandbox --example seed_timing -- 100000`

use std::time::Instant;

use portal_sandbox::{RateLimits, Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let started = Instant::now();
    let sandbox = Sandbox::start(SandboxConfig {
        seed_assets: n,
        rate_limits: RateLimits::unlimited(),
        ..SandboxConfig::default()
    })
    .await?;
    println!("seeded {n} assets and started in {:.2?}", started.elapsed());

    // reqwest's rustls needs a crypto provider (the workspace uses ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/auth/v1/login", sandbox.vault_url()))
        .json(&serde_json::json!({"email": "admin@eventzr.com", "password": "Password123!"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["data"]["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let started = Instant::now();
    let (mut page, mut seen) = (1, 0);
    loop {
        let body: serde_json::Value = http
            .get(format!(
                "{}/vault/v1/assets?limit=100&page={page}",
                sandbox.vault_url()
            ))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        seen += body["data"].as_array().map_or(0, Vec::len);
        if body["page"]["has_more"] != serde_json::Value::Bool(true) {
            break;
        }
        page += 1;
    }
    let elapsed = started.elapsed();
    println!(
        "listed {seen} assets in {page} pages in {elapsed:.2?} ({:.2?} per page)",
        elapsed / page
    );
    sandbox.shutdown().await;
    Ok(())
}
