//! `portal exec` end to end: the real binary runs a shell with a stored
//! profile's credentials (encrypted secrets file, sandbox) and we check what
//! the shell saw, what we saw of its output, its exit status, its signals,
//! and the activity log.

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::time::Duration;

use portal_core::profiles::{SettingsFile, SETTINGS_FILE};
use portal_core::secrets::{EntryName, Item, SecretStore};
use portal_core::secrets_file::EncryptedFileStore;
use portal_core::token_records::{SavedToken, TokenRecords};
use portal_core::Secret;
use serde_json::Value;

use crate::support::{stderr, stdout, Env, PASSPHRASE};

const PROFILE: &str = "Exec";

async fn env() -> Env {
    let env = Env::start().await;
    env.stored_profile(PROFILE, "staging", false);
    env
}

/// `portal exec ARGS… -- sh -c SCRIPT`.
fn exec(env: &Env, args: &[&str], script: &str) -> Output {
    let mut all: Vec<&str> = vec!["exec"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "sh", "-c", script]);
    env.run(&all, &[])
}

fn stored(env: &Env, item: Item) -> String {
    let store = EncryptedFileStore::unlock(env.data.path(), &Secret::new(PASSPHRASE)).unwrap();
    let value = store.get(&EntryName::new(PROFILE, item)).unwrap().unwrap();
    value.expose().to_owned()
}

fn activity(env: &Env) -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(env.data.path().join("activity.jsonl")).unwrap_or_default();
    let entries = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["action"] == "credential_use")
        .collect();
    (text, entries)
}

const PRINT_ALL: &str =
    r#"printf '%s\n' "$VAULTSTREAM_TOKEN" "$JWT_KEYS_API_KEY" "$VAULT_ACCESS_TOKEN""#;

#[tokio::test(flavor = "multi_thread")]
async fn the_command_gets_the_values_and_its_output_shows_stars() {
    let env = env().await;
    let creds = env.sandbox.credentials();
    let access = stored(&env, Item::VaultAccessToken);
    let values = [
        creds.vaultstream_admin_token.clone(),
        creds.jwt_keys_api_key.clone(),
        access,
    ];
    let sources = [
        "--env",
        "vaultstream",
        "--env",
        "jwt-keys",
        "--env",
        "vault-access",
    ];

    // Untouched with --no-mask: the values really are in the environment.
    let out = exec(&env, &[&sources[..], &["--no-mask"]].concat(), PRINT_ALL);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", values.join("\n")));

    // Masked on stdout and stderr, a value written in two pieces included,
    // and nothing else changed.
    let script = format!(
        r#"{PRINT_ALL}; echo "err $VAULTSTREAM_TOKEN end" >&2
           printf '%s' "$(printf %s "$JWT_KEYS_API_KEY" | cut -c1-5)"; sleep 0.3
           printf '%s|\n' "$(printf %s "$JWT_KEYS_API_KEY" | cut -c6-)""#
    );
    let out = exec(&env, &sources, &script);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "***\n***\n***\n***|\n");
    assert_eq!(stderr(&out), "err *** end\n");

    // The values went through the environment, not the arguments.
    let out = exec(
        &env,
        &sources,
        r#"tr '\0' ' ' < /proc/$$/cmdline; echo; echo "pid $$""#,
    );
    let seen = stdout(&out);
    assert!(seen.contains("sh -c tr"), "{seen}");
    for v in &values {
        assert!(!v.is_empty());
        assert!(!seen.contains(v.as_str()));
    }

    // Each use is in the activity log: the source and the program, no value.
    let (text, entries) = activity(&env);
    let targets: Vec<&str> = entries
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["vaultstream", "jwt-keys", "vault-access"].repeat(3),
        "{text}"
    );
    assert_eq!(entries[0]["summary"], "Handed to `sh` as VAULTSTREAM_TOKEN");
    assert_eq!(entries[0]["via"], "cli");
    assert_eq!(entries[0]["profile"], PROFILE);
    for v in &values {
        assert!(!text.contains(v.as_str()), "a value is in the activity log");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn variables_are_named_or_default_and_a_saved_token_is_found_by_name() {
    let env = env().await;
    let creds = env.sandbox.credentials();
    // A token saved from the reveal dialog: its value in the store, its
    // record in the settings file.
    let store = EncryptedFileStore::unlock(env.data.path(), &Secret::new(PASSPHRASE)).unwrap();
    let entry = EntryName::new(PROFILE, Item::SavedToken("tok_saved1".into()));
    store
        .set(&entry, &Secret::new("saved-token-value-1234"))
        .unwrap();
    let settings = SettingsFile::open(env.data.path().join(SETTINGS_FILE)).unwrap();
    TokenRecords::new(&settings)
        .add_saved(SavedToken {
            profile: PROFILE.into(),
            id: "tok_saved1".into(),
            name: "CI deploy".into(),
            scopes: vec!["content:read".into()],
            saved_at: chrono::Utc::now(),
        })
        .unwrap();

    let out = exec(
        &env,
        &[
            "--no-mask",
            "--env",
            "MY_TOKEN=saved:CI deploy",
            "--env",
            "ADMIN=vaultstream",
        ],
        r#"printf '%s %s [%s]\n' "$MY_TOKEN" "$ADMIN" "$VAULTSTREAM_TOKEN""#,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "saved-token-value-1234 {} []\n",
            creds.vaultstream_admin_token
        )
    );
    // No --env: the VaultStream token as VAULTSTREAM_TOKEN.
    let out = exec(&env, &["--no-mask"], r#"echo "$VAULTSTREAM_TOKEN""#);
    assert_eq!(stdout(&out), format!("{}\n", creds.vaultstream_admin_token));
    let (_, entries) = activity(&env);
    let targets: Vec<&str> = entries
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["saved:CI deploy", "vaultstream", "vaultstream"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_stdin_and_refusals() {
    let env = env().await;
    let token = env.sandbox.credentials().vaultstream_admin_token.clone();

    let out = exec(&env, &[], "exit 7");
    assert_eq!(out.status.code(), Some(7));
    // Killed by a signal: 128 + its number, as a shell says.
    let out = exec(&env, &[], "kill -KILL $$");
    assert_eq!(out.status.code(), Some(128 + 9));

    // Stdin is the command's; what it echoes back is masked too.
    let out = env
        .cmd()
        .args(["exec", "--", "cat"])
        .write_stdin(format!("line one\n{token}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "line one\n***\n");

    // Refusals name what was wrong and run nothing, record nothing.
    let out = exec(&env, &["--env", "X=vaultstrem"], "echo ran");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'vaultstrem'"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let out = exec(&env, &["--env", "saved:nothing-saved"], "echo ran");
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("saved:nothing-saved"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let out = exec(
        &env,
        &[
            "--env",
            "vaultstream",
            "--env",
            "VAULTSTREAM_TOKEN=jwt-keys",
        ],
        "echo ran",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("given twice"), "{}", stderr(&out));
    assert_eq!(activity(&env).1.len(), 3);

    // A command that is not there: 127, as a shell says.
    let out = env.run(&["exec", "--", "/nonexistent/portal-exec-test"], &[]);
    assert_eq!(out.status.code(), Some(127));
    assert!(stderr(&out).contains("cannot run"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn term_is_passed_on_to_the_command() {
    let env = env().await;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("portal"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.data.path())
        .env("PORTAL_DATA_DIR", env.data.path())
        .env("PORTAL_SECRETS_PASSPHRASE", PASSPHRASE)
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            // Ends by itself after 30 s, should TERM never come.
            r#"trap 'echo got-term; exit 3' TERM; echo ready; for i in $(seq 300); do sleep 0.1; done"#,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Lines read on a thread, so a line that never comes fails the test
    // instead of hanging it.
    let (tx, lines) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let next = || lines.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(next(), "ready");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(next(), "got-term");
    let status = wait_at_most(&mut child, Duration::from_secs(10));
    // The command's own status after handling TERM, not ours (143).
    assert_eq!(status.code(), Some(3));
}

fn wait_at_most(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("portal exec did not end after TERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
