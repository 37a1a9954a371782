//! The one list of commands (`src/commands/list.rs`) and what is made from it.
//!
//! - Every `#[tauri::command]` is listed once, every listed command exists,
//!   and each entry's flags make sense.
//! - `capabilities/main.json` grants exactly the listed commands.
//! - `ui/src/lib/bindings/commands.ts` is the typed TS client's table: each
//!   command's argument keys and types and its answer type, read from the
//!   function's signature (which stays the one declaration of its types), and
//!   its flags.
//!
//! Both files are rewritten by this test, as ts-rs rewrites the other
//! bindings; CI fails when the committed ones differ (`scripts/test.sh`,
//! "generated files up to date").

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

include!("../src/commands/list.rs");

struct Entry {
    module: &'static str,
    name: &'static str,
    flags: &'static [&'static str],
}

macro_rules! entries {
    ($($module:ident :: $name:ident [$($flag:ident),*]),* $(,)?) => {
        &[$(Entry {
            module: stringify!($module),
            name: stringify!($name),
            flags: &[$(stringify!($flag)),*],
        }),*]
    };
}

const LIST: &[Entry] = with_commands!(entries);

/// Where a command goes: exactly one of these per entry.
const PLACES: &[&str] = &["local", "network", "vault_stream", "jwt_keys", "vault"];
const SERVICES: &[&str] = &["vault_stream", "jwt_keys", "vault"];
const OTHER_FLAGS: &[&str] = &["write", "untimed", "probe", "unreported"];

/// Parameters Tauri fills itself: not arguments from the page.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow", "Webview"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bindings() -> PathBuf {
    root().join("../ui/src/lib/bindings")
}

fn is_command(f: &syn::ItemFn) -> bool {
    f.attrs.iter().any(|a| {
        let segs: Vec<String> = a
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segs == ["tauri", "command"]
    })
}

/// `module -> name -> fn` of every `#[tauri::command]` under `src/commands`.
fn command_fns() -> BTreeMap<String, BTreeMap<String, syn::ItemFn>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("src/commands")).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.extension().is_none_or(|e| e != "rs") || module == "list" {
            continue;
        }
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fns: BTreeMap<String, syn::ItemFn> = file
            .items
            .into_iter()
            .filter_map(|item| match item {
                syn::Item::Fn(f) if is_command(&f) => Some((f.sig.ident.to_string(), f)),
                _ => None,
            })
            .collect();
        out.insert(module, fns);
    }
    out
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last(),
        syn::Type::Reference(r) => last_segment(&r.elem),
        _ => None,
    }
}

fn generic_args(seg: &syn::PathSegment) -> Vec<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The TS type of a Rust type as it crosses IPC (serde + ts-rs), recording
/// which generated bindings it names.
fn ts_type(ty: &syn::Type, imports: &mut BTreeSet<String>, at: &str) -> String {
    if let syn::Type::Tuple(t) = ty {
        assert!(t.elems.is_empty(), "{at}: tuples do not cross IPC here");
        return "null".to_owned();
    }
    let seg = last_segment(ty).unwrap_or_else(|| panic!("{at}: unsupported type"));
    let args = generic_args(seg);
    let name = seg.ident.to_string();
    match (name.as_str(), args.as_slice()) {
        ("Result", [ok, ..]) => ts_type(ok, imports, at),
        ("Option", [inner]) => format!("{} | null", ts_type(inner, imports, at)),
        ("Vec", [inner]) => {
            let inner = ts_type(inner, imports, at);
            if inner.contains(' ') {
                format!("Array<{inner}>")
            } else {
                format!("{inner}[]")
            }
        }
        ("String" | "str", []) => "string".to_owned(),
        ("bool", []) => "boolean".to_owned(),
        ("u8" | "u16" | "u32" | "i8" | "i16" | "i32" | "f32" | "f64", []) => "number".to_owned(),
        (_, []) => {
            assert!(
                bindings().join(format!("{name}.ts")).exists(),
                "{at}: `{name}` has no TS binding (derive ts_rs::TS and export it)"
            );
            imports.insert(name.clone());
            name
        }
        _ => panic!("{at}: unsupported type `{name}` with type arguments"),
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `{ key: type; … }` of the page's arguments, or `null` when there are none.
fn ts_args(f: &syn::ItemFn, imports: &mut BTreeSet<String>) -> String {
    let name = f.sig.ident.to_string();
    let mut fields = Vec::new();
    for input in &f.sig.inputs {
        let syn::FnArg::Typed(arg) = input else {
            panic!("{name}: a command takes no self");
        };
        let seg = last_segment(&arg.ty).expect("typed argument");
        if INJECTED.contains(&seg.ident.to_string().as_str()) {
            continue;
        }
        let syn::Pat::Ident(ident) = &*arg.pat else {
            panic!("{name}: arguments are plain names");
        };
        let key = camel(ident.ident.to_string().trim_start_matches('_'));
        let at = format!("{name}({key})");
        let optional = seg.ident == "Option";
        let ty = ts_type(&arg.ty, imports, &at);
        fields.push(format!("{key}{}: {ty}", if optional { "?" } else { "" }));
    }
    if fields.is_empty() {
        "null".to_owned()
    } else {
        format!("{{ {} }}", fields.join("; "))
    }
}

fn ts_answer(f: &syn::ItemFn, imports: &mut BTreeSet<String>) -> String {
    match &f.sig.output {
        syn::ReturnType::Default => "null".to_owned(),
        syn::ReturnType::Type(_, ty) => ts_type(ty, imports, &f.sig.ident.to_string()),
    }
}

fn has(e: &Entry, flag: &str) -> bool {
    e.flags.contains(&flag)
}

fn client(fns: &BTreeMap<String, BTreeMap<String, syn::ItemFn>>) -> String {
    let mut imports = BTreeSet::new();
    let mut table = String::new();
    let mut flags = String::new();
    for e in LIST {
        let f = &fns[e.module][e.name];
        let args = ts_args(f, &mut imports);
        let answer = ts_answer(f, &mut imports);
        table.push_str(&format!(
            "  {}: {{ args: {args}; answer: {answer} }};\n",
            e.name
        ));
        let service = SERVICES
            .iter()
            .find(|s| has(e, s))
            .map_or("null".to_owned(), |s| format!("'{s}'"));
        flags.push_str(&format!(
            "  {}: {{ service: {service}, local: {}, write: {}, untimed: {}, probe: {}, unreported: {} }},\n",
            e.name,
            has(e, "local"),
            has(e, "write"),
            has(e, "untimed"),
            has(e, "probe"),
            has(e, "unreported"),
        ));
    }
    imports.insert("Service".to_owned());
    let imports: String = imports
        .iter()
        .map(|t| format!("import type {{ {t} }} from './{t}';\n"))
        .collect();
    format!(
        "// Generated by src-tauri/tests/commands.rs from src-tauri/src/commands/list.rs\n\
         // and the commands' signatures. Do not edit: change the list or the command.\n\
         {imports}\n\
         /** Each command's arguments (camelCase keys, as Tauri takes them; null: none) and answer. */\n\
         export interface Commands {{\n{table}}}\n\n\
         export type CommandName = keyof Commands;\n\n\
         /** What the list says of a command (src-tauri/src/commands/list.rs explains each flag). */\n\
         export interface CommandFlags {{\n\
         \x20 readonly service: Service | null;\n\
         \x20 readonly local: boolean;\n\
         \x20 readonly write: boolean;\n\
         \x20 readonly untimed: boolean;\n\
         \x20 readonly probe: boolean;\n\
         \x20 readonly unreported: boolean;\n\
         }}\n\n\
         export const COMMAND_FLAGS: Readonly<Record<CommandName, CommandFlags>> = {{\n{flags}}};\n"
    )
}

fn capability() -> String {
    let mut permissions = vec![
        "core:event:default".to_owned(),
        "clipboard-manager:allow-write-text".to_owned(),
    ];
    permissions.extend(
        LIST.iter()
            .map(|e| format!("allow-{}", e.name.replace('_', "-"))),
    );
    let value = serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": "main",
        "description": "The main window: the app's own commands and events, nothing broader.",
        "windows": ["main"],
        "permissions": permissions,
    });
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn every_command_is_listed_once_with_sensible_flags() {
    let fns = command_fns();
    let mut seen = BTreeSet::new();
    for e in LIST {
        assert!(seen.insert(e.name), "{} is listed twice", e.name);
        assert!(
            fns.get(e.module).is_some_and(|m| m.contains_key(e.name)),
            "{}::{} is listed but is no #[tauri::command] in src/commands/{}.rs",
            e.module,
            e.name,
            e.module
        );
        for flag in e.flags {
            assert!(
                PLACES.contains(flag) || OTHER_FLAGS.contains(flag),
                "{}: unknown flag `{flag}`",
                e.name
            );
        }
        let places = PLACES.iter().filter(|p| has(e, p)).count();
        assert_eq!(places, 1, "{}: give exactly one of {PLACES:?}", e.name);
        if has(e, "probe") {
            assert!(
                SERVICES.iter().any(|s| has(e, s)),
                "{}: a probe names its service",
                e.name
            );
        }
        if has(e, "unreported") {
            assert!(
                !has(e, "local"),
                "{}: only a network call can be unreported",
                e.name
            );
        }
    }
    for (module, names) in &fns {
        for name in names.keys() {
            assert!(
                seen.contains(name.as_str()),
                "{module}::{name} is a #[tauri::command] missing from src/commands/list.rs"
            );
        }
    }
}

#[test]
fn the_capability_and_the_ts_client_are_made_from_the_list() {
    let fns = command_fns();
    let ts = client(&fns);
    // Every listed command appears in both, with the types of its signature.
    assert_eq!(ts.matches("; answer: ").count(), LIST.len());
    assert!(ts.contains("  revoke_token: { args: { id: string }; answer: null };"));
    assert!(ts.contains("  list_tokens: { args: null; answer: ApiToken[] };"));
    let cap = capability();
    for e in LIST {
        assert!(cap.contains(&format!("\"allow-{}\"", e.name.replace('_', "-"))));
    }
    write_if_changed(&bindings().join("commands.ts"), &ts);
    write_if_changed(&root().join("capabilities/main.json"), &cap);
}
