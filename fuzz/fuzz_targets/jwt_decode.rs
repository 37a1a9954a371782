#![no_main]
//! JWT decoding and verification: the input is the token text, verified
//! against the test key `rsa2048_spki.pem`.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portal_core::keypair::PublicKey;

static KEY: OnceLock<PublicKey> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let key = KEY.get_or_init(|| {
        PublicKey::from_pem(include_str!(
            "../../crates/portal-core/tests/fixtures/rsa2048_spki.pem"
        ))
        .expect("the test key imports")
    });
    let token = String::from_utf8_lossy(data);
    portal_core::fuzzing::jwt(&token, key);
});
