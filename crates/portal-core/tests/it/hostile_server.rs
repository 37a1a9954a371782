//! Hostile or broken servers, through the core clients: a credential goes
//! only to its own origin (no redirect followed, no foreign next-page link
//! followed), ids stay one path segment, bodies are read under a cap, and
//! list paging never loops, repeats rows or stops short without an error.
//! The same cases run through the `portal` binary in
//! `crates/portal-cli/tests/it/hostile_server.rs`.

#![allow(clippy::unwrap_used)]

use crate::hostile;

use std::future::Future;
use std::time::Duration;

use hostile::{Case, Hostile, Server};
use portal_core::http::{HttpClient, HttpConfig, MAX_BODY_BYTES};
use portal_core::jwt_keys::JwtKeysClient;
use portal_core::vault::{AssetQuery, Vault, VaultClaims, VaultClient, VaultSession};
use portal_core::vaultstream::TokensClient;
use portal_core::{ErrorCode, Secret, Service};
use reqwest::Method;

const CAP: u64 = 64 * 1024;

fn http() -> HttpClient {
    HttpClient::new(HttpConfig {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_body_bytes: CAP,
        ..HttpConfig::default()
    })
    .unwrap()
}

/// A list that never ends is a failure of the test, not a hang.
async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("the call did not end: it follows the server for ever")
}

fn session() -> VaultSession {
    let access_token = Secret::new(hostile::ACCESS_TOKEN);
    let claims = VaultClaims::decode(&access_token).unwrap();
    VaultSession {
        access_token,
        refresh_token: Some(Secret::new("refresh_h")),
        claims,
    }
}

fn targets(server: &Server) -> Vec<String> {
    server.seen().into_iter().map(|s| s.target).collect()
}

// --- 1. next-page links stay within the base URL ---------------------------

#[tokio::test]
async fn a_next_link_to_another_port_is_refused_and_nothing_goes_there() {
    let h = Hostile::start(Case::ForeignNext).await;
    let http = http();
    let key = Secret::new(hostile::API_KEY);
    let base = h.server.jwt_keys_url();
    let e = bounded(JwtKeysClient::new(&http, &base, &key).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ForeignOrigin, "{e}");
    assert_eq!(e.service, Some(Service::JwtKeys));
    assert!(
        e.message.contains(&h.foreign.origin()),
        "names the foreign origin: {e}"
    );
    assert!(
        !e.message.contains("cursor=2"),
        "no query in the message: {e}"
    );
    assert_eq!(h.server.seen().len(), 1);
    h.assert_foreign_untouched();
}

#[tokio::test]
async fn a_next_link_to_another_scheme_on_the_same_host_and_port_is_refused() {
    let h = Hostile::start(Case::OtherSchemeNext).await;
    let http = http();
    let key = Secret::new(hostile::API_KEY);
    let base = h.server.jwt_keys_url();
    let e = bounded(JwtKeysClient::new(&http, &base, &key).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ForeignOrigin, "{e}");
    assert!(
        e.message.contains(&format!("https://{}", h.server.addr)),
        "{e}"
    );
    assert_eq!(h.server.seen().len(), 1);
    h.assert_foreign_untouched();
}

#[tokio::test]
async fn relative_next_links_resolve_against_the_base_url() {
    let h = Hostile::start(Case::RelativeNext).await;
    let http = http();
    let key = Secret::new(hostile::API_KEY);
    let base = h.server.jwt_keys_url();
    let keys = bounded(JwtKeysClient::new(&http, &base, &key).list_all())
        .await
        .unwrap();
    let ids: Vec<_> = keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["key_1", "key_2", "key_3"]);
    assert_eq!(
        targets(&h.server),
        [
            "/jk/v2/jwt_keys?limit=25",
            "/jk/v2/jwt_keys?limit=25&cursor=2",
            "/jk/v2/jwt_keys?limit=25&cursor=3"
        ]
    );
    assert!(h.server.seen().iter().all(|s| s.authorization));
    h.assert_foreign_untouched();
}

#[tokio::test]
async fn a_next_link_outside_the_base_path_is_refused() {
    let h = Hostile::start(Case::NextOutsideBase).await;
    let http = http();
    let key = Secret::new(hostile::API_KEY);
    let base = h.server.jwt_keys_url();
    let e = bounded(JwtKeysClient::new(&http, &base, &key).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ForeignOrigin, "{e}");
    assert!(e.message.contains("/admin/jwt_keys"), "{e}");
    assert!(e.message.contains("outside the base path"), "{e}");
    assert_eq!(h.server.seen().len(), 1);
}

// --- 2. redirects are not followed -----------------------------------------

#[tokio::test]
async fn a_redirect_of_a_read_to_another_origin_is_an_error_and_is_not_followed() {
    for status in [301, 302, 303, 307, 308] {
        let h = Hostile::start(Case::Redirect(status)).await;
        let http = http();
        let admin = Secret::new(hostile::ADMIN_TOKEN);
        let base = h.server.vaultstream_url();
        let e = bounded(TokensClient::new(&http, &base, &admin).list_all())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ForeignOrigin, "{status}: {e}");
        assert_eq!(e.status, Some(status));
        assert_eq!(e.service, Some(Service::VaultStream));
        assert!(
            e.message.contains(&h.foreign.origin()),
            "says where it pointed: {e}"
        );
        assert!(!e.message.contains('?'), "no query in the message: {e}");
        // A redirect is an answer: never retried.
        assert_eq!(h.server.seen().len(), 1, "{status}");
        h.assert_foreign_untouched();

        let key = Secret::new(hostile::API_KEY);
        let base = h.server.jwt_keys_url();
        let e = bounded(JwtKeysClient::new(&http, &base, &key).get("key_1"))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ForeignOrigin, "{status}: {e}");
        h.assert_foreign_untouched();
    }
}

#[tokio::test]
async fn a_redirected_login_or_refresh_leaves_its_body_with_the_configured_origin() {
    for status in [302, 307, 308] {
        let h = Hostile::start(Case::Redirect(status)).await;
        let http = http();
        let base = h.server.vault_url();
        let vault = VaultClient::new(&http, &base);
        let e = bounded(vault.login(hostile::EMAIL, &Secret::new(hostile::PASSWORD)))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ForeignOrigin, "{status}: {e}");
        assert!(e.message.contains(&h.foreign.origin()), "{e}");
        let e = bounded(vault.refresh(&Secret::new("refresh_h")))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ForeignOrigin, "{status}: {e}");
        let seen = h.server.seen();
        assert_eq!(seen.len(), 2, "one login, one refresh, no retry");
        assert!(seen
            .iter()
            .all(|s| s.method == Method::POST && s.body_len > 0));
        h.assert_foreign_untouched();

        // A logged-in call: its Authorization header stays here too.
        let v = Vault::new(&http, &base, session());
        let e = bounded(v.list_assets(&AssetQuery::default()))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ForeignOrigin, "{status}: {e}");
        h.assert_foreign_untouched();
    }
}

// --- 3. ids are one path segment -------------------------------------------

#[tokio::test]
async fn empty_and_dot_only_ids_are_refused_before_anything_is_sent() {
    let h = Hostile::start(Case::Plain).await;
    let http = http();
    let admin = Secret::new(hostile::ADMIN_TOKEN);
    let key = Secret::new(hostile::API_KEY);
    let (vs, jk, vault) = (
        h.server.vaultstream_url(),
        h.server.jwt_keys_url(),
        h.server.vault_url(),
    );
    let tokens = TokensClient::new(&http, &vs, &admin);
    let keys = JwtKeysClient::new(&http, &jk, &key);
    let v = Vault::new(&http, &vault, session());
    for id in ["", ".", "..", "..."] {
        let errors = [
            tokens.revoke(id).await.unwrap_err(),
            keys.get(id).await.unwrap_err(),
            keys.delete(id).await.unwrap_err(),
            v.get_asset(id).await.unwrap_err(),
            v.delete_asset_by_id(id).await.unwrap_err(),
            v.legal_hold(id).await.unwrap_err(),
            v.clear_legal_hold(id).await.unwrap_err(),
            v.list_transforms(id).await.unwrap_err(),
            v.share(id, None).await.unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code, ErrorCode::Validation, "{id:?}: {e}");
        }
    }
    assert!(h.server.seen().is_empty(), "sent: {:?}", targets(&h.server));
}

#[tokio::test]
async fn ids_with_reserved_characters_are_sent_as_one_encoded_segment() {
    let h = Hostile::start(Case::Plain).await;
    let http = http();
    let admin = Secret::new(hostile::ADMIN_TOKEN);
    let key = Secret::new(hostile::API_KEY);
    let (vs, jk, vault) = (
        h.server.vaultstream_url(),
        h.server.jwt_keys_url(),
        h.server.vault_url(),
    );
    TokensClient::new(&http, &vs, &admin)
        .revoke("a/b?c#d")
        .await
        .unwrap();
    TokensClient::new(&http, &vs, &admin)
        .revoke("%2e%2e")
        .await
        .unwrap();
    JwtKeysClient::new(&http, &jk, &key)
        .get("k/../x")
        .await
        .unwrap();
    Vault::new(&http, &vault, session())
        .get_asset("a/b.c")
        .await
        .unwrap();
    assert_eq!(
        targets(&h.server),
        [
            "/vs/v1/auth/tokens/a%2Fb%3Fc%23d",
            "/vs/v1/auth/tokens/%252e%252e",
            "/jk/v2/jwt_keys/k%2F%2E%2E%2Fx",
            "/vault/vault/v1/assets/a%2Fb%2Ec",
        ]
    );
}

// --- 4. bodies are read under a cap ----------------------------------------

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_with_or_without_content_length() {
    assert_eq!(MAX_BODY_BYTES, 16 * 1024 * 1024);
    assert_eq!(HttpConfig::default().max_body_bytes, MAX_BODY_BYTES);
    for content_length in [true, false] {
        let h = Hostile::start(Case::Big {
            bytes: 4 * CAP as usize,
            content_length,
        })
        .await;
        let http = http();
        let admin = Secret::new(hostile::ADMIN_TOKEN);
        let base = h.server.vaultstream_url();
        let e = bounded(TokensClient::new(&http, &base, &admin).list_all())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
        assert_eq!(e.service, Some(Service::VaultStream));
        assert!(
            e.message.contains(&format!("{CAP} bytes limit")),
            "names the cap: {e}"
        );
        // Never retried: another attempt would only get as much again.
        assert_eq!(h.server.seen().len(), 1, "content-length {content_length}");

        // The same through the other two services.
        let key = Secret::new(hostile::API_KEY);
        let base = h.server.jwt_keys_url();
        let e = bounded(JwtKeysClient::new(&http, &base, &key).list_all())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
        let base = h.server.vault_url();
        let e = bounded(Vault::new(&http, &base, session()).list_assets(&AssetQuery::default()))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    }
}

#[tokio::test]
async fn a_body_under_the_cap_is_read_whole() {
    for content_length in [true, false] {
        let h = Hostile::start(Case::Big {
            bytes: CAP as usize / 2,
            content_length,
        })
        .await;
        let http = http();
        let admin = Secret::new(hostile::ADMIN_TOKEN);
        let base = h.server.vaultstream_url();
        let list = bounded(TokensClient::new(&http, &base, &admin).list_all())
            .await
            .unwrap();
        assert!(list.is_empty());
    }
}

// --- 5. list paging ---------------------------------------------------------

#[tokio::test]
async fn a_token_cursor_given_again_is_an_error_not_a_loop() {
    let h = Hostile::start(Case::RepeatedCursor).await;
    let http = http();
    let admin = Secret::new(hostile::ADMIN_TOKEN);
    let base = h.server.vaultstream_url();
    let e = bounded(TokensClient::new(&http, &base, &admin).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    assert!(e.message.contains("Listing API tokens"), "{e}");
    assert!(e.message.contains("already given"), "{e}");
    // No cursor, A, B; then A again is refused.
    assert_eq!(
        targets(&h.server),
        [
            "/vs/v1/auth/tokens?limit=100",
            "/vs/v1/auth/tokens?limit=100&after=A",
            "/vs/v1/auth/tokens?limit=100&after=B",
        ]
    );
}

#[tokio::test]
async fn a_cursor_or_next_link_that_does_not_advance_is_an_error() {
    let h = Hostile::start(Case::NonAdvancing).await;
    let http = http();
    let admin = Secret::new(hostile::ADMIN_TOKEN);
    let base = h.server.vaultstream_url();
    let e = bounded(TokensClient::new(&http, &base, &admin).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    assert!(e.message.contains("already given"), "{e}");
    assert_eq!(h.server.seen().len(), 2);

    let h = Hostile::start(Case::NonAdvancing).await;
    let key = Secret::new(hostile::API_KEY);
    let base = h.server.jwt_keys_url();
    let e = bounded(JwtKeysClient::new(&http, &base, &key).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    assert!(e.message.contains("Listing JWT keys"), "{e}");
    assert!(e.message.contains("next-page link"), "{e}");
    assert_eq!(h.server.seen().len(), 1);
}

#[tokio::test]
async fn pages_well_past_the_announced_total_are_an_error() {
    let h = Hostile::start(Case::PastTotal).await;
    let http = http();
    let admin = Secret::new(hostile::ADMIN_TOKEN);
    let base = h.server.vaultstream_url();
    let e = bounded(TokensClient::new(&http, &base, &admin).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    assert!(e.message.contains("announced 3"), "{e}");
    assert_eq!(h.server.seen().len(), 3);

    let base = h.server.vault_url();
    let v = Vault::new(&http, &base, session());
    let e = bounded(v.list_all_assets(&AssetQuery::page(1, 2)))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    assert_eq!(e.service, Some(Service::Vault));
    assert!(e.message.contains("announced 3"), "{e}");
}

#[tokio::test]
async fn a_page_that_repeats_rows_already_listed_is_an_error() {
    let h = Hostile::start(Case::SamePage).await;
    let http = http();
    let admin = Secret::new(hostile::ADMIN_TOKEN);
    let key = Secret::new(hostile::API_KEY);
    let (vs, jk, vault) = (
        h.server.vaultstream_url(),
        h.server.jwt_keys_url(),
        h.server.vault_url(),
    );
    let e = bounded(TokensClient::new(&http, &vs, &admin).list_all())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse, "{e}");
    assert!(e.message.contains("repeats tok_1"), "{e}");
    let e = bounded(JwtKeysClient::new(&http, &jk, &key).list_all())
        .await
        .unwrap_err();
    assert!(e.message.contains("repeats key_1"), "{e}");
    let v = Vault::new(&http, &vault, session());
    let e = bounded(v.list_all_assets(&AssetQuery::page(1, 2)))
        .await
        .unwrap_err();
    assert!(e.message.contains("repeats a1"), "{e}");
    h.assert_foreign_untouched();
}
