//! A blank Tauri v2 window with one line of static text: the floor that
//! scripts/bench.sh compares Partner Portal's start-up and memory with.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // The same WebKit setting as the app (src-tauri/src/main.rs), so both
    // are measured alike; an explicit setting wins here too.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the baseline window could not start");
}
