//! Rotating a JWT signing key without an outage (#16 §2), in four steps:
//! a new key is generated here and uploaded; a test JWT signed with it must
//! verify against the service's copy; it becomes the profile's default
//! signing key; and the old key's deletion is scheduled for when the last
//! JWT signed here with it expires (`ops::retire`).
//!
//! The app's rotation wizard runs the same steps one by one (each is a use
//! case of `ops::keys` or `ops::retire`, so each records itself); `portal
//! keys rotate` runs them all through [`rotate`]. A step that fails stops
//! the rotation there, with the old key untouched and still the default.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::keys::{self, Cx, UploadVerification, UploadedKey};
use super::{retire, Outcome};
use crate::error::{Error, ErrorCode, Result};
use crate::jwt_keys::JwtKey;
use crate::key_records::ScheduledDeletion;
use crate::keypair::GenProgress;

/// What a rotation did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyRotation {
    /// The key rotated away from.
    pub old: JwtKey,
    /// The new key, uploaded; the profile's default signing key now.
    pub new: UploadedKey,
    pub verification: UploadVerification,
    /// The old key's deletion; `None` when it was kept.
    pub deletion: Option<ScheduledDeletion>,
}

/// What to rotate to.
pub struct RotateRequest {
    /// The key to retire (a server key id).
    pub old_kid: String,
    /// The new key's name; `None`: [`new_key_name`].
    pub name: Option<String>,
    pub bits: usize,
    /// Schedule the old key's deletion (else it is kept).
    pub retire_old: bool,
    /// With the deletion, its private half here goes too.
    pub delete_local: bool,
}

/// The new key's name when none is given: the old one's, marked with the
/// day (cut so that it fits the 50 characters a name may have).
pub fn new_key_name(old: &str, today: DateTime<Utc>) -> String {
    let mark = format!(" (rotated {})", today.format("%Y-%m-%d"));
    let room = 50usize.saturating_sub(mark.chars().count());
    let base: String = old.trim().chars().take(room).collect();
    format!("{}{mark}", base.trim_end())
}

/// Runs the four steps. `progress` and `cancel` are the key generation's.
pub async fn rotate(
    cx: Cx<'_>,
    request: RotateRequest,
    progress: impl Fn(GenProgress) + Send + 'static,
    cancel: Arc<AtomicBool>,
) -> Result<Outcome<KeyRotation>> {
    let credential = cx.api_key()?;
    let jwt_keys = cx.pc.jwt_keys(&credential);
    let old = jwt_keys.get(&request.old_kid).await?;
    let name = request
        .name
        .unwrap_or_else(|| new_key_name(&old.name, Utc::now()));

    // 1. A new key, kept here before its public half is uploaded.
    let local = keys::generate(cx, &name, request.bits, progress, cancel).await?;
    let mut out = keys::upload(cx, &local.local_id).await.map_err(|e| {
        stopped(
            e,
            &format!(
                "The new key stays on this computer as local key {}, not uploaded: resume its upload",
                local.local_id
            ),
        )
    })?;
    let new_kid = out.value.server.id.clone();

    // 2. A JWT signed here verifies with the service's copy (read once, and
    // made the default as read).
    let unchecked = |e| {
        stopped(
            e,
            &format!("The new key {new_kid} was uploaded but not checked"),
        )
    };
    let server = jwt_keys.get(&new_kid).await.map_err(unchecked)?;
    let verification = keys::verify_against(cx, &server).map_err(unchecked)?;
    if !verification.ok {
        return Err(Error::new(
            ErrorCode::Validation,
            format!(
                "The new key {new_kid} does not check: {} The old key {} is untouched and still signs.",
                verification.message, old.id
            ),
        ));
    }

    // 3. It signs from now on.
    let made_default = keys::make_default(cx, server)?;
    out.warnings.extend(made_default.warnings);

    // 4. The old key goes once the JWTs signed with it have expired.
    let deletion = if request.retire_old {
        let now = cx.pc.http.clock().now();
        let scheduled = retire::schedule_key(cx, &old, now, request.delete_local)?;
        out.warnings.extend(scheduled.warnings);
        Some(scheduled.value)
    } else {
        None
    };
    Ok(Outcome {
        value: KeyRotation {
            old,
            new: out.value,
            verification,
            deletion,
        },
        warnings: out.warnings,
    })
}

/// An error that stopped the rotation, saying where things were left.
fn stopped(e: Error, state: &str) -> Error {
    let message = format!(
        "{} {state}. The old key is untouched and still signs.",
        e.message.trim_end()
    );
    Error { message, ..e }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_name_marks_the_day_and_fits_fifty_characters() {
        let day: DateTime<Utc> = "2026-12-06T09:00:00Z".parse().unwrap();
        assert_eq!(new_key_name("web", day), "web (rotated 2026-12-06)");
        let long = "x".repeat(60);
        let named = new_key_name(&long, day);
        assert_eq!(named.chars().count(), 50);
        assert!(named.ends_with(" (rotated 2026-12-06)"));
        crate::jwt_keys::validate_key_name(&named).unwrap();
    }
}
