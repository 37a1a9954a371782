//! A release build without the `custom-protocol` feature must not compile
//! (it would load the UI from the dev server, http://localhost:5173).
//!
//! A real `cargo check --release` of the app without the feature would
//! re-check the whole Tauri tree in the release profile (minutes on CI's two
//! cores). Instead the guard itself, cut from `src/lib.rs` between its
//! markers, is compiled by `rustc` as a one-file crate under the cfgs a
//! release build without the feature has (`dev`, no debug assertions) and
//! under those it must accept; `lib.rs`'s own unit test checks that
//! tauri-build really sets `cfg(dev)` when the feature is off. The scripts
//! that build the app in release are checked to pass the feature.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn guard() -> String {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("src/lib.rs");
    let begin = lib.find("// release-guard:begin").expect("begin marker");
    let end = lib.find("// release-guard:end").expect("end marker");
    lib[begin..end].to_owned()
}

/// Compiles the guard alone; `Err(stderr)` when rustc refuses it.
fn compile(args: &[&str]) -> Result<(), String> {
    let dir = tempfile_dir();
    let src = dir.join("probe.rs");
    std::fs::write(&src, guard()).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .args([
            "--crate-type",
            "lib",
            "--edition",
            "2021",
            "--emit",
            "metadata",
        ])
        .args([
            "--check-cfg",
            "cfg(dev)",
            "--check-cfg",
            "cfg(feature, values(\"custom-protocol\"))",
        ])
        .arg("--out-dir")
        .arg(&dir)
        .args(args)
        .arg(&src)
        .output()
        .expect("rustc runs");
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "portal-release-guard-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_release_build_without_custom_protocol_does_not_compile() {
    let err = compile(&["--cfg", "dev", "-C", "debug-assertions=off"])
        .expect_err("the guard must refuse a release build that would load localhost:5173");
    assert!(
        err.contains("needs the `custom-protocol` feature") && err.contains("localhost:5173"),
        "{err}"
    );
}

#[test]
fn debug_builds_and_release_builds_with_the_feature_compile() {
    compile(&["--cfg", "dev", "-C", "debug-assertions=on"]).unwrap();
    compile(&[
        "-C",
        "debug-assertions=off",
        "--cfg",
        "feature=\"custom-protocol\"",
    ])
    .unwrap();
}

#[test]
fn the_scripts_build_release_with_the_feature() {
    let scripts = root().join("../scripts");
    let lib = std::fs::read_to_string(scripts.join("lib.sh")).unwrap();
    assert!(
        lib.contains("APP_FEATURES=(--features partner-portal/custom-protocol)"),
        "scripts/lib.sh must define APP_FEATURES with the feature"
    );
    let mut checked = 0;
    for entry in std::fs::read_dir(&scripts).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sh") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let builds_app = line.contains("cargo ")
                && line.contains("--release")
                && line.contains("partner-portal");
            if builds_app {
                checked += 1;
                assert!(
                    line.contains("APP_FEATURES") || line.contains("custom-protocol"),
                    "{}: a release build of the app without the feature: {line}",
                    path.display()
                );
            }
        }
    }
    assert!(
        checked >= 2,
        "run-app.sh and bench.sh build the app in release"
    );
}
