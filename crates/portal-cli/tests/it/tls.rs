//! Corporate networks through the real `portal` binary, each run with its
//! own environment: SSL_CERT_FILE names the company CA; HTTPS_PROXY (or
//! ALL_PROXY) tunnels HTTPS by CONNECT with that CA applied inside the
//! tunnel; NO_PROXY bypasses the proxy; a trust store that yields nothing
//! stops HTTPS only, never a run that speaks `http://` to this machine; a
//! profile's own CA file and proxy;
//! `portal status` says which proxy and which CA a profile uses, with a
//! proxy login masked.

#![allow(clippy::unwrap_used)]

use crate::support;
use crate::tls_fixture;

use std::process::Output;

use serde_json::Value;
use tls_fixture::{Ca, ConnectProxy, TlsServer, Validity};

struct Env {
    data: tempfile::TempDir,
    ca: Ca,
    server: TlsServer,
}

impl Env {
    async fn new() -> Self {
        let ca = Ca::new();
        let server = TlsServer::start(ca.leaf(&["localhost"], Validity::Current)).await;
        Self {
            data: tempfile::tempdir().unwrap(),
            ca,
            server,
        }
    }

    fn ca_file(&self) -> String {
        self.ca
            .write_pem(self.data.path())
            .to_string_lossy()
            .into_owned()
    }

    /// `portal` with a private data dir, the memory store, a VaultStream
    /// token, and no environment but `vars`.
    fn portal(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = support::portal_in_memory(self.data.path());
        cmd.env("PORTAL_VAULTSTREAM_TOKEN", "vs_test_token")
            .env("PORTAL_HTTP_RETRY_DELAY_MS", "5");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.args(args).timeout(std::time::Duration::from_secs(60));
        cmd.output().unwrap()
    }

    /// `portal --json tokens list` against the TLS server.
    fn list(&self, vars: &[(&str, &str)]) -> Output {
        let url = self.server.url();
        self.portal(
            vars,
            &["--json", "--vaultstream-url", &url, "tokens", "list"],
        )
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok_json(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

// Tokio's multi-thread runtime: the servers answer while the child runs
// (`output()` blocks this thread).
#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_stops_with_its_own_exit_status() {
    let env = Env::new().await;
    let out = env.list(&[]);
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("certificate"), "{err}");
    assert!(err.contains("localhost"), "{err}");
    assert!(err.contains("unknown issuer"), "{err}");
    assert!(
        !err.to_lowercase().contains("check the connection"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line, no log noise: {err}");
    assert_eq!(env.server.connections(), 1, "not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn ssl_cert_file_makes_the_company_ca_trusted() {
    let env = Env::new().await;
    let ca = env.ca_file();
    let list = ok_json(&env.list(&[("SSL_CERT_FILE", &ca)]));
    assert_eq!(list, serde_json::json!([]));
    assert_eq!(env.server.requests(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ssl_cert_file_that_names_nothing_is_a_config_error_naming_it() {
    let env = Env::new().await;
    let out = env.list(&[("SSL_CERT_FILE", "/nonexistent/company.pem")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SSL_CERT_FILE=/nonexistent/company.pem"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.server.connections(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trust_store_that_yields_nothing_stops_https_only() {
    // No certificate is ever checked on http:// to this machine (the
    // sandbox): the system's trust is not even read, so an unusable one is
    // no error there. The same run against an https:// URL still stops with
    // the config error naming the variables, before connecting.
    let env = Env::new().await;
    let sandbox = portal_sandbox::Sandbox::start(portal_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let nothing = [
        ("SSL_CERT_FILE", "/nonexistent/company.pem"),
        ("SSL_CERT_DIR", "/nonexistent/certs"),
    ];
    let mut cmd = support::portal_in_memory(env.data.path());
    cmd.env(
        "PORTAL_VAULTSTREAM_TOKEN",
        &sandbox.credentials().vaultstream_admin_token,
    )
    .env("PORTAL_VAULTSTREAM_URL", sandbox.vaultstream_url())
    .envs(nothing)
    .args(["--json", "tokens", "list"])
    .timeout(std::time::Duration::from_secs(60));
    let list = ok_json(&cmd.output().unwrap());
    assert!(list.is_array(), "{list}");
    let asked = sandbox.requests();
    assert_eq!(
        asked
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/vaultstream/v1/auth/tokens")
            .count(),
        1,
        "the list reached the sandbox once"
    );

    let out = env.list(&nothing);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("No CA certificate could be loaded"), "{err}");
    assert!(
        err.contains("SSL_CERT_FILE=/nonexistent/company.pem and SSL_CERT_DIR=/nonexistent/certs"),
        "{err}"
    );
    assert_eq!(env.server.connections(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn ssl_cert_dir_makes_the_company_ca_trusted() {
    let env = Env::new().await;
    env.ca_file();
    let dir = env.data.path().to_string_lossy().into_owned();
    let list = ok_json(&env.list(&[("SSL_CERT_DIR", &dir)]));
    assert_eq!(list, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn https_proxy_tunnels_by_connect_and_the_ca_applies_inside() {
    let env = Env::new().await;
    let ca = env.ca_file();
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let proxy = ConnectProxy::start().await;
        let url = proxy.url();
        ok_json(&env.list(&[("SSL_CERT_FILE", &ca), (var, &url)]));
        assert_eq!(
            proxy.requests(),
            [format!("CONNECT localhost:{}", env.server.port)],
            "{var}"
        );
    }
    // The CA is what makes the tunnelled server trusted.
    let proxy = ConnectProxy::start().await;
    let url = proxy.url();
    let out = env.list(&[("HTTPS_PROXY", &url)]);
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    assert_eq!(proxy.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_proxy_bypasses_the_proxy() {
    let env = Env::new().await;
    let ca = env.ca_file();
    let proxy = ConnectProxy::start().await;
    let url = proxy.url();
    for no in ["localhost", "no_proxy"] {
        let (var, value) = if no == "no_proxy" {
            ("no_proxy", "example.com,localhost")
        } else {
            ("NO_PROXY", "localhost")
        };
        ok_json(&env.list(&[("SSL_CERT_FILE", &ca), ("HTTPS_PROXY", &url), (var, value)]));
    }
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
    assert_eq!(env.server.requests(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_with_its_own_ca_file_and_proxy() {
    let env = Env::new().await;
    let ca = env.ca_file();
    let proxy = ConnectProxy::start().await;
    let proxy_url = proxy.url();
    let server_url = env.server.url();
    // Every service on the local server: `status` reaches nothing else.
    let added = ok_json(&env.portal(
        &[],
        &[
            "--json",
            "--vaultstream-url",
            &server_url,
            "--jwt-keys-url",
            &server_url,
            "--vault-url",
            &server_url,
            "profile",
            "add",
            "Corp",
            "--ca-file",
            &ca,
            "--proxy",
            &proxy_url,
        ],
    ));
    assert_eq!(added["caFile"], ca.as_str());
    assert_eq!(added["proxy"], proxy_url.as_str());

    // The profile's proxy wins over the environment's.
    let other = ConnectProxy::start().await;
    let other_url = other.url();
    let list = ok_json(&env.portal(
        &[("HTTPS_PROXY", &other_url)],
        &["--json", "tokens", "list"],
    ));
    assert_eq!(list, serde_json::json!([]));
    assert_eq!(
        proxy.requests(),
        [format!("CONNECT localhost:{}", env.server.port)]
    );
    assert!(other.requests().is_empty());

    let status = ok_json(&env.portal(&[], &["--json", "status"]));
    assert_eq!(status["network"]["caFile"], ca.as_str());
    let route = &status["network"]["routes"][0];
    assert_eq!(route["service"], "vault_stream");
    assert_eq!(route["proxy"], proxy_url.as_str());
    assert_eq!(route["source"]["kind"], "profile");
    let text = env.portal(&[], &["status"]);
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(shown.contains(&format!("{proxy_url} (profile)")), "{shown}");
    assert!(shown.contains(&ca), "{shown}");

    // Cleared: the environment's proxy is used again, and no extra CA.
    ok_json(&env.portal(
        &[],
        &[
            "--json",
            "profile",
            "edit",
            "Corp",
            "--clear-proxy",
            "--clear-ca-file",
        ],
    ));
    let through_profile_proxy = proxy.requests().len();
    let out = env.portal(
        &[("HTTPS_PROXY", &other_url)],
        &["--json", "tokens", "list"],
    );
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    assert_eq!(other.requests().len(), 1);
    assert_eq!(proxy.requests().len(), through_profile_proxy);
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_edit_checks_the_ca_file_and_refuses_a_proxy_login() {
    let env = Env::new().await;
    let url = env.server.url();
    ok_json(&env.portal(
        &[],
        &[
            "--json",
            "--vaultstream-url",
            &url,
            "profile",
            "add",
            "Corp",
        ],
    ));
    let missing = env.data.path().join("nope.pem");
    let out = env.portal(
        &[],
        &[
            "profile",
            "edit",
            "Corp",
            "--ca-file",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nope.pem"), "{}", stderr(&out));

    let out = env.portal(
        &[],
        &[
            "profile",
            "edit",
            "Corp",
            "--proxy",
            "http://ana:hunter2@proxy.corp:3128",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
    let settings = std::fs::read_to_string(env.data.path().join("settings.json")).unwrap();
    assert!(!settings.contains("hunter2"));
    assert!(
        !settings.contains("caFile"),
        "nothing was changed: {settings}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_names_the_environment_proxy_and_masks_its_login() {
    let env = Env::new().await;
    let url = env.server.url();
    let proxy = "http://ana:hunter2@127.0.0.1:9";
    let out = env.portal(
        &[("HTTPS_PROXY", proxy), ("PORTAL_HTTP_ATTEMPTS", "1")],
        &[
            "--vaultstream-url",
            &url,
            "--jwt-keys-url",
            &url,
            "--vault-url",
            &url,
            "status",
        ],
    );
    let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        shown.contains("http://***@127.0.0.1:9 (HTTPS_PROXY)"),
        "{shown}"
    );
    // The failed check says which proxy it went through.
    assert!(
        shown.contains(
            "Could not connect to VaultStream at localhost through the proxy http://***@127.0.0.1:9 (HTTPS_PROXY)"
        ),
        "{shown}"
    );
    assert!(!shown.contains("hunter2"), "{shown}");
}
