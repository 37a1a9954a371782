//! Reading what the user types: a secret from a hidden prompt (or the first
//! line of stdin), a plain line.

use std::io::{BufRead, IsTerminal};

use portal_core::{Error, Result, Secret};

/// A secret from a hidden prompt on a terminal, or the first line of stdin.
pub fn read_secret(prompt: &str) -> Result<Secret> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{prompt}: "))?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = line.trim_end_matches(['\r', '\n']).to_owned();
        zeroize_string(line);
        trimmed
    };
    if value.is_empty() {
        return Err(Error::validation(format!("{prompt}: nothing was entered.")));
    }
    Ok(Secret::from(value))
}

fn zeroize_string(s: String) {
    drop(Secret::from(s));
}

pub fn read_line(prompt: &str) -> Result<String> {
    use std::io::Write;
    eprint!("{prompt}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}
