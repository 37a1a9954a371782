//! A profile's stored credentials reach only the origins its URLs name, and
//! plain `http://` only ever goes to this machine: the real `portal` binary,
//! a profile whose credentials are in the encrypted secrets file, and a
//! listener on another loopback port that records every byte it is sent.

#![allow(clippy::unwrap_used)]

use crate::support;

use support::{stderr, stdout, Env, Listener};

/// Arguments, environment, the service's label and the variables that
/// would give it a credential.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str, &'a str);

/// The profile's stored credentials never reach another origin, whether the
/// URL comes from a flag or the environment, for each of the three services;
/// the command stops before any connection and says why and what to do.
async fn stored_credentials_stay_home(environment: &str) {
    let env = Env::start().await;
    env.stored_profile("Acme", environment, true);
    let creds = env.sandbox.credentials().clone();
    let listener = Listener::start();
    let other = listener.origin();

    // The stored credentials work at the profile's own URLs.
    let out = env.run(&["tokens", "list", "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let vs_url = format!("{other}/vaultstream");
    let cases: [Case; 5] = [
        (
            &["tokens", "list", "--vaultstream-url", &vs_url],
            &[],
            "VaultStream",
            "PORTAL_VAULTSTREAM_TOKEN",
        ),
        (
            &["tokens", "list"],
            &[("PORTAL_VAULTSTREAM_URL", &vs_url)],
            "VaultStream",
            "PORTAL_VAULTSTREAM_TOKEN",
        ),
        (
            &["keys", "list", "--jwt-keys-url", &format!("{other}/v2")],
            &[],
            "JWT keys",
            "PORTAL_JWT_KEYS_TOKEN",
        ),
        (
            &["assets", "list", "--vault-url", &format!("{other}/vault")],
            &[],
            "Vault",
            "PORTAL_VAULT_EMAIL and PORTAL_VAULT_PASSWORD",
        ),
        (
            &["quota"],
            &[("PORTAL_VAULT_URL", &format!("{other}/vault"))],
            "Vault",
            "PORTAL_VAULT_EMAIL and PORTAL_VAULT_PASSWORD",
        ),
    ];
    for (args, envs, label, variable) in cases {
        let out = env.run(args, envs);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        for part in [
            format!(
                "The {label} URL given ({other}) is not the origin of profile 'Acme' ({})",
                env.origin()
            ),
            "its stored credential is not sent there".to_owned(),
            format!("Give a credential for {other}"),
            format!(" in {variable}, or use a profile made for that URL"),
            "portal profile add".to_owned(),
        ] {
            assert!(err.contains(&part), "{args:?}: no '{part}' in: {err}");
        }
        assert_eq!(
            listener.connections(),
            0,
            "{args:?} reached the other origin"
        );
    }

    // With a credential in the environment, that one goes there, and only it.
    let out = env.run(
        &["tokens", "list", "--json", "--vaultstream-url", &vs_url],
        &[(
            "PORTAL_VAULTSTREAM_TOKEN",
            "vst_live_given_for_the_other_origin",
        )],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
    let out = env.run(
        &[
            "keys",
            "list",
            "--json",
            "--jwt-keys-url",
            &format!("{other}/v2"),
        ],
        &[(
            "PORTAL_JWT_KEYS_TOKEN",
            "jwt_key_given_for_the_other_origin",
        )],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = listener.received();
    assert_eq!(listener.connections(), 2, "{seen}");
    assert!(
        seen.contains("Bearer vst_live_given_for_the_other_origin"),
        "{seen}"
    );
    assert!(
        seen.contains("Bearer jwt_key_given_for_the_other_origin"),
        "{seen}"
    );

    // A credential checked at the other origin does not become the profile's.
    let out = env.run_stdin(
        &["login", "vaultstream", "--vaultstream-url", &vs_url],
        "vst_live_typed_for_the_other_origin",
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a credential for that origin is not stored in the profile"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["tokens", "list", "--json"], &[]);
    assert!(
        out.status.success(),
        "the stored token changed: {}",
        stderr(&out)
    );

    // Nothing stored ever reached the listener: each value in the file.
    let seen = listener.received();
    let stored = env.stored_values("Acme");
    assert_eq!(
        stored.len(),
        5,
        "token, API key, password, access and refresh tokens"
    );
    assert!(stored.contains(&creds.vaultstream_admin_token));
    for value in &stored {
        assert!(
            !seen.contains(value.as_str()),
            "a stored credential reached {other}"
        );
    }
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_at_another_origin_never_gets_the_stored_credentials() {
    stored_credentials_stay_home("staging").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_production_profile_has_no_exception() {
    stored_credentials_stay_home("production").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_to_another_machine_is_refused_before_any_connection() {
    let env = Env::start().await;
    for (args, envs) in [
        (
            vec![
                "-v",
                "tokens",
                "list",
                "--vaultstream-url",
                "http://example.com",
            ],
            vec![("PORTAL_VAULTSTREAM_TOKEN", "vst_live_x")],
        ),
        (
            vec!["-v", "keys", "list"],
            vec![
                ("PORTAL_JWT_KEYS_URL", "http://10.0.0.1/v2"),
                ("PORTAL_JWT_KEYS_TOKEN", "k"),
            ],
        ),
        (
            vec!["-v", "quota", "--vault-url", "http://localhost.evil.com"],
            vec![
                ("PORTAL_VAULT_EMAIL", "a@b.c"),
                ("PORTAL_VAULT_PASSWORD", "p"),
            ],
        ),
        (
            vec![
                "profile",
                "add",
                "Lab",
                "--vaultstream-url",
                "http://vs.example.com",
            ],
            vec![],
        ),
    ] {
        let out = env.run(&args, &envs);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("must use https:// (plain http:// is allowed only for this machine: 127.0.0.1, ::1, localhost)"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("status="), "{args:?} sent a request: {err}");
    }
    // Nothing was added.
    let out = env.run(&["profile", "list", "--json"], &[]);
    assert_eq!(stdout(&out).trim(), "[]");

    // Loopback http stays allowed (the sandbox), under any of its names.
    let listener = Listener::start();
    for host in ["127.0.0.1", "localhost"] {
        let out = env.run(
            &["tokens", "list", "--json"],
            &[
                (
                    "PORTAL_VAULTSTREAM_URL",
                    &format!("http://{host}:{}", listener.port),
                ),
                ("PORTAL_VAULTSTREAM_TOKEN", "vst_live_x"),
            ],
        );
        assert!(out.status.success(), "{host}: {}", stderr(&out));
    }
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_file_with_plain_http_to_another_machine_is_refused_when_used() {
    let env = Env::start().await;
    let listener = Listener::start();
    let settings = env.data.path().join("settings.json");
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    file["profiles"] = serde_json::json!([{
        "name": "Legacy",
        "environment": "staging",
        "urls": {
            "vaultstream": "http://vaultstream.example.com",
            "jwtKeys": format!("{}/v2", listener.origin()),
            "vault": format!("{}/vault", listener.origin()),
        }
    }]);
    file["activeProfile"] = "Legacy".into();
    std::fs::write(&settings, serde_json::to_vec(&file).unwrap()).unwrap();

    for args in [["tokens", "list"], ["keys", "list"], ["status", "--json"]] {
        let out = env.run(&args, &[("PORTAL_JWT_KEYS_TOKEN", "k")]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(
                "Profile 'Legacy': VaultStream URL 'http://vaultstream.example.com' must use https://"
            ),
            "{args:?}: {err}"
        );
    }
    assert_eq!(listener.connections(), 0);
    env.sandbox.shutdown().await;
}
