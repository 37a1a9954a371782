//! Partner Portal core: profiles, secrets, HTTP, the three service
//! clients, and the use cases both shells call (`ops`). No Tauri, GTK or
//! WebKit dependency: the app and the `portal` CLI both sit on top of this
//! crate.

pub mod activity;
pub mod calendar;
pub mod clock;
pub mod context;
pub mod envelope;
pub mod error;
mod fsutil;
pub mod fuzzing;
pub mod http;
pub mod jwt_keys;
pub mod key_records;
pub mod keypair;
pub mod links;
pub mod local_keys;
pub mod network;
pub mod onboarding;
pub mod ops;
pub mod origin;
pub mod paging;
pub mod policy;
pub mod profile_secrets;
pub mod profiles;
pub mod scan;
pub mod secret;
pub mod secrets;
pub mod secrets_file;
pub mod service;
pub mod signing;
pub mod snippets;
mod time;
pub mod token_records;
pub mod vault;
pub mod vaultstream;

pub use error::{Error, ErrorCode, Result};
pub use secret::Secret;
pub use service::Service;
