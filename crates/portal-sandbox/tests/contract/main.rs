//! Contract tests: every endpoint of the three services, each response
//! checked against `docs/api/`, plus faults, rate limits and persistence.
#![allow(clippy::unwrap_used)]

mod boundary;
mod common;
mod docs;
mod faults;
mod jwt_keys;
mod openapi;
mod persistence;
mod vault;
mod vaultstream;
