//! The token list of the active profile, fetched while the window loads,
//! and the launch check of its pending rotations ([`check_rotations`]).
//!
//! The window opens on the Tokens page. Its WebKit process takes ~250 ms to
//! start and load the page, during which the back end has nothing to do; so
//! `setup` starts the list's keychain read and request right away, and the
//! page's first `list_tokens` takes the answer instead of starting its own.
//! The answer is used once, only for the profile it was fetched for and only
//! while it is fresh; a failed fetch is forgotten, and the command asks
//! again in the usual way (so its error is reported as any other).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use portal_core::context::ProfileContext;
use portal_core::ops::{self, tokens::RotationsReport};
use portal_core::secrets::Item;
use portal_core::token_records::TokenRecords;
use portal_core::vaultstream::ApiToken;
use portal_core::{Result, Service};
use tauri::async_runtime::{self, JoinHandle};
use tauri::{AppHandle, Manager, Runtime};

use crate::commands::tokens::notify;
use crate::state::AppCtx;

/// How old a start-up answer may be when the page asks: the page asks within
/// a second of launch; later than this, the list is fetched afresh.
pub const FRESH_FOR: Duration = Duration::from_secs(10);

/// Every token of the profile, all pages, with its stored VaultStream credential.
pub async fn fetch_tokens(pc: &ProfileContext) -> Result<Vec<ApiToken>> {
    let credential = pc.credential(Item::VaultStreamToken, Service::VaultStream)?;
    pc.tokens(&credential).list_all().await
}

/// At launch: settles the active profile's pending rotations
/// (`ops::tokens::check_rotations`: revokes old tokens gone quiet, records
/// the rest) and notifies about each old token still in use past its
/// deadline, by name. A failure is only logged: the Tokens page shows the
/// states again.
pub fn check_rotations<R: Runtime>(app: &AppHandle<R>) {
    let ctx = app.state::<AppCtx>();
    let Some(profile) = ctx.profiles().active_name() else {
        return;
    };
    // Nothing pending (the usual launch): no context, no request.
    if TokenRecords::new(ctx.settings.as_ref())
        .reminders(&profile)
        .is_empty()
    {
        return;
    }
    let handle = app.clone();
    async_runtime::spawn(async move {
        let ctx = handle.state::<AppCtx>();
        match settle_rotations(&ctx).await {
            Ok(report) => {
                for r in report.in_use_past_deadline() {
                    notify(&handle, "Old token still in use", &r.detail);
                }
            }
            Err(e) => tracing::info!(code = ?e.code, "rotation check: {}", e.message),
        }
    });
}

async fn settle_rotations(ctx: &AppCtx) -> Result<RotationsReport> {
    let pc = ctx.active_context().await?;
    let done = ops::tokens::check_rotations(&pc, ctx, ctx.settings.as_ref(), true).await?;
    Ok(crate::state::logged(done))
}

struct Pending {
    profile: String,
    started: Instant,
    task: JoinHandle<Result<Vec<ApiToken>>>,
}

/// The fetch started at launch, until the first `list_tokens` takes it.
#[derive(Default)]
pub struct StartupTokens(Mutex<Option<Pending>>);

impl StartupTokens {
    /// Starts fetching the active profile's tokens, if there is an active
    /// profile; the app's [`AppCtx`] must be managed already.
    pub fn start<R: Runtime>(app: &AppHandle<R>) -> Self {
        let Some(profile) = app.state::<AppCtx>().profiles().active_name() else {
            return Self::default();
        };
        let handle = app.clone();
        let task = async_runtime::spawn(async move {
            let ctx = handle.state::<AppCtx>();
            fetch_tokens(&ctx.active_context().await?).await
        });
        Self(Mutex::new(Some(Pending {
            profile,
            started: Instant::now(),
            task,
        })))
    }

    /// The list fetched at launch, if it is for `profile`, was started less
    /// than `fresh_for` ago and succeeded. Only the first call can get it.
    pub async fn take(&self, profile: &str, fresh_for: Duration) -> Option<Vec<ApiToken>> {
        let pending = self.0.lock().unwrap_or_else(|p| p.into_inner()).take()?;
        if pending.profile != profile || pending.started.elapsed() > fresh_for {
            pending.task.abort();
            return None;
        }
        match pending.task.await {
            Ok(Ok(tokens)) => Some(tokens),
            Ok(Err(e)) => {
                tracing::debug!(code = ?e.code, "the start-up token list failed; asking again");
                None
            }
            Err(e) => {
                tracing::debug!("the start-up token list did not finish: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use portal_core::secrets::EntryName;
    use portal_core::vaultstream::NewToken;

    use super::*;
    use crate::commands::profiles::explore_sandbox;
    use crate::test_support::{app_in, sandbox_app, temp_dir};

    async fn fresh(app: &tauri::App<tauri::test::MockRuntime>) -> Vec<ApiToken> {
        let ctx = app.state::<AppCtx>();
        fetch_tokens(&ctx.active_context().await.unwrap())
            .await
            .unwrap()
    }

    fn ids(tokens: &[ApiToken]) -> Vec<&str> {
        tokens.iter().map(|t| t.id.as_str()).collect()
    }

    /// Creates a read-only token named `name` in the active profile.
    async fn create_token(app: &tauri::App<tauri::test::MockRuntime>, name: &str) -> ApiToken {
        let ctx = app.state::<AppCtx>();
        let pc = ctx.active_context().await.unwrap();
        let credential = pc
            .credential(Item::VaultStreamToken, Service::VaultStream)
            .unwrap();
        let new = NewToken {
            name: name.into(),
            scopes: vec!["content:read".into()],
            expires_at: None,
        };
        pc.tokens(&credential).create(&new).await.unwrap().token
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_launch_fetch_serves_the_first_ask_once_for_its_profile() {
        let dir = temp_dir("pp-warm");
        let app = app_in(&dir);

        // No profile yet: nothing is fetched.
        let none = StartupTokens::start(app.handle());
        assert!(none.take("Sandbox", FRESH_FOR).await.is_none());

        explore_sandbox(app.state()).await.unwrap();
        let expected = fresh(&app).await;
        assert!(!expected.is_empty(), "the sandbox seeds tokens");

        // Another profile's ask does not get it, and it is gone afterwards.
        let warm = StartupTokens::start(app.handle());
        assert!(warm.take("Production", FRESH_FOR).await.is_none());
        assert!(warm.take("Sandbox", FRESH_FOR).await.is_none());

        // Too old: not used.
        let warm = StartupTokens::start(app.handle());
        assert!(warm.take("Sandbox", Duration::ZERO).await.is_none());

        // The first ask gets the list as it was at launch; the next ones nothing.
        let warm = StartupTokens::start(app.handle());
        let got = warm.take("Sandbox", FRESH_FOR).await.unwrap();
        assert_eq!(ids(&got), ids(&expected));
        assert!(warm.take("Sandbox", FRESH_FOR).await.is_none());

        // A token created after launch is in the next fetch (the caller's).
        let created = create_token(&app, "After launch").await;
        assert!(ids(&fresh(&app).await).contains(&created.id.as_str()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_launch_fetch_is_forgotten() {
        let (app, dir) = sandbox_app("pp-warm").await;
        // The credential is gone: the launch fetch fails, and the ask gets
        // nothing (the command then fetches and reports the error itself).
        let ctx = app.state::<AppCtx>();
        let pc = ctx.active_context().await.unwrap();
        pc.secrets
            .delete(&EntryName::new(
                pc.profile.name.clone(),
                Item::VaultStreamToken,
            ))
            .unwrap();
        let warm = StartupTokens::start(app.handle());
        assert!(warm.take("Sandbox", FRESH_FOR).await.is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The launch check acts on the active profile's pending rotations: one
    /// due now (quiet period 0) is revoked, its record gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_launch_check_revokes_a_due_rotation() {
        let (app, dir) = sandbox_app("pp-warm-rotations").await;
        let old = create_token(&app, "Leaked").await;
        let ctx = app.state::<AppCtx>();
        let now = chrono::Utc::now();
        let records = TokenRecords::new(ctx.settings.as_ref());
        records
            .add_reminder(portal_core::token_records::RotationReminder {
                profile: "Sandbox".into(),
                old_id: old.id.clone(),
                old_name: old.name.clone(),
                new_id: "tok_new".into(),
                new_name: old.name.clone(),
                created_at: now,
                remind_at: now,
                quiet_period_seconds: 0,
                deadline: None,
                noted: None,
            })
            .unwrap();

        let report = settle_rotations(&ctx).await.unwrap();
        assert_eq!(
            report.rotations[0].state,
            portal_core::token_records::RotationState::Revoked
        );
        assert!(!ids(&fresh(&app).await).contains(&old.id.as_str()));
        assert!(records.reminders("Sandbox").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
