//! Invariants of core's shape, read off its sources and `Cargo.lock`
//! (ARCHITECTURE.md names each):
//!
//! - core depends on no Tauri, GTK or WebKit crate, however indirectly;
//! - the transport (`src/http/`) knows no service's envelope or client, and
//!   `envelope.rs` depends on nothing but `service.rs`;
//! - no two core modules import each other, directly or around a cycle.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The code of a file: comments and `#[cfg(test)]` modules left out.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`http/call.rs` → `http`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The core modules a piece of code names: `crate::x`, and each name in
/// `use crate::{x, y::…}`.
fn named_modules(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find("};").unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        } else {
            out.insert(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    out.retain(|m| modules.contains(m));
    out
}

/// `module -> the modules it names`, over every core source file.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| top_module(f))
        .filter(|m| m != "lib")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = top_module(file);
        if module == "lib" {
            continue;
        }
        let mut names = named_modules(&code(file), &modules);
        names.remove(&module);
        graph.entry(module).or_default().extend(names);
    }
    graph
}

/// The strongly connected components of more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    // Reachability by repeated search: the graph has a few dozen nodes.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_owned()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for (m, r) in &reaches {
        let component: BTreeSet<String> = r
            .iter()
            .filter(|o| *o != *m && reaches.get(o).is_some_and(|back| back.contains(*m)))
            .cloned()
            .chain(std::iter::once((*m).clone()))
            .collect();
        if component.len() > 1 && !out.contains(&component) {
            out.push(component);
        }
    }
    out
}

#[test]
fn no_import_cycle_between_core_modules() {
    let graph = module_graph();
    assert!(graph.len() > 20, "the sources could not be read");
    let found = cycles(&graph);
    let shown: Vec<String> = found
        .iter()
        .map(|c| {
            c.iter()
                .map(|m| {
                    let inside: Vec<&String> = graph[m].iter().filter(|n| c.contains(*n)).collect();
                    format!("{m} -> {inside:?}")
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    assert!(found.is_empty(), "core modules in a cycle: {shown:#?}");
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    graph.insert("c".into(), ["a".to_owned()].into());
    graph.insert("d".into(), ["a".to_owned()].into());
    let found = cycles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0], ["a", "b", "c"].map(String::from).into());
}

#[test]
fn the_transport_knows_no_envelope_or_client() {
    let graph = module_graph();
    let allowed: BTreeSet<&str> = [
        "error", "network", "origin", "secret", "service", "envelope", "clock",
    ]
    .into();
    let named: BTreeSet<&str> = graph["http"].iter().map(String::as_str).collect();
    let extra: Vec<&&str> = named.difference(&allowed).collect();
    assert!(extra.is_empty(), "http/ names {extra:?}");
    let envelope: Vec<&String> = graph["envelope"].iter().collect();
    assert_eq!(envelope, ["service"], "envelope.rs must stand alone");
}

#[test]
fn core_depends_on_no_tauri_gtk_or_webkit_crate() {
    let lock =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"))
            .unwrap();
    // name -> the names of its dependencies, from each [[package]] block.
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in lock.split("[[package]]").skip(1) {
        let name = block
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .map(|n| n.trim_end_matches('"').to_owned())
            .unwrap();
        let list = block
            .split("dependencies = [")
            .nth(1)
            .and_then(|d| d.split(']').next())
            .unwrap_or_default();
        let names = list
            .lines()
            .filter_map(|l| l.trim().trim_end_matches(',').strip_prefix('"'))
            .map(|d| {
                d.trim_end_matches('"')
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        deps.entry(name).or_default().extend::<Vec<String>>(names);
    }
    assert!(
        deps.contains_key("tauri"),
        "the lock file could not be read"
    );
    let mut seen = BTreeSet::new();
    let mut todo = vec!["portal-core".to_owned()];
    while let Some(p) = todo.pop() {
        for d in deps.get(&p).into_iter().flatten() {
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    let ui: Vec<&String> = seen
        .iter()
        .filter(|p| {
            p.starts_with("tauri")
                || p.starts_with("gtk")
                || p.starts_with("webkit")
                || p.starts_with("wry")
                || p.starts_with("tao")
        })
        .collect();
    assert!(ui.is_empty(), "portal-core pulls in {ui:?}");
}
