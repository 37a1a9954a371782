//! Partner Portal desktop app: plugins, state and the IPC commands. The work
//! itself happens in `portal-core`.

// release-guard:begin
// A release build must serve the UI built into the binary. Without Tauri's
// `custom-protocol` feature (tauri-build then sets `cfg(dev)`) the window
// would load `build.devUrl`, http://localhost:5173, where any local process
// could serve it a page with the app's IPC. Debug builds may (`tauri dev`).
#[cfg(all(dev, not(debug_assertions)))]
compile_error!(
    "a release build of partner-portal needs the `custom-protocol` feature \
     (`--features partner-portal/custom-protocol`, as scripts/lib.sh's APP_FEATURES); \
     without it the window would load the UI from http://localhost:5173"
);
// release-guard:end

#[macro_use]
mod commands;
mod copies;
pub mod dto;
mod links;
pub mod memory;
mod retire;
mod reveal;
mod running;
mod sandbox;
mod save_dialog;
mod state;
#[cfg(test)]
mod test_support;
mod updates;
mod warm;

use std::path::PathBuf;
use std::sync::Arc;

use portal_core::profiles::{KeyValueStore, SETTINGS_FILE};
use portal_core::secrets::SecretStore;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::state::{AppCtx, PluginStore};

/// Log level: `PORTAL_LOG=trace|debug|info|warn` (default info).
fn log_level() -> log::LevelFilter {
    std::env::var("PORTAL_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(log::LevelFilter::Info)
}

/// `--data-dir DIR` (tests), else `PORTAL_DATA_DIR`, else the platform's app data dir.
fn data_dir_override() -> Option<std::path::PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            return args.next().map(Into::into);
        }
    }
    std::env::var_os("PORTAL_DATA_DIR").map(Into::into)
}

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match data_dir_override() {
        Some(dir) => dir,
        None => app.path().app_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    let store = app.store(data_dir.join(SETTINGS_FILE))?;
    manage_state(app.handle(), Box::new(PluginStore(store)), data_dir, None);
    links::setup(app.handle());
    updates::check_at_launch(app.handle());
    retire::start(app.handle());
    warm::check_rotations(app.handle());
    Ok(())
}

/// Everything the commands need, managed by `app`: the settings, the data
/// directory, the secret store (`secrets`, or the one the settings name),
/// and the state of reveals, key generation and uploads. Then it starts
/// fetching the token list the window opens on (see warm.rs).
pub fn manage_state<R: Runtime>(
    app: &AppHandle<R>,
    settings: Box<dyn KeyValueStore>,
    data_dir: PathBuf,
    secrets: Option<Arc<dyn SecretStore>>,
) {
    app.manage(match secrets {
        Some(secrets) => AppCtx::with_secrets(settings, data_dir, secrets),
        None => AppCtx::new(settings, data_dir),
    });
    app.manage(reveal::Reveals::default());
    app.manage(copies::Copies::default());
    app.manage(commands::keys::Keygen::default());
    app.manage(commands::scan::Sweeps::default());
    app.manage(commands::assets::Uploads::default());
    app.manage(updates::Updates::default());
    app.manage(links::DeepLinks::default());
    app.manage(warm::StartupTokens::start(app));
}

/// Registers the listed commands (`commands/list.rs`).
macro_rules! handler {
    ($($module:ident :: $name:ident [$($flag:ident),*]),* $(,)?) => {
        tauri::generate_handler![$(commands::$module::$name),*]
    };
}

/// The IPC handler: every command the webview can invoke, from the one list
/// (`build.rs` permits the same names; `tests/ipc_audit.rs` runs each).
pub fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    with_commands!(handler)
}

pub fn run() {
    let app = tauri::Builder::default()
        // First: a second instance hands its arguments over and exits before
        // anything else starts. With the `deep-link` feature, a link among
        // them reaches the deep-link plugin's `on_open_url` (links.rs).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log_level())
                // A few sessions' worth (the default keeps one 40 kB file), so
                // support and the secrets scan of scripts/test.sh see them all.
                .max_file_size(2_000_000)
                .rotation_strategy(tauri_plugin_log::RotationStrategy::KeepSome(4))
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stdout),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: None,
                    }),
                ])
                .build(),
        )
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(setup)
        // A reload (or any navigation) drops the revealed token values and
        // the signed JWTs and share links held for copying. Once the page
        // has loaded, start-up's freed memory goes back (memory.rs).
        .on_page_load(|webview, payload| match payload.event() {
            tauri::webview::PageLoadEvent::Started => reveal::page_loaded(webview.app_handle()),
            tauri::webview::PageLoadEvent::Finished => memory::trim_after_page_load(),
        })
        // Files dropped on the window: remembered here, so `upload_dropped`
        // only takes paths the OS actually dropped.
        .on_webview_event(|webview, event| {
            if let tauri::WebviewEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                if let Some(uploads) = webview.try_state::<commands::assets::Uploads>() {
                    uploads.remember_drop(paths);
                }
            }
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                if let Some(uploads) = window.try_state::<commands::assets::Uploads>() {
                    uploads.remember_drop(paths);
                }
            }
        })
        .invoke_handler(invoke_handler())
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                let ctx = handle.state::<AppCtx>();
                tauri::async_runtime::block_on(ctx.sandbox.stop());
            }
        }),
        Err(e) => {
            eprintln!("Partner Portal could not start: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    /// `cfg(dev)`, which the release guard above relies on, is set exactly
    /// when Tauri's `custom-protocol` feature is off.
    #[test]
    fn the_dev_cfg_follows_the_custom_protocol_feature() {
        assert_eq!(cfg!(dev), !cfg!(feature = "custom-protocol"));
    }
}
