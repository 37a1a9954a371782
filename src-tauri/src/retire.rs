//! Scheduled key deletions carried out by the app (#16 §2): once at launch
//! and then every minute while it runs, for every profile with a deletion
//! scheduled, `portal_core::ops::retire::run_due` deletes the keys whose
//! last signed JWT has expired by the service's clock (and records it).
//! When a run deleted or dropped anything, `keys-retired` tells the window
//! (the Keys page reloads). Nothing is asked of any service while nothing
//! is scheduled.

use std::time::Duration;

use portal_core::key_records::KeyRecords;
use portal_core::ops::keys::Cx;
use portal_core::ops::retire::{self, RetireReport};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::{logged, AppCtx};

/// The event sent after a run that deleted (or dropped) a scheduled key.
pub const KEYS_RETIRED: &str = "keys-retired";

/// How often the app looks for due deletions while it runs.
const EVERY: Duration = Duration::from_secs(60);

/// The period: a minute; a debug build's E2E seam may shorten it
/// (`PORTAL_TEST_RETIRE_SECONDS`).
fn period() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("PORTAL_TEST_RETIRE_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
    {
        return Duration::from_secs(secs);
    }
    EVERY
}

/// Starts the checks: the first at once (launch), then every [`period`].
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(period());
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let ctx = handle.state::<AppCtx>();
            let report = run_due(&ctx).await;
            if !(report.deleted.is_empty() && report.already_gone.is_empty()) {
                let _ = handle.emit(KEYS_RETIRED, &report);
            }
        }
    });
}

/// Carries out the due deletions of every profile that has one scheduled;
/// what each did, merged. A profile that cannot be reached is logged and
/// tried again next time.
pub async fn run_due(ctx: &AppCtx) -> RetireReport {
    let mut profiles: Vec<String> = KeyRecords::new(ctx.settings.as_ref())
        .all_scheduled()
        .into_iter()
        .map(|s| s.profile)
        .collect();
    profiles.sort();
    profiles.dedup();
    let mut all = RetireReport::default();
    for name in profiles {
        let ran = async {
            let pc = ctx.context_for(ctx.profiles().get(&name)?).await?;
            let cx = Cx {
                pc: &pc,
                settings: ctx.settings.as_ref(),
                recorder: ctx,
            };
            retire::run_due(cx).await
        };
        match ran.await {
            Ok(out) => {
                let report = logged(out);
                all.deleted.extend(report.deleted);
                all.already_gone.extend(report.already_gone);
                all.pending.extend(report.pending);
                all.failed.extend(report.failed);
            }
            Err(e) => tracing::warn!(
                code = %e.code,
                "scheduled key deletions of profile {name} not checked: {}",
                e.message
            ),
        }
    }
    for f in &all.failed {
        tracing::warn!(
            "scheduled deletion of JWT key {} failed: {}",
            f.kid,
            f.message
        );
    }
    all
}
