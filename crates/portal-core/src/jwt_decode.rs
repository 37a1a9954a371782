//! Reading a JWT's header and claims without verifying it (display only).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use crate::error::{Error, Result};

/// `(header, claims)` of a compact JWS.
pub fn decode_unverified(jwt: &str) -> Result<(Value, Value)> {
    let mut parts = jwt.trim().split('.');
    let (Some(h), Some(c), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::validation(
            "This is not a JWT: it needs three dot-separated parts.",
        ));
    };
    let part = |p: &str, what: &str| -> Result<Value> {
        let bytes = URL_SAFE_NO_PAD
            .decode(p.trim_end_matches('='))
            .map_err(|_| Error::validation(format!("The JWT's {what} is not base64url.")))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| Error::validation(format!("The JWT's {what} is not JSON.")))
    };
    Ok((part(h, "header")?, part(c, "claims")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_header_and_claims_and_refuses_garbage() {
        let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"RS256","kid":"k1"}"#),
            enc(r#"{"sub":"*","exp":5}"#)
        );
        let (h, c) = decode_unverified(&jwt).unwrap();
        assert_eq!(h["kid"], "k1");
        assert_eq!(c["sub"], "*");
        assert!(decode_unverified("a.b").is_err());
        assert!(decode_unverified("a.b.c.d").is_err());
        assert!(decode_unverified(&format!("{}.!!.s", enc("{}"))).is_err());
    }
}
