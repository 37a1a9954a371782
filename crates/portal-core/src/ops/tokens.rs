//! The API token use cases: create, revoke, rotate, finish a rotation, and
//! a user JWT. Each change is recorded in the activity log here; the token's
//! value is returned once and never recorded.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::{record, Outcome, Recorder};
use crate::activity::Action;
use crate::context::ProfileContext;
use crate::error::{Error, ErrorCode, Result};
use crate::profiles::KeyValueStore;
use crate::secret::Secret;
use crate::secrets::{EntryName, Item, SecretStore};
use crate::token_records::{RotationReminder, SavedToken, TokenRecords};
use crate::vaultstream::{ApiToken, CreatedToken, NewToken, UserJwtRequest};
use crate::Service;

/// How long after a rotation the app reminds the user to revoke the old token.
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

/// After a rotation: revoke the old token now (recorded as a revoke "(rotated)"),
/// or keep a reminder to, due in a day.
pub async fn finish_rotation(
    ctx: &ProfileContext,
    recorder: &dyn Recorder,
    settings: &dyn KeyValueStore,
    pair: RotationPair,
    revoke_old: bool,
) -> Result<Outcome<()>> {
    if revoke_old {
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
    let now = Utc::now();
    TokenRecords::new(settings).add_reminder(RotationReminder {
        profile: ctx.profile.name.clone(),
        old_id: pair.old_id,
        old_name,
        new_id: pair.new_id,
        new_name,
        created_at: now,
        remind_at: now + ROTATION_REMINDER_AFTER,
    })?;
    Ok(Outcome::new(()))
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
