//! Trust: the process's rustls crypto provider, and what was wrong with a
//! certificate the client refused, in words a user can act on.

use crate::error::{Error, ErrorCode};

/// Installs ring as the process's rustls crypto provider, once (reqwest's
/// `rustls-no-provider` uses the installed one; tauri-plugin-updater does the
/// same). Every reqwest client in the process needs it, so tests that build
/// their own call this too.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err: another thread installed one first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// What was wrong with a server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CertProblem {
    /// Signed by no authority this computer trusts (self-signed included).
    UnknownIssuer,
    /// Past its `notAfter` (the date, when known).
    Expired(Option<String>),
    NotValidYet(Option<String>),
    /// Issued for other names (those, when known).
    WrongName(Vec<String>),
    Revoked,
    /// Anything else rustls refused, as rustls words it.
    Other(String),
}

impl CertProblem {
    pub(super) fn from_rustls(e: &rustls::CertificateError) -> Self {
        use rustls::CertificateError as C;
        let date = |t: &rustls::pki_types::UnixTime| {
            chrono::DateTime::from_timestamp(i64::try_from(t.as_secs()).unwrap_or(i64::MAX), 0)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        };
        match e {
            C::UnknownIssuer => Self::UnknownIssuer,
            C::Expired => Self::Expired(None),
            C::ExpiredContext { not_after, .. } => Self::Expired(date(not_after)),
            C::NotValidYet => Self::NotValidYet(None),
            C::NotValidYetContext { not_before, .. } => Self::NotValidYet(date(not_before)),
            C::NotValidForName => Self::WrongName(Vec::new()),
            C::NotValidForNameContext { presented, .. } => Self::WrongName(presented.clone()),
            C::Revoked => Self::Revoked,
            other => Self::Other(format!("{other:?}")),
        }
    }

    pub(super) fn into_error(self, host: &str) -> Error {
        const INSTALL_CA: &str =
            "If your company inspects or issues its own certificates, install its CA \
             certificate in the system's certificate store, or give this profile a CA file \
             (Settings, or `portal profile edit --ca-file FILE`), or point SSL_CERT_FILE at it.";
        let (what, hint) = match self {
            Self::UnknownIssuer => (
                format!(
                    "The certificate of {host} is not trusted: its issuer is unknown to this computer \
                     (unknown issuer, or a self-signed certificate)."
                ),
                INSTALL_CA.to_owned(),
            ),
            Self::Expired(when) => (
                match when {
                    Some(d) => format!("The certificate of {host} has expired (on {d})."),
                    None => format!("The certificate of {host} has expired."),
                },
                "The server's operator must renew its certificate; check also that this computer's \
                 date and time are right."
                    .to_owned(),
            ),
            Self::NotValidYet(when) => (
                match when {
                    Some(d) => format!("The certificate of {host} is not valid yet (from {d})."),
                    None => format!("The certificate of {host} is not valid yet."),
                },
                "Check that this computer's date and time are right.".to_owned(),
            ),
            Self::WrongName(names) => (
                if names.is_empty() {
                    format!(
                        "The certificate of {host} is not valid for this host (it was issued for another name)."
                    )
                } else {
                    format!(
                        "The certificate of {host} is not valid for this host: it was issued for {}.",
                        names.join(", ")
                    )
                },
                "Check the service URL in the profile: it must use a name the server's certificate \
                 was issued for."
                    .to_owned(),
            ),
            Self::Revoked => (
                format!("The certificate of {host} has been revoked."),
                "The server's operator must replace its certificate.".to_owned(),
            ),
            Self::Other(detail) => (
                format!("The certificate of {host} was refused ({detail})."),
                INSTALL_CA.to_owned(),
            ),
        };
        Error::new(ErrorCode::Certificate, what).with_hint(hint)
    }
}

/// The certificate rustls refused, found in reqwest's chain of causes
/// (rustls' error sits inside an `io::Error`, whose `source()` skips it).
pub(super) fn certificate_problem(e: &reqwest::Error) -> Option<CertProblem> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(CertProblem::from_rustls(c));
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    None
}

/// An error and its causes on one line.
pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = err.source();
    }
    out
}
