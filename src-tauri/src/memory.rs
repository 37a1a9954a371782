//! The app process's heap on Linux with glibc: few malloc arenas, and the
//! free memory handed back to the system once start-up has settled and
//! then now and again.
//!
//! glibc gives each thread that allocates an arena of its own (up to eight
//! per core), and keeps what was freed in them. Start-up (plugins, the first
//! token list, the IPC answers) leaves a few megabytes free but resident in
//! several arenas; `docs/PERFORMANCE.md` (memory) has the figures. Elsewhere
//! these are no-ops.
//!
//! The only `unsafe` in the workspace (the lint denies it elsewhere): two
//! calls into glibc that take plain integers and touch no memory of ours.
#![allow(unsafe_code)]

use std::time::Duration;

/// After the page has loaded, this long before the first trim: the page's
/// first calls have been answered by then.
pub const AFTER_LOAD: Duration = Duration::from_secs(1);
/// Then one trim this often, for what later work (a large list, a scan)
/// freed.
pub const EVERY: Duration = Duration::from_secs(300);

/// At most two malloc arenas for the app process. Call first thing in
/// `main`, before any thread starts.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter; called before any
    // thread of ours exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands the heap's free pages back to the system.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim is thread-safe; it takes each arena's lock.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Trims [`AFTER_LOAD`] after the page loaded, then every [`EVERY`].
pub fn trim_after_page_load() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        tauri::async_runtime::spawn(async {
            tokio::time::sleep(AFTER_LOAD).await;
            loop {
                trim();
                tokio::time::sleep(EVERY).await;
            }
        });
    });
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// Resident pages of this process (`/proc/self/statm`), in bytes.
    fn resident() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
        pages * 4096
    }

    #[test]
    fn a_trim_hands_freed_heap_back() {
        // 64 MB in 64 kB blocks (below the mmap threshold, so they live in
        // the heap), every other one freed: the heap cannot shrink from its
        // top, only a trim returns the free pages between.
        let mut blocks: Vec<Vec<u8>> = (0..1024).map(|i| vec![i as u8; 64 * 1024]).collect();
        let mut kept = Vec::new();
        for (i, b) in blocks.drain(..).enumerate() {
            if i % 2 == 0 {
                kept.push(b);
            }
        }
        std::hint::black_box(&kept);
        let before = resident();
        super::trim();
        let after = resident();
        assert!(
            after + 16 * 1024 * 1024 < before,
            "a trim returned {} kB of the 32 MB freed",
            before.saturating_sub(after) / 1024
        );
        drop(kept);
    }
}
