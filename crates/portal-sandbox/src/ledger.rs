//! Test seam, debug builds only: the secret ledger.
//!
//! With `PORTAL_SANDBOX_SECRET_LEDGER=<file>` set, a debug build of the
//! sandbox appends every secret it issues or accepts (admin token, API key,
//! created tokens, Vault passwords, access and refresh tokens, user JWTs,
//! share-link tokens, the signed video JWTs its playback check is given, and
//! its own JWT signing secrets) to that file, one JSON object per line:
//! `{"class":…,"value":…}`.
//! `scripts/test.sh` points it at a file outside the directories it scans,
//! then scans the app's and the CLI's files and logs for each of those values
//! (`tests/e2e/secrets/`). Release builds compile [`record`] to nothing and
//! never read the variable.

/// Appends one secret to the ledger, if the variable names one.
#[cfg(debug_assertions)]
pub(crate) fn record(class: &str, value: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("PORTAL_SANDBOX_SECRET_LEDGER") else {
        return;
    };
    if value.is_empty() {
        return;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let line = serde_json::json!({ "class": class, "value": value }).to_string() + "\n";
    if let Ok(mut file) = options.open(path) {
        let _ = file.write_all(line.as_bytes());
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub(crate) fn record(_class: &str, _value: &str) {}
