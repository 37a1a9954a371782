#![no_main]
//! The VaultStream client's envelope parser and the types read from it.

use libfuzzer_sys::fuzz_target;
use portal_core::Service;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Some(resp) = common::response(Service::VaultStream, data) {
        portal_core::fuzzing::vaultstream(&resp);
    }
});
