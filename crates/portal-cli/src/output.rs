//! What the CLI prints: tables for people, JSON for programs, one line per error.

use portal_core::{Error, ErrorCode};
use serde::Serialize;

/// Prints `value` as JSON on stdout, streamed through a buffer (a list of
/// 100 000 assets is ~57 MB of JSON: never built as one string).
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// A use case's value, its warnings printed on stderr (the change
/// happened; something after it did not).
pub fn warned<T>(outcome: portal_core::ops::Outcome<T>) -> T {
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    outcome.value
}

/// A list: JSON with --json; else a table, one row an item, or `empty` on
/// stderr when there is none (`None`: the headers alone).
pub fn list<T: Serialize>(
    json: bool,
    items: &[T],
    empty: Option<&str>,
    headers: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    if json {
        return self::json(items);
    }
    match empty {
        Some(message) if items.is_empty() => eprintln!("{message}"),
        _ => table(headers, &items.iter().map(row).collect::<Vec<_>>()),
    }
    Ok(())
}

/// A unit enum as its name on the wire (`done`, `asset_delete`…).
pub fn wire_name<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A plain aligned table, written with one call (not one per line).
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        text.push_str(parts.join("  ").trim_end());
        text.push('\n');
    };
    let headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
    line(&headers);
    for row in rows {
        line(row);
    }
    print!("{text}");
}

pub fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// Prints the error on one line of stderr and returns the exit status.
pub fn report(e: &anyhow::Error) -> i32 {
    match e.downcast_ref::<Error>() {
        Some(err) => {
            // One line: code, message, request id, and what to do next.
            match &err.hint {
                Some(hint) => eprintln!("error: {err} — {hint}"),
                None => eprintln!("error: {err}"),
            }
            exit_code(err.code)
        }
        None => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

fn exit_code(code: ErrorCode) -> i32 {
    match code {
        ErrorCode::Validation | ErrorCode::Config => 2,
        ErrorCode::Unauthorized | ErrorCode::Forbidden | ErrorCode::NoCredentials => 3,
        ErrorCode::NotFound => 4,
        ErrorCode::Conflict => 5,
        ErrorCode::Unavailable
        | ErrorCode::RateLimited
        | ErrorCode::BadResponse
        | ErrorCode::ForeignOrigin => 6,
        ErrorCode::OutcomeUnknown => 7,
        // Not 6: trying again later cannot help.
        ErrorCode::Certificate => 9,
        ErrorCode::KeychainUnavailable | ErrorCode::SecretsLocked => 8,
        // Refused by the team's policy file: nothing was sent.
        ErrorCode::Policy => 10,
        ErrorCode::Cancelled => 130,
        ErrorCode::Io | ErrorCode::Internal => 1,
    }
}
