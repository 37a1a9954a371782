//! Every IPC command. Each is a few lines that call core; errors cross as
//! `portal_core::Error` (`{code, message, …}`). `list.rs` declares them all
//! once (`with_commands!`): registration, permissions, capability and the
//! TS client are made from it.

include!("list.rs");

pub mod activity;
pub mod assets;
pub mod calendar;
pub mod health;
pub mod keys;
pub mod links;
pub mod policy;
pub mod profiles;
pub mod retire;
pub mod scan;
pub mod secrets;
pub mod tokens;
pub mod updates;
