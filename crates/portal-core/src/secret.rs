//! `Secret`: the only way the core holds a credential in memory.
//!
//! - `Debug` and `Display` print `<redacted>`;
//! - it implements neither `Serialize` nor `Clone`-into-string, so it cannot be
//!   written to a settings file or sent over IPC by accident;
//! - its bytes are zeroized when it is dropped.

use zeroize::{Zeroize, Zeroizing};

pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The plain value. Call it only where the value leaves for its one
    /// legitimate destination (an `Authorization` header, the keychain, the
    /// one-time reveal).
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A deliberate copy (the original stays zeroizing too).
    pub fn duplicate(&self) -> Self {
        Self::new(self.expose().to_owned())
    }
}

impl From<String> for Secret {
    fn from(mut value: String) -> Self {
        let s = Self::new(value.as_str());
        value.zeroize();
        s
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Constant-time enough for equality of secrets we already hold.
        let (a, b) = (self.expose().as_bytes(), other.expose().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("vst_live_supersecret");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "vst_live_supersecret");
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("b"));
        assert_ne!(Secret::new("a"), Secret::new("ab"));
    }
}
