//! Where a base URL points: its origin (scheme, host, port) and whether
//! plain `http://` is allowed for it.
//!
//! A credential belongs to the origin its profile names, so a URL given for
//! one command (the CLI's `--vaultstream-url`…) may carry it only when
//! [`same_origin`] says so. Plain `http://` is allowed only for this machine
//! ([`is_loopback`]): the local sandbox; every other host needs `https://`.

use url::{Host, Url};

use crate::error::{Error, Result};
use crate::service::Service;

/// Whether `a` and `b` have the same scheme, host and port (a default port
/// counts as given: `https://a` and `https://a:443/v2` are one origin). Host
/// names compare without case. A URL that does not parse has no origin and
/// matches nothing.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a.trim()), Url::parse(b.trim())) {
        (Ok(a), Ok(b)) => same_url_origin(&a, &b),
        _ => false,
    }
}

/// [`same_origin`] for parsed URLs (a redirect's target, a `links.next`).
pub fn same_url_origin(a: &Url, b: &Url) -> bool {
    let (a, b) = (a.origin(), b.origin());
    a.is_tuple() && a == b
}

/// `scheme://host[:port]` of `raw`, for messages; the text itself when it
/// does not parse.
pub fn origin_of(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(url) if url.origin().is_tuple() => url.origin().ascii_serialization(),
        _ => raw.trim().to_owned(),
    }
}

/// This machine: `127.0.0.0/8`, `::1` or `localhost`. Nothing else, not even
/// a name that ends in `localhost` or resolves to `127.0.0.1`: the check is
/// on the URL as written, before any lookup.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses a service's base URL: absolute `https://`, or `http://` to this
/// machine only.
pub fn check_base_url(service: Service, raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        Error::validation(format!("{} URL '{raw}' is not valid: {e}", service.label()))
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::validation(format!(
            "{} URL '{raw}' must use https:// (plain http:// is allowed only for this \
             machine: 127.0.0.1, ::1, localhost).",
            service.label()
        ))),
        _ => Err(Error::validation(format!(
            "{} URL '{raw}' must start with https:// (or http:// for this machine: \
             127.0.0.1, ::1, localhost).",
            service.label()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_scheme_host_and_port() {
        assert!(same_origin("https://api.test", "https://api.test/v2"));
        assert!(same_origin("https://API.test:443/x", "https://api.test"));
        assert!(same_origin(
            "http://127.0.0.1:8080/a",
            "http://127.0.0.1:8080/b/c"
        ));
        assert!(!same_origin("https://api.test", "http://api.test"));
        assert!(!same_origin("https://api.test", "https://api.test:8443"));
        assert!(!same_origin(
            "https://api.test",
            "https://api.test.evil.com"
        ));
        assert!(!same_origin(
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8081"
        ));
        assert!(!same_origin(
            "http://127.0.0.1:8080",
            "http://localhost:8080"
        ));
        assert!(!same_origin("not a url", "not a url"));
        assert!(!same_origin("data:text/plain,x", "data:text/plain,x"));
    }

    #[test]
    fn origin_of_leaves_out_the_path_and_a_default_port() {
        assert_eq!(origin_of("https://Api.test:443/v2/"), "https://api.test");
        assert_eq!(
            origin_of("http://127.0.0.1:9000/x"),
            "http://127.0.0.1:9000"
        );
        assert_eq!(origin_of(" junk "), "junk");
    }

    fn allowed(raw: &str) -> bool {
        check_base_url(Service::VaultStream, raw).is_ok()
    }

    #[test]
    fn plain_http_only_for_this_machine() {
        for ok in [
            "http://127.0.0.1:9000",
            "http://127.0.0.2",
            "http://127.255.255.254/x",
            "http://localhost",
            "http://LOCALHOST:8080/v2",
            "http://[::1]:9000",
            "https://example.com",
            "https://10.0.0.1",
            "https://localhost.evil.com",
        ] {
            assert!(allowed(ok), "{ok} should be allowed");
        }
        for refused in [
            "http://10.0.0.1",
            "http://example.com",
            "http://localhost.evil.com",
            "http://127.0.0.1.nip.io",
            "http://0.0.0.0:9000",
            "http://[::ffff:7f00:1]",
            "http://[::]:80",
            "http://128.0.0.1",
        ] {
            let e = check_base_url(Service::Vault, refused).unwrap_err();
            assert!(
                e.message.contains("must use https://")
                    && e.message.contains("127.0.0.1, ::1, localhost")
                    && e.message.contains(refused)
                    && e.message.starts_with("Vault URL"),
                "{refused}: {}",
                e.message
            );
        }
        assert!(!allowed("ftp://127.0.0.1"));
        assert!(!allowed("127.0.0.1:9000"));
        assert!(!allowed(""));
    }
}
