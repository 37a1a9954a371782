//! The `portal` subcommands, one module per command group: each parses its
//! arguments, calls the use case in `portal_core::ops` and prints the result.

pub mod activity;
pub mod assets;
pub mod calendar;
pub mod doctor;
pub mod exec;
pub mod key_rotation;
pub mod keys;
pub mod login;
pub mod policy;
pub mod profile;
pub mod retire;
pub mod scan;
pub mod secrets;
pub mod tokens;
pub mod vault;

/// Asks `question` on the terminal and reads the answer; without one,
/// refuses (use --yes).
fn ask(question: &str) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(portal_core::Error::validation(
            "Confirmation needed and there is no terminal to ask: pass --yes.",
        )
        .into());
    }
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim().to_owned())
}

/// Asks "y/N" on the terminal; without one, refuses (use --yes).
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    let answer = ask(&format!("{question} [y/N] "))?;
    Ok(matches!(answer.as_str(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// Asks to type `expected` to go on (a destructive action); without a
/// terminal, refuses (use --yes).
pub fn confirm_typed(question: &str, expected: &str) -> anyhow::Result<bool> {
    Ok(ask(&format!("{question}\nType {expected} to confirm: "))? == expected)
}
