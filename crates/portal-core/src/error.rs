//! The one error type of the core. It crosses to the UI as `{code, message, …}`
//! and the CLI prints it on one line.

use serde::Serialize;
use ts_rs::TS;

use crate::service::Service;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable error codes. A code exists because some consumer (UI, CLI exit
/// status, tests) branches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The credential was refused (401): wrong, expired or revoked.
    Unauthorized,
    /// The credential is valid but lacks a scope or role (403).
    Forbidden,
    NotFound,
    /// Bad input, caught locally or refused by the service (400/422).
    Validation,
    /// The service refused because of the resource's state (409), e.g. a legal hold.
    Conflict,
    RateLimited,
    /// The service could not be reached, timed out before sending, or failed (5xx).
    Unavailable,
    /// The server's TLS certificate was refused (unknown issuer, expired,
    /// wrong name…): never retried, and no connection problem.
    Certificate,
    /// A write was sent but its response was lost: it may or may not have happened.
    OutcomeUnknown,
    /// The service answered with something that is not its documented envelope.
    BadResponse,
    /// The service pointed elsewhere (a redirect, a next-page link) to an
    /// origin other than the configured base URL's; nothing was sent there.
    ForeignOrigin,
    /// The profile has no credential for this service yet.
    NoCredentials,
    /// The OS keychain cannot be used (missing, locked, refused).
    KeychainUnavailable,
    /// The encrypted secrets file needs its passphrase, or the passphrase is wrong.
    SecretsLocked,
    /// Settings or profile problem (unknown profile, bad URL, a malformed
    /// policy file…).
    Config,
    /// The team's policy file (`portal-policy.toml`) forbids it: nothing
    /// was sent.
    Policy,
    Cancelled,
    Io,
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 19] = [
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Validation,
        Self::Conflict,
        Self::RateLimited,
        Self::Unavailable,
        Self::Certificate,
        Self::OutcomeUnknown,
        Self::BadResponse,
        Self::ForeignOrigin,
        Self::NoCredentials,
        Self::KeychainUnavailable,
        Self::SecretsLocked,
        Self::Config,
        Self::Policy,
        Self::Cancelled,
        Self::Io,
        Self::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Validation => "validation",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Certificate => "certificate",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::BadResponse => "bad_response",
            Self::ForeignOrigin => "foreign_origin",
            Self::NoCredentials => "no_credentials",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::SecretsLocked => "secrets_locked",
            Self::Config => "config",
            Self::Policy => "policy",
            Self::Cancelled => "cancelled",
            Self::Io => "io",
            Self::Internal => "internal",
        }
    }

    /// What the user can do next, in one sentence.
    pub fn hint(self) -> Option<&'static str> {
        Some(match self {
            Self::Unauthorized => "Check the credential in Settings, or log in again.",
            Self::Forbidden => "Use a credential with the scope or role this action needs.",
            Self::RateLimited => "Wait a moment and try again.",
            Self::Unavailable => "Check the connection and the service URL, then retry.",
            Self::Certificate => {
                "Install the company's CA certificate in the system's store, or set the profile's CA file."
            }
            Self::OutcomeUnknown => {
                "Refresh the list to see whether it happened before trying again."
            }
            Self::BadResponse => "Check that the base URL points at the right service.",
            Self::ForeignOrigin => {
                "Check the base URL: use the address the service answers on directly (scheme, host, port and path)."
            }
            Self::NoCredentials => "Add the credential in Settings (or `portal login`).",
            Self::KeychainUnavailable => {
                "Unlock or install a keychain (Secret Service), or opt in to the encrypted secrets file in Settings."
            }
            Self::SecretsLocked => "Enter the passphrase of the encrypted secrets file.",
            Self::Policy => {
                "Change the request to follow the team's policy (its rules are in Settings → Policy, or `portal policy show`)."
            }
            _ => return None,
        })
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[ts(export)]
pub struct Error {
    pub code: ErrorCode,
    /// A sentence for a person: what failed.
    pub message: String,
    /// Which service answered (or failed to).
    pub service: Option<Service>,
    /// The request id the service gave (or the one we sent).
    pub request_id: Option<String>,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The service's own error code, e.g. `invalid_token`.
    pub service_code: Option<String>,
    /// Seconds to wait, from `Retry-After`.
    pub retry_after_secs: Option<u32>,
    /// What to do next.
    pub hint: Option<String>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            service: None,
            request_id: None,
            status: None,
            service_code: None,
            retry_after_secs: None,
            hint: code.hint().map(str::to_owned),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Config, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    pub fn with_service(mut self, service: Service) -> Self {
        self.service = Some(service);
        self
    }

    pub fn with_request_id(mut self, id: Option<String>) -> Self {
        if id.is_some() {
            self.request_id = id;
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Says what was being done: `Listing API tokens: <message>`.
    pub fn during(mut self, doing: &str) -> Self {
        self.message = format!("{doing}: {}", self.message);
        self
    }
}

impl std::fmt::Display for Error {
    /// One line: `VaultStream: unauthorized: The token was revoked (request req_1)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(service) = self.service {
            write!(f, "{}: ", service.label())?;
        }
        write!(
            f,
            "{}: {}",
            self.service_code.as_deref().unwrap_or(self.code.as_str()),
            self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {id})")?;
        }
        Ok(())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::new(ErrorCode::Io, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI's next steps are core's: `ui/src/lib/bindings/errorHints.ts`
    /// is written here from [`ErrorCode::hint`] (as ts-rs writes the other
    /// bindings; CI fails when the committed file is stale).
    #[test]
    fn hints_are_exported_to_the_ui() {
        let mut rows = String::new();
        for code in ErrorCode::ALL {
            // Exhaustive: a new code fails to compile until it is in ALL.
            match code {
                ErrorCode::Unauthorized
                | ErrorCode::Forbidden
                | ErrorCode::NotFound
                | ErrorCode::Validation
                | ErrorCode::Conflict
                | ErrorCode::RateLimited
                | ErrorCode::Unavailable
                | ErrorCode::Certificate
                | ErrorCode::OutcomeUnknown
                | ErrorCode::BadResponse
                | ErrorCode::ForeignOrigin
                | ErrorCode::NoCredentials
                | ErrorCode::KeychainUnavailable
                | ErrorCode::SecretsLocked
                | ErrorCode::Config
                | ErrorCode::Policy
                | ErrorCode::Cancelled
                | ErrorCode::Io
                | ErrorCode::Internal => {}
            }
            let hint = match code.hint() {
                Some(h) => serde_json::to_string(h).unwrap(),
                None => "null".to_owned(),
            };
            rows.push_str(&format!("  {}: {hint},\n", code.as_str()));
        }
        let text = format!(
            "// Generated by crates/portal-core/src/error.rs (test hints_are_exported_to_the_ui)\n\
             // from ErrorCode::hint. Do not edit: change the hint in core.\n\
             import type {{ ErrorCode }} from './ErrorCode';\n\n\
             /** Core's next step for each error code; null where core has none. */\n\
             export const ERROR_HINTS: Readonly<Record<ErrorCode, string | null>> = {{\n{rows}}};\n"
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/bindings/errorHints.ts");
        assert!(text.contains("unauthorized: \"Check the credential"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).unwrap();
        }
    }

    #[test]
    fn display_names_service_code_and_request_id() {
        let mut e = Error::new(ErrorCode::Unauthorized, "The token was revoked")
            .with_service(Service::VaultStream)
            .with_request_id(Some("req_42".into()));
        e.service_code = Some("invalid_token".into());
        assert_eq!(
            e.to_string(),
            "VaultStream: invalid_token: The token was revoked (request req_42)"
        );
    }

    #[test]
    fn serializes_code_in_snake_case_with_hint() {
        let e = Error::new(ErrorCode::KeychainUnavailable, "no Secret Service");
        let v = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(v["code"], "keychain_unavailable");
        assert!(v["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("encrypted secrets file"));
    }
}
