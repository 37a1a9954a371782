//! `portal exec [--env VAR=SOURCE]… [--no-mask] -- CMD [ARGS…]`: runs a
//! command with the profile's credentials in its environment (never in its
//! arguments, a file or a log). The use case (`ops::exec::hand_over`)
//! reads them and records each use; here the command is run:
//!
//! - its stdin is ours; its stdout and stderr go through
//!   `ops::exec::mask::Masker` (every value handed over shows as `***`),
//!   or are ours untouched with `--no-mask`;
//! - SIGTERM, SIGHUP, SIGQUIT and SIGINT sent to `portal` are passed on.
//!   A Ctrl-C typed at the terminal already reaches the command (it is in
//!   our process group), so SIGINT is passed on only when we are not the
//!   terminal's foreground group: the command never gets it twice;
//! - its exit status is ours; a death by signal N is 128+N, as shells say.
//!
//! Our own failures: a bad `--env` is 2, a missing credential 3 (as every
//! command); a command that cannot be found is 127, one that cannot be run 126.

use std::process::Stdio;

use clap::Args;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use portal_core::ops::exec::mask::Masker;
use portal_core::ops::exec::{hand_over, Binding, Handover, Source};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::signal::unix::{signal, Signal as UnixSignal, SignalKind};

use crate::output;
use crate::session::{settings, CliRecorder, Globals};

#[derive(Args)]
pub struct ExecArgs {
    /// A credential for the command's environment: VAR=SOURCE, or SOURCE
    /// alone for its default variable. SOURCE is vaultstream
    /// (VAULTSTREAM_TOKEN), jwt-keys (JWT_KEYS_API_KEY), vault-access (a
    /// fresh vault access token: VAULT_ACCESS_TOKEN) or saved:NAME (a saved
    /// token, by id or name: VAULTSTREAM_TOKEN). Repeatable. Default:
    /// vaultstream.
    #[arg(long = "env", value_name = "VAR=SOURCE")]
    env: Vec<String>,
    /// Show the command's output as it is (the values are not replaced with ***).
    #[arg(long)]
    no_mask: bool,
    /// The command and its arguments (after `--`).
    #[arg(required = true, last = true, value_name = "CMD")]
    command: Vec<String>,
}

pub async fn run(g: &Globals, args: ExecArgs) -> anyhow::Result<()> {
    let bindings = Binding::parse_all(&args.env)?;
    let Some((program, rest)) = args.command.split_first() else {
        unreachable!("clap requires the command");
    };
    let ctx = g.context()?;
    // The environment's vault login (else the stored session), only when
    // a vault access token is asked for.
    let vault = if bindings.iter().any(|b| b.source == Source::VaultAccess) {
        Some(crate::cmd::assets::open(&ctx).await?)
    } else {
        None
    };
    let handover = output::warned(
        hand_over(&ctx, &CliRecorder, &settings()?, vault, &bindings, program).await?,
    );
    let code = run_command(program, rest, &handover, !args.no_mask).await?;
    drop(handover);
    std::process::exit(code);
}

/// Runs `program` with the handed-over variables; its exit status.
async fn run_command(
    program: &str,
    rest: &[String],
    handover: &Handover,
    masked: bool,
) -> anyhow::Result<i32> {
    // Listening before the command starts: a signal that comes meanwhile
    // is passed on instead of killing us.
    let mut signals = Signals::listen()?;
    let mut command = tokio::process::Command::new(program);
    command.args(rest).stdin(Stdio::inherit());
    for (var, value) in &handover.vars {
        command.env(var, value.expose());
    }
    let stdio = || {
        if masked {
            Stdio::piped()
        } else {
            Stdio::inherit()
        }
    };
    command.stdout(stdio()).stderr(stdio());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
            eprintln!("error: cannot run '{program}': {e}");
            return Ok(code);
        }
    };
    drop(command);
    let pid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);

    let values = handover.values();
    let run = async {
        let (out, err) = tokio::join!(
            pump(child.stdout.take(), tokio::io::stdout(), &values),
            pump(child.stderr.take(), tokio::io::stderr(), &values),
        );
        (out.and(err), child.wait().await)
    };
    let forward = async {
        loop {
            let sig = signals.next().await;
            let from_terminal =
                matches!(sig, Signal::SIGINT | Signal::SIGQUIT) && terminal_sends_it();
            if let (false, Some(pid)) = (from_terminal, pid) {
                // The command may have just ended: nothing to do then.
                let _ = kill(pid, sig);
            }
        }
    };
    let (pumped, status) = tokio::select! {
        done = run => done,
        _ = forward => unreachable!("passing signals on never ends"),
    };
    let status = status?;
    pumped?;
    Ok(exit_code(status))
}

/// The signals passed on to the command.
struct Signals {
    term: UnixSignal,
    hup: UnixSignal,
    quit: UnixSignal,
    int: UnixSignal,
}

impl Signals {
    fn listen() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::SIGTERM,
            _ = self.hup.recv() => Signal::SIGHUP,
            _ = self.quit.recv() => Signal::SIGQUIT,
            _ = self.int.recv() => Signal::SIGINT,
        }
    }
}

/// Copies `from` to `to`, masked, flushing after every read (only an end
/// that could begin a value waits for the next read).
async fn pump<R, W>(from: Option<R>, mut to: W, values: &[&[u8]]) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let Some(mut from) = from else {
        return Ok(());
    };
    let mut masker = Masker::new(values);
    let mut buf = vec![0u8; 16 * 1024];
    let mut out = Vec::with_capacity(buf.len() + 64);
    loop {
        let n = from.read(&mut buf).await?;
        out.clear();
        if n == 0 {
            masker.finish(&mut out);
        } else {
            masker.feed(&buf[..n], &mut out);
        }
        // A reader that went away (`| head`): stop reading, so that the
        // command's next write fails as it would without us (SIGPIPE).
        if to.write_all(&out).await.is_err() || to.flush().await.is_err() || n == 0 {
            return Ok(());
        }
    }
}

/// Whether a SIGINT most likely came from the terminal (Ctrl-C), which
/// sends it to our whole foreground process group, the command included.
fn terminal_sends_it() -> bool {
    nix::unistd::tcgetpgrp(std::io::stdin()).is_ok_and(|fg| fg == nix::unistd::getpgrp())
}

/// The command's exit status as ours: its code, or 128+N after signal N.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 1,
    }
}
