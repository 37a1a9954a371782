//! How a profile reaches its services: which certificates it trusts and
//! which proxy it goes through. [`crate::http::HttpClient::with_network`]
//! builds a client from a [`NetworkSettings`]; [`describe`] says what a
//! profile uses, for `portal status` and Settings.
//!
//! Trust: the operating system's, through `rustls-platform-verifier` (the
//! default of reqwest 0.13). On Linux its roots come from
//! `rustls-native-certs`, which reads `SSL_CERT_FILE` and `SSL_CERT_DIR`
//! instead of the system bundle when they are set, as OpenSSL does; on
//! macOS and Windows the system's own verifier decides, and the
//! certificates named by `SSL_CERT_FILE`/`SSL_CERT_DIR` are added to it. A
//! profile may add one PEM file of CA certificates (a company CA).
//!
//! When: a profile's CA file is read and checked when its client is built
//! (a broken one fails every use of the profile, whatever its URLs); the
//! system's trust is loaded on the first request that makes a TLS handshake
//! (`Routes::needs_tls`), so a profile that only speaks `http://` to this
//! machine never reads it, and a trust store that yields no certificate is
//! reported by the first `https://` request.
//!
//! Proxy: a profile's own proxy URL wins. Otherwise `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY` (upper or lower case) and, on macOS and
//! Windows, the system's proxy settings. `NO_PROXY` names hosts reached
//! directly, whichever proxy is set. HTTPS goes through a proxy by
//! `CONNECT`, so the certificate checks above apply to the tunnelled
//! connection as they would to a direct one.

use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::service::Service;

/// A profile's network choices, as the HTTP client needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NetworkSettings {
    /// A PEM file of CA certificates trusted on top of the system's.
    pub ca_file: Option<PathBuf>,
    /// `http://host:port` (or `https://`): wins over the environment.
    pub proxy: Option<String>,
    /// No proxy at all, whatever the environment says: the app's embedded
    /// sandbox listens on this computer, where no proxy could reach it.
    pub direct: bool,
}

impl NetworkSettings {
    /// Straight to the server: no proxy, the system's certificates.
    pub fn direct() -> Self {
        Self {
            direct: true,
            ..Self::default()
        }
    }
}

/// The certificates of a PEM file, or a `config` error naming the file and
/// what is wrong with it.
pub fn load_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "The CA certificate file {shown} cannot be read: {e}."
        ))
        .with_hint(CA_FILE_HINT)
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::config(format!(
                "The CA certificate file {shown} is not valid PEM: {e}."
            ))
            .with_hint(CA_FILE_HINT)
        })?;
    if certs.is_empty() {
        return Err(Error::config(format!(
            "The CA certificate file {shown} holds no certificate (no -----BEGIN CERTIFICATE----- block)."
        ))
        .with_hint(CA_FILE_HINT));
    }
    Ok(certs)
}

const CA_FILE_HINT: &str =
    "Give the path of the company CA's certificate in PEM form, or clear the profile's CA file.";

/// Checks a proxy URL for a profile: `http://` or `https://`, a host, and no
/// user name or password (the settings file is not a secret store; a proxy
/// that needs a login can be given in `HTTPS_PROXY`).
pub fn check_proxy(raw: &str) -> Result<()> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| Error::validation(format!("The proxy URL '{raw}' is not valid: {e}.")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::validation(format!(
            "The proxy URL must start with http:// or https://, not {}://.",
            url.scheme()
        )));
    }
    if url.host_str().filter(|h| !h.is_empty()).is_none() {
        return Err(Error::validation("The proxy URL needs a host."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::validation(
            "A proxy URL with a user name or password would be kept in plain text in the settings \
             file: set HTTPS_PROXY in the environment instead.",
        ));
    }
    Ok(())
}

/// Where a proxy setting came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "variable")]
#[ts(export)]
pub enum ProxySource {
    /// The profile's own proxy URL.
    Profile,
    /// An environment variable, named.
    Environment(String),
    /// The operating system's proxy settings (macOS, Windows).
    System,
}

/// The proxy one service's requests go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServiceRoute {
    pub service: Service,
    /// The proxy URL with any user name and password masked; `None`: direct.
    pub proxy: Option<String>,
    pub source: Option<ProxySource>,
}

/// What a profile uses to reach its services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NetworkInfo {
    /// The profile's extra CA certificate file, if any.
    pub ca_file: Option<String>,
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR`, when set.
    pub ssl_cert_file: Option<String>,
    pub ssl_cert_dir: Option<String>,
    pub routes: Vec<ServiceRoute>,
}

impl NetworkInfo {
    /// One line per distinct proxy, for a terminal: `proxy http://p:3128 (profile)`.
    pub fn proxy_summary(&self) -> String {
        let mut seen: Vec<String> = Vec::new();
        for r in &self.routes {
            let line = match (&r.proxy, &r.source) {
                (Some(p), Some(s)) => format!("{p} ({})", s.label()),
                (Some(p), None) => p.clone(),
                _ => "none (direct)".to_owned(),
            };
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
        if seen.len() <= 1 {
            return seen.pop().unwrap_or_else(|| "none (direct)".to_owned());
        }
        self.routes
            .iter()
            .map(|r| {
                let via = match (&r.proxy, &r.source) {
                    (Some(p), Some(s)) => format!("{p} ({})", s.label()),
                    (Some(p), None) => p.clone(),
                    _ => "direct".to_owned(),
                };
                format!("{}: {via}", r.service.label())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl ProxySource {
    pub fn label(&self) -> String {
        match self {
            Self::Profile => "profile".to_owned(),
            Self::Environment(var) => var.clone(),
            Self::System => "system settings".to_owned(),
        }
    }
}

/// Which proxy and which extra CA a client built from `settings` uses for
/// each service at `url_of(service)`.
pub fn describe<'a>(
    settings: &NetworkSettings,
    url_of: impl Fn(Service) -> &'a str,
) -> NetworkInfo {
    if settings.direct {
        return NetworkInfo {
            ca_file: None,
            ssl_cert_file: None,
            ssl_cert_dir: None,
            routes: Service::ALL
                .iter()
                .map(|&service| ServiceRoute {
                    service,
                    proxy: None,
                    source: None,
                })
                .collect(),
        };
    }
    let routes = Service::ALL
        .iter()
        .map(|&service| {
            let (proxy, source) = match proxy_for(settings, url_of(service)) {
                Some((p, s)) => (Some(p), Some(s)),
                None => (None, None),
            };
            ServiceRoute {
                service,
                proxy,
                source,
            }
        })
        .collect();
    NetworkInfo {
        ca_file: settings.ca_file.as_ref().map(|p| p.display().to_string()),
        ssl_cert_file: std::env::var("SSL_CERT_FILE")
            .ok()
            .filter(|v| !v.is_empty()),
        ssl_cert_dir: std::env::var("SSL_CERT_DIR").ok().filter(|v| !v.is_empty()),
        routes,
    }
}

/// The proxy a client built from `settings` uses for `url` (masked), and
/// where that proxy was set; `None`: straight to the server.
pub fn proxy_for(settings: &NetworkSettings, url: &str) -> Option<(String, ProxySource)> {
    use hyper_util::client::proxy::matcher::Matcher;
    if settings.direct {
        return None;
    }
    let uri = url.parse::<http::Uri>().ok()?;
    if let Some(p) = &settings.proxy {
        return profile_matcher(p)
            .intercept(&uri)
            .map(|i| (masked(&i), ProxySource::Profile));
    }
    if let Some(i) = Matcher::from_env().intercept(&uri) {
        return Some((masked(&i), env_source(&uri)));
    }
    Matcher::from_system()
        .intercept(&uri)
        .map(|i| (masked(&i), ProxySource::System))
}

/// A profile's proxy for every URL but those `NO_PROXY` names, as the
/// client's `reqwest::Proxy::all(..).no_proxy(NoProxy::from_env())` reads it.
fn profile_matcher(proxy: &str) -> hyper_util::client::proxy::matcher::Matcher {
    let no = first_env(&["NO_PROXY", "no_proxy"])
        .map(|(_, v)| v)
        .unwrap_or_default();
    hyper_util::client::proxy::matcher::Matcher::builder()
        .all(proxy.trim().to_owned())
        .no(no)
        .build()
}

/// Which proxy a request to each URL goes through, read once from the
/// settings and the environment as the client built with them reads it
/// (the profile's proxy, else the environment's and the system's), to tell
/// which requests make a TLS handshake.
#[derive(Clone)]
pub(crate) struct Routes(Option<std::sync::Arc<hyper_util::client::proxy::matcher::Matcher>>);

impl Routes {
    pub(crate) fn new(settings: &NetworkSettings) -> Self {
        use hyper_util::client::proxy::matcher::Matcher;
        if settings.direct {
            return Self(None);
        }
        let matcher = match &settings.proxy {
            Some(p) => profile_matcher(p),
            None => Matcher::from_system(),
        };
        Self(Some(std::sync::Arc::new(matcher)))
    }

    /// Whether a request to `url` makes a TLS handshake: an `https://` URL
    /// (directly or tunnelled), or any URL whose proxy is not a plain
    /// `http://` one (an `https://` proxy is reached over TLS). Only an
    /// `http://` URL reached directly or through an `http://` proxy makes none.
    pub(crate) fn needs_tls(&self, url: &url::Url) -> bool {
        if url.scheme() != "http" {
            return true;
        }
        let Some(matcher) = &self.0 else {
            return false;
        };
        let Ok(uri) = url.as_str().parse::<http::Uri>() else {
            return true;
        };
        matcher
            .intercept(&uri)
            .is_some_and(|i| i.uri().scheme_str() != Some("http"))
    }
}

/// The proxy's URL as `scheme://host:port`, with `***@` where it carries a
/// login (the matcher has taken the user name and password out of the URI).
fn masked(i: &hyper_util::client::proxy::matcher::Intercept) -> String {
    let uri = i.uri();
    let scheme = uri.scheme_str().unwrap_or("http");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    // Belt and braces: never show a user-info part even if one stayed.
    let host = authority.rsplit('@').next().unwrap_or_default();
    let login = i.basic_auth().is_some() || i.raw_auth().is_some() || authority.contains('@');
    if login {
        format!("{scheme}://***@{host}")
    } else {
        format!("{scheme}://{host}")
    }
}

/// The environment variable that gave the proxy for `uri`, in the order the
/// matcher reads them (hyper-util): the scheme's own variable, else `ALL_PROXY`.
fn env_source(uri: &http::Uri) -> ProxySource {
    let own: &[&str] = match uri.scheme_str() {
        Some("https") => &["HTTPS_PROXY", "https_proxy"],
        _ if std::env::var_os("REQUEST_METHOD").is_some() => &[],
        _ => &["HTTP_PROXY", "http_proxy"],
    };
    let var = first_env(own)
        .or_else(|| first_env(&["ALL_PROXY", "all_proxy"]))
        .map(|(name, _)| name.to_owned())
        .unwrap_or_else(|| "environment".to_owned());
    ProxySource::Environment(var)
}

fn first_env<'a>(names: &[&'a str]) -> Option<(&'a str, String)> {
    names.iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (*name, v))
    })
}

/// Certificates named by `SSL_CERT_FILE` / `SSL_CERT_DIR`, for platforms
/// whose verifier does not read them itself (macOS, Windows).
#[cfg(any(target_os = "macos", target_os = "windows"))]
pub(crate) fn env_roots() -> Vec<CertificateDer<'static>> {
    if std::env::var_os("SSL_CERT_FILE").is_none() && std::env::var_os("SSL_CERT_DIR").is_none() {
        return Vec::new();
    }
    // With either variable set, this reads those paths only.
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::warn!("SSL_CERT_FILE/SSL_CERT_DIR: {e}");
    }
    found.certs
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
pub(crate) fn env_roots() -> Vec<CertificateDer<'static>> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_checked() {
        assert!(check_proxy("http://proxy.corp:3128").is_ok());
        assert!(check_proxy("https://proxy.corp").is_ok());
        assert!(check_proxy("socks5://proxy.corp:1080").is_err());
        assert!(check_proxy("proxy.corp:3128").is_err());
        let e = check_proxy("http://ana:secret@proxy.corp:3128").unwrap_err();
        assert!(!e.message.contains("secret"), "{}", e.message);
        assert!(e.message.contains("HTTPS_PROXY"), "{}", e.message);
    }

    #[test]
    fn only_plain_http_reached_directly_or_through_an_http_proxy_needs_no_tls() {
        let url = |u: &str| url::Url::parse(u).unwrap();
        let local = url("http://127.0.0.1:4470/v1/auth/tokens");
        let remote = url("https://api.example/v1/auth/tokens");
        let direct = Routes::new(&NetworkSettings::direct());
        assert!(!direct.needs_tls(&local));
        assert!(direct.needs_tls(&remote));
        // A profile's proxy wins over the environment's, so these hold
        // whatever HTTP_PROXY or HTTPS_PROXY the test runs with.
        let through = |proxy: &str| {
            Routes::new(&NetworkSettings {
                proxy: Some(proxy.to_owned()),
                ..NetworkSettings::default()
            })
        };
        let plain_proxy = through("http://proxy.corp:3128");
        assert!(!plain_proxy.needs_tls(&url("http://portal.internal:8080/v1")));
        assert!(plain_proxy.needs_tls(&remote), "tunnelled, still TLS");
        let tls_proxy = through(" https://proxy.corp:3129 ");
        assert!(tls_proxy.needs_tls(&url("http://portal.internal:8080/v1")));
        assert!(tls_proxy.needs_tls(&remote));
    }

    #[test]
    fn a_login_in_a_proxy_url_is_masked() {
        let m = hyper_util::client::proxy::matcher::Matcher::builder()
            .all("http://ana:secret@proxy.corp:3128")
            .build();
        let i = m
            .intercept(&"https://api.example".parse().unwrap())
            .unwrap();
        assert_eq!(masked(&i), "http://***@proxy.corp:3128");
    }

    #[test]
    fn a_ca_file_that_is_missing_or_not_pem_is_a_config_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = load_ca_file(&missing).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::Config);
        assert!(e.message.contains("missing.pem"), "{}", e.message);
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let e = load_ca_file(&junk).unwrap_err();
        assert!(e.message.contains("junk.pem"), "{}", e.message);
        assert!(e.message.contains("no certificate"), "{}", e.message);
    }
}
