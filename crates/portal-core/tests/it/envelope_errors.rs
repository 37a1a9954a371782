//! An error inside a 2xx envelope whose message is blank still gets words:
//! found by the `envelope_vaultstream` fuzz target (its input is kept in
//! fuzz/corpus/envelope_vaultstream/regress_blank_error_message).

use portal_core::fuzzing::response;
use portal_core::{jwt_keys, vault, vaultstream, Error, ErrorCode, Service};

fn message_of(result: Result<impl std::fmt::Debug, Error>) -> Error {
    let e = result.expect_err("an error envelope parsed as success");
    assert_eq!(e.code, ErrorCode::BadResponse, "{e:?}");
    assert!(!e.message.trim().is_empty(), "blank message: {e:?}");
    e
}

#[test]
fn vaultstream_error_with_a_blank_message() {
    for message in ["", "   "] {
        let body = format!(
            r#"{{"status":"error","error":{{"code":"conflict","message":"{message}","request_id":"req_4"}}}}"#
        );
        let resp = response(Service::VaultStream, 200, None, body.as_bytes()).unwrap();
        let e = message_of(vaultstream::parse_envelope(&resp));
        assert_eq!(e.message, "The service reported an error.");
        assert_eq!(e.service_code.as_deref(), Some("conflict"));
        assert_eq!(e.request_id.as_deref(), Some("req_4"));
    }
    // The fuzzer's own input: a mangled "code" key and an empty message.
    let crash = b"{\"status\":\"error\",\"error\":{\"cod;;;;\":\"conflict\",\"message\":\"\",\"request_id\":\"req_4\"}}";
    let resp = response(Service::VaultStream, 200, None, crash).unwrap();
    message_of(vaultstream::parse_envelope(&resp));
    portal_core::fuzzing::vaultstream(&resp);
}

#[test]
fn vaultstream_error_message_is_kept_when_it_says_something() {
    let body = br#"{"status":"error","error":{"code":"conflict","message":" Name taken ","request_id":"r"}}"#;
    let resp = response(Service::VaultStream, 200, None, body).unwrap();
    assert_eq!(
        message_of(vaultstream::parse_envelope(&resp)).message,
        "Name taken"
    );
}

#[test]
fn vault_error_with_a_blank_message() {
    let body = br#"{"data":null,"error":{"code":"conflict","message":" "}}"#;
    let resp = response(Service::Vault, 200, None, body).unwrap();
    assert_eq!(
        message_of(vault::parse_envelope(&resp)).message,
        "The service reported an error."
    );
}

#[test]
fn jwt_keys_failure_with_blank_messages() {
    let body = br#"{"success":false,"errors":["", {"message":"  "}],"result":null}"#;
    let resp = response(Service::JwtKeys, 200, None, body).unwrap();
    assert_eq!(
        message_of(jwt_keys::parse_envelope(&resp)).message,
        "The service reported a failure."
    );
    let body = br#"{"success":false,"errors":["", {"message":"Key limit reached"}],"result":null}"#;
    let resp = response(Service::JwtKeys, 200, None, body).unwrap();
    assert_eq!(
        message_of(jwt_keys::parse_envelope(&resp)).message,
        "Key limit reached"
    );
}
