//! Loads `docs/api/*.yaml` and validates responses against them with a small
//! JSON Schema validator covering the keywords the documents use ($ref,
//! allOf/anyOf/oneOf, type (incl. arrays with "null"), const, enum,
//! properties, required, additionalProperties, items, min/maxItems,
//! maxProperties, min/maxLength, minimum/maximum, `^prefix` patterns and
//! the date-time, uuid and uri formats). An unsupported keyword fails loudly.

use std::sync::OnceLock;

use serde_json::Value;

pub struct Spec {
    pub name: &'static str,
    pub prefix: &'static str,
    pub doc: Value,
}

pub fn specs() -> &'static [Spec] {
    static SPECS: OnceLock<Vec<Spec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        [
            ("vaultstream.yaml", "/vaultstream"),
            ("jwt-keys.yaml", "/jwt-keys/v2"),
            ("vault.yaml", "/vault"),
            ("sandbox.yaml", "/sandbox"),
        ]
        .into_iter()
        .map(|(name, prefix)| {
            let path = format!("{}/../../docs/api/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let doc: Value =
                serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
            Spec { name, prefix, doc }
        })
        .collect()
    })
}

/// The spec serving `path`, and the path relative to its base.
pub fn spec_for(path: &str) -> Option<(&'static Spec, &str)> {
    specs().iter().find_map(|spec| {
        let rest = path.strip_prefix(spec.prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some((spec, rest))
    })
}

/// The documented path template matching `rest`.
pub fn template_for<'a>(spec: &'a Spec, rest: &str) -> Option<&'a str> {
    let segments: Vec<&str> = rest.split('/').collect();
    spec.doc["paths"]
        .as_object()?
        .keys()
        .map(String::as_str)
        .find(|template| {
            let t: Vec<&str> = template.split('/').collect();
            t.len() == segments.len()
                && t.iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && t.ends_with('}')) || t == s)
        })
}

/// Check one response against the documents. `Ok(false)` when the path is
/// not under any documented service (sandbox endpoints).
pub fn check(
    method: &str,
    path: &str,
    status: u16,
    content_type: &str,
    body: &Value,
) -> Result<bool, String> {
    let Some((spec, rest)) = spec_for(path) else {
        return Ok(false);
    };
    let template = template_for(spec, rest)
        .ok_or_else(|| format!("{}: no documented path matches {rest}", spec.name))?;
    let op = &spec.doc["paths"][template][method.to_ascii_lowercase()];
    if op.is_null() {
        return Err(format!(
            "{}: {method} {template} is not documented",
            spec.name
        ));
    }
    let responses = &op["responses"];
    let response = match &responses[status.to_string()] {
        Value::Null => &responses["default"],
        r => r,
    };
    if response.is_null() {
        return Err(format!(
            "{}: {method} {template} does not document status {status}",
            spec.name
        ));
    }
    let response = resolve(&spec.doc, response);
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let schema = &response["content"][media]["schema"];
    if response["content"][media].is_null() {
        return Err(format!(
            "{}: {method} {template} {status} does not document {media}",
            spec.name
        ));
    }
    if schema.is_null() {
        return Ok(true);
    }
    let mut errors = Vec::new();
    validate(&spec.doc, schema, body, "$", &mut errors);
    if errors.is_empty() {
        Ok(true)
    } else {
        Err(format!(
            "{}: {method} {template} {status}:\n  {}\nbody: {body}",
            spec.name,
            errors.join("\n  ")
        ))
    }
}

pub fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local refs: {r}"));
        node = root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {r}"));
    }
    node
}

const KNOWN: &[&str] = &[
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "type",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "maxProperties",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "pattern",
    "format",
    "description",
    "examples",
    "default",
    "x-inferred",
    "contentMediaType",
    "title",
];

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        other => panic!("unknown type {other}"),
    }
}

pub fn validate(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(root, schema);
    let Some(obj) = schema.as_object() else {
        return;
    };
    for key in obj.keys() {
        assert!(
            KNOWN.contains(&key.as_str()),
            "validator does not support keyword {key}"
        );
    }
    let mut local: Vec<String> = Vec::new();
    let mut err = |m: String| local.push(format!("{at}: {m}"));
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(root, s, v, at, errors);
        }
    }
    let mut err_list = Vec::new();
    for (kw, need_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(list) = obj.get(kw).and_then(Value::as_array) {
            let passing = list
                .iter()
                .filter(|s| {
                    let mut e = Vec::new();
                    validate(root, s, v, at, &mut e);
                    e.is_empty()
                })
                .count();
            if passing == 0 || (need_one && passing > 1) {
                err_list.push(format!("{kw} matched {passing} schemas"));
            }
        }
    }
    for e in err_list {
        err(e);
    }
    if let Some(t) = obj.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type {t}"),
        };
        if !types.iter().any(|t| type_ok(t, v)) {
            errors.push(format!("{at}: expected {types:?}, got {v}"));
            errors.append(&mut local);
            return;
        }
    }
    if let Some(c) = obj.get("const") {
        if c != v {
            err(format!("expected {c}, got {v}"));
        }
    }
    if let Some(e) = obj.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            err(format!("{v} not in {e:?}"));
        }
    }
    match v {
        Value::Object(map) => {
            for r in obj
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap_or_default();
                if !map.contains_key(r) {
                    err(format!("missing required {r}"));
                }
            }
            if let Some(max) = obj.get("maxProperties").and_then(Value::as_u64) {
                if map.len() as u64 > max {
                    err(format!("more than {max} properties"));
                }
            }
            let props = obj.get("properties").and_then(Value::as_object);
            for (k, child) in map {
                let sub = format!("{at}.{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(s) => validate(root, s, child, &sub, errors),
                    None => match obj.get("additionalProperties") {
                        Some(Value::Bool(false)) => errors.push(format!("{sub}: not allowed")),
                        Some(s @ Value::Object(_)) => validate(root, s, child, &sub, errors),
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(min) = obj.get("minItems").and_then(Value::as_u64) {
                if (items.len() as u64) < min {
                    err(format!("fewer than {min} items"));
                }
            }
            if let Some(max) = obj.get("maxItems").and_then(Value::as_u64) {
                if items.len() as u64 > max {
                    err(format!("more than {max} items"));
                }
            }
            if let Some(s) = obj.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(root, s, item, &format!("{at}[{i}]"), errors);
                }
            }
        }
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if obj
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| len < m)
            {
                err(format!("shorter than minLength: {s:?}"));
            }
            if obj
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
            {
                err(format!("longer than maxLength: {s:?}"));
            }
            if let Some(p) = obj.get("pattern").and_then(Value::as_str) {
                let prefix = p
                    .strip_prefix('^')
                    .unwrap_or_else(|| panic!("only ^prefix patterns: {p}"));
                assert!(
                    !prefix.contains(['[', '(', '*', '+', '?', '.', '\\', '$']),
                    "only literal prefixes: {p}"
                );
                if !s.starts_with(prefix) {
                    err(format!("{s:?} does not start with {prefix:?}"));
                }
            }
            match obj.get("format").and_then(Value::as_str) {
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                    err(format!("{s:?} is not date-time"))
                }
                Some("uuid") if uuid::Uuid::parse_str(s).is_err() => {
                    err(format!("{s:?} is not a uuid"))
                }
                Some("uri") if !(s.starts_with("http://") || s.starts_with("https://")) => {
                    err(format!("{s:?} is not an absolute URI"))
                }
                _ => {}
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            if obj
                .get("minimum")
                .and_then(Value::as_f64)
                .is_some_and(|m| x < m)
            {
                err(format!("{x} below minimum"));
            }
            if obj
                .get("maximum")
                .and_then(Value::as_f64)
                .is_some_and(|m| x > m)
            {
                err(format!("{x} above maximum"));
            }
        }
        _ => {}
    }
    errors.append(&mut local);
}
