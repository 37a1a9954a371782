//! `portal keys` end to end against an in-process sandbox.
//!
//! The memory secret store does not outlive one invocation, so flows that
//! create a key in one run and sign in the next keep it in a file
//! (`--private-key-out` / `--private-key`). The keychain flow runs only with
//! `PORTAL_TEST_KEYCHAIN=1` (scripts/test.sh, inside a private keyring).

#![allow(clippy::unwrap_used)]

use std::process::Output;

use assert_cmd::Command;
use portal_sandbox::SandboxConfig;
use serde_json::Value;

use crate::support::{json, parse_json, portal_in, stderr, stdout, Sandboxed as Env};

pub(crate) async fn env() -> Env {
    Env::start(SandboxConfig::default()).await
}

/// `portal` with the JWT keys API's URL and key, the secrets in memory or
/// (`memory` false) in the private keyring of scripts/test.sh.
fn command(env: &Env, memory: bool) -> Command {
    let mut cmd = if memory {
        env.bare()
    } else {
        let mut cmd = portal_in(env.data.path());
        for var in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
            if let Ok(v) = std::env::var(var) {
                cmd.env(var, v);
            }
        }
        cmd
    };
    env.jwt_keys(&mut cmd);
    cmd
}

pub(crate) fn portal(env: &Env, args: &[&str]) -> Output {
    command(env, true).args(args).output().unwrap()
}

/// Key uploads that reached the sandbox.
fn posts(env: &Env) -> usize {
    env.sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/jwt_keys"))
        .count()
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../portal-core/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `keys create --name NAME --generate ARGS…`.
fn generate_args<'a>(name: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let create = ["keys", "create", "--name", name, "--generate"];
    [&create[..], args].concat()
}

/// `keys create --name NAME --generate --private-key-out FILE [EXTRA…]
/// --json`: the key made and uploaded, its private half written to FILE.
pub(crate) fn generate_to_file(env: &Env, name: &str, file: &str, extra: &[&str]) -> Value {
    let args = [&["--private-key-out", file][..], extra, &["--json"]].concat();
    json(&portal(env, &generate_args(name, &args)))
}

/// `keys sign --key ID --private-key FILE ARGS…`.
pub(crate) fn sign_args<'a>(id: &'a str, file: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let sign = ["keys", "sign", "--key", id, "--private-key", file];
    [&sign[..], args].concat()
}

pub(crate) fn listed(env: &Env) -> Vec<Value> {
    json(&portal(env, &["keys", "list", "--json"]))
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn generate_to_file_sign_verify_delete() {
    let env = env().await;
    let key_file = env.path("signing.pem");
    let created = generate_to_file(&env, "Player key", &key_file, &[]);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["bits"], 2048);
    assert_eq!(created["private_key"], key_file.as_str());
    assert!(created["public_key"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));

    // The private key file: PKCS#8, owner-only.
    let pem = std::fs::read_to_string(&key_file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No private key ever reached the service.
    for req in env.sandbox.requests() {
        assert!(!format!("{req:?}").contains("PRIVATE"));
    }

    // Listed with its fingerprint; its private half is not in this profile's keychain.
    let row = listed(&env)
        .into_iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap();
    assert_eq!(row["fingerprints"], created["fingerprints"]);
    assert_eq!(row["pairing"], "no_private_key_here");
    let shown = json(&portal(&env, &["keys", "show", &id, "--json"]));
    assert_eq!(shown["fingerprints"], created["fingerprints"]);
    assert_eq!(shown["bits"], 2048);

    // Sign with the file, verify against the service.
    let signed = json(&portal(
        &env,
        &sign_args(
            &id,
            &key_file,
            &["--video", "vid_7", "--ttl", "30m", "--json"],
        ),
    ));
    assert_eq!(signed["kid"], id.as_str());
    assert_eq!(signed["sub"], "vid_7");
    assert_eq!(
        signed["exp"].as_i64().unwrap() - signed["iat"].as_i64().unwrap(),
        1800
    );
    let jwt = signed["jwt"].as_str().unwrap().to_owned();
    let verdict = json(&portal(&env, &["keys", "verify", &jwt, "--json"]));
    assert_eq!(verdict["kind"], "valid");
    assert_eq!(verdict["subject"], "vid_7");
    let out = portal(&env, &["keys", "verify", &jwt]);
    assert!(out.status.success());
    assert!(
        stdout(&out).starts_with("valid: Signed by key"),
        "{}",
        stdout(&out)
    );

    // A tampered JWT: a plain verdict and exit status 1.
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    let out = portal(&env, &["keys", "verify", &parts.join(".")]);
    assert_eq!(out.status.code(), Some(1));
    let out = portal(&env, &["keys", "verify", "not-a-jwt", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = parse_json(&out);
    assert_eq!(v["kind"], "malformed");

    // Expired.
    let short = json(&portal(
        &env,
        &sign_args(&id, &key_file, &["--all-videos", "--ttl", "1s", "--json"]),
    ));
    assert_eq!(short["sub"], "*");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let out = portal(&env, &["keys", "verify", short["jwt"].as_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("expired:"), "{}", stdout(&out));

    // All videos, with a video named for the links: every URL carries it.
    let out = portal(
        &env,
        &sign_args(
            &id,
            &key_file,
            &["--all-videos", "--link-video", "vid 3", "--urls"],
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let urls = stdout(&out);
    assert_eq!(urls.lines().count(), 3, "{urls}");
    assert!(urls.lines().all(|l| l.contains("vid%203")), "{urls}");
    // Only with --all-videos (one video's URLs are that video's).
    let out = portal(
        &env,
        &sign_args(&id, &key_file, &["--video", "a", "--link-video", "b"]),
    );
    assert_eq!(out.status.code(), Some(2));

    // A private key that is not this key's other half is refused.
    let other = fixture("rsa2048_pkcs8.pem");
    let out = portal(&env, &sign_args(&id, &other, &["--all-videos"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not the other half"),
        "{}",
        stderr(&out)
    );
    // Without any private key.
    let out = portal(&env, &["keys", "sign", "--key", &id, "--all-videos"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("No private key of JWT key"),
        "{}",
        stderr(&out)
    );

    // Delete now, although the JWTs signed above are live; the kid becomes unknown.
    json(&portal(
        &env,
        &["keys", "delete", &id, "--now", "--yes", "--json"],
    ));
    let out = portal(&env, &["keys", "verify", &jwt, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = parse_json(&out);
    assert_eq!(v["kind"], "unknown_kid");
}

#[tokio::test(flavor = "multi_thread")]
async fn url_templates_fill_the_signed_urls_and_the_sandbox_player_checks_a_jwt() {
    let env = env().await;
    // The defaults, before any profile.
    let defaults = json(&portal(&env, &["keys", "urls", "--json"]));
    assert_eq!(defaults["watch"], "https://watch.vidbeo.com/{video_id}");
    // The playback test is for sandbox profiles only.
    let out = portal(&env, &["keys", "test-playback", "vid_1", "--jwt", "a.b.c"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("sandbox only"), "{}", stderr(&out));

    let url = env.sandbox.jwt_keys_url();
    let added = portal(
        &env,
        &[
            "profile",
            "add",
            "sb",
            "-e",
            "sandbox",
            "--jwt-keys-url",
            &url,
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    // Set one template: the others are kept.
    let watch = "https://videos.example.com/watch/{video_id}";
    let set = json(&portal(&env, &["keys", "urls", "--watch", watch, "--json"]));
    assert_eq!(set["watch"], watch);
    assert_eq!(set["embed"], defaults["embed"]);
    assert_eq!(json(&portal(&env, &["keys", "urls", "--json"])), set);
    // Not an http(s) URL: refused, nothing changed.
    let out = portal(&env, &["keys", "urls", "--hls", "ftp://x/{video_id}"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(json(&portal(&env, &["keys", "urls", "--json"])), set);

    // A signed JWT comes with its URLs, from the templates.
    let key_file = env.path("player.pem");
    let created = generate_to_file(&env, "Player", &key_file, &[]);
    let id = created["id"].as_str().unwrap().to_owned();
    let sign = sign_args(&id, &key_file, &["--video", "vid_1"]);
    let signed = json(&portal(&env, &[&sign[..], &["--json"]].concat()));
    let jwt = signed["jwt"].as_str().unwrap().to_owned();
    let watch_url = format!("https://videos.example.com/watch/vid_1?jwt={jwt}");
    assert_eq!(signed["urls"]["watch"], watch_url.as_str());
    assert!(signed["urls"]["hls"]
        .as_str()
        .unwrap()
        .ends_with(&format!("?jwt={jwt}")));
    let out = portal(&env, &sign);
    assert!(out.status.success(), "{}", stderr(&out));
    let jwt_line = stdout(&out);
    // The JWT goes to stdout only, never to stderr (where logs are kept).
    assert!(!stderr(&out).contains(jwt_line.trim()), "{}", stderr(&out));
    let out = portal(&env, &[&sign[..], &["--urls"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let urls = stdout(&out);
    let in_url = urls.split("?jwt=").nth(1).unwrap().lines().next().unwrap();
    assert!(
        urls.starts_with(&format!(
            "watch  https://videos.example.com/watch/vid_1?jwt={in_url}\n"
        )),
        "{urls}"
    );
    assert!(!stderr(&out).contains(in_url), "{}", stderr(&out));

    // The sandbox player: this video plays (the JWT read from stdin)…
    let out = command(&env, true)
        .args(["keys", "test-playback", "vid_1"])
        .write_stdin(format!("{jwt}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("allowed:"), "{}", stdout(&out));
    // …another one does not, with the reason, and exit status 1.
    let out = portal(
        &env,
        &["keys", "test-playback", "vid_2", "--jwt", &jwt, "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let verdict = parse_json(&out);
    assert_eq!(verdict["allowed"], false);
    assert_eq!(verdict["reason"], "wrong_video");
}

#[tokio::test(flavor = "multi_thread")]
async fn public_key_files_of_every_format_upload_their_public_half() {
    let env = env().await;
    let expected = std::fs::read_to_string(fixture("rsa2048_spki.sha256")).unwrap();
    for (i, file) in [
        "rsa2048_spki.pem",
        "rsa2048_pkcs1_pub.pem",
        "rsa2048_cert.pem",
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("imported {i}");
        let created = json(&portal(
            &env,
            &[
                "keys",
                "create",
                "--name",
                &name,
                "--public-key",
                &fixture(file),
                "--json",
            ],
        ));
        assert_eq!(created["fingerprints"]["sha256"], expected.trim(), "{file}");
        assert_eq!(created["private_key"], Value::Null);
        // What the service keeps is SPKI, whatever was given.
        assert!(created["public_key"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----"));
    }
    // An encrypted private key: its public half is uploaded, its private half
    // written where asked.
    let out_file = env.path("kept.pem");
    let created = json(
        &command(&env, true)
            .env("PORTAL_KEY_PASSPHRASE", "test-pass")
            .args([
                "keys",
                "create",
                "--name",
                "from encrypted",
                "--public-key",
                &fixture("rsa2048_encrypted.pem"),
                "--private-key-out",
                &out_file,
                "--json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(created["fingerprints"]["sha256"], expected.trim());
    assert!(std::fs::read_to_string(&out_file)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_fails_before_any_request() {
    let env = env().await;
    let long = "x".repeat(51);
    let cases: Vec<(Vec<String>, &str, i32)> = vec![
        (
            vec!["--name".into(), long, "--generate".into()],
            "1 to 50 characters",
            2,
        ),
        (
            vec![
                "--name".into(),
                "ec".into(),
                "--public-key".into(),
                fixture("ec_p256_spki.pem"),
            ],
            "EC (P-256)",
            2,
        ),
        (
            vec![
                "--name".into(),
                "small".into(),
                "--public-key".into(),
                fixture("rsa1024_spki.pem"),
            ],
            "is 1024 bits; at least 2048 are required",
            2,
        ),
        (
            vec![
                "--name".into(),
                "missing".into(),
                "--public-key".into(),
                env.path("nope.pem"),
            ],
            "Cannot read",
            1,
        ),
        (
            vec![
                "--name".into(),
                "public only".into(),
                "--public-key".into(),
                fixture("rsa2048_spki.pem"),
                "--private-key-out".into(),
                env.path("x.pem"),
            ],
            "--private-key-out needs a private key",
            2,
        ),
    ];
    for (args, expected, code) in cases {
        let mut all = vec!["keys".to_owned(), "create".to_owned()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = portal(&env, &refs);
        assert_eq!(out.status.code(), Some(code), "{all:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{all:?}: {}", stderr(&out));
    }
    // An existing output file is never overwritten.
    let existing = env.path("existing.pem");
    std::fs::write(&existing, "keep me").unwrap();
    let out = portal(&env, &generate_args("k", &["--private-key-out", &existing]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    // Sizes are checked by the parser.
    let out = portal(&env, &generate_args("k", &["--bits", "1024"]));
    assert!(!out.status.success());
    assert_eq!(posts(&env), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_upload_keeps_the_private_key_marked_not_uploaded() {
    let env = env().await;
    env.sandbox
        .add_fault("POST /jwt-keys/v2/jwt_keys=status:400".parse().unwrap());
    let out = portal(&env, &["keys", "create", "--name", "Unlucky", "--generate"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("was not uploaded"), "{err}");
    assert!(err.contains("local key lk_"), "{err}");
    env.sandbox.clear_faults();

    // Listed as a local key not uploaded.
    let rows = listed(&env);
    let local = rows
        .iter()
        .find(|r| r["name"] == "Unlucky")
        .expect("local key listed");
    assert_eq!(local["pairing"], "not_uploaded");
    assert_eq!(local["id"], Value::Null);
    let local_id = local["local_key_id"].as_str().unwrap().to_owned();
    let out = portal(&env, &["keys", "list"]);
    assert!(
        stdout(&out).contains("local key not uploaded"),
        "{}",
        stdout(&out)
    );

    // It can be deleted locally.
    json(&portal(
        &env,
        &["keys", "delete", &local_id, "--yes", "--json"],
    ));
    assert!(listed(&env).iter().all(|r| r["name"] != "Unlucky"));
}

/// `(action, target, via, summary)` of every entry the CLI wrote to the
/// activity log it shares with the app.
pub(crate) fn activity(env: &Env) -> Vec<(String, String, String, String)> {
    let text = std::fs::read_to_string(env.data.path().join("activity.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| {
            let e: Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            (s("action"), s("target"), s("via"), s("summary"))
        })
        .collect()
}

/// `portal keys create` and `portal keys delete` go through the use cases
/// the app's commands call, so they leave the app's entries: `key_upload`
/// and `key_delete` with the server id, or the local id of a key that was
/// never uploaded.
#[tokio::test(flavor = "multi_thread")]
async fn create_and_delete_record_what_the_app_records() {
    let env = env().await;
    let created = generate_to_file(&env, "Logged", &env.path("logged.pem"), &["--bits", "2048"]);
    let id = created["id"].as_str().unwrap().to_owned();
    let sha256 = created["fingerprints"]["sha256"].as_str().unwrap();
    let log = activity(&env);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0].0.as_str(), log[0].1.as_str()),
        ("key_upload", id.as_str())
    );
    assert_eq!(log[0].2, "cli");
    assert_eq!(
        log[0].3,
        format!("Uploaded JWT key 'Logged' (RSA 2048, SHA-256 {sha256})")
    );

    json(&portal(&env, &["keys", "delete", &id, "--yes", "--json"]));
    let log = activity(&env);
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(
        (log[1].0.as_str(), log[1].1.as_str()),
        ("key_delete", id.as_str())
    );
    assert_eq!(log[1].3, format!("Deleted JWT key {id}"));

    // A key kept here whose upload failed: no key_upload; deleting it
    // records its local id.
    env.sandbox
        .add_fault("POST /jwt-keys/v2/jwt_keys=status:400".parse().unwrap());
    let out = portal(&env, &["keys", "create", "--name", "Draft", "--generate"]);
    assert!(!out.status.success());
    env.sandbox.clear_faults();
    assert_eq!(activity(&env).len(), 2);
    let local_id = listed(&env)
        .iter()
        .find(|r| r["name"] == "Draft")
        .and_then(|r| r["local_key_id"].as_str().map(str::to_owned))
        .unwrap();
    json(&portal(
        &env,
        &["keys", "delete", &local_id, "--yes", "--json"],
    ));
    let log = activity(&env);
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(
        (log[2].0.as_str(), log[2].1.as_str(), log[2].3.as_str()),
        (
            "key_delete",
            local_id.as_str(),
            "Deleted local key 'Draft' (never uploaded)"
        )
    );
}

/// A key kept here whose upload failed is uploaded later with `portal keys
/// upload` (the app's resumption, the same use case), recorded once, and
/// checked; `show` and `check` take it by its local and server id. The
/// encrypted secrets file keeps the private half between runs.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_create_resumes_with_keys_upload() {
    let env = env().await;
    let run = |args: &[&str]| {
        command(&env, false)
            .env("PORTAL_SECRETS_PASSPHRASE", "keys-resume-passphrase")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["secrets", "use-file"]);
    assert!(out.status.success(), "{}", stderr(&out));
    env.sandbox
        .add_fault("POST /jwt-keys/v2/jwt_keys=status:503".parse().unwrap());
    let out = run(&["keys", "create", "--name", "Resumable", "--generate"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("portal keys upload lk_"),
        "{}",
        stderr(&out)
    );
    env.sandbox.clear_faults();
    // Only the switch to the encrypted file is recorded: the failed create
    // recorded nothing.
    let switched = ("secrets_backend".to_owned(), "encrypted_file".to_owned());
    let log = activity(&env);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!((log[0].0.clone(), log[0].1.clone()), switched);

    let rows = json(&run(&["keys", "list", "--json"]));
    let local_id = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Resumable")
        .and_then(|r| r["local_key_id"].as_str().map(str::to_owned))
        .unwrap();
    let shown = json(&run(&["keys", "show", &local_id, "--json"]));
    assert_eq!(shown["pairing"], "not_uploaded");
    assert_eq!(shown["bits"], 2048);

    let uploaded = json(&run(&["keys", "upload", &local_id, "--json"]));
    let id = uploaded["id"].as_str().unwrap().to_owned();
    assert_eq!(uploaded["check"]["ok"], true, "{uploaded}");
    assert_eq!(uploaded["check"]["fingerprintsMatch"], true);
    let log = activity(&env);
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(
        (log[1].0.as_str(), log[1].1.as_str()),
        ("key_upload", id.as_str())
    );

    // Uploaded once: again is refused, and recorded nothing.
    let again = run(&["keys", "upload", &local_id]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("already uploaded"));
    assert_eq!(activity(&env).len(), 2);
    assert!(run(&["keys", "check", &id]).status.success());
}

/// The service does not answer: like the app's keys page, `list` shows the
/// keys kept here, unchecked, and fails with the service's error.
#[tokio::test(flavor = "multi_thread")]
async fn list_shows_local_keys_unchecked_when_the_service_fails() {
    let env = env().await;
    env.sandbox
        .add_fault("POST /jwt-keys/v2/jwt_keys=status:400".parse().unwrap());
    let out = portal(&env, &["keys", "create", "--name", "Offline", "--generate"]);
    assert!(!out.status.success());
    env.sandbox.clear_faults();
    env.sandbox
        .add_fault("GET /jwt-keys/v2/jwt_keys=status:503".parse().unwrap());
    let out = portal(&env, &["keys", "list", "--json"]);
    assert!(!out.status.success());
    let rows = parse_json(&out);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["name"], "Offline");
    assert_eq!(rows[0]["pairing"], "unchecked");
    assert!(stderr(&out).contains("503"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_keychain_means_no_upload() {
    let env = env().await;
    // The keychain backend with no D-Bus session to reach it.
    let out = command(&env, false)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(["keys", "create", "--name", "Nowhere", "--generate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert!(stderr(&out).contains("keychain"), "{}", stderr(&out));
    assert_eq!(posts(&env), 0);
    assert!(listed(&env).iter().all(|r| r["name"] != "Nowhere"));
}

/// The default flow: the private key in the OS keychain.
#[tokio::test(flavor = "multi_thread")]
async fn keychain_flow_when_a_test_keyring_is_available() {
    if std::env::var("PORTAL_TEST_KEYCHAIN").as_deref() != Ok("1") {
        eprintln!("skipped: set PORTAL_TEST_KEYCHAIN=1 inside a private keyring (scripts/test.sh)");
        return;
    }
    let env = env().await;
    let run = |args: &[&str]| command(&env, false).args(args).output().unwrap();
    let created = json(&run(&[
        "keys",
        "create",
        "--name",
        "Keychain key",
        "--generate",
        "--json",
    ]));
    assert_eq!(created["private_key"], "keychain");
    let id = created["id"].as_str().unwrap().to_owned();
    let local_id = created["local_key_id"].as_str().unwrap().to_owned();

    let rows = json(&run(&["keys", "list", "--json"]));
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["pairing"], "paired");
    assert_eq!(row["local_key_id"], local_id.as_str());

    let signed = json(&run(&[
        "keys", "sign", "--key", &id, "--video", "v1", "--json",
    ]));
    let verdict = json(&run(&[
        "keys",
        "verify",
        signed["jwt"].as_str().unwrap(),
        "--json",
    ]));
    assert_eq!(verdict["kind"], "valid");

    let deleted = json(&run(&["keys", "delete", &id, "--now", "--yes", "--json"]));
    assert_eq!(deleted["local_deleted"], true);
    let out = run(&["keys", "sign", "--key", &id, "--video", "v1"]);
    assert!(!out.status.success());
}

/// `portal keys doctor` on a sandbox profile: exit 0 for a healthy signed
/// URL (read from stdin), 1 with the failing check named for a broken one;
/// the `--json` report's shape; the JWT never in any output.
#[tokio::test(flavor = "multi_thread")]
async fn keys_doctor_names_the_failing_check_and_never_prints_the_jwt() {
    let env = env().await;
    let url = env.sandbox.jwt_keys_url();
    let added = portal(
        &env,
        &[
            "profile",
            "add",
            "sb",
            "-e",
            "sandbox",
            "--jwt-keys-url",
            &url,
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let key_file = env.path("doctor.pem");
    let created = json(&portal(
        &env,
        &[
            "keys",
            "create",
            "--name",
            "Doctor",
            "--generate",
            "--private-key-out",
            &key_file,
            "--json",
        ],
    ));
    let id = created["id"].as_str().unwrap();
    let signed = json(&portal(
        &env,
        &[
            "keys",
            "sign",
            "--key",
            id,
            "--private-key",
            &key_file,
            "--video",
            "vid_1",
            "--json",
        ],
    ));
    let jwt = signed["jwt"].as_str().unwrap();
    let watch = signed["urls"]["watch"].as_str().unwrap();
    let signature = jwt.rsplit('.').next().unwrap();
    let no_jwt = |out: &Output| {
        for text in [stdout(out), stderr(out)] {
            assert!(!text.contains(signature), "the JWT is in {text}");
        }
    };

    // Healthy, from stdin: every check ✓, exit 0.
    let out = command(&env, true)
        .args(["keys", "doctor", "-"])
        .write_stdin(format!("{watch}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("✓ ")).count(),
        8,
        "{text}"
    );
    assert!(text.contains("\nPlays: every check passed"), "{text}");
    assert!(text.contains("clock: this computer "), "{text}");
    no_jwt(&out);

    // The URL of another video: ✗ on sub, the verdict and the fix, exit 1.
    let other = watch.replace("/vid_1?", "/vid_2?");
    let out = portal(&env, &["keys", "doctor", &other]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("✗ sub matches the video (or is *): The JWT is for video vid_1, the URL for video vid_2."),
        "{text}"
    );
    assert!(
        text.contains(
            "\nWill not play: the JWT is for video vid_1, the URL for video vid_2.\nfix: "
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!("keys sign --key {id} --video 'vid_2'")),
        "{text}"
    );
    no_jwt(&out);

    // --json: the report, with the skew given.
    let out = portal(&env, &["keys", "doctor", &other, "--json", "--skew", "5"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["failed"], "subject");
    let checks = report["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "parse",
            "algorithm",
            "key_id",
            "signature",
            "lifetime",
            "subject",
            "url_form",
            "playback"
        ]
    );
    for c in checks {
        assert!(c["label"].is_string() && c["detail"].is_string(), "{c}");
        assert!(["passed", "failed", "skipped"].contains(&c["status"].as_str().unwrap()));
    }
    assert!(report["fix"]["sentence"].is_string());
    assert!(report["fix"]["command"]
        .as_str()
        .unwrap()
        .starts_with("portal keys sign"));
    assert_eq!(report["clock"]["skewSeconds"], 5);
    assert!(
        report["clock"]["service"].is_string(),
        "{}",
        report["clock"]
    );
    assert_eq!(report["claims"]["sub"], "vid_1");
    assert_eq!(report["header"]["kid"], id);
    no_jwt(&out);

    // Not a JWT at all: ✗ on the first check.
    let out = portal(&env, &["keys", "doctor", "not-a-jwt"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("✗ The JWT parses: "),
        "{}",
        stdout(&out)
    );
}
