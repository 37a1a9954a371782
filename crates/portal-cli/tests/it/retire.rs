//! Safe key retirement with the real `portal` binary against an in-process
//! sandbox: `keys delete` refuses to break live JWTs silently (and says for
//! how many hours they last), `--schedule` and `keys retire --due` delete
//! the key once the last one has expired by the service's clock, `--cancel`
//! calls a schedule off, and `--now` needs `--yes` without a terminal.
//! `keys rotate` and `keys default`: the rotation built on it.

#![allow(clippy::unwrap_used)]

use crate::keys::{activity, env, generate_to_file, listed, portal, sign_args};
use crate::support::{json, stderr, stdout};

/// The last activity entry's action, target and summary.
fn last(env: &crate::support::Sandboxed) -> (String, String, String) {
    let (action, target, _, summary) = activity(env).pop().unwrap();
    (action, target, summary)
}

fn is_listed(env: &crate::support::Sandboxed, id: &str) -> bool {
    listed(env).iter().any(|r| r["id"] == id)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_with_live_jwts_is_deleted_only_when_scheduled_and_due_or_forced() {
    let env = env().await;
    let file = env.path("old.pem");
    let created = generate_to_file(&env, "Old", &file, &["--bits", "2048"]);
    let id = created["id"].as_str().unwrap().to_owned();
    let signed = portal(
        &env,
        &sign_args(&id, &file, &["--all-videos", "--ttl", "3h"]),
    );
    assert!(signed.status.success(), "{}", stderr(&signed));

    // Live JWTs: a plain delete (even --yes) deletes nothing and says why.
    let refused = portal(&env, &["keys", "delete", &id, "--yes"]);
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(said.contains("live for 3 more hours"), "{said}");
    assert!(said.contains("stops every URL signed with it"), "{said}");
    assert!(
        said.contains("--schedule") && said.contains("--now"),
        "{said}"
    );
    // --now without a terminal to type the id on needs --yes.
    let unconfirmed = portal(&env, &["keys", "delete", &id, "--now"]);
    assert!(!unconfirmed.status.success());
    assert!(stderr(&unconfirmed).contains("--yes"));
    assert!(is_listed(&env, &id));

    let scheduled = json(&portal(
        &env,
        &["keys", "delete", &id, "--schedule", "--json"],
    ));
    assert_eq!(scheduled["kid"], id.as_str());
    assert!(scheduled["dueAt"].is_string());
    assert_eq!(last(&env).0, "key_delete_scheduled");
    let list = json(&portal(&env, &["keys", "retire", "--list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let keys = portal(&env, &["keys", "list"]);
    assert!(stderr(&keys).contains(&format!("Deletion scheduled: JWT key {id}")));

    // Not due yet: nothing happens, exit 0.
    let early = json(&portal(&env, &["keys", "retire", "--due", "--json"]));
    assert_eq!(early["deleted"].as_array().unwrap().len(), 0);
    assert_eq!(early["pending"].as_array().unwrap().len(), 1);
    assert!(is_listed(&env, &id));

    // Past the last expiry by the service's clock: deleted, listed, recorded.
    env.sandbox.advance_clock(3 * 3600 + 60);
    let due = portal(&env, &["keys", "retire", "--due"]);
    assert!(due.status.success(), "{}", stderr(&due));
    assert_eq!(stdout(&due).trim(), id);
    assert!(stderr(&due).contains(&format!("Deleted JWT key {id} ('Old')")));
    let (action, target, summary) = last(&env);
    assert_eq!(
        (action.as_str(), target.as_str()),
        ("key_delete", id.as_str())
    );
    assert!(summary.contains("as scheduled"), "{summary}");
    assert!(!is_listed(&env, &id));
    let list = json(&portal(&env, &["keys", "retire", "--list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 0);
    let nothing = portal(&env, &["keys", "retire", "--due"]);
    assert!(nothing.status.success());
    assert!(stderr(&nothing).contains("No scheduled key deletion is due."));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_schedule_can_be_called_off_and_now_with_yes_deletes_at_once() {
    let env = env().await;
    let file = env.path("k.pem");
    let created = generate_to_file(&env, "Kept", &file, &["--bits", "2048"]);
    let id = created["id"].as_str().unwrap().to_owned();
    let signed = portal(
        &env,
        &sign_args(&id, &file, &["--all-videos", "--ttl", "1h"]),
    );
    assert!(signed.status.success(), "{}", stderr(&signed));

    json(&portal(
        &env,
        &["keys", "delete", &id, "--schedule", "--json"],
    ));
    let cancelled = portal(&env, &["keys", "retire", "--cancel", &id]);
    assert!(cancelled.status.success(), "{}", stderr(&cancelled));
    assert_eq!(last(&env).0, "key_delete_unscheduled");
    env.sandbox.advance_clock(2 * 3600);
    let due = json(&portal(&env, &["keys", "retire", "--due", "--json"]));
    assert_eq!(due["deleted"].as_array().unwrap().len(), 0);
    assert!(is_listed(&env, &id), "a called-off deletion never happens");

    // Live again (the service's clock is 2 hours ahead), deleted on purpose.
    let signed = portal(
        &env,
        &sign_args(&id, &file, &["--all-videos", "--ttl", "4h"]),
    );
    assert!(signed.status.success());
    let forced = portal(&env, &["keys", "delete", &id, "--now", "--yes"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(!is_listed(&env, &id));
    assert_eq!(last(&env).0, "key_delete");
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_rotate_makes_a_new_default_key_and_schedules_the_old_ones_deletion() {
    let env = env().await;
    let file = env.path("old.pem");
    let created = generate_to_file(&env, "Player", &file, &["--bits", "2048"]);
    let old = created["id"].as_str().unwrap().to_owned();
    let signed = portal(
        &env,
        &sign_args(&old, &file, &["--all-videos", "--ttl", "2h"]),
    );
    assert!(signed.status.success(), "{}", stderr(&signed));
    // The key is named as the signed JWT's `kid`.
    assert!(
        stderr(&signed).contains(&format!("Signed with key {old} for all videos")),
        "{}",
        stderr(&signed)
    );

    // No default yet: signing without --key says how to get one.
    let unnamed = ["keys", "sign", "--all-videos", "--private-key", &file];
    let refused = portal(&env, &unnamed);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("no default signing key"),
        "{}",
        stderr(&refused)
    );

    let rotated = json(&portal(&env, &["keys", "rotate", &old, "--json"]));
    let new = rotated["new"]["server"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rotated["old"]["id"], old.as_str());
    assert!(rotated["new"]["server"]["name"]
        .as_str()
        .unwrap()
        .starts_with("Player (rotated "));
    assert_eq!(rotated["verification"]["ok"], true);
    assert_eq!(rotated["deletion"]["kid"], old.as_str());
    assert!(rotated["deletion"]["dueAt"].is_string());
    let recorded: Vec<(String, String)> = activity(&env)
        .into_iter()
        .rev()
        .take(3)
        .map(|(action, target, via, _)| {
            assert_eq!(via, "cli");
            (action, target)
        })
        .collect();
    assert_eq!(
        recorded,
        [
            ("key_delete_scheduled".to_owned(), old.clone()),
            ("key_default_set".to_owned(), new.clone()),
            ("key_upload".to_owned(), new.clone()),
        ]
    );

    // The new key is the default: shown, and what `sign` uses without --key
    // (the old key's file is not its other half, and that is caught).
    let shown = json(&portal(&env, &["keys", "default", "--json"]));
    assert_eq!(shown["default_key"], new.as_str());
    let mismatched = portal(&env, &unnamed);
    assert!(!mismatched.status.success());
    let said = stderr(&mismatched);
    assert!(
        said.contains(&format!("not the other half of JWT key {new}")),
        "{said}"
    );

    // The old key's private half is not kept here: it cannot be the default.
    let refused = portal(&env, &["keys", "default", &old]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("cannot sign here"),
        "{}",
        stderr(&refused)
    );

    // The schedule is the one `keys retire` carries out.
    let list = json(&portal(&env, &["keys", "retire", "--list", "--json"]));
    assert_eq!(list[0]["kid"], old.as_str());
    env.sandbox.advance_clock(2 * 3600 + 60);
    let due = json(&portal(&env, &["keys", "retire", "--due", "--json"]));
    assert_eq!(due["deleted"][0]["kid"], old.as_str());
    assert!(!is_listed(&env, &old));
    assert!(is_listed(&env, &new));
}
