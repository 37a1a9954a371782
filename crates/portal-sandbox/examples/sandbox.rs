//! Run the sandbox as `portal sandbox` would:
//! `cargo run -p portal-sandbox --example sandbox -- --port 0 --seed 50`.

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    sandbox: portal_sandbox::cli::SandboxArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    portal_sandbox::cli::run(Args::parse().sandbox).await
}
