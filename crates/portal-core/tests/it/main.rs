//! portal-core's integration tests, in one binary: one link instead of one
//! per file. Each module is a former `tests/<name>.rs`; the shared helpers
//! stay beside this folder (`common/`, `hostile/`, `tls_fixture/`,
//! `fixtures/`), where the CLI's tests reach them too.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../hostile/mod.rs"]
mod hostile;
#[path = "../common/matrix.rs"]
mod matrix;
#[path = "../tls_fixture/mod.rs"]
mod tls_fixture;

mod architecture;
mod assets_sandbox;
mod assets_upload;
mod envelope_errors;
mod fault_matrix;
mod health;
mod hostile_server;
mod http_retries;
#[cfg(feature = "os-keychain")]
mod keychain;
mod keys_material;
mod keys_sandbox;
mod keys_signing;
mod no_content;
mod ops;
mod ops_keys;
mod playback_doctor;
mod policy;
mod replace_credential;
mod retire;
mod rotations;
mod sandbox_clients;
mod tls;
mod vault_relogin;
