//! Every IPC command. Each is a few lines that call core; errors cross as
//! `portal_core::Error` (`{code, message, …}`).

pub mod activity;
pub mod assets;
pub mod keys;
pub mod profiles;
pub mod secrets;
pub mod tokens;
