//! Starting, serving and stopping a sandbox.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use axum::extract::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::clock::Clock;
use crate::config::{ControlSecret, SandboxConfig};
use crate::context::{Service, JWT_KEYS_PREFIX, SANDBOX_PREFIX, VAULTSTREAM_PREFIX, VAULT_PREFIX};
use crate::credentials::{banner, SandboxCredentials};
use crate::db::Db;
use crate::error::ApiError;
use crate::faults::{DropConnection, Faults};
use crate::host::Listening;
use crate::rate_limit::RateLimiter;
use crate::request_log::RequestLog;
use crate::state::{AppState, Shared};
use crate::{
    clock, context, drain, faults, host, jwt_keys, rate_limit, rejections, request_log,
    sandbox_api, seed, vault, vaultstream,
};

/// A running sandbox. Dropping it stops the server too (without waiting).
pub struct Sandbox {
    addr: SocketAddr,
    credentials: SandboxCredentials,
    state: AppState,
    persisted: Option<PathBuf>,
    control: Option<ControlSecret>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    _temp_files: Option<tempfile::TempDir>,
}

/// What the blocking part of start-up prepares.
struct Prepared {
    db: Db,
    credentials: SandboxCredentials,
    vaultstream_secret: Vec<u8>,
    vault_secret: Vec<u8>,
}

fn prepare(config: &SandboxConfig, clock: &Clock) -> anyhow::Result<Prepared> {
    let db = Db::open(config.data.as_deref())
        .with_context(|| format!("opening the sandbox database {:?}", config.data))?;
    let conn = db.lock();
    let now = clock.now();
    seed::base(&conn, now, config.quota, config.seed_assets)?;
    let (token, api_key) = seed::credentials(&conn, now, config.bootstrap.as_ref())?;
    crate::ledger::record("admin_token", &token);
    crate::ledger::record("api_key", &api_key);
    let vault_password = match config
        .bootstrap
        .as_ref()
        .and_then(|b| b.vault_password.as_deref())
    {
        Some(password) => {
            seed::set_vault_password(&conn, password)?;
            crate::ledger::record("password", password);
            password
        }
        None => crate::vault::SEEDED_PASSWORD,
    };
    if config.seed_assets > 0 {
        let added = seed::assets(&conn, config.seed_assets, now)?;
        seed::extras(&conn, now)?;
        tracing::info!(added, "seeded assets");
    }
    let bootstrap = config.bootstrap.as_ref();
    let vaultstream_secret = seed::secret(&conn, "vaultstream_jwt_secret", bootstrap)?;
    let vault_secret = seed::secret(&conn, "vault_jwt_secret", bootstrap)?;
    drop(conn);
    Ok(Prepared {
        db,
        credentials: SandboxCredentials {
            vaultstream_admin_token: token,
            jwt_keys_api_key: api_key,
            vault_users: seed::vault_users(vault_password),
        },
        vaultstream_secret,
        vault_secret,
    })
}

fn files_dir(config: &SandboxConfig) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    let (dir, temp) = match (&config.files_dir, &config.data) {
        (Some(dir), _) => (dir.clone(), None),
        (None, Some(data)) => {
            let mut name = data.as_os_str().to_owned();
            name.push(".files");
            (PathBuf::from(name), None)
        }
        (None, None) => {
            let temp = tempfile::Builder::new()
                .prefix("portal-sandbox-")
                .tempdir()?;
            (temp.path().to_owned(), Some(temp))
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok((dir, temp))
}

/// The address clients should use (loopback when bound to "any").
fn client_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    }
}

impl Sandbox {
    /// Bind, seed, and serve on the current tokio runtime; returns once
    /// the socket is listening.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        config
            .rate_limits
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid rate limits: {e}"))?;
        for rule in &config.faults {
            rule.validate()
                .map_err(|e| anyhow::anyhow!("invalid fault rule {rule}: {e}"))?;
        }
        let (files, temp_files) = files_dir(&config)?;
        let clock = Clock::default();
        let prepared = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || prepare(&config, &Clock::default())).await??
        };
        let listener = TcpListener::bind((config.bind, config.port))
            .await
            .with_context(|| format!("binding {}:{}", config.bind, config.port))?;
        let addr = listener.local_addr()?;
        let state = AppState::new(Shared {
            db: prepared.db,
            clock,
            faults: Faults::default(),
            rate_limiter: RateLimiter::new(config.rate_limits),
            request_log: RequestLog::new(config.request_log_capacity),
            vaultstream_jwt_secret: prepared.vaultstream_secret,
            vault_jwt_secret: prepared.vault_secret,
            files_dir: files,
            upload_limit: config.upload_limit,
            transform_delay: config.transform_delay,
            origin: format!("http://{}", client_addr(addr)),
            reports_last_used: std::sync::atomic::AtomicBool::new(true),
        });
        for rule in config.faults.iter().cloned() {
            state.faults.add(rule);
        }
        let app = app(
            state.clone(),
            config.upload_limit,
            config.control.clone(),
            Listening(addr),
        );
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, app, stopped));
        tracing::info!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            credentials: prepared.credentials,
            state,
            persisted: config.data.clone(),
            control: config.control.clone(),
            stop,
            task: Some(task),
            _temp_files: temp_files,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn origin(&self) -> String {
        format!("http://{}", client_addr(self.addr))
    }

    /// `http://127.0.0.1:PORT/vaultstream` (append `/v1/auth/tokens`).
    pub fn vaultstream_url(&self) -> String {
        format!("{}{VAULTSTREAM_PREFIX}", self.origin())
    }

    /// `http://127.0.0.1:PORT/jwt-keys/v2` (append `/jwt_keys`).
    pub fn jwt_keys_url(&self) -> String {
        format!("{}{JWT_KEYS_PREFIX}", self.origin())
    }

    /// `http://127.0.0.1:PORT/vault` (append `/auth/v1/login`, `/vault/v1/assets`).
    pub fn vault_url(&self) -> String {
        format!("{}{VAULT_PREFIX}", self.origin())
    }

    /// `http://127.0.0.1:PORT/sandbox` (faults, request log, clock, playback).
    pub fn sandbox_url(&self) -> String {
        format!("{}{SANDBOX_PREFIX}", self.origin())
    }

    pub fn credentials(&self) -> &SandboxCredentials {
        &self.credentials
    }

    /// The secret that opens the `/sandbox` controls (send it as
    /// `X-Sandbox-Control`); `None` when they are not mounted.
    pub fn control_secret(&self) -> Option<&str> {
        self.control.as_ref().map(ControlSecret::expose)
    }

    /// Human text with the base URLs and credentials.
    pub fn banner(&self) -> String {
        let mut text = banner(
            &self.vaultstream_url(),
            &self.jwt_keys_url(),
            &self.vault_url(),
            &self.sandbox_url(),
            &self.credentials,
            self.control_secret(),
            self.persisted.as_deref(),
        );
        if !self.addr.ip().is_loopback() {
            text.push_str(&format!(
                "\nWarning: listening on {}, not only on loopback: anyone who can reach it can use these credentials.\n",
                self.addr.ip()
            ));
        }
        text
    }

    /// Add a fault rule while running.
    ///
    /// # Panics
    /// When the rule is invalid (status outside 100..=599, rate outside
    /// 0..=1…): a rule built by hand in a test that `/sandbox/faults`
    /// would refuse.
    pub fn add_fault(&self, rule: crate::FaultRule) {
        if let Err(e) = rule.validate() {
            panic!("add_fault({rule}): {e}");
        }
        self.state.faults.add(rule);
    }

    /// Remove every fault rule.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// The requests the three services received (as `GET /sandbox/requests`).
    pub fn requests(&self) -> Vec<crate::LoggedRequest> {
        self.state.request_log.entries()
    }

    /// Move the sandbox clock forward (as `POST /sandbox/clock`).
    ///
    /// # Panics
    /// When `seconds` is negative or moves the clock more than 100 years in
    /// all: a test asking for that has a bug.
    pub fn advance_clock(&self, seconds: i64) {
        if let Err(e) = self.state.clock.advance(seconds) {
            panic!("advance_clock({seconds}): {e}");
        }
    }

    /// Whether the token list reports each token's `last_used_at` (on by
    /// default); off, the sandbox is a service that never reports it.
    pub fn report_last_used(&self, on: bool) {
        self.state
            .reports_last_used
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Change the rate limits while running.
    ///
    /// # Panics
    /// When the window is not 1 s to a day (a bug in the calling test).
    pub fn set_rate_limits(&self, limits: crate::RateLimits) {
        if let Err(e) = limits.validate() {
            panic!("set_rate_limits: {e}");
        }
        self.state.rate_limiter.set_limits(limits);
    }

    /// Stop accepting, let open requests finish (at most 5 s), return.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn app(
    state: AppState,
    upload_limit: u64,
    control: Option<ControlSecret>,
    listening: Listening,
) -> Router {
    Router::new()
        .nest(VAULTSTREAM_PREFIX, vaultstream::router())
        .nest(JWT_KEYS_PREFIX, jwt_keys::router())
        .nest(VAULT_PREFIX, vault::router(upload_limit))
        .nest(SANDBOX_PREFIX, sandbox_api::router(control))
        .fallback(unknown_path)
        .layer(from_fn(rejections::in_envelope))
        .layer(from_fn_with_state(state.clone(), rate_limit::enforce))
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), request_log::record))
        .layer(from_fn_with_state(listening, host::guard))
        .layer(from_fn(context::with_request_id))
        .layer(from_fn_with_state(state.clone(), clock::date_header))
        .layer(from_fn(drain::unread_body))
        .with_state(state)
}

async fn unknown_path() -> ApiError {
    ApiError::status(
        Service::Unknown,
        axum::http::StatusCode::NOT_FOUND,
        format!(
            "no such route: the sandbox serves {VAULTSTREAM_PREFIX}, {JWT_KEYS_PREFIX}, {VAULT_PREFIX} and {SANDBOX_PREFIX}"
        ),
    )
}

/// Returned to hyper to close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for Dropped {}

async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                match accepted {
                    Ok((stream, _)) => serve_connection(&graceful, stream, app.clone()),
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {
            tracing::warn!("sandbox shutdown: requests still open after 5 s");
        }
    }
}

fn serve_connection(
    graceful: &hyper_util::server::graceful::GracefulShutdown,
    stream: tokio::net::TcpStream,
    app: Router,
) {
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let app = app.clone();
        async move {
            let response = match app.oneshot(req).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(Dropped);
            }
            Ok(response)
        }
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sandbox_can_live_in_shared_state() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<super::Sandbox>();
    }
}
