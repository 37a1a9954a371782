//! The three services the portal speaks to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Service {
    /// API tokens, scopes and user JWTs.
    VaultStream,
    /// Public keys that verify private-video JWTs.
    JwtKeys,
    /// Multi-tenant asset vault.
    Vault,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::VaultStream, Service::JwtKeys, Service::Vault];

    pub fn label(self) -> &'static str {
        match self {
            Self::VaultStream => "VaultStream",
            Self::JwtKeys => "JWT keys",
            Self::Vault => "Vault",
        }
    }

    /// Default production base URL (CONTRACT.md).
    pub fn default_url(self) -> &'static str {
        match self {
            Self::VaultStream => "https://api.cyfr.technology",
            Self::JwtKeys => "https://api.vidbeo.com/v2",
            Self::Vault => "https://535ubezkse.execute-api.us-east-1.amazonaws.com",
        }
    }
}
