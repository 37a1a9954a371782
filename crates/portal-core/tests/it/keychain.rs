//! The real OS keychain, through a private Secret Service (GNOME Keyring in
//! its own D-Bus session, started by scripts/test.sh, which sets
//! PORTAL_TEST_KEYCHAIN=1). Never the developer's own keychain: the entries
//! live under a test namespace in a throwaway keyring.

#![allow(clippy::unwrap_used)]

use portal_core::secrets::{EntryName, Item, KeychainStore, SecretStore};
use portal_core::Secret;

fn enabled() -> bool {
    let on = std::env::var("PORTAL_TEST_KEYCHAIN").as_deref() == Ok("1");
    if !on {
        eprintln!(
            "skipped: run under scripts/test.sh (private Secret Service) to test the keychain"
        );
    }
    on
}

#[test]
fn keychain_round_trip_per_profile() {
    if !enabled() {
        return;
    }
    let store = KeychainStore::open(Some("dev.partnerportal.test")).expect("keychain opens");
    let a = EntryName::new("Prod", Item::VaultStreamToken);
    let b = EntryName::new("Staging", Item::VaultStreamToken);
    store.set(&a, &Secret::new("vst_live_prod")).unwrap();
    store.set(&b, &Secret::new("vst_live_staging")).unwrap();
    assert_eq!(store.get(&a).unwrap().unwrap().expose(), "vst_live_prod");
    assert_eq!(store.get(&b).unwrap().unwrap().expose(), "vst_live_staging");

    // A second handle sees the same entries (they live in the keyring, not in memory).
    let again = KeychainStore::open(Some("dev.partnerportal.test")).unwrap();
    assert_eq!(again.get(&a).unwrap().unwrap().expose(), "vst_live_prod");

    assert!(
        store.remove(&a).unwrap(),
        "the keychain says the entry was there"
    );
    assert!(!store.remove(&a).unwrap(), "and that it is gone");
    assert!(store.get(&a).unwrap().is_none());
    assert!(again.get(&b).unwrap().is_some());
    store.delete(&b).unwrap();
    store.delete(&b).unwrap(); // absent: fine
}

#[test]
fn missing_secret_service_is_keychain_unavailable() {
    if !enabled() {
        return;
    }
    // Point D-Bus at nothing: the keychain must say so plainly, not fall back.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "keychain::keychain_child_without_dbus",
            "--nocapture",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("PORTAL_KEYCHAIN_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("CHILD-OK keychain_unavailable"), "{text}");
}

#[test]
fn keychain_child_without_dbus() {
    if std::env::var("PORTAL_KEYCHAIN_CHILD").is_err() {
        return;
    }
    let err = KeychainStore::open(Some("dev.partnerportal.test"))
        .err()
        .expect("must fail without D-Bus");
    assert!(err.message.contains("not available"), "{}", err.message);
    println!("CHILD-OK {}", err.code);
}

#[test]
fn the_activity_log_is_keyed_with_a_key_in_the_keychain() {
    use portal_core::activity::{Action, ActivityLog, ChainVerdict};
    use portal_core::secrets::APP_SCOPE;
    if !enabled() {
        return;
    }
    let store = KeychainStore::open(Some("dev.partnerportal.test")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = ActivityLog::in_dir(dir.path());
    for i in 0..2 {
        log.append(
            Some(&store),
            "P",
            Action::ProfileAdd,
            "P",
            &format!("n{i}"),
            "app",
        )
        .unwrap();
    }
    let report = log.read(Some(&store)).unwrap();
    assert_eq!(report.verdict, ChainVerdict::Keyed, "{:?}", report.problem);
    assert!(store
        .get(&EntryName::new(APP_SCOPE, Item::ActivityLogKey))
        .unwrap()
        .is_some());
    for item in [Item::ActivityLogKey, Item::ActivityLogHead] {
        store.delete(&EntryName::new(APP_SCOPE, item)).unwrap();
    }
}
