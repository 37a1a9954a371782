//! Which role may do what in the vault (the documented role table):
//! `user` reads assets, transforms, folders, quota and legal-hold status;
//! `organizer` also creates and updates assets, creates folders, requests
//! transforms and shares; `admin` also deletes and sets or clears legal holds.
//! The UI disables what the role cannot do; the service is still the judge.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Role;

/// Everything the portal can do in the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AssetAction {
    /// List and open assets, folders, transforms, quota and legal-hold status.
    Read,
    /// Create an asset from metadata, or upload a file.
    Create,
    /// Rename, move or retag an asset.
    Update,
    Delete,
    CreateFolder,
    RequestTransform,
    Share,
    SetLegalHold,
    ClearLegalHold,
}

impl AssetAction {
    pub const ALL: [AssetAction; 9] = [
        Self::Read,
        Self::Create,
        Self::Update,
        Self::Delete,
        Self::CreateFolder,
        Self::RequestTransform,
        Self::Share,
        Self::SetLegalHold,
        Self::ClearLegalHold,
    ];

    /// In a sentence: "delete assets".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Read => "read assets",
            Self::Create => "create or upload assets",
            Self::Update => "update assets",
            Self::Delete => "delete assets",
            Self::CreateFolder => "create folders",
            Self::RequestTransform => "request transforms",
            Self::Share => "share assets",
            Self::SetLegalHold => "set legal holds",
            Self::ClearLegalHold => "clear legal holds",
        }
    }
}

/// The weakest role that may do `action`.
pub fn required_role(action: AssetAction) -> Role {
    match action {
        AssetAction::Read => Role::User,
        AssetAction::Create
        | AssetAction::Update
        | AssetAction::CreateFolder
        | AssetAction::RequestTransform
        | AssetAction::Share => Role::Organizer,
        AssetAction::Delete | AssetAction::SetLegalHold | AssetAction::ClearLegalHold => {
            Role::Admin
        }
    }
}

/// Whether `role` may do `action` (roles include the weaker ones).
pub fn allowed(role: Role, action: AssetAction) -> bool {
    role >= required_role(action)
}

/// One action as the UI shows it: enabled, or disabled with a tooltip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Permission {
    pub action: AssetAction,
    pub allowed: bool,
    pub needs: Role,
    /// Why it is disabled ("Only an admin can delete assets."), when it is.
    pub reason: Option<String>,
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::User => "a user",
        Role::Organizer => "an organizer",
        Role::Admin => "an admin",
    }
}

/// Every action for `role`.
pub fn permissions(role: Role) -> Vec<Permission> {
    AssetAction::ALL
        .iter()
        .map(|&action| {
            let needs = required_role(action);
            let ok = allowed(role, action);
            Permission {
                action,
                allowed: ok,
                needs,
                reason: (!ok).then(|| {
                    let who = match needs {
                        Role::Admin => "an admin".to_owned(),
                        other => format!("{} or an admin", role_name(other)),
                    };
                    format!(
                        "Only {who} can {}; you are {}.",
                        action.describe(),
                        role_name(role)
                    )
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_table() {
        use AssetAction::*;
        for a in AssetAction::ALL {
            assert!(allowed(Role::Admin, a));
        }
        assert!(allowed(Role::User, Read));
        for a in [Create, Update, CreateFolder, RequestTransform, Share] {
            assert!(!allowed(Role::User, a));
            assert!(allowed(Role::Organizer, a));
        }
        for a in [Delete, SetLegalHold, ClearLegalHold] {
            assert!(!allowed(Role::Organizer, a));
            assert_eq!(required_role(a), Role::Admin);
        }
    }

    #[test]
    fn a_denied_action_says_who_may() {
        let p = permissions(Role::User);
        let share = p.iter().find(|p| p.action == AssetAction::Share).unwrap();
        assert!(!share.allowed);
        assert_eq!(
            share.reason.as_deref(),
            Some("Only an organizer or an admin can share assets; you are a user.")
        );
        assert!(permissions(Role::Admin).iter().all(|p| p.reason.is_none()));
    }
}
