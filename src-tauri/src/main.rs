//! The desktop app's entry point: a few process-wide settings, then
//! `partner_portal_lib::run`.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Few malloc arenas, so start-up's freed memory stays in fewer places
    // (memory.rs): before any thread starts.
    partner_portal_lib::memory::limit_arenas();
    // WebKitGTK's accelerated compositing stops repainting under X servers
    // without GPU acceleration (Xvfb, some VMs and remote desktops) and costs
    // ~50 MB; this UI is plain DOM and needs none of it. An explicit setting
    // by the user wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    // JavaScriptCore's optimising DFG (and FTL) tiers: the web process pages
    // in their compilers (~6 MB) as soon as the shell's code gets warm, yet no
    // script here runs long enough to need them: the interpreter and the
    // baseline JIT keep every figure in docs/PERFORMANCE.md (the 100 000-row
    // list included) within its target. An explicit setting by the user wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_useDFGJIT").is_none() {
        std::env::set_var("JSC_useDFGJIT", "0");
    }
    // The same for WebKit's processes (they read it when they start).
    #[cfg(target_os = "linux")]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        std::env::set_var("MALLOC_ARENA_MAX", "2");
    }
    partner_portal_lib::run();
}
