//! Generates the permissions of the app's own commands, from the one list in
//! `src/commands/list.rs`; the capability in `capabilities/main.json` grants
//! exactly these (written from the same list by `tests/commands.rs`).

include!("src/commands/list.rs");

/// The names of the listed commands. A command missing there cannot be invoked.
macro_rules! names {
    ($($module:ident :: $name:ident [$($flag:ident),*]),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(names);

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e}"));
}
