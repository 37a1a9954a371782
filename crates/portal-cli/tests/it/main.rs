//! The `portal` CLI's integration tests, in one binary: one link instead of
//! one per file. Each module is a former `tests/<name>.rs`; they run the real
//! `portal` binary against an in-process sandbox. `support/` (beside this
//! folder) and portal-core's test helpers are shared.

#![allow(clippy::unwrap_used)]

#[path = "../../../portal-core/tests/hostile/mod.rs"]
mod hostile;
#[path = "../../../portal-core/tests/common/matrix.rs"]
mod matrix;
#[path = "../support/mod.rs"]
mod support;
#[path = "../../../portal-core/tests/tls_fixture/mod.rs"]
mod tls_fixture;

mod assets;
mod calendar;
mod cli;
mod doctor;
mod exec;
mod fault_matrix;
mod hostile_server;
mod keys;
mod origin_rules;
mod policy;
mod retire;
mod rotations;
mod scan;
mod tls;
mod vault_relogin;
