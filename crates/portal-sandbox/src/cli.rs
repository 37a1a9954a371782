//! `portal sandbox`: run a sandbox in the foreground until Ctrl-C.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::{ControlSecret, FaultRule, RateLimits, Sandbox, SandboxConfig};

/// Default port of `portal sandbox` (the embedded sandbox uses a random one).
pub const DEFAULT_PORT: u16 = 4780;

/// Arguments of `portal sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// Address to bind. Anything but loopback exposes the sandbox and its
    /// printed credentials to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Keep all state in this SQLite file (uploads beside it in FILE.files/)
    /// so it survives restarts; in memory otherwise.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,

    /// Make sure the first tenant holds N assets, and add a few tokens and
    /// JWT keys.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: usize,

    /// Fault rule, e.g. "POST /vaultstream/v1/auth/tokens=status:503,rate:0.5"
    /// (repeatable; see the crate docs for the syntax).
    #[arg(
        long = "fault",
        value_name = "RULE",
        env = "PORTAL_SANDBOX_FAULTS",
        value_delimiter = ';'
    )]
    pub faults: Vec<FaultRule>,

    /// Read requests per minute and credential (0 = unlimited).
    #[arg(long, value_name = "N", default_value_t = RateLimits::default().reads_per_minute)]
    pub read_limit: u32,

    /// Write requests per minute and credential (0 = unlimited).
    #[arg(long, value_name = "N", default_value_t = RateLimits::default().writes_per_minute)]
    pub write_limit: u32,

    /// Uploads per minute and credential (0 = unlimited).
    #[arg(long, value_name = "N", default_value_t = RateLimits::default().uploads_per_minute)]
    pub upload_limit: u32,

    /// Largest accepted upload in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = SandboxConfig::default().upload_limit)]
    pub max_upload_bytes: u64,

    /// Milliseconds a Vault transform takes to complete.
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    pub transform_delay_ms: u64,

    /// Print the URLs and credentials as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

impl SandboxArgs {
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            bind: self.bind,
            port: self.port,
            data: self.data.clone(),
            seed_assets: self.seed,
            faults: self.faults.clone(),
            rate_limits: RateLimits {
                reads_per_minute: self.read_limit,
                writes_per_minute: self.write_limit,
                uploads_per_minute: self.upload_limit,
                window_seconds: 60,
            },
            upload_limit: self.max_upload_bytes,
            transform_delay: Duration::from_millis(self.transform_delay_ms),
            // A new secret per run, printed in the banner: only whoever
            // started the sandbox can use its controls.
            control: Some(ControlSecret::random()),
            ..SandboxConfig::default()
        }
    }
}

/// Start a sandbox, print its banner (or JSON) to stdout, serve until Ctrl-C.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(args.config()).await.map_err(|e| {
        if args.port != 0 {
            e.context(format!(
                "could not start the sandbox on port {} (try --port 0 for a free one)",
                args.port
            ))
        } else {
            e
        }
    })?;
    if args.json {
        println!("{}", connection_json(&sandbox));
    } else {
        println!("{}", sandbox.banner());
        println!("Press Ctrl-C to stop.");
    }
    tokio::signal::ctrl_c().await?;
    eprintln!("Stopping the sandbox…");
    sandbox.shutdown().await;
    Ok(())
}

/// URLs and credentials as JSON, for scripts and end-to-end tests.
pub fn connection_json(sandbox: &Sandbox) -> serde_json::Value {
    json!({
        "addr": sandbox.addr().to_string(),
        "vaultstream_url": sandbox.vaultstream_url(),
        "jwt_keys_url": sandbox.jwt_keys_url(),
        "vault_url": sandbox.vault_url(),
        "sandbox_url": sandbox.sandbox_url(),
        "control_header": ControlSecret::HEADER,
        "control_secret": sandbox.control_secret(),
        "credentials": sandbox.credentials(),
    })
}
