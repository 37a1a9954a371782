//! A sandbox kept in a file: state and bootstrap credentials survive a
//! restart.

use portal_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::json;

use crate::common::{config, start_with};

#[tokio::test]
async fn a_data_file_survives_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sandbox.db");
    let cfg = || SandboxConfig {
        data: Some(data.clone()),
        seed_assets: 12,
        ..config()
    };

    let env = start_with(cfg()).await;
    let creds = env.sb.credentials().clone();
    let (token_id, token) = env.vs_token(&["admin:read"]).await;
    let key =
        env.call(env.jk(Method::POST, "/jwt_keys").json(
            &json!({"name": "kept", "public_key": include_str!("../../src/seed_key_1.pem")}),
        ))
        .await;
    key.expect(201);
    let org = env.login("organizer@eventzr.com").await;
    let upload = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("hello.txt"),
    );
    let asset = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &org)
                .header("Idempotency-Key", "persist-1")
                .multipart(upload),
        )
        .await;
    asset.expect(201);
    let asset_id = asset.body["data"]["id"].as_str().unwrap().to_owned();
    env.sb.shutdown().await;

    let env = start_with(cfg()).await;
    let again = env.sb.credentials();
    assert_eq!(again.vaultstream_admin_token, creds.vaultstream_admin_token);
    assert_eq!(again.jwt_keys_api_key, creds.jwt_keys_api_key);
    // The token made before still works; keys and assets are still there.
    env.call(
        env.req(Method::GET, "/vaultstream/v1/auth/tokens")
            .bearer_auth(&token),
    )
    .await
    .expect(200);
    let got = env
        .call(env.jk(
            Method::GET,
            &format!("/jwt_keys/{}", key.body["result"]["id"].as_str().unwrap()),
        ))
        .await;
    got.expect(200);
    // Access tokens survive too (the signing secret is persisted).
    let r = env
        .call(env.vault(Method::GET, &format!("/vault/v1/assets/{asset_id}"), &org))
        .await;
    r.expect(200);
    assert_eq!(r.body["data"]["has_content"], true);
    let list = env
        .call(env.vault(Method::GET, "/vault/v1/assets", &org))
        .await;
    assert_eq!(
        list.body["page"]["total"], 13,
        "seeding tops up, never duplicates"
    );
    // Idempotency records survive.
    let replay = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &org)
                .header("Idempotency-Key", "persist-1")
                .multipart(reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("hello.txt"),
                )),
        )
        .await;
    assert_eq!(replay.body["data"]["id"], asset_id.as_str());
    // The stored bytes are still there.
    let share = env
        .call(
            env.vault(
                Method::POST,
                &format!("/vault/v1/assets/{asset_id}/share"),
                &org,
            )
            .json(&json!({})),
        )
        .await;
    let body = env
        .http
        .get(share.body["data"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"hello");

    // Revoking the admin token: the next start makes a new one.
    // (Listed oldest first: the seeded tokens are older than the admin's.)
    let tokens = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await.body;
    let admin_id = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Sandbox admin")
        .expect("the admin token is listed")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(admin_id, token_id);
    env.call(env.vs(Method::DELETE, &format!("/v1/auth/tokens/{admin_id}")))
        .await
        .expect(200);
    env.sb.shutdown().await;
    let env = start_with(cfg()).await;
    assert_ne!(
        env.sb.credentials().vaultstream_admin_token,
        creds.vaultstream_admin_token
    );
    env.call(env.vs(Method::GET, "/v1/auth/tokens"))
        .await
        .expect(200);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn in_memory_credentials_are_random_per_start_and_stored_hashed() {
    let a = start_with(config()).await;
    let b = start_with(config()).await;
    assert_ne!(
        a.sb.credentials().vaultstream_admin_token,
        b.sb.credentials().vaultstream_admin_token
    );
    assert_ne!(
        a.sb.credentials().jwt_keys_api_key,
        b.sb.credentials().jwt_keys_api_key
    );
    assert_eq!(a.sb.credentials().vault_users.len(), 5);
    let banner = a.sb.banner();
    for needle in [
        a.sb.vaultstream_url(),
        a.sb.jwt_keys_url(),
        a.sb.vault_url(),
        a.sb.credentials().vaultstream_admin_token.clone(),
        a.sb.credentials().jwt_keys_api_key.clone(),
        "dev@eventzr.com".into(),
        "Password123!".into(),
    ] {
        assert!(banner.contains(&needle), "banner lacks {needle}");
    }
    assert!(a.sb.vaultstream_url().ends_with("/vaultstream"));
    assert!(a.sb.jwt_keys_url().ends_with("/jwt-keys/v2"));
    assert!(a.sb.vault_url().ends_with("/vault"));
    assert!(a.sb.addr().ip().is_loopback());
    assert!(
        !format!("{:?}", a.sb.credentials()).contains(&a.sb.credentials().vaultstream_admin_token)
    );
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("s.db");
    let env = start_with(SandboxConfig {
        data: Some(data.clone()),
        ..config()
    })
    .await;
    let (_, token) = env.vs_token(&["content:read"]).await;
    let refresh = env.login_full("dev@eventzr.com").await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sb.shutdown().await;
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            raw.extend(std::fs::read(path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(
        !text.contains(&token),
        "a created token is not stored in plain text"
    );
    assert!(!text.contains(&refresh));
    assert!(!text.contains("Password123!"));
}

/// The app's embedded sandbox gives its credentials (kept in the keychain):
/// then its JWT signing secrets are derived from them, not kept in the data
/// file, and sessions still survive a restart.
#[tokio::test]
async fn with_bootstrap_credentials_no_signing_secret_is_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sandbox.db");
    let cfg = || SandboxConfig {
        data: Some(data.clone()),
        // The documented Vault password, so that `login` below signs in.
        bootstrap: Some(portal_sandbox::BootstrapCredentials {
            vault_password: None,
            ..portal_sandbox::BootstrapCredentials::random()
        }),
        ..config()
    };
    let first = cfg();
    let again = SandboxConfig {
        bootstrap: first.bootstrap.clone(),
        ..cfg()
    };
    let env = start_with(first).await;
    let access = env.login("dev@eventzr.com").await;
    env.sb.shutdown().await;
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            raw.extend(std::fs::read(path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(
        !text.contains("jwt_secret"),
        "a JWT signing secret is kept in the data file"
    );
    // The same credentials: the same secrets, so the session still works.
    let env = start_with(again).await;
    env.call(env.vault(Method::GET, "/vault/v1/assets", &access))
        .await
        .expect(200);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn seeding_a_few_hundred_assets() {
    let env = start_with(SandboxConfig {
        seed_assets: 300,
        ..config()
    })
    .await;
    let token = env.login("admin@eventzr.com").await;
    let r = env
        .call(env.vault(Method::GET, "/vault/v1/assets?limit=100&page=3", &token))
        .await;
    assert_eq!(r.body["page"]["total"], 300);
    assert_eq!(r.body["page"]["has_more"], false);
    let tokens = env.call(env.vs(Method::GET, "/v1/auth/tokens")).await;
    assert!(
        tokens.body["meta"]["total"].as_i64().unwrap() > 1,
        "seed adds tokens"
    );
    let keys = env.call(env.jk(Method::GET, "/jwt_keys")).await;
    assert!(
        !keys.body["result"].as_array().unwrap().is_empty(),
        "seed adds keys"
    );
}

/// The embedded sandbox: its owner keeps the bootstrap credentials in a
/// keychain, so the data file must never hold them in plain text.
#[tokio::test]
async fn provided_bootstrap_credentials_are_never_stored_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sandbox.db");
    let given = portal_sandbox::BootstrapCredentials::random();
    let cfg = |b: &portal_sandbox::BootstrapCredentials| SandboxConfig {
        data: Some(data.clone()),
        bootstrap: Some(b.clone()),
        ..config()
    };

    let env = start_with(cfg(&given)).await;
    assert_eq!(
        env.sb.credentials().vaultstream_admin_token,
        given.admin_token
    );
    assert_eq!(env.sb.credentials().jwt_keys_api_key, given.api_key);
    env.call(
        env.req(Method::GET, "/vaultstream/v1/auth/tokens")
            .bearer_auth(&given.admin_token),
    )
    .await
    .expect(200);
    env.call(env.jk(Method::GET, "/jwt_keys")).await.expect(200);
    env.sb.shutdown().await;

    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&given.admin_token),
                "admin token in {}",
                path.display()
            );
            assert!(
                !text.contains(&given.api_key),
                "API key in {}",
                path.display()
            );
            assert!(
                !text.contains(given.vault_password.as_deref().unwrap()),
                "Vault password in {}",
                path.display()
            );
        }
    }

    // Restarted with the same values: accepted as they are, no new admin token.
    let env = start_with(cfg(&given)).await;
    assert_eq!(
        env.sb.credentials().vaultstream_admin_token,
        given.admin_token
    );
    let list = env
        .call(
            env.req(Method::GET, "/vaultstream/v1/auth/tokens?limit=100")
                .bearer_auth(&given.admin_token),
        )
        .await;
    list.expect(200);
    let admins = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == "Sandbox admin")
        .count();
    assert_eq!(admins, 1);
    env.sb.shutdown().await;
}
