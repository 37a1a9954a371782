//! Corporate networks, through core: a server whose certificate is refused
//! gives a `certificate` error that names the host and the problem, after one
//! handshake; a profile's CA file makes a company CA trusted; a profile's
//! proxy carries HTTPS by CONNECT with that CA applied inside the tunnel, and
//! an `https://` proxy carries even an `http://` URL over TLS. Trust is built
//! once per client: HTTPS calls share one connection, clones included; a
//! broken CA file fails an `http://`-only profile as well.
//! Environment variables (SSL_CERT_FILE, HTTPS_PROXY, NO_PROXY) are tested
//! through the `portal` binary in portal-cli/tests/it/tls.rs, where each run has
//! its own environment.

#![allow(clippy::unwrap_used)]

use crate::tls_fixture;

use std::sync::Arc;
use std::time::Duration;

use portal_core::context::ProfileContext;
use portal_core::http::{HttpClient, HttpConfig};
use portal_core::network::{NetworkSettings, ProxySource};
use portal_core::profiles::{Environment, Profile};
use portal_core::secrets::{Item, MemoryStore};
use portal_core::{Error, ErrorCode, Result, Secret, Service};
use tls_fixture::{Ca, ConnectProxy, TlsServer, Validity};

/// Retries quick enough that a retried handshake would show in the count.
fn config() -> HttpConfig {
    HttpConfig {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        request_timeout: Duration::from_secs(10),
        ..HttpConfig::default()
    }
}

fn profile(server: &TlsServer) -> Profile {
    let mut p = Profile::new("Corp", Environment::Staging);
    p.urls.vaultstream = server.url();
    p
}

async fn list_tokens(profile: Profile) -> Result<usize> {
    let ctx = ProfileContext::new(profile, Arc::new(MemoryStore::default()), config())?;
    ctx.store(Item::VaultStreamToken, &Secret::new("vs_test_token"))?;
    let token = ctx.credential(Item::VaultStreamToken, Service::VaultStream)?;
    Ok(ctx.tokens(&token).list_page(10, None).await?.items.len())
}

fn certificate_error(result: Result<usize>) -> Error {
    let e = result.expect_err("the certificate must be refused");
    assert_eq!(e.code, ErrorCode::Certificate, "{e:?}");
    assert!(
        e.message.contains("localhost"),
        "names the host: {}",
        e.message
    );
    let hint = e.hint.clone().unwrap_or_default();
    assert!(
        !format!("{} {hint}", e.message)
            .to_lowercase()
            .contains("check the connection"),
        "{e:?}"
    );
    e
}

#[tokio::test]
async fn an_unknown_issuer_is_a_certificate_error_after_one_handshake() {
    let ca = Ca::new();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let e = certificate_error(list_tokens(profile(&server)).await);
    assert!(e.message.contains("unknown issuer"), "{}", e.message);
    let hint = e.hint.unwrap_or_default();
    assert!(hint.contains("CA"), "says how to fix it: {hint}");
    assert_eq!(e.service, Some(Service::VaultStream));
    // A GET is retried on connection failures; a refused certificate never.
    assert_eq!(server.connections(), 1, "one handshake, no retry");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_as_unknown_issuer() {
    let server = TlsServer::start(tls_fixture::self_signed(&["localhost"])).await;
    let e = certificate_error(list_tokens(profile(&server)).await);
    assert!(e.message.contains("self-signed"), "{}", e.message);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn an_expired_certificate_says_expired() {
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Expired)).await;
    let mut p = profile(&server);
    p.ca_file = Some(ca.write_pem(dir.path()).to_string_lossy().into_owned());
    let e = certificate_error(list_tokens(p).await);
    assert!(e.message.contains("expired"), "{}", e.message);
    assert!(e.message.contains("2021-01-01"), "says when: {}", e.message);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_certificate_for_another_name_says_so() {
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(ca.leaf(&["portal.other.example"], Validity::Current)).await;
    let mut p = profile(&server);
    p.ca_file = Some(ca.write_pem(dir.path()).to_string_lossy().into_owned());
    let e = certificate_error(list_tokens(p).await);
    assert!(
        e.message.contains("not valid for this host"),
        "{}",
        e.message
    );
    assert!(e.message.contains("portal.other.example"), "{}", e.message);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn the_profile_ca_file_makes_the_company_ca_trusted() {
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let mut p = profile(&server);
    p.ca_file = Some(ca.write_pem(dir.path()).to_string_lossy().into_owned());
    assert_eq!(list_tokens(p).await.unwrap(), 0);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_missing_ca_file_is_a_config_error_naming_it() {
    let ca = Ca::new();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let mut p = profile(&server);
    p.ca_file = Some("/nonexistent/company-ca.pem".to_owned());
    let e = list_tokens(p).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Config, "{e:?}");
    assert!(
        e.message.contains("/nonexistent/company-ca.pem"),
        "{}",
        e.message
    );
    assert_eq!(server.connections(), 0, "nothing is sent");
}

#[tokio::test]
async fn the_profile_proxy_tunnels_https_and_the_ca_applies_inside() {
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let proxy = ConnectProxy::start().await;
    let mut p = profile(&server);
    p.ca_file = Some(ca.write_pem(dir.path()).to_string_lossy().into_owned());
    p.proxy = Some(proxy.url());

    let info = p.network_info();
    let route = info
        .routes
        .iter()
        .find(|r| r.service == Service::VaultStream)
        .unwrap();
    assert_eq!(route.proxy.as_deref(), Some(proxy.url().as_str()));
    assert_eq!(route.source, Some(ProxySource::Profile));
    assert_eq!(info.ca_file, p.ca_file);

    assert_eq!(list_tokens(p.clone()).await.unwrap(), 0);
    assert_eq!(
        proxy.requests(),
        [format!("CONNECT localhost:{}", server.port)]
    );
    assert_eq!(server.requests(), 1);

    // Through the same tunnel, a certificate the CA did not sign is refused.
    p.ca_file = None;
    let e = certificate_error(list_tokens(p).await);
    assert!(e.message.contains("unknown issuer"), "{}", e.message);
    assert_eq!(proxy.requests().len(), 2);
}

#[tokio::test]
async fn a_direct_client_ignores_any_proxy() {
    // The embedded sandbox listens on this computer: its profile is reached
    // directly whatever proxy is set (here a profile proxy; the environment's
    // HTTPS_PROXY is ignored the same way, by `no_proxy()`).
    let mut sandbox = Profile::new("Sandbox", Environment::Sandbox);
    sandbox.embedded_sandbox = true;
    sandbox.proxy = Some("http://127.0.0.1:9".to_owned());
    assert_eq!(sandbox.network(), NetworkSettings::direct());
    assert!(sandbox
        .network_info()
        .routes
        .iter()
        .all(|r| r.proxy.is_none()));

    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let proxy = ConnectProxy::start().await;
    let network = NetworkSettings {
        ca_file: Some(ca.write_pem(dir.path())),
        proxy: Some(proxy.url()),
        direct: true,
    };
    let http = HttpClient::with_network(config(), &network).unwrap();
    let ctx = ProfileContext::with_client(profile(&server), Arc::new(MemoryStore::default()), http);
    let token = Secret::new("vs_test_token");
    assert!(ctx.tokens(&token).list_page(10, None).await.is_ok());
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_proxy_that_cannot_be_reached_is_named_in_the_error() {
    let ca = Ca::new();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut p = profile(&server);
    p.proxy = Some(format!("http://127.0.0.1:{port}"));
    let e = list_tokens(p).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e:?}");
    assert!(
        e.message.contains(&format!(
            "through the proxy http://127.0.0.1:{port} (profile)"
        )),
        "{}",
        e.message
    );
    assert_eq!(server.connections(), 0);
}

/// A closed port on this machine: nothing answers there.
fn closed_port() -> u16 {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    closed.local_addr().unwrap().port()
}

/// A profile whose three services are `http://` on this machine.
fn http_only_profile(port: u16) -> Profile {
    let mut p = Profile::new("Local", Environment::Sandbox);
    let url = format!("http://127.0.0.1:{port}");
    p.urls.vaultstream = url.clone();
    p.urls.jwt_keys = url.clone();
    p.urls.vault = url;
    p
}

#[tokio::test]
async fn an_https_proxy_carries_an_http_url_over_tls_with_the_profile_ca() {
    // The TLS server stands in for a forward proxy reached over TLS: it
    // answers the proxied `GET http://…` itself. A plain http:// URL makes
    // no handshake of its own, but its proxy does, with the full trust: the
    // profile's CA is what makes the proxy's certificate trusted.
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let proxy = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let mut p = http_only_profile(closed_port());
    p.proxy = Some(proxy.url());
    p.ca_file = Some(ca.write_pem(dir.path()).to_string_lossy().into_owned());
    assert_eq!(list_tokens(p.clone()).await.unwrap(), 0);
    assert_eq!(proxy.requests(), 1);

    // Without it, the proxy's certificate is refused as any other.
    p.ca_file = None;
    let e = list_tokens(p).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Certificate, "{e:?}");
    assert!(e.message.contains("unknown issuer"), "{}", e.message);
    assert_eq!(proxy.requests(), 1);
}

#[tokio::test]
async fn https_calls_share_one_connection_across_calls_and_clones() {
    // The verifying client is built by the first HTTPS request; later
    // requests, and those of a clone of the client, reuse it and its pool.
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
    let network = NetworkSettings {
        ca_file: Some(ca.write_pem(dir.path())),
        ..NetworkSettings::direct()
    };
    let http = HttpClient::with_network(config(), &network).unwrap();
    assert_eq!(
        server.connections(),
        0,
        "building the client connects nowhere"
    );
    let token = Secret::new("vs_test_token");
    let store = || -> Arc<MemoryStore> { Arc::new(MemoryStore::default()) };
    let first = ProfileContext::with_client(profile(&server), store(), http.clone());
    let second = ProfileContext::with_client(profile(&server), store(), http);
    first.tokens(&token).list_page(10, None).await.unwrap();
    second.tokens(&token).list_page(10, None).await.unwrap();
    first.tokens(&token).list_page(10, None).await.unwrap();
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 1, "one handshake for the three calls");
}

#[tokio::test]
async fn a_broken_ca_file_fails_an_http_only_profile_too() {
    // The CA file is read and checked when the profile's client is built,
    // whatever its URLs: the user learns of the mistake at once, not at the
    // first https:// URL.
    let dir = tempfile::tempdir().unwrap();
    let mut p = http_only_profile(closed_port());
    p.ca_file = Some("/nonexistent/company-ca.pem".to_owned());
    let e = list_tokens(p.clone()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Config, "{e:?}");
    assert!(
        e.message.contains("/nonexistent/company-ca.pem"),
        "{}",
        e.message
    );

    // A PEM block that is no certificate: read, but no trust anchor.
    let junk = dir.path().join("junk-ca.pem");
    std::fs::write(
        &junk,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    p.ca_file = Some(junk.to_string_lossy().into_owned());
    let e = list_tokens(p).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Config, "{e:?}");
    assert!(e.message.contains("junk-ca.pem"), "{}", e.message);
    assert!(e.message.contains("cannot be used"), "{}", e.message);
}
