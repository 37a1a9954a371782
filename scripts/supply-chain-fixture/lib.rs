//! Empty: only this crate's dependencies matter (see Cargo.toml).
