//! Signed updates (issue 17 §2), through `tauri-plugin-updater`.
//!
//! The feed and the minisign public key are in `tauri.conf.json`
//! (`plugins.updater`); a build without them (development, the tests' mock
//! app) says "not configured" and never reaches out. The app checks at
//! launch, at most once a day, unless switched off, and on *Check now*. It
//! installs only when asked, and never while a one-time reveal is open or
//! an upload runs. A package whose signature does not verify with the key
//! in the config is refused before anything is written; a feed that cannot
//! be reached is a status, not an error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use portal_core::profiles::KeyValueStore;
use portal_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};
use tokio::sync::Notify;
use ts_rs::TS;

/// Settings key: `{ "enabled": bool, "lastCheck": RFC 3339 }`.
const SETTINGS_KEY: &str = "updates";
/// The launch check runs when the last one is older than this.
const CHECK_EVERY: Duration = Duration::hours(24);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    /// `None`: never set, which means on.
    enabled: Option<bool>,
    last_check: Option<DateTime<Utc>>,
}

/// What the last check found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(
    tag = "state",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum UpdateStatus {
    /// This build names no update feed (a development build).
    NotConfigured,
    UpToDate {
        current: String,
        checked_at: DateTime<Utc>,
    },
    Available {
        current: String,
        version: String,
        /// The release notes, as the feed gives them (plain text).
        notes: Option<String>,
        /// The release date, as the feed gives it.
        date: Option<String>,
    },
    /// The feed could not be reached or read: shown quietly, not as an error.
    Unreachable {
        message: String,
        checked_at: DateTime<Utc>,
    },
}

/// Settings → Updates.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateSettings {
    /// Check at launch (at most once a day).
    pub enabled: bool,
    pub last_check: Option<DateTime<Utc>>,
    /// The last check's result in this run, if any.
    pub status: Option<UpdateStatus>,
}

/// The largest update download taken: the plugin holds it in memory, so a
/// hostile feed could otherwise send without end. A release package is a
/// few tens of MB.
const MAX_DOWNLOAD_BYTES: u64 = 256 * 1024 * 1024;

/// The update found by the last check, kept for *Install*, and that check's result.
pub struct Updates {
    pending: Mutex<Option<Update>>,
    last: Mutex<Option<UpdateStatus>>,
    /// The largest download taken (`MAX_DOWNLOAD_BYTES`; smaller in tests).
    max_bytes: u64,
}

impl Default for Updates {
    fn default() -> Self {
        Self {
            pending: Mutex::default(),
            last: Mutex::default(),
            max_bytes: MAX_DOWNLOAD_BYTES,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn stored(settings: &dyn KeyValueStore) -> Stored {
    settings
        .get(SETTINGS_KEY)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn store(settings: &dyn KeyValueStore, s: &Stored) -> Result<()> {
    let value = serde_json::to_value(s).map_err(|e| Error::internal(e.to_string()))?;
    settings.set(SETTINGS_KEY, value)
}

/// Whether this build names an update feed.
pub fn configured<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.config().plugins.0.contains_key("updater")
}

impl Updates {
    pub fn settings(&self, settings: &dyn KeyValueStore) -> UpdateSettings {
        let s = stored(settings);
        UpdateSettings {
            enabled: s.enabled.unwrap_or(true),
            last_check: s.last_check,
            status: lock(&self.last).clone(),
        }
    }

    pub fn set_enabled(
        &self,
        settings: &dyn KeyValueStore,
        enabled: bool,
    ) -> Result<UpdateSettings> {
        let mut s = stored(settings);
        s.enabled = Some(enabled);
        store(settings, &s)?;
        Ok(self.settings(settings))
    }

    /// Whether the launch check should run now: on, and none in the last day.
    pub fn due(&self, settings: &dyn KeyValueStore, now: DateTime<Utc>) -> bool {
        let s = stored(settings);
        s.enabled.unwrap_or(true) && s.last_check.is_none_or(|at| now - at >= CHECK_EVERY)
    }

    /// Asks the feed. Never an error for a feed that cannot be reached.
    pub async fn check<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        settings: &dyn KeyValueStore,
    ) -> Result<UpdateStatus> {
        if !configured(app) {
            return Ok(UpdateStatus::NotConfigured);
        }
        let now = Utc::now();
        let current = app.package_info().version.to_string();
        let found = {
            // On Linux the plugin's `check` sets SSL_CERT_FILE and
            // SSL_CERT_DIR to Debian's paths when they are unset, for the
            // whole process. Core's TLS reads them too (an SSL_CERT_FILE that
            // names nothing is a config error), so they are unset again
            // afterwards: elsewhere (Fedora) that path does not exist.
            let _restore = UnsetAfter::unset_now(&["SSL_CERT_FILE", "SSL_CERT_DIR"]);
            match app.updater() {
                Ok(updater) => updater.check().await,
                Err(e) => Err(e),
            }
        };
        let status = match found {
            Ok(Some(update)) => {
                let status = UpdateStatus::Available {
                    current,
                    version: update.version.clone(),
                    notes: update.body.clone().filter(|b| !b.trim().is_empty()),
                    date: update.date.map(|d| d.to_string()),
                };
                *lock(&self.pending) = Some(update);
                status
            }
            Ok(None) => {
                *lock(&self.pending) = None;
                UpdateStatus::UpToDate {
                    current,
                    checked_at: now,
                }
            }
            Err(e) => {
                tracing::info!(error = %e, "the update feed could not be read");
                UpdateStatus::Unreachable {
                    message: format!("The update feed could not be reached or read ({e})."),
                    checked_at: now,
                }
            }
        };
        let mut s = stored(settings);
        s.last_check = Some(now);
        store(settings, &s)?;
        *lock(&self.last) = Some(status.clone());
        Ok(status)
    }

    /// The update the last check found, downloaded and verified against the
    /// public key in the config: its bytes, or an error that says why.
    pub async fn download(&self) -> Result<(Update, Vec<u8>)> {
        let update = lock(&self.pending)
            .clone()
            .ok_or_else(|| Error::validation("No update is waiting: check for updates first."))?;
        // The download is dropped (the connection closed) once it says or
        // sends more than the limit.
        let received = AtomicU64::new(0);
        let over = Notify::new();
        let on_chunk = |chunk: usize, length: Option<u64>| {
            let so_far = received.fetch_add(chunk as u64, Ordering::Relaxed) + chunk as u64;
            if so_far > self.max_bytes || length.is_some_and(|l| l > self.max_bytes) {
                over.notify_one();
            }
        };
        let too_large = || {
            Error::new(
                ErrorCode::BadResponse,
                format!(
                    "The update {} is larger than {} MB: it was refused and nothing was installed.",
                    update.version,
                    self.max_bytes / (1024 * 1024)
                ),
            )
        };
        let downloaded = tokio::select! {
            result = update.download(on_chunk, || {}) => result,
            () = over.notified() => return Err(too_large()),
        };
        if received.load(Ordering::Relaxed) > self.max_bytes {
            return Err(too_large());
        }
        let bytes = downloaded.map_err(|e| {
            use tauri_plugin_updater::Error as E;
            match e {
                E::Minisign(_) | E::SignatureUtf8(_) | E::Base64(_) => Error::new(
                    ErrorCode::BadResponse,
                    format!(
                        "The downloaded update {} is not signed with this app's update key: \
                         it was refused and nothing was installed.",
                        update.version
                    ),
                ),
                other => Error::new(
                    ErrorCode::Unavailable,
                    format!(
                        "The update {} could not be downloaded: {other}",
                        update.version
                    ),
                ),
            }
        })?;
        Ok((update, bytes))
    }

    /// Downloads, verifies and installs the update the last check found.
    /// Refused while a one-time reveal is open or an upload runs. The app
    /// restarts afterwards (the caller).
    pub async fn install(&self, busy: Option<&str>) -> Result<String> {
        if let Some(what) = busy {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("The update waits until {what}: install it afterwards."),
            ));
        }
        let (update, bytes) = self.download().await?;
        update.install(bytes).map_err(|e| {
            Error::internal(format!(
                "The update {} could not be installed: {e}",
                update.version
            ))
        })?;
        *lock(&self.pending) = None;
        Ok(update.version)
    }
}

/// Unsets, when dropped, the variables of a list that were unset when it
/// was made.
struct UnsetAfter(Vec<&'static str>);

impl UnsetAfter {
    fn unset_now(names: &[&'static str]) -> Self {
        Self(
            names
                .iter()
                .copied()
                .filter(|n| std::env::var_os(n).is_none())
                .collect(),
        )
    }
}

impl Drop for UnsetAfter {
    fn drop(&mut self) {
        for name in &self.0 {
            std::env::remove_var(name);
        }
    }
}

/// At launch: one check when due, in the background; an available update
/// is announced to the window (`update-available`).
pub fn check_at_launch<R: Runtime>(app: &AppHandle<R>) {
    if !configured(app) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let ctx = app.state::<crate::state::AppCtx>();
        let updates = app.state::<Updates>();
        if !updates.due(ctx.settings.as_ref(), Utc::now()) {
            return;
        }
        if let Ok(status @ UpdateStatus::Available { .. }) =
            updates.check(&app, ctx.settings.as_ref()).await
        {
            use tauri::Emitter;
            let _ = app.emit("update-available", status);
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::Engine as _;
    use portal_core::profiles::SettingsFile;
    use serde_json::json;
    use std::sync::Arc;
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    /// A throwaway minisign key pair: the public key as the config wants it,
    /// and a signer giving the feed's `signature` field.
    fn keys() -> (String, impl Fn(&[u8]) -> String) {
        let minisign::KeyPair { pk, sk } =
            minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let public = B64.encode(pk.to_box().unwrap().to_string());
        let sign = move |data: &[u8]| {
            let sig =
                minisign::sign(Some(&pk), &sk, std::io::Cursor::new(data), None, None).unwrap();
            B64.encode(sig.to_string())
        };
        (public, sign)
    }

    /// The local update feed: `/feed` answers `manifest` (with `{base}`
    /// replaced by the feed's own URL), `/artifact` answers `artifact`.
    async fn feed(manifest: serde_json::Value, artifact: Vec<u8>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let manifest = manifest.to_string().replace("{base}", &base);
        let artifact = Arc::new(artifact);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (manifest, artifact) = (manifest.clone(), artifact.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        let n = stream.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        request.extend_from_slice(&buf[..n]);
                    }
                    let line = String::from_utf8_lossy(&request);
                    let (kind, body) = if line.starts_with("GET /artifact") {
                        ("application/octet-stream", artifact.to_vec())
                    } else {
                        ("application/json", manifest.into_bytes())
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                });
            }
        });
        base
    }

    fn manifest(version: &str, signature: &str) -> serde_json::Value {
        let release = json!({ "signature": signature, "url": "{base}/artifact" });
        json!({
            "version": version,
            "notes": "Faster lists.",
            "pub_date": "2026-12-01T00:00:00Z",
            "platforms": { "linux-x86_64": release, "linux-aarch64": release }
        })
    }

    /// A mock app with the updater plugin reading `endpoint` with `pubkey`.
    fn app_with_feed(endpoint: &str, pubkey: &str) -> tauri::App<MockRuntime> {
        let mut context = mock_context(noop_assets());
        context.config_mut().plugins.0.insert(
            "updater".into(),
            json!({ "pubkey": pubkey, "endpoints": [endpoint], "dangerousInsecureTransportProtocol": true }),
        );
        mock_builder()
            .plugin(tauri_plugin_updater::Builder::new().build())
            .build(context)
            .unwrap()
    }

    fn settings() -> (tempfile_dir::Dir, SettingsFile) {
        let dir = tempfile_dir::Dir::new();
        let file = SettingsFile::open(dir.0.join("settings.json")).unwrap();
        (dir, file)
    }

    /// A throwaway directory, removed on drop (no tempfile crate here).
    mod tempfile_dir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let dir = crate::test_support::temp_dir("portal-updates-");
                Self(dir)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[tokio::test]
    async fn a_signed_update_is_offered_and_its_download_verifies() {
        let (public, sign) = keys();
        let artifact = b"the new version".to_vec();
        let base = feed(manifest("9.9.9", &sign(&artifact)), artifact.clone()).await;
        let app = app_with_feed(&format!("{base}/feed"), &public);
        let (_dir, settings) = settings();
        let updates = Updates::default();
        let status = updates.check(app.handle(), &settings).await.unwrap();
        assert_eq!(
            status,
            UpdateStatus::Available {
                current: "0.1.0".into(),
                version: "9.9.9".into(),
                notes: Some("Faster lists.".into()),
                date: status_date(&status),
            }
        );
        let (update, bytes) = updates.download().await.unwrap();
        assert_eq!(update.version, "9.9.9");
        assert_eq!(bytes, artifact);
        assert!(updates.settings(&settings).last_check.is_some());
    }

    fn status_date(status: &UpdateStatus) -> Option<String> {
        match status {
            UpdateStatus::Available { date, .. } => {
                assert!(
                    date.as_deref().is_some_and(|d| d.starts_with("2026-12-01")),
                    "{date:?}"
                );
                date.clone()
            }
            other => panic!("not available: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_tampered_artifact_is_refused_and_nothing_is_installed() {
        let (public, sign) = keys();
        let signed = b"the new version".to_vec();
        let base = feed(
            manifest("9.9.9", &sign(&signed)),
            b"the new version, altered".to_vec(),
        )
        .await;
        let app = app_with_feed(&format!("{base}/feed"), &public);
        let (_dir, settings) = settings();
        let updates = Updates::default();
        updates.check(app.handle(), &settings).await.unwrap();
        let e = updates.install(None).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(
            e.message.contains("not signed with this app's update key"),
            "{}",
            e.message
        );
        // Signed by another key: refused the same way.
        let (_, other_sign) = keys();
        let base = feed(manifest("9.9.9", &other_sign(&signed)), signed).await;
        let app = app_with_feed(&format!("{base}/feed"), &public);
        updates.check(app.handle(), &settings).await.unwrap();
        let e = updates.download().await.err().expect("refused");
        assert_eq!(e.code, ErrorCode::BadResponse, "{}", e.message);
    }

    #[tokio::test]
    async fn a_download_over_the_limit_is_refused() {
        let (public, sign) = keys();
        let artifact = vec![7u8; 4096];
        let base = feed(manifest("9.9.9", &sign(&artifact)), artifact).await;
        let app = app_with_feed(&format!("{base}/feed"), &public);
        let (_dir, settings) = settings();
        let updates = Updates {
            max_bytes: 1024,
            ..Updates::default()
        };
        updates.check(app.handle(), &settings).await.unwrap();
        let e = updates.install(None).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.contains("is larger than"), "{}", e.message);
        // Within the limit, the same feed's update downloads.
        let updates = Updates {
            max_bytes: 4096,
            ..Updates::default()
        };
        updates.check(app.handle(), &settings).await.unwrap();
        assert_eq!(updates.download().await.unwrap().1.len(), 4096);
    }

    #[tokio::test]
    async fn no_newer_version_reads_up_to_date() {
        let (public, sign) = keys();
        let base = feed(manifest("0.0.1", &sign(b"old")), b"old".to_vec()).await;
        let app = app_with_feed(&format!("{base}/feed"), &public);
        let (_dir, settings) = settings();
        let updates = Updates::default();
        let status = updates.check(app.handle(), &settings).await.unwrap();
        assert!(
            matches!(status, UpdateStatus::UpToDate { ref current, .. } if current == "0.1.0"),
            "{status:?}"
        );
        let e = updates.download().await.err().expect("nothing to download");
        assert_eq!(e.code, ErrorCode::Validation);
    }

    #[test]
    fn variables_unset_before_are_unset_after() {
        const NAME: &str = "PORTAL_TEST_UNSET_AFTER";
        std::env::remove_var(NAME);
        {
            let _restore = UnsetAfter::unset_now(&[NAME]);
            std::env::set_var(NAME, "/etc/ssl/certs/ca-certificates.crt");
        }
        assert!(std::env::var_os(NAME).is_none());
        std::env::set_var(NAME, "mine");
        {
            let _restore = UnsetAfter::unset_now(&[NAME]);
        }
        assert_eq!(std::env::var(NAME).unwrap(), "mine");
        std::env::remove_var(NAME);
    }

    #[tokio::test]
    async fn a_feed_out_of_reach_is_a_quiet_status_not_an_error() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}/feed", closed.local_addr().unwrap());
        drop(closed);
        let (public, _) = keys();
        let app = app_with_feed(&endpoint, &public);
        let (_dir, settings) = settings();
        let updates = Updates::default();
        let status = updates.check(app.handle(), &settings).await.unwrap();
        assert!(
            matches!(status, UpdateStatus::Unreachable { .. }),
            "{status:?}"
        );
        assert_eq!(updates.settings(&settings).status, Some(status));
    }

    #[tokio::test]
    async fn an_update_waits_for_the_reveal_and_the_upload() {
        let updates = Updates::default();
        let e = updates
            .install(Some("the one-time reveal is closed"))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.message.contains("one-time reveal"), "{}", e.message);
    }

    #[tokio::test]
    async fn a_build_without_a_feed_never_checks() {
        let app = mock_builder().build(mock_context(noop_assets())).unwrap();
        let (_dir, settings) = settings();
        let status = Updates::default()
            .check(app.handle(), &settings)
            .await
            .unwrap();
        assert_eq!(status, UpdateStatus::NotConfigured);
        assert_eq!(Updates::default().settings(&settings).last_check, None);
    }

    #[test]
    fn the_launch_check_runs_once_a_day_and_can_be_switched_off() {
        let (_dir, settings) = settings();
        let updates = Updates::default();
        let now = Utc::now();
        assert!(updates.due(&settings, now));
        store(
            &settings,
            &Stored {
                enabled: None,
                last_check: Some(now - Duration::hours(23)),
            },
        )
        .unwrap();
        assert!(!updates.due(&settings, now));
        assert!(updates.due(&settings, now + Duration::hours(1)));
        let off = updates.set_enabled(&settings, false).unwrap();
        assert!(!off.enabled);
        assert!(!updates.due(&settings, now + Duration::days(2)));
    }
}
