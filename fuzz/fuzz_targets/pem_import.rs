#![no_main]
//! PEM and key import: the input is the pasted text. It is imported with
//! the fixtures' passphrase (`test-pass`, used only by an ENCRYPTED PRIVATE
//! KEY) and without one.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    portal_core::fuzzing::pem_import(&text, Some("test-pass"));
    portal_core::fuzzing::pem_import(&text, None);
});
