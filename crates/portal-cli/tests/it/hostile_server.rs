//! The hostile-server cases of `crates/portal-core/tests/it/hostile_server.rs`
//! through the real `portal` binary: URLs and credentials from the
//! environment, the memory secret store, a private data directory. Each
//! case must end with a non-zero exit, say what happened, and leave the
//! foreign listener untouched.

#![allow(clippy::unwrap_used)]

use crate::hostile;
use crate::support;

use std::process::Output;
use std::time::Duration;

use hostile::{Case, Hostile};

/// Runs `portal args…` against `h`'s server (off the runtime's threads,
/// which serve it).
async fn portal(h: &Hostile, args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = support::portal_in_memory(data.path());
    cmd.env("XDG_DATA_HOME", data.path())
        .env("XDG_CONFIG_HOME", data.path())
        .env("PORTAL_HTTP_RETRY_DELAY_MS", "1")
        .env("PORTAL_VAULTSTREAM_URL", h.server.vaultstream_url())
        .env("PORTAL_JWT_KEYS_URL", h.server.jwt_keys_url())
        .env("PORTAL_VAULT_URL", h.server.vault_url())
        .env("PORTAL_VAULTSTREAM_TOKEN", hostile::ADMIN_TOKEN)
        .env("PORTAL_JWT_KEYS_TOKEN", hostile::API_KEY)
        .env("PORTAL_VAULT_EMAIL", hostile::EMAIL)
        .env("PORTAL_VAULT_PASSWORD", hostile::PASSWORD)
        .args(args)
        .timeout(Duration::from_secs(60));
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().unwrap();
        drop(data);
        out
    })
    .await
    .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit status `code` (crates/portal-cli/src/output.rs) and `needles` in stderr.
fn fails(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_list_refuses_a_next_link_to_another_origin() {
    let h = Hostile::start(Case::ForeignNext).await;
    let out = portal(&h, &["keys", "list"]).await;
    fails(&out, 6, &["foreign_origin", &h.foreign.origin()]);
    h.assert_foreign_untouched();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_list_refuses_a_next_link_to_another_scheme() {
    let h = Hostile::start(Case::OtherSchemeNext).await;
    let out = portal(&h, &["keys", "list"]).await;
    fails(
        &out,
        6,
        &["foreign_origin", &format!("https://{}", h.server.addr)],
    );
    assert_eq!(h.server.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_list_refuses_a_next_link_outside_the_base_path() {
    let h = Hostile::start(Case::NextOutsideBase).await;
    let out = portal(&h, &["keys", "list"]).await;
    fails(&out, 6, &["foreign_origin", "outside the base path"]);
    assert_eq!(h.server.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_list_follows_relative_next_links() {
    let h = Hostile::start(Case::RelativeNext).await;
    let out = portal(&h, &["--json", "keys", "list"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in ["key_1", "key_2", "key_3"] {
        assert!(text.contains(id), "{id} missing: {text}");
    }
    assert_eq!(h.server.seen().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed_by_reads_or_the_vault_login() {
    for status in ["302", "307"] {
        let h = Hostile::start(Case::Redirect(status.parse().unwrap())).await;
        let out = portal(&h, &["tokens", "list"]).await;
        fails(
            &out,
            6,
            &[
                "foreign_origin",
                &format!("HTTP {status}"),
                &h.foreign.origin(),
            ],
        );
        // The vault login (email and password in its body) is redirected.
        let out = portal(&h, &["assets", "list", "--all"]).await;
        fails(&out, 6, &["foreign_origin", &h.foreign.origin()]);
        let seen = h.server.seen();
        assert_eq!(seen.len(), 2, "no retry of a redirect: {seen:?}");
        h.assert_foreign_untouched();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_16_mib_is_an_error_with_or_without_content_length() {
    for content_length in [true, false] {
        let h = Hostile::start(Case::Big {
            bytes: 17 * 1024 * 1024,
            content_length,
        })
        .await;
        let out = portal(&h, &["tokens", "list"]).await;
        fails(&out, 6, &["bad_response", "16 MiB limit"]);
        assert_eq!(h.server.seen().len(), 1, "never retried");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_token_cursor_fails_the_list_instead_of_listing_rows_twice() {
    let h = Hostile::start(Case::RepeatedCursor).await;
    let out = portal(&h, &["--json", "tokens", "list"]).await;
    fails(&out, 6, &["bad_response", "already given"]);
    assert!(out.stdout.is_empty(), "nothing partial is printed");
    assert_eq!(h.server.seen().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_link_that_does_not_advance_fails_keys_list() {
    let h = Hostile::start(Case::NonAdvancing).await;
    let out = portal(&h, &["keys", "list"]).await;
    fails(&out, 6, &["bad_response", "already given"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_list_all_stops_past_the_announced_total_and_on_repeated_rows() {
    let h = Hostile::start(Case::PastTotal).await;
    let out = portal(&h, &["assets", "list", "--all", "--limit", "2"]).await;
    fails(&out, 6, &["bad_response", "announced 3"]);
    let h = Hostile::start(Case::SamePage).await;
    let out = portal(&h, &["assets", "list", "--all", "--limit", "2"]).await;
    fails(&out, 6, &["bad_response", "repeats a1"]);
    let out = portal(&h, &["tokens", "list"]).await;
    fails(&out, 6, &["bad_response", "repeats tok_1"]);
    h.assert_foreign_untouched();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_revoke_refuses_dot_and_empty_ids_and_sends_nothing() {
    let h = Hostile::start(Case::Plain).await;
    for id in ["..", ".", ""] {
        let out = portal(&h, &["tokens", "revoke", id, "--yes"]).await;
        fails(&out, 2, &["validation"]);
    }
    for id in ["..", "."] {
        let out = portal(&h, &["keys", "delete", id, "--yes"]).await;
        fails(&out, 2, &["validation"]);
    }
    let sent = h.server.seen();
    assert!(sent.is_empty(), "sent: {sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_revoke_sends_an_id_with_reserved_characters_as_one_segment() {
    let h = Hostile::start(Case::Plain).await;
    let out = portal(&h, &["tokens", "revoke", "a/b?c#d", "--yes"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = h.server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "/vs/v1/auth/tokens/a%2Fb%3Fc%23d");
    assert!(seen[0].authorization);
}
