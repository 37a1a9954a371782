//! `portal`: the Partner Portal command line. It shares `portal-core` with
//! the desktop app: the same profiles file, keychain entries and HTTP rules.

mod cmd;
mod output;
mod prompt;
mod session;

use clap::{CommandFactory, Parser, Subcommand};

use crate::session::Globals;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Manage API tokens, JWT signing keys and vault assets of the video platform."
)]
#[command(propagate_version = true)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List, add, remove or choose profiles.
    #[command(subcommand)]
    Profile(cmd::profile::ProfileCommand),
    /// Store a service's credential in the keychain (read from a hidden prompt or stdin).
    Login(cmd::login::LoginArgs),
    /// Forget a service's stored credential (or the vault session).
    Logout(cmd::login::LogoutArgs),
    /// Where credentials are kept: the OS keychain or the encrypted file.
    #[command(subcommand)]
    Secrets(cmd::secrets::SecretsCommand),
    /// VaultStream API tokens.
    #[command(subcommand)]
    Tokens(cmd::tokens::TokensCommand),
    /// Short-lived user JWTs for player embedding.
    #[command(subcommand)]
    Jwt(cmd::tokens::JwtCommand),
    /// JWT signing keys (public keys that verify private-video JWTs).
    #[command(subcommand)]
    Keys(cmd::keys::KeysCommand),
    /// Vault assets.
    #[command(subcommand)]
    Assets(cmd::assets::AssetsCommand),
    /// Vault folders.
    #[command(subcommand)]
    Folders(cmd::vault::FoldersCommand),
    /// The vault's storage and asset count, used vs limit.
    Quota,
    /// Legal holds on vault assets (admin).
    #[command(subcommand)]
    LegalHold(cmd::vault::LegalHoldCommand),
    /// Transforms of a vault asset (thumbnail, transcode…).
    #[command(subcommand)]
    Transforms(cmd::vault::TransformsCommand),
    /// A share link to a vault asset, with an expiry.
    Share(cmd::vault::ShareArgs),
    /// Each service's connection status for the profile.
    Status,
    /// The local activity log: list, verify (its chain), export as JSON or CSV.
    #[command(subcommand)]
    Activity(cmd::activity::ActivityCommand),
    /// Run a command with the profile's credentials in its environment, masked in its output.
    Exec(cmd::exec::ExecArgs),
    /// Sweep folders, the git index or history for leaked tokens, private
    /// keys and stored credentials (exit 0: none, 1: found, 2: error).
    Scan(cmd::scan::ScanArgs),
    /// Token expiries and rotation reminders as an iCalendar file, with
    /// alarms 30, 14, 7 and 1 days before.
    Calendar(cmd::calendar::CalendarArgs),
    /// What went stale for the profile (saved tokens, expired tokens, keys,
    /// refused credentials, overdue rotations) and how to fix each; exit 1
    /// when anything needs action.
    Doctor,
    /// The team's policy file: audit tokens and keys against it (`check`:
    /// exit 1 on violations, 2 on error), or show its rules (`show`).
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// Run the local sandbox of the three APIs.
    Sandbox(portal_sandbox::cli::SandboxArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn main() {
    let cli = Cli::parse();
    session::init_logging(cli.globals.verbose);
    // A command makes a few requests one after the other (or a few at a
    // time, on one task): one thread does that, and starting a worker per
    // core costs more than the requests on loopback. The sandbox is a server
    // and gets a worker per core.
    let mut builder = if matches!(cli.command, Command::Sandbox(..)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(run(cli));
    session::warn_clock();
    if let Err(e) = result {
        std::process::exit(output::report(&e));
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.globals;
    match cli.command {
        Command::Profile(c) => cmd::profile::run(g, c).await,
        Command::Login(a) => cmd::login::login(g, a).await,
        Command::Logout(a) => cmd::login::logout(g, a).await,
        Command::Secrets(c) => cmd::secrets::run(g, c).await,
        Command::Tokens(c) => cmd::tokens::run(g, c).await,
        Command::Jwt(c) => cmd::tokens::run_jwt(g, c).await,
        Command::Keys(c) => cmd::keys::run(g, c).await,
        Command::Assets(c) => cmd::assets::run(g, c).await,
        Command::Folders(c) => cmd::vault::folders(g, c).await,
        Command::Quota => cmd::vault::quota(g).await,
        Command::LegalHold(c) => cmd::vault::legal_hold(g, c).await,
        Command::Transforms(c) => cmd::vault::transforms(g, c).await,
        Command::Share(a) => cmd::vault::share(g, a).await,
        Command::Status => cmd::profile::status(g).await,
        Command::Activity(c) => cmd::activity::run(g, c).await,
        Command::Exec(a) => cmd::exec::run(g, a).await,
        Command::Scan(a) => cmd::scan::run(g, a).await,
        Command::Calendar(a) => cmd::calendar::run(g, a).await,
        Command::Doctor => cmd::doctor::run(g).await,
        Command::Policy(c) => cmd::policy::run(g, c).await,
        Command::Sandbox(a) => portal_sandbox::cli::run(a).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "portal", &mut std::io::stdout());
            Ok(())
        }
    }
}
