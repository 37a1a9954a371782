//! `portal scan` end to end: the real binary, a profile whose credentials
//! sit in the encrypted secrets file, a sandbox for the key names and
//! `--verify`, and real git repositories (made with the `git` binary) for
//! `--staged`, `--git-history` and `--install-hook`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::{stderr, stdout, Env};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../portal-core/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// A `vst_live_` token nobody stored (43 base64url characters, as issued).
fn stray_token(seed: char) -> String {
    format!("vst_live_{}", seed.to_string().repeat(43))
}

fn findings(out: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)));
    v["findings"].as_array().unwrap().clone()
}

/// (path, kind, matches) of each finding.
fn summary(found: &[Value]) -> Vec<(String, String, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["kind"].as_str().unwrap().to_owned(),
                f["matches"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Asserts that no output of `out`, nor `extra`, holds any of `values`.
fn assert_no_value(out: &Output, extra: &str, values: &[&str]) {
    let all = format!("{}{}{extra}", stdout(out), stderr(out));
    for v in values {
        assert!(
            !all.contains(v),
            "a value was printed: …{}",
            &v[v.len() - 4..]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn finds_stored_credentials_stray_tokens_and_named_keys_and_prints_no_value() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", true);
    // A key whose public half is uploaded: its private half is a named leak.
    let uploaded = env.data.path().join("web.pem");
    std::fs::write(&uploaded, fixture("rsa2048_pkcs8.pem")).unwrap();
    let out = env.run(
        &[
            "keys",
            "create",
            "--name",
            "Web",
            "--public-key",
            uploaded.to_str().unwrap(),
            "--json",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let key_id = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no key id in {}", stdout(&out)));

    let creds = env.sandbox.credentials();
    let (_, password) = env.admin();
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    write(
        root,
        ".env",
        &format!("# deploy\nVST={}\n", creds.vaultstream_admin_token),
    );
    write(
        root,
        "config/app.yml",
        &format!("vault:\n  password: \"{password}\"\n"),
    );
    write(root, "notes.txt", &format!("old: {}\n", stray_token('Q')));
    write(root, ".github/deploy.pem", &fixture("rsa2048_pkcs8.pem"));
    let stranger = portal_core::keypair::generate(2048, |_| {}, &Default::default()).unwrap();
    let stranger_pem = stranger.to_pkcs8_pem().unwrap();
    let stranger_fp = stranger.public_key().fingerprints().unwrap().sha256;
    write(root, "other.pem", stranger_pem.expose());
    write(root, "z/enc.pem", &fixture("rsa2048_encrypted.pem"));
    // Ignored, inside .git, binary: never reported.
    write(root, ".gitignore", "vendor/\n");
    write(root, "vendor/lib.txt", &creds.jwt_keys_api_key);
    write(root, ".git/config", &creds.jwt_keys_api_key);
    std::fs::write(root.join("blob.bin"), format!("\0{}", stray_token('Z'))).unwrap();

    let sarif = env.data.path().join("out.sarif");
    let out = env.run(
        &[
            "scan",
            root.to_str().unwrap(),
            "--json",
            "--sarif",
            sarif.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = findings(&out);
    let shown: Vec<_> = summary(&found)
        .into_iter()
        .map(|(p, k, m)| {
            (
                p.strip_prefix(&format!("{}/", root.display()))
                    .unwrap()
                    .to_owned(),
                k,
                m,
            )
        })
        .collect();
    let expect = |p: &str, k: &str, m: &str| (p.to_owned(), k.to_owned(), m.to_owned());
    assert_eq!(
        shown,
        vec![
            expect(
                ".env",
                "stored_credential",
                "stored credential: VaultStream token of profile Prod"
            ),
            expect(
                ".github/deploy.pem",
                "private_key",
                &format!("private half of JWT key 'Web' ({key_id}) of profile Prod")
            ),
            expect(
                "config/app.yml",
                "stored_credential",
                "stored credential: vault password of profile Prod"
            ),
            expect(
                "notes.txt",
                "vaultstream_token",
                "VaultStream token this portal does not hold"
            ),
            expect(
                "other.pem",
                "private_key",
                &format!("private key of no JWT key known here ({stranger_fp})")
            ),
            expect(
                "z/enc.pem",
                "private_key",
                "encrypted private key (not named: it needs its passphrase)"
            ),
        ]
    );
    assert_eq!(found[1]["keyId"], key_id.as_str());
    assert!(found[1]["localKeyId"].as_str().unwrap().starts_with("lk_"));
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(found[3]["masked"], "vst_live_…QQQQ");
    let sarif_text = std::fs::read_to_string(&sarif).unwrap();
    let log: Value = serde_json::from_str(&sarif_text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 6);
    let pem_body = fixture("rsa2048_pkcs8.pem");
    let pem_line = pem_body.lines().nth(1).unwrap();
    assert_no_value(
        &out,
        &sarif_text,
        &[
            &creds.vaultstream_admin_token,
            &password,
            &stray_token('Q'),
            pem_line,
            stranger_pem.expose().lines().nth(1).unwrap(),
        ],
    );

    // The human form: the same findings, no value either.
    let out = env.run(&["scan", root.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("vault password of profile Prod"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("6 findings in"), "{}", stderr(&out));
    assert_no_value(
        &out,
        "",
        &[&creds.vaultstream_admin_token, &password, pem_line],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_say_clean_found_or_failed() {
    let env = Env::start().await;
    let tree = tempfile::tempdir().unwrap();
    write(
        tree.path(),
        "README.md",
        "Tokens look like vst_live_… (never commit one).\n",
    );
    let out = env.run(&["scan", tree.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No leaks found in 1 files"),
        "{}",
        stderr(&out)
    );
    let missing = tree.path().join("nope");
    let out = env.run(&["scan", missing.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    let out = env.run(&["scan", "--staged", tree.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not in a git repository"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_asks_the_service_whether_a_stray_token_is_live() {
    let env = Env::start().await;
    env.stored_profile("Dev", "staging", false);
    let out = env.run(
        &[
            "tokens",
            "create",
            "--name",
            "ci",
            "--scope",
            "content:read",
            "--json",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let live = serde_json::from_slice::<Value>(&out.stdout).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let tree = tempfile::tempdir().unwrap();
    write(tree.path(), "a.sh", &format!("export T={live}\n"));
    write(
        tree.path(),
        "b.sh",
        &format!("export T={}\n", stray_token('R')),
    );
    let before = env.count("GET", "/vaultstream/v1/auth/tokens");
    let out = env.run(
        &["scan", tree.path().to_str().unwrap(), "--verify", "--json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = findings(&out);
    let live_of: Vec<_> = found
        .iter()
        .map(|f| f["live"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(live_of, ["live", "refused"]);
    // One harmless read per token, nothing else.
    assert_eq!(env.count("GET", "/vaultstream/v1/auth/tokens") - before, 2);
    assert_no_value(&out, "", &[&live, &stray_token('R')]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sweeps_the_index_and_history_and_the_hook_stops_a_leaking_commit() {
    let env = Env::start().await;
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main", "."]);
    write(dir, "app.cfg", &format!("token = {}\n", stray_token('A')));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "leak"]);
    let leaked_in = git(dir, &["rev-parse", "HEAD"]);
    write(dir, "app.cfg", "token = from the environment\n");
    git(dir, &["commit", "-qam", "fix"]);
    // On another branch only, and a later tag: every ref is walked.
    git(dir, &["checkout", "-qb", "side"]);
    write(dir, "side.txt", &stray_token('B'));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "side"]);
    let side = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "main"]);
    let root = dir.to_str().unwrap();

    // The working tree is clean now.
    let out = env.run(&["scan", root], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = env.run(&["scan", root, "--git-history", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = findings(&out);
    let places: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["commit"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("app.cfg", leaked_in.as_str(), 1),
            ("side.txt", side.as_str(), 1)
        ]
    );

    // Staged: only what the next commit would hold.
    write(dir, "staged.env", &format!("T={}\n", stray_token('C')));
    write(dir, "unstaged.env", &format!("T={}\n", stray_token('D')));
    git(dir, &["add", "staged.env"]);
    let out = env.run(&["scan", root, "--staged", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&findings(&out))[0].0, "staged.env");
    assert_eq!(findings(&out).len(), 1);

    // The hook: the leaking commit stops, a clean one goes through.
    let out = env.run(&["scan", root, "--install-hook"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hook = std::fs::read_to_string(dir.join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("scan --staged"), "{hook}");
    let commit = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PORTAL_DATA_DIR", env.data.path())
        .env("PORTAL_SECRETS_PASSPHRASE", crate::support::PASSPHRASE)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "leak again",
        ])
        .output()
        .unwrap();
    assert!(
        !commit.status.success(),
        "the hook let a leak through: {} {}",
        stdout(&commit),
        stderr(&commit)
    );
    // Git shows a hook's output on its standard error.
    assert!(
        stderr(&commit).contains("staged.env"),
        "{}",
        stderr(&commit)
    );
    git(dir, &["rm", "-q", "--cached", "staged.env"]);
    write(dir, "clean.txt", "nothing to see\n");
    git(dir, &["add", "clean.txt"]);
    let commit = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PORTAL_DATA_DIR", env.data.path())
        .env("PORTAL_SECRETS_PASSPHRASE", crate::support::PASSPHRASE)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "clean",
        ])
        .output()
        .unwrap();
    assert!(commit.status.success(), "{}", stderr(&commit));
    // A hook that is not ours is kept.
    std::fs::write(dir.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    let out = env.run(&["scan", root, "--install-hook"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not this portal's"),
        "{}",
        stderr(&out)
    );
}
