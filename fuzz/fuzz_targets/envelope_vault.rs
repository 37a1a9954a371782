#![no_main]
//! The Vault client's envelope parser and the types read from it.

use libfuzzer_sys::fuzz_target;
use portal_core::Service;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Some(resp) = common::response(Service::Vault, data) {
        portal_core::fuzzing::vault(&resp);
    }
});
