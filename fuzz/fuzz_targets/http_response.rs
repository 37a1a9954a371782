#![no_main]
//! The HTTP layer: a response's JSON, its Retry-After and the error built
//! for its status, for each service.

use libfuzzer_sys::fuzz_target;
use portal_core::Service;

mod common;

fuzz_target!(|data: &[u8]| {
    for service in Service::ALL {
        if let Some(resp) = common::response(service, data) {
            portal_core::fuzzing::http_response(&resp);
        }
    }
});
