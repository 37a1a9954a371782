//! The three services' envelopes, by shape only: whether a JSON body is the
//! service's own answer (success or error) rather than a proxy's page, a cut
//! answer or another service's envelope. Depends on nothing but JSON, so the
//! transport (`http`) can ask without knowing any client, and each client's
//! parser asks the same question.

use serde_json::Value;

use crate::service::Service;

/// VaultStream: `{"status":"ok"|"error", …}`.
pub fn vaultstream(v: &Value) -> bool {
    matches!(
        v.get("status").and_then(Value::as_str),
        Some("ok" | "error")
    )
}

/// JWT keys API: `{"success": true|false, …}`.
pub fn jwt_keys(v: &Value) -> bool {
    v.get("success").is_some_and(Value::is_boolean)
}

/// Vault: `{"data": …}` or a non-null `{"error": …}`, and neither of the
/// others' shapes.
pub fn vault(v: &Value) -> bool {
    !vaultstream(v)
        && !jwt_keys(v)
        && v.as_object()
            .is_some_and(|o| o.contains_key("data") || o.get("error").is_some_and(|e| !e.is_null()))
}

/// Whether `body` is `service`'s own envelope.
///
/// The same verdict as [`vaultstream`], [`jwt_keys`] and [`vault`] on the
/// parsed body, read without building its tree: only the top-level keys the
/// three shapes look at are kept, everything else (a list page's rows) is
/// skipped. Every answer goes through this check before its parser reads
/// it, so a page of 100 assets is not built twice. The body must still be
/// one JSON value, in UTF-8; a skipped value is checked for syntax only (a
/// number past `f64`'s range, a lone surrogate escape or nesting deeper
/// than serde_json's limit in it passes: nothing reads it).
pub fn is_envelope(service: Service, body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let Ok(shape) = serde_json::from_str::<Shape>(text) else {
        return false;
    };
    match service {
        Service::VaultStream => shape.vaultstream(),
        Service::JwtKeys => shape.jwt_keys(),
        Service::Vault => shape.vault(),
    }
}

/// The top-level keys of a JSON object that tell the envelopes apart (for a
/// key given twice, the last one counts, as in a parsed [`Value`]).
#[derive(Default)]
struct Shape {
    status: Option<Value>,
    success: Option<Value>,
    data: bool,
    error: Option<Value>,
}

impl Shape {
    fn vaultstream(&self) -> bool {
        matches!(
            self.status.as_ref().and_then(Value::as_str),
            Some("ok" | "error")
        )
    }

    fn jwt_keys(&self) -> bool {
        self.success.as_ref().is_some_and(Value::is_boolean)
    }

    fn vault(&self) -> bool {
        !self.vaultstream()
            && !self.jwt_keys()
            && (self.data || self.error.as_ref().is_some_and(|e| !e.is_null()))
    }
}

impl<'de> serde::Deserialize<'de> for Shape {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = Shape;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            // Only an object: not a derive, which would also take an array.
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Shape, A::Error> {
                use serde::de::IgnoredAny;
                let mut shape = Shape::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "status" => shape.status = Some(map.next_value()?),
                        "success" => shape.success = Some(map.next_value()?),
                        "error" => shape.error = Some(map.next_value()?),
                        "data" => {
                            map.next_value::<IgnoredAny>()?;
                            shape.data = true;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(shape)
            }
        }
        d.deserialize_map(Keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdict on the parsed body, as it was taken before.
    fn parsed(service: Service, body: &[u8]) -> bool {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return false;
        };
        match service {
            Service::VaultStream => vaultstream(&v),
            Service::JwtKeys => jwt_keys(&v),
            Service::Vault => vault(&v),
        }
    }

    #[test]
    fn the_shape_read_gives_the_parsed_verdict() {
        let bodies: &[&str] = &[
            r#"{"status":"ok","data":[],"meta":{}}"#,
            r#"{"status":"error","error":{"code":"x"}}"#,
            r#"{"status":"okay","data":[]}"#,
            r#"{"status":1,"data":[]}"#,
            r#"{"success":true,"data":[]}"#,
            r#"{"success":"true","data":[]}"#,
            r#"{"success":false,"error":{"message":"no"}}"#,
            r#"{"data":[{"id":"a","name":"x"}],"error":null,"page":{"total":1}}"#,
            r#"{"data":null}"#,
            r#"{"error":null}"#,
            r#"{"error":{"code":"NOT_FOUND"},"data":null}"#,
            r#"{"error":"gone"}"#,
            r#"{"error":{"code":"X"},"error":null}"#,
            r#"{"status":"ok","status":"maybe","data":[]}"#,
            r#"{"status":"maybe","status":"ok","data":[]}"#,
            r#"{"success":true,"success":null,"data":1}"#,
            r#"{"d\u0061ta":[]}"#,
            r#"{"st\u0061tus":"ok"}"#,
            r#"{"nested":{"status":"ok","data":[]}}"#,
            r#"[{"data":[]}]"#,
            r#"["ok",true,[],null]"#,
            r#"{"data":[]} trailing"#,
            r#"{"data":[1,2,}"#,
            r#"{"data":[]"#,
            r#""data""#,
            "null",
            "",
            "<html>Bad gateway</html>",
            "  {\"data\" : [ ] }\n",
        ];
        for body in bodies {
            for service in Service::ALL {
                assert_eq!(
                    is_envelope(service, body.as_bytes()),
                    parsed(service, body.as_bytes()),
                    "{service:?} {body}"
                );
            }
        }
        // A skipped value is only checked for JSON syntax: a number past
        // f64's range, a lone surrogate escape or nesting past serde_json's
        // depth limit (skipped without recursion) that nothing reads is taken.
        let deep = format!("{{\"data\":{}{}}}", "[".repeat(200), "]".repeat(200));
        for body in [
            r#"{"data":[],"big":1e400}"#,
            r#"{"data":["\ud800"]}"#,
            deep.as_str(),
        ] {
            assert!(!parsed(Service::Vault, body.as_bytes()), "{body}");
            assert!(is_envelope(Service::Vault, body.as_bytes()), "{body}");
        }
        // Not UTF-8: not JSON, so not an envelope.
        assert!(!is_envelope(Service::Vault, b"{\"data\":[\"\xff\"]}"));
    }
}
