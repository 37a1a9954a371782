//! `portal scan` end to end: the real binary, a profile whose credentials
//! sit in the encrypted secrets file, a sandbox for the key names and
//! `--verify`, and real git repositories (made with the `git` binary) for
//! `--staged`, `--git-history` and `--install-hook`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::{json, parse_json, stderr, stdout, Env, PASSPHRASE};

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

/// A new git repository in a temporary folder. Its `git` runs with neither
/// the user's nor the system's configuration, and the pre-commit hook it
/// may run finds `env`'s portal data.
struct Repo<'e> {
    env: &'e Env,
    dir: tempfile::TempDir,
}

impl<'e> Repo<'e> {
    fn init(env: &'e Env) -> Self {
        let repo = Self {
            env,
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main", "."]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> &str {
        self.path().to_str().unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        write(self.path(), rel, text);
    }

    /// `git ARGS`, whatever its outcome.
    fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new("git")
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PORTAL_DATA_DIR", self.env.data.path())
            .env("PORTAL_SECRETS_PASSPHRASE", PASSPHRASE)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap()
    }

    /// `git ARGS`, which must succeed: its standard output, trimmed.
    fn git(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        stdout(&out).trim().to_owned()
    }
}

/// A `vst_live_` token nobody stored (43 base64url characters, as issued).
fn stray_token(seed: char) -> String {
    format!("vst_live_{}", seed.to_string().repeat(43))
}

fn findings(out: &Output) -> Vec<Value> {
    parse_json(out)["findings"].as_array().unwrap().clone()
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

/// Uploads the public half of the `rsa2048_pkcs8.pem` fixture as JWT key
/// 'Web' of the active profile: its private half is then a named leak.
fn upload_web_key(env: &Env) -> String {
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
    json(&out)["id"].as_str().unwrap().to_owned()
}

/// A token of the active profile that works: its value.
fn live_token(env: &Env) -> String {
    let made = env.create_token(&["--name", "ci", "--scope", "content:read"]);
    made["token"].as_str().unwrap().to_owned()
}

/// What a private key of the 'Web' key is named.
fn web_key_named(key_id: &str) -> String {
    format!("private half of JWT key 'Web' ({key_id}) of profile Prod")
}

#[tokio::test(flavor = "multi_thread")]
async fn finds_stored_credentials_stray_tokens_and_named_keys_and_prints_no_value() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", true);
    let key_id = upload_web_key(&env);

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
            expect(".github/deploy.pem", "private_key", &web_key_named(&key_id)),
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
    let live = live_token(&env);
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
    let repo = Repo::init(&env);
    repo.write("app.cfg", &format!("token = {}\n", stray_token('A')));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "leak"]);
    let leaked_in = repo.git(&["rev-parse", "HEAD"]);
    repo.write("app.cfg", "token = from the environment\n");
    repo.git(&["commit", "-qam", "fix"]);
    // On another branch only, and a later tag: every ref is walked.
    repo.git(&["checkout", "-qb", "side"]);
    repo.write("side.txt", &stray_token('B'));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "side"]);
    let side = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "-q", "main"]);
    let root = repo.root();

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
    repo.write("staged.env", &format!("T={}\n", stray_token('C')));
    repo.write("unstaged.env", &format!("T={}\n", stray_token('D')));
    repo.git(&["add", "staged.env"]);
    let out = env.run(&["scan", root, "--staged", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&findings(&out))[0].0, "staged.env");
    assert_eq!(findings(&out).len(), 1);

    // The hook: the leaking commit stops, a clean one goes through.
    let out = env.run(&["scan", root, "--install-hook"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hook = std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("scan --staged"), "{hook}");
    let commit = repo.run(&["commit", "-qm", "leak again"]);
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
    repo.git(&["rm", "-q", "--cached", "staged.env"]);
    repo.write("clean.txt", "nothing to see\n");
    repo.git(&["add", "clean.txt"]);
    repo.git(&["commit", "-qm", "clean"]);
    // A hook that is not ours is kept.
    std::fs::write(
        repo.path().join(".git/hooks/pre-commit"),
        "#!/bin/sh\nexit 0\n",
    )
    .unwrap();
    let out = env.run(&["scan", root, "--install-hook"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not this portal's"),
        "{}",
        stderr(&out)
    );
}

/// The pre-commit hook runs `--staged` on every commit: it asks the service
/// for the server's keys only when a private key is staged, and that key is
/// still named.
#[tokio::test(flavor = "multi_thread")]
async fn a_sweep_asks_for_the_server_keys_only_when_it_found_a_private_key() {
    let env = Env::start().await;
    env.stored_profile("Prod", "production", true);
    let key_id = upload_web_key(&env);
    let repo = Repo::init(&env);
    repo.write("app.cfg", &format!("token = {}\n", stray_token('E')));
    repo.git(&["add", "-A"]);
    let before = env.sandbox.requests().len();
    let out = env.run(&["scan", repo.root(), "--staged", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(findings(&out).len(), 1);
    let asked: Vec<_> = env.sandbox.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        asked.is_empty(),
        "a sweep without a private key asked {asked:?}"
    );

    repo.write("deploy/key.pem", &fixture("rsa2048_pkcs8.pem"));
    repo.git(&["add", "-A"]);
    let listed = env.count("GET", "/jwt-keys/v2/jwt_keys");
    let out = env.run(&["scan", repo.root(), "--staged", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = summary(&findings(&out));
    assert_eq!(
        found[1],
        (
            "deploy/key.pem".to_owned(),
            "private_key".to_owned(),
            web_key_named(&key_id)
        )
    );
    assert_eq!(env.count("GET", "/jwt-keys/v2/jwt_keys"), listed + 1);
}

/// `--verify` checks the value each finding holds: the staged one (not the
/// working tree's), one only in history, and each distinct value once.
#[tokio::test(flavor = "multi_thread")]
async fn verify_checks_staged_and_past_values_once_each() {
    let env = Env::start().await;
    env.stored_profile("Dev", "staging", false);
    let live = live_token(&env);
    let refused = stray_token('S');
    let reads = || env.count("GET", "/vaultstream/v1/auth/tokens");
    let live_of = |out: &Output| -> Vec<(String, String)> {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        findings(out)
            .iter()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("path"), s("live"))
            })
            .collect()
    };

    // Only in history, twice (two files of one commit).
    let repo = Repo::init(&env);
    repo.write("old.sh", &format!("T={live}\n"));
    repo.write("copy.sh", &format!("export T={live}\n"));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "leak"]);
    repo.git(&["rm", "-q", "old.sh", "copy.sh"]);
    repo.git(&["commit", "-qm", "fix"]);
    let before = reads();
    let out = env.run(
        &["scan", repo.root(), "--git-history", "--verify", "--json"],
        &[],
    );
    let want = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(p, l)| ((*p).to_owned(), (*l).to_owned()))
            .collect()
    };
    assert_eq!(
        live_of(&out),
        want(&[("copy.sh", "live"), ("old.sh", "live")])
    );
    assert_eq!(reads() - before, 1);
    assert_no_value(&out, "", &[&live]);

    // Staged: a refused token, twice; the working tree holds the live one
    // where the index holds the refused one. Run from inside the repository,
    // where the working tree's file is at the finding's path.
    repo.write("a.sh", &format!("T={refused}\n"));
    repo.write("b.sh", &format!("U={refused}\n"));
    repo.git(&["add", "a.sh", "b.sh"]);
    repo.write("a.sh", &format!("T={live}\n"));
    let before = reads();
    let out = env
        .cmd()
        .current_dir(repo.path())
        .args(["scan", ".", "--staged", "--verify", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        live_of(&out),
        want(&[("a.sh", "refused"), ("b.sh", "refused")])
    );
    assert_eq!(reads() - before, 1);
    assert_no_value(&out, "", &[&live, &refused]);
}
