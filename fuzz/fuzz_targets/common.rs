//! Shared by the envelope targets: an input is a response as text,
//!
//! ```text
//! STATUS [RETRY-AFTER]\n
//! BODY
//! ```
//!
//! e.g. `200\n{"status":"ok","data":[]}` or `429 30\n`. An input whose first
//! line is not that is a whole body answered with 200, so a bare JSON
//! document is a valid corpus entry too.

use portal_core::http::Response;
use portal_core::Service;

pub fn response(service: Service, data: &[u8]) -> Option<Response> {
    let (status, retry_after, body) = split(data).unwrap_or((200, None, data));
    portal_core::fuzzing::response(service, status, retry_after, body)
}

fn split(data: &[u8]) -> Option<(u16, Option<&[u8]>, &[u8])> {
    let nl = data.iter().position(|b| *b == b'\n')?;
    let line = std::str::from_utf8(&data[..nl]).ok()?;
    let (status, retry_after) = match line.split_once(' ') {
        Some((s, r)) => (s, Some(r.as_bytes())),
        None => (line, None),
    };
    Some((status.parse().ok()?, retry_after, &data[nl + 1..]))
}
