//! The app on Tauri's mock runtime, for the tests that drive its commands
//! as the webview would (`parity/`, `ipc_audit.rs`): its real invoke handler
//! and state, with the plugins the commands use.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use portal_core::profiles::KeyValueStore;
use portal_core::secrets::SecretStore;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

pub struct MockApp {
    webview: WebviewWindow<MockRuntime>,
    /// For listening to the events the commands emit.
    pub app: tauri::App<MockRuntime>,
}

impl MockApp {
    /// The app over `settings` and `secrets`, its data directory `dir`.
    pub fn start(
        settings: Box<dyn KeyValueStore>,
        dir: &Path,
        secrets: Arc<dyn SecretStore>,
    ) -> Self {
        let app = mock_builder()
            .plugin(tauri_plugin_clipboard_manager::init())
            .plugin(tauri_plugin_notification::init())
            .plugin(tauri_plugin_dialog::init())
            .invoke_handler(partner_portal_lib::invoke_handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        partner_portal_lib::manage_state(app.handle(), settings, dir.to_owned(), Some(secrets));
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Self { webview, app }
    }

    /// Invokes `cmd` as the webview would: its answer or its rejection.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: tauri::test::INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }
}
