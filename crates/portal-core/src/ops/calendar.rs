//! The expiry calendar (issue 15 §5), shared by the app's export and
//! `portal calendar --ics FILE`: one event per token that expires (the
//! profile's tokens, all pages), per rotation reminder kept here and per
//! scheduled key deletion (`ops::retire`). Tokens
//! already expired have nothing left to remind of and are left out. Nothing
//! is changed, so nothing is recorded.

use chrono::{DateTime, Utc};

use crate::calendar::{to_ics, uid_part, Reminder};
use crate::context::ProfileContext;
use crate::error::Result;
use crate::key_records::KeyRecords;
use crate::profiles::KeyValueStore;
use crate::secrets::Item;
use crate::service::Service;
use crate::token_records::TokenRecords;

/// The profile's dates to remember, soonest first.
pub async fn reminders(
    pc: &ProfileContext,
    settings: &dyn KeyValueStore,
    now: DateTime<Utc>,
) -> Result<Vec<Reminder>> {
    let profile = &pc.profile.name;
    let slug = uid_part(profile);
    let credential = pc.credential(Item::VaultStreamToken, Service::VaultStream)?;
    let tokens = pc.tokens(&credential).list_all().await?;
    let mut out: Vec<Reminder> = tokens
        .into_iter()
        .filter_map(|t| {
            let at = t.expires_at.filter(|at| *at > now)?;
            Some(Reminder {
                uid: format!("token-expiry.{}.{slug}@partner-portal", uid_part(&t.id)),
                summary: format!("VaultStream token '{}' expires", t.name),
                description: format!(
                    "Token {} ({}) of profile {profile} expires. Rotate it before then: \
                     portal tokens rotate {} --profile '{profile}'.",
                    t.name, t.id, t.id
                ),
                at,
            })
        })
        .collect();
    for r in TokenRecords::new(settings).reminders(profile) {
        out.push(Reminder {
            uid: format!("rotation.{}.{slug}@partner-portal", uid_part(&r.old_id)),
            summary: format!("Revoke the rotated token '{}'", r.old_name),
            description: format!(
                "Token {} ({}) of profile {profile} was replaced by {} ({}). Once the new one \
                 is deployed, revoke the old one: portal tokens revoke {} --profile '{profile}'.",
                r.old_name, r.old_id, r.new_name, r.new_id, r.old_id
            ),
            at: r.remind_at,
        });
    }
    for s in KeyRecords::new(settings).scheduled(profile) {
        out.push(Reminder {
            uid: format!("key-deletion.{}.{slug}@partner-portal", uid_part(&s.kid)),
            summary: format!("JWT key '{}' is deleted", s.name),
            description: format!(
                "JWT key {} ({}) of profile {profile} is deleted when the last JWT signed with it \
                 expires; the app does it while running, or: portal keys retire --due --profile \
                 '{profile}'. To keep the key: portal keys retire --cancel {} --profile '{profile}'.",
                s.name, s.kid, s.kid
            ),
            at: s.due_at,
        });
    }
    out.sort_by_key(|r| r.at);
    Ok(out)
}

/// A calendar file's text and how many events it holds.
pub struct Ics {
    pub text: String,
    pub events: usize,
}

/// The profile's calendar as iCalendar text.
pub async fn ics(pc: &ProfileContext, settings: &dyn KeyValueStore) -> Result<Ics> {
    let now = Utc::now();
    let reminders = reminders(pc, settings, now).await?;
    Ok(Ics {
        text: to_ics(&reminders, now),
        events: reminders.len(),
    })
}
