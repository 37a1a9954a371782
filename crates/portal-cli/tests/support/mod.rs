//! The CLI tests' set-up, shared: the `portal` binary in a private data
//! directory ([`portal_in`]); a sandbox with the secrets in memory, one
//! `portal` run each ([`Sandboxed`]: the command groups' tests); a sandbox
//! whose credentials outlast a run in the encrypted secrets file ([`Env`]);
//! a listener that records what reaches a host ([`Listener`]).

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use portal_core::secrets::{EntryName, Item, SecretStore};
use portal_core::secrets_file::EncryptedFileStore;
use portal_core::Secret;
use portal_sandbox::{RateLimits, Sandbox, SandboxConfig};
use serde_json::Value;

pub const PASSPHRASE: &str = "origin-rules-file-passphrase";

/// `portal` with nothing of this machine but `PATH`: a cleared environment,
/// `HOME` and `PORTAL_DATA_DIR` set to `dir`.
pub fn portal_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("portal").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("PORTAL_DATA_DIR", dir);
    cmd
}

/// [`portal_in`] with the secrets in memory (gone when the run ends).
pub fn portal_in_memory(dir: &Path) -> Command {
    let mut cmd = portal_in(dir);
    cmd.env("PORTAL_SECRET_BACKEND", "memory");
    cmd
}

/// A sandbox and a private data directory, the secrets in memory: each
/// `portal` run gets its credentials from the environment.
pub struct Sandboxed {
    pub sandbox: Sandbox,
    pub data: tempfile::TempDir,
}

impl Sandboxed {
    pub async fn start(config: SandboxConfig) -> Self {
        Self {
            sandbox: Sandbox::start(config).await.unwrap(),
            data: tempfile::tempdir().unwrap(),
        }
    }

    /// `portal` with only the data dir and the memory secret store.
    pub fn bare(&self) -> Command {
        portal_in_memory(self.data.path())
    }

    /// `cmd` with the JWT keys API's URL and API key.
    pub fn jwt_keys<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let key = &self.sandbox.credentials().jwt_keys_api_key;
        cmd.env("PORTAL_JWT_KEYS_URL", self.sandbox.jwt_keys_url())
            .env("PORTAL_JWT_KEYS_TOKEN", key)
    }

    /// `portal` logged in to the vault (only) as the seeded user `email`.
    pub fn as_vault_user(&self, email: &str, args: &[&str]) -> Output {
        let creds = self.sandbox.credentials();
        let user = creds.vault_users.iter().find(|u| u.email == email);
        let password = &user
            .unwrap_or_else(|| panic!("no vault user {email}"))
            .password;
        self.bare()
            .env("PORTAL_VAULT_URL", self.sandbox.vault_url())
            .env("PORTAL_VAULT_EMAIL", email)
            .env("PORTAL_VAULT_PASSWORD", password)
            .args(args)
            .output()
            .unwrap()
    }

    /// `portal` with every service's URL and admin credential.
    pub fn portal(&self, args: &[&str]) -> Output {
        let creds = self.sandbox.credentials();
        let admin = creds.vault_users.iter().find(|u| u.role == "admin");
        let admin = admin.unwrap();
        let mut cmd = self.bare();
        self.jwt_keys(&mut cmd)
            .env("PORTAL_VAULTSTREAM_URL", self.sandbox.vaultstream_url())
            .env("PORTAL_VAULT_URL", self.sandbox.vault_url())
            .env("PORTAL_VAULTSTREAM_TOKEN", &creds.vaultstream_admin_token)
            .env("PORTAL_VAULT_EMAIL", &admin.email)
            .env("PORTAL_VAULT_PASSWORD", &admin.password)
            .args(args)
            .output()
            .unwrap()
    }

    /// `name` in the data directory.
    pub fn path(&self, name: &str) -> String {
        self.data.path().join(name).display().to_string()
    }

    /// How many `method path` requests reached the sandbox.
    pub fn count(&self, method: &str, path: &str) -> usize {
        count(&self.sandbox, method, path)
    }
}

fn count(sandbox: &Sandbox, method: &str, path: &str) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// A successful run's JSON answer (else a panic with its stderr).
pub fn json(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}", stderr(out));
    parse_json(out)
}

/// A run's JSON answer, whatever its exit status (`portal scan` exits 1
/// with findings; a failed `keys verify` still answers).
pub fn parse_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// A sandbox and a private data directory whose credentials live in the
/// encrypted secrets file (so they outlast one `portal` run).
pub struct Env {
    pub sandbox: Sandbox,
    pub data: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            rate_limits: RateLimits::unlimited(),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let env = Self {
            sandbox,
            data: tempfile::tempdir().unwrap(),
        };
        let out = env.run(&["secrets", "use-file"], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        env
    }

    /// `portal` with only the data dir and the file's passphrase set.
    pub fn cmd(&self) -> Command {
        let mut cmd = portal_in(self.data.path());
        cmd.env("PORTAL_SECRETS_PASSPHRASE", PASSPHRASE)
            .env("PORTAL_HTTP_ATTEMPTS", "1")
            .env("NO_COLOR", "1");
        cmd
    }

    pub fn run(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let mut cmd = self.cmd();
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.args(args).output().unwrap()
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.cmd()
            .args(args)
            .write_stdin(format!("{stdin}\n"))
            .output()
            .unwrap()
    }

    /// `portal tokens create ARGS… --json` for the active profile: the
    /// token made (its `id`, and its value, `token`, shown this once).
    pub fn create_token(&self, args: &[&str]) -> Value {
        json(&self.run(
            &[&["tokens", "create"][..], args, &["--json"]].concat(),
            &[],
        ))
    }

    /// `http://127.0.0.1:PORT` of the sandbox.
    pub fn origin(&self) -> String {
        let url = self.sandbox.vaultstream_url();
        url.trim_end_matches("/vaultstream").to_owned()
    }

    /// The sandbox's vault admin: email and password.
    pub fn admin(&self) -> (String, String) {
        let admin = self
            .sandbox
            .credentials()
            .vault_users
            .iter()
            .find(|u| u.role == "admin")
            .unwrap();
        (admin.email.clone(), admin.password.clone())
    }

    /// A profile for this sandbox, made active, with the VaultStream admin
    /// token, the JWT keys API key and a vault session stored in the file
    /// (and the vault password too when `remember`).
    pub fn stored_profile(&self, name: &str, environment: &str, remember: bool) {
        let sb = &self.sandbox;
        let (vs, jwt, vault) = (sb.vaultstream_url(), sb.jwt_keys_url(), sb.vault_url());
        let out = self.run(
            &[
                "profile",
                "add",
                name,
                "-e",
                environment,
                "--vaultstream-url",
                &vs,
                "--jwt-keys-url",
                &jwt,
                "--vault-url",
                &vault,
            ],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(self.run(&["profile", "use", name], &[]).status.success());
        let creds = sb.credentials();
        let out = self.run_stdin(&["login", "vaultstream"], &creds.vaultstream_admin_token);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = self.run_stdin(&["login", "jwt-keys"], &creds.jwt_keys_api_key);
        assert!(out.status.success(), "{}", stderr(&out));
        let (email, password) = self.admin();
        let mut args = vec!["login", "vault", "--email", email.as_str()];
        if remember {
            args.push("--remember");
        }
        let out = self.run_stdin(&args, &password);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    /// The service credentials stored for `profile` in the encrypted file.
    pub fn stored_values(&self, profile: &str) -> Vec<String> {
        let store = EncryptedFileStore::unlock(self.data.path(), &Secret::new(PASSPHRASE)).unwrap();
        [
            Item::VaultStreamToken,
            Item::JwtKeysApiKey,
            Item::VaultPassword,
            Item::VaultAccessToken,
            Item::VaultRefreshToken,
        ]
        .into_iter()
        .filter_map(|item| store.get(&EntryName::new(profile, item)).unwrap())
        .map(|s| s.expose().to_owned())
        .collect()
    }

    pub fn count(&self, method: &str, path: &str) -> usize {
        count(&self.sandbox, method, path)
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A loopback HTTP server on its own port that records every byte it is
/// sent and answers every request with an empty success in the envelope of
/// the service its path names (VaultStream or JWT keys).
pub struct Listener {
    pub port: u16,
    received: Arc<Mutex<Vec<u8>>>,
    connections: Arc<AtomicUsize>,
}

impl Listener {
    pub fn start() -> Self {
        let socket = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (r, c) = (received.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in socket.incoming() {
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                std::thread::spawn(move || serve(stream, &r));
            }
        });
        Self {
            port,
            received,
            connections,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Everything received so far, as text.
    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}

/// Reads one request (head and `content-length` body), records it, answers
/// and closes.
fn serve(mut stream: TcpStream, received: &Mutex<Vec<u8>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => {
                received.lock().unwrap().extend_from_slice(&buf);
                return;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    received.lock().unwrap().extend_from_slice(&buf);
    let body = if head.contains("/jwt_keys") {
        r#"{"success":true,"result":[],"links":null,"errors":[]}"#
    } else {
        r#"{"status":"ok","data":[],"meta":{"request_id":"req_listener"}}"#
    };
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes());
}
