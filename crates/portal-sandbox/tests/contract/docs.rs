//! The OpenAPI documents themselves: documented vs inferred calls, and a
//! route for every documented operation.

use reqwest::Method;
use serde_json::Value;

use crate::common::start;
use crate::openapi::{resolve, specs};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Operations public documents describe (CONTRACT.md); all others must be
/// marked `x-inferred: true`.
const DOCUMENTED: [(&str, &str, &str); 8] = [
    ("vaultstream.yaml", "post", "/v1/auth/tokens"),
    ("vaultstream.yaml", "delete", "/v1/auth/tokens/{id}"),
    ("vaultstream.yaml", "post", "/v1/auth/jwt"),
    ("jwt-keys.yaml", "get", "/jwt_keys"),
    ("jwt-keys.yaml", "post", "/jwt_keys"),
    ("jwt-keys.yaml", "get", "/jwt_keys/{id}"),
    ("jwt-keys.yaml", "delete", "/jwt_keys/{id}"),
    ("vault.yaml", "post", "/auth/v1/login"),
];

fn operations() -> Vec<(&'static str, &'static str, String, String, &'static Value)> {
    let mut ops = Vec::new();
    for spec in specs() {
        for (path, item) in spec.doc["paths"].as_object().unwrap() {
            for m in METHODS {
                if let Some(op) = item.get(m) {
                    ops.push((spec.name, spec.prefix, m.to_owned(), path.clone(), op));
                }
            }
        }
    }
    ops
}

#[test]
fn documents_are_openapi_3_1_and_mark_inferred_calls() {
    let mut documented_seen = 0;
    for (name, _, method, path, op) in operations() {
        if name == "sandbox.yaml" {
            assert_eq!(op["x-sandbox-only"], true, "{method} {path}");
            continue;
        }
        let inferred = op["x-inferred"] == Value::Bool(true);
        let documented = DOCUMENTED.contains(&(name, method.as_str(), path.as_str()))
            || (name == "vault.yaml" && method == "get" && path == "/vault/v1/assets");
        if documented {
            documented_seen += 1;
        }
        assert_eq!(
            inferred, !documented,
            "{name} {method} {path}: x-inferred must be {}",
            !documented
        );
        assert!(
            op["responses"].is_object(),
            "{name} {method} {path} has responses"
        );
    }
    assert_eq!(documented_seen, DOCUMENTED.len() + 1);
    for spec in specs() {
        assert_eq!(spec.doc["openapi"], "3.1.0", "{}", spec.name);
        // Every $ref resolves.
        fn walk(root: &Value, v: &Value) {
            match v {
                Value::Object(m) => {
                    if m.contains_key("$ref") {
                        resolve(root, v);
                    }
                    m.values().for_each(|c| walk(root, c));
                }
                Value::Array(a) => a.iter().for_each(|c| walk(root, c)),
                _ => {}
            }
        }
        walk(&spec.doc, &spec.doc);
    }
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let env = start().await;
    for (name, prefix, method, path, _) in operations() {
        let concrete = path
            .replace("{id}", "some-id")
            .replace("{token}", "some-token");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = env
            .req(method.clone(), &format!("{prefix}{concrete}"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        let message = body["error"]["message"]
            .as_str()
            .or(body["errors"][0]["message"].as_str())
            .unwrap_or_default();
        assert!(
            status != 405 && !message.starts_with("no such")
                || concrete.contains("some-") && status == 404,
            "{name} {method} {path} is not routed: {status} {body}"
        );
    }
}
