//! `portal doctor` and `portal tokens forget` with the real binary against
//! the sandbox (each kind of finding is covered in portal-core's
//! `tests/it/health.rs`, which can move the clock).

use serde_json::Value;

use crate::support::{stderr, stdout, Env};

#[tokio::test(flavor = "multi_thread")]
async fn doctor_exits_0_when_healthy_and_1_with_the_fix_when_not() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", false);

    let out = env.run(&["doctor"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stdout(&out).contains("[needs action]"), "{}", stdout(&out));

    // The environment's token wins over the stored one: the service refuses it.
    let bad = [(
        "PORTAL_VAULTSTREAM_TOKEN",
        "vst_live_refused-refused-refused-refused-000",
    )];
    let out = env.run(&["doctor"], &bad);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("[needs action] VaultStream credential:"),
        "{text}"
    );
    assert!(
        text.contains("fix: portal login vaultstream --profile 'Prod'"),
        "{text}"
    );
    assert!(!text.contains("refused-refused"), "a value was printed");

    let out = env.run(&["doctor", "--json"], &bad);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["profile"], "Prod");
    assert_eq!(report["findings"][0]["kind"], "credential_refused");
    assert_eq!(report["findings"][0]["action"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn forgetting_a_token_that_is_not_saved_is_not_found() {
    let env = Env::start().await;
    env.stored_profile("Dev", "staging", false);
    let out = env.run(&["tokens", "forget", "tok_nothing"], &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No token tok_nothing is saved for profile Dev"),
        "{}",
        stderr(&out)
    );
}
