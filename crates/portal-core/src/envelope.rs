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
pub fn is_envelope(service: Service, body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    match service {
        Service::VaultStream => vaultstream(&v),
        Service::JwtKeys => jwt_keys(&v),
        Service::Vault => vault(&v),
    }
}
