//! The API token use cases: create, revoke, rotate, finish a rotation, and
//! a user JWT. Each change is recorded in the activity log here; the token's
//! value is returned once and never recorded.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::{record, Outcome, Recorder};
use crate::activity::Action;
use crate::clock::ClockStatus;
use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode, Result};
use crate::profiles::KeyValueStore;
use crate::secret::Secret;
use crate::secrets::{EntryName, Item, SecretStore};
use crate::time::describe_seconds;
use crate::token_records::{
    RotationReminder, RotationState, SavedToken, TokenRecords, MAX_QUIET_PERIOD_SECONDS,
    ROTATION_DEADLINE_AFTER,
};
use crate::vaultstream::{ApiToken, CreatedToken, NewToken, UserJwtRequest};
use crate::Service;

/// How long after a rotation the app reminds the user to revoke the old
/// token (when the service cannot say whether it is still used).
pub const ROTATION_REMINDER_AFTER: Duration = Duration::days(1);

fn credential(ctx: &ProfileContext) -> Result<Secret> {
    ctx.credential(Item::VaultStreamToken, Service::VaultStream)
}

/// The activity log's line for a created token: name, scopes and expiry.
pub fn creation_summary(t: &ApiToken) -> String {
    let expiry = t.expires_at.map_or_else(
        || "never expires".to_owned(),
        |e| format!("expires {}", e.format("%Y-%m-%d")),
    );
    format!(
        "Created token '{}' ({}), {expiry}",
        t.name,
        t.scopes.join(", ")
    )
}

/// Creates a token (checked, and against the profile's policy, before any
/// credential is read or request sent; never retried: a lost answer is
/// `outcome_unknown`). The value is in the outcome, once.
pub async fn create(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    new: NewToken,
) -> Result<Outcome<CreatedToken>> {
    let new = new.validated()?;
    super::policy::allow_token(ctx, &new, Utc::now())?;
    let credential = credential(ctx)?;
    let created = ctx.tokens(&credential).create(&new).await?;
    let mut warnings = Vec::new();
    let t = &created.token;
    record(
        recorder,
        ctx,
        Action::TokenCreate,
        &t.id,
        &creation_summary(t),
        &mut warnings,
    );
    Ok(Outcome {
        value: created,
        warnings,
    })
}

/// Revokes token `id` (effective within 60 s globally) and forgets what
/// the portal kept about it: its records and its saved copy (a copy that
/// cannot be removed is a warning: the revoke happened).
pub async fn revoke(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    id: &str,
) -> Result<Outcome<()>> {
    revoke_with(ctx, recorder, settings, id, &format!("Revoked token {id}")).await
}

async fn revoke_with(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    id: &str,
    summary: &str,
) -> Result<Outcome<()>> {
    let credential = credential(ctx)?;
    ctx.tokens(&credential).revoke(id).await?;
    let mut warnings = Vec::new();
    record(
        recorder,
        ctx,
        Action::TokenRevoke,
        id,
        summary,
        &mut warnings,
    );
    TokenRecords::new(settings).forget(&ctx.profile.name, id)?;
    if let Err(e) = ctx.forget(Item::SavedToken(id.to_owned())) {
        warnings.push(format!(
            "revoked, but its saved copy could not be removed from the keychain: {}",
            e.message
        ));
    }
    Ok(Outcome {
        value: (),
        warnings,
    })
}

/// Forgets a token value saved here (its keychain entry and its record),
/// e.g. after `ops::health` found its token gone. The token itself is not
/// touched, so nothing is recorded.
pub fn forget_saved(ctx: &ProfileContext, settings: &dyn KeyValueStore, id: &str) -> Result<()> {
    let records = TokenRecords::new(settings);
    if !records.saved(&ctx.profile.name).iter().any(|s| s.id == id) {
        return Err(Error::new(
            ErrorCode::NotFound,
            format!("No token {id} is saved for profile {}.", ctx.profile.name),
        ));
    }
    ctx.forget(Item::SavedToken(id.to_owned()))?;
    records.remove_saved(&ctx.profile.name, id)
}

/// Creates the replacement of token `id`: same name, scopes and expiry
/// policy. The old token stays until [`finish_rotation`]. A replacement
/// that breaks the profile's policy is refused before it is sent (a
/// malformed policy file before anything is).
pub async fn rotate(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    id: &str,
) -> Result<Outcome<Rotation>> {
    ctx.policy()?;
    let credential = credential(ctx)?;
    let client = ctx.tokens(&credential);
    let old = client
        .list_all()
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("Token {id} no longer exists."))
                .with_service(Service::VaultStream)
        })?;
    let now = Utc::now();
    let new = rotation_of(&old, now);
    super::policy::allow_token(ctx, &new, now)?;
    let created = client.create(&new).await?;
    let rotation = Rotation { old, created };
    let mut warnings = Vec::new();
    record(
        recorder,
        ctx,
        Action::TokenRotate,
        &rotation.created.token.id,
        &rotation.summary(),
        &mut warnings,
    );
    Ok(Outcome {
        value: rotation,
        warnings,
    })
}

/// The two tokens of a rotation, and their names when the caller has them
/// (else they are looked up for the reminder).
#[derive(Debug, Clone)]
pub struct RotationPair {
    pub old_id: String,
    pub new_id: String,
    pub names: Option<(String, String)>,
}

impl RotationPair {
    /// By ids only: the names are looked up if a reminder needs them.
    pub fn ids(old_id: String, new_id: String) -> Self {
        Self {
            old_id,
            new_id,
            names: None,
        }
    }
}

impl From<&Rotation> for RotationPair {
    fn from(r: &Rotation) -> Self {
        Self {
            old_id: r.old.id.clone(),
            new_id: r.created.token.id.clone(),
            names: Some((r.old.name.clone(), r.created.token.name.clone())),
        }
    }
}

/// `quiet_period` in whole seconds, checked: 0 (revoke at once, as after a
/// leak) to 7 days. Shells check it before [`rotate`] creates anything.
pub fn quiet_seconds(quiet_period: Duration) -> Result<u32> {
    u32::try_from(quiet_period.num_seconds())
        .ok()
        .filter(|s| *s <= MAX_QUIET_PERIOD_SECONDS)
        .ok_or_else(|| Error::validation("The quiet period can be 0 (revoke at once) to 7 days."))
}

/// After a rotation: with a quiet period of 0 (the new token is deployed,
/// or the old one leaked), revoke the old token now, recorded as a revoke
/// "(rotated)". Otherwise keep the rotation pending: [`check_rotations`]
/// revokes the old token once the service reports it unused for
/// `quiet_period`, and keeps it (and says so) if it is still used after the
/// deadline. Its times are by the service's clock.
pub async fn finish_rotation(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    pair: RotationPair,
    quiet_period: Duration,
) -> Result<Outcome<()>> {
    let quiet_seconds = quiet_seconds(quiet_period)?;
    if quiet_seconds == 0 {
        let summary = format!("Revoked token {} (rotated)", pair.old_id);
        return revoke_with(ctx, recorder, settings, &pair.old_id, &summary).await;
    }
    let (old_name, new_name) = match pair.names {
        Some(names) => names,
        None => {
            let all = ctx.tokens(&credential(ctx)?).list_all().await?;
            let name_of = |id: &str| {
                all.iter()
                    .find(|t| t.id == id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default()
            };
            (name_of(&pair.old_id), name_of(&pair.new_id))
        }
    };
    let now = ctx.http.clock().now();
    TokenRecords::new(settings).add_reminder(RotationReminder {
        profile: ctx.profile.name.clone(),
        old_id: pair.old_id,
        old_name,
        new_id: pair.new_id,
        new_name,
        created_at: now,
        remind_at: now + ROTATION_REMINDER_AFTER,
        quiet_period_seconds: quiet_seconds,
        deadline: Some(now + quiet_period + ROTATION_DEADLINE_AFTER),
        noted: None,
    })?;
    Ok(Outcome::new(()))
}

/// One pending rotation as [`check_rotations`] found it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RotationCheck {
    pub rotation: RotationReminder,
    pub state: RotationState,
    /// When the service last saw the old token used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the old token is revoked if it stays unused (`waiting`).
    pub revoke_at: Option<DateTime<Utc>>,
    /// What happened or will, in a sentence (names the old token).
    pub detail: String,
}

/// Every pending rotation of the profile, and the clock they were judged by.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RotationsReport {
    /// The service's time of the check (this computer's when unknown).
    pub checked_at: DateTime<Utc>,
    pub clock: ClockStatus,
    pub rotations: Vec<RotationCheck>,
}

impl RotationsReport {
    /// The rotations whose old token is still used past the deadline.
    pub fn in_use_past_deadline(&self) -> impl Iterator<Item = &RotationCheck> {
        self.rotations
            .iter()
            .filter(|r| r.state == RotationState::InUsePastDeadline)
    }
}

fn token_label(r: &RotationReminder) -> String {
    if r.old_name.is_empty() {
        r.old_id.clone()
    } else {
        format!("'{}' ({})", r.old_name, r.old_id)
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Where rotation `r` stands at `now` (the service's clock), given its old
/// token as listed (`None`: gone) and whether the service reports
/// `last_used_at` at all.
pub fn rotation_state(
    r: &RotationReminder,
    old: Option<&ApiToken>,
    reports_usage: bool,
    now: DateTime<Utc>,
) -> RotationCheck {
    let label = token_label(r);
    let check = |state, revoke_at, detail: String| RotationCheck {
        rotation: r.clone(),
        state,
        last_used_at: old.and_then(|t| t.last_used_at),
        revoke_at,
        detail,
    };
    let Some(old) = old else {
        return check(
            RotationState::Gone,
            None,
            format!("Token {label} is no longer on the service: nothing left to revoke."),
        );
    };
    let quiet = r.quiet_period();
    if quiet.is_zero() {
        return check(
            RotationState::Due,
            Some(now),
            format!("Token {label} is to be revoked at once (no quiet period)."),
        );
    }
    if !reports_usage {
        return check(
            RotationState::UsageNotReported,
            None,
            format!(
                "The service does not report when a token was last used (no last_used_at), so whether token {label} is still in use is unknown: revoke it yourself once {} is deployed (reminder from {}).",
                r.new_id,
                stamp(r.remind_at)
            ),
        );
    }
    // Never used: quiet since it was made (or since the rotation).
    let quiet_since = old.last_used_at.or(old.created_at).unwrap_or(r.created_at);
    let revoke_at = quiet_since + quiet;
    let quiet_for = describe_seconds(quiet.num_seconds());
    if now >= revoke_at {
        return check(
            RotationState::Due,
            Some(revoke_at),
            format!("Token {label} has been unused for {quiet_for}: to be revoked."),
        );
    }
    let used = old.last_used_at.map_or_else(
        || "never used".to_owned(),
        |t| format!("last used {}", stamp(t)),
    );
    if now >= r.deadline() {
        return check(
            RotationState::InUsePastDeadline,
            Some(revoke_at),
            format!(
                "Token {label} is still in use ({used}) after the rotation's deadline ({}): it was not revoked. Move what still uses it to {}, then revoke it.",
                stamp(r.deadline()),
                r.new_id
            ),
        );
    }
    check(
        RotationState::Waiting,
        Some(revoke_at),
        format!(
            "Token {label} was {used}: revoked at {} if unused for {quiet_for}.",
            stamp(revoke_at)
        ),
    )
}

/// Checks the profile's pending rotations against the service's token list
/// and clock. With `act`, an old token unused for its quiet period is
/// revoked (recorded as a revoke "(rotated: …)"), one still in use past the
/// deadline is kept and recorded once (`rotation_held`), as is the fallback
/// to the reminder when the service does not report `last_used_at`; a
/// rotation whose old token is gone is forgotten. Without `act`, nothing
/// changes (the states are what would happen).
///
/// Whether the service reports `last_used_at` is read from the list
/// itself: the credential that listed it was used just now, so a service
/// that reports use shows it on at least that token.
pub async fn check_rotations(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    act: bool,
) -> Result<Outcome<RotationsReport>> {
    let records = TokenRecords::new(settings);
    let pending = records.reminders(&ctx.profile.name);
    let mut warnings = Vec::new();
    let mut checks = Vec::new();
    if !pending.is_empty() {
        let tokens = ctx.tokens(&credential(ctx)?).list_all().await?;
        let reports_usage = tokens.iter().any(|t| t.last_used_at.is_some());
        let now = ctx.http.clock().now();
        for r in &pending {
            let old = tokens.iter().find(|t| t.id == r.old_id);
            let mut check = rotation_state(r, old, reports_usage, now);
            if act {
                settle(ctx, recorder, settings, &mut check, &mut warnings).await?;
            }
            checks.push(check);
        }
    }
    Ok(Outcome {
        value: RotationsReport {
            checked_at: ctx.http.clock().now(),
            clock: ctx.http.clock().status(),
            rotations: checks,
        },
        warnings,
    })
}

/// Does what `check` says: revoke, forget, or record a hold once.
async fn settle(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    check: &mut RotationCheck,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let r = check.rotation.clone();
    let records = TokenRecords::new(settings);
    match check.state {
        RotationState::Due => {
            let why = if r.quiet_period_seconds == 0 {
                "at once".to_owned()
            } else {
                format!(
                    "unused for {} by the service's clock",
                    describe_seconds(i64::from(r.quiet_period_seconds))
                )
            };
            let summary = format!("Revoked token {} (rotated: {why})", r.old_id);
            let done = revoke_with(ctx, recorder, settings, &r.old_id, &summary).await?;
            warnings.extend(done.warnings);
            check.state = RotationState::Revoked;
            check.detail = format!("Revoked token {} ({why}).", token_label(&r));
        }
        RotationState::Gone => records.clear_reminder(&r.profile, &r.old_id)?,
        RotationState::InUsePastDeadline | RotationState::UsageNotReported
            if r.noted != Some(check.state) =>
        {
            record(
                recorder,
                ctx,
                Action::RotationHeld,
                &r.old_id,
                &check.detail,
                warnings,
            );
            let mut noted = r;
            noted.noted = Some(check.state);
            records.add_reminder(noted.clone())?;
            check.rotation = noted;
        }
        _ => {}
    }
    Ok(())
}

/// Keeps a freshly created token's value in the secret store under
/// `profile` and lists it among the saved tokens (its value never leaves
/// the store again except to sign a user JWT with it).
pub fn save(
    secrets: &dyn SecretStore,
    settings: &dyn KeyValueStore,
    profile: &str,
    token: &ApiToken,
    value: &Secret,
) -> Result<Outcome<SavedToken>> {
    let name = EntryName::new(profile, Item::SavedToken(token.id.clone()));
    secrets.set(&name, value)?;
    let saved = SavedToken {
        profile: profile.to_owned(),
        id: token.id.clone(),
        name: token.name.clone(),
        scopes: token.scopes.clone(),
        saved_at: Utc::now(),
    };
    TokenRecords::new(settings).add_saved(saved.clone())?;
    Ok(Outcome::new(saved))
}

/// A user JWT and what it says: its decoded header and claims, and when it
/// expires (the answer's `expires_at`, else the `exp` claim).
#[derive(Debug)]
pub struct SignedUserJwt {
    pub jwt: Secret,
    /// The documented player embedding with this JWT in it ([`player_snippet`]).
    pub snippet: Secret,
    pub header: Value,
    pub claims: Value,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The documented player embedding (`VSPlayer.mount('#player', {contentId,
/// jwt})`), the same text the app shows (`playerSnippet` in
/// `ui/src/lib/tokens/userJwt.ts`).
pub fn player_snippet(content_id: &str, jwt: &str) -> String {
    let js = |v: &str| {
        format!(
            "'{}'",
            v.replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace('\n', "\\n")
        )
    };
    format!(
        "VSPlayer.mount('#player', {{ contentId: {}, jwt: {} }});",
        js(content_id),
        js(jwt)
    )
}

/// A user JWT for player embedding, made with the profile's token or with
/// a saved one (`saved_token_id`).
pub async fn user_jwt(
    ctx: &ProfileContext,
    request: &UserJwtRequest,
    saved_token_id: Option<String>,
) -> Result<Outcome<SignedUserJwt>> {
    let credential = match saved_token_id {
        Some(id) => ctx.credential(Item::SavedToken(id), Service::VaultStream)?,
        None => credential(ctx)?,
    };
    let jwt = ctx.tokens(&credential).create_user_jwt(request).await?;
    let decoded = crate::signing::decode(jwt.jwt.expose())?;
    let expires_at = jwt.expires_at.or_else(|| {
        decoded.claims["exp"]
            .as_i64()
            .and_then(|s| DateTime::from_timestamp(s, 0))
    });
    let snippet = Secret::new(player_snippet(&request.content_id, jwt.jwt.expose()));
    Ok(Outcome::new(SignedUserJwt {
        jwt: jwt.jwt,
        snippet,
        header: decoded.header,
        claims: decoded.claims,
        expires_at,
    }))
}

/// The expiry a rotated token gets: the same lifetime as the original
/// (from its creation to its expiry), counted from now; none stays none.
pub fn rotated_expiry(old: &ApiToken, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let expires = old.expires_at?;
    let lifetime = match old.created_at {
        Some(created) if expires > created => expires - created,
        _ => Duration::days(90),
    };
    Some(now + lifetime)
}

/// What rotation creates for `old`: same name, same scopes, same expiry policy.
pub fn rotation_of(old: &ApiToken, now: DateTime<Utc>) -> NewToken {
    NewToken {
        name: old.name.clone(),
        scopes: old.scopes.clone(),
        expires_at: rotated_expiry(old, now),
    }
}

/// A rotation: the token being replaced and its freshly created successor.
#[derive(Debug)]
pub struct Rotation {
    pub old: ApiToken,
    pub created: CreatedToken,
}

impl Rotation {
    /// The activity log's line for it.
    pub fn summary(&self) -> String {
        format!(
            "Rotated '{}': new token {} replaces {}",
            self.old.name, self.created.token.id, self.old.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{player_snippet, rotation_of};
    use crate::vaultstream::ApiToken;
    use chrono::{DateTime, Utc};
    use serde_json::json;

    /// The same text as the app's `playerSnippet` (`userJwt.ts`), escapes
    /// included: what is copied is what is shown.
    #[test]
    fn the_player_snippet_is_the_documented_embedding() {
        assert_eq!(
            player_snippet("c_7a3b9f1d", "eyJ.a.b"),
            "VSPlayer.mount('#player', { contentId: 'c_7a3b9f1d', jwt: 'eyJ.a.b' });"
        );
        assert_eq!(
            player_snippet("it's\\a\nb", "j"),
            "VSPlayer.mount('#player', { contentId: 'it\\'s\\\\a\\nb', jwt: 'j' });"
        );
    }

    #[test]
    fn rotation_keeps_scopes_and_lifetime() {
        let old: ApiToken = serde_json::from_value(json!({
            "id":"tok_1","name":"CI","scopes":["content:read","content:write"],
            "created_at":"2026-01-01T00:00:00Z","expires_at":"2026-03-02T00:00:00Z"
        }))
        .unwrap();
        let now: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
        let new = rotation_of(&old, now);
        assert_eq!(new.name, "CI");
        assert_eq!(new.scopes, old.scopes);
        assert_eq!(new.expires_at.unwrap() - now, chrono::Duration::days(60));
        let never = ApiToken {
            expires_at: None,
            ..old
        };
        assert_eq!(rotation_of(&never, now).expires_at, None);
    }
}
