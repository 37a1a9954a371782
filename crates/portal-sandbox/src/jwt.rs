//! Just enough JWT: HS256 signing and verification for the tokens the
//! sandbox issues itself, and RS256 verification for the playback check.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use serde_json::{json, Value};
use sha2::Sha256;

/// Why a JWT was not accepted; `code()` is what the sandbox reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the JWT is not three base64url parts of JSON")]
    Malformed,
    #[error("the JWT's signature does not verify")]
    BadSignature,
    #[error("the JWT uses alg {0}, expected {1}")]
    UnsupportedAlg(String, &'static str),
}

impl JwtError {
    pub fn code(&self) -> &'static str {
        match self {
            JwtError::Malformed => "malformed",
            JwtError::BadSignature => "bad_signature",
            JwtError::UnsupportedAlg(..) => "unsupported_alg",
        }
    }
}

/// A JWT split into its decoded parts.
pub struct Decoded<'a> {
    pub header: Value,
    pub claims: Value,
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

pub fn decode(token: &str) -> Result<Decoded<'_>, JwtError> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let json_part = |p: &str| -> Result<Value, JwtError> {
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|_| JwtError::Malformed)?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)?;
        v.is_object().then_some(v).ok_or(JwtError::Malformed)
    };
    let header = json_part(h)?;
    let claims = json_part(c)?;
    let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let signing_input = &token.trim()[..h.len() + 1 + c.len()];
    Ok(Decoded {
        header,
        claims,
        signing_input,
        signature,
    })
}

fn hmac(secret: &[u8], input: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Sign `claims` with HS256 under `secret`, with `kid` in the header.
pub fn sign_hs256(secret: &[u8], kid: &str, claims: &Value) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = URL_SAFE_NO_PAD.encode(hmac(secret, &input));
    format!("{input}.{sig}")
}

/// Verify an HS256 JWT; returns its claims (expiry is the caller's job).
pub fn verify_hs256(secret: &[u8], token: &str) -> Result<Value, JwtError> {
    let decoded = decode(token)?;
    let alg = decoded.header["alg"].as_str().unwrap_or_default();
    if alg != "HS256" {
        return Err(JwtError::UnsupportedAlg(alg.to_owned(), "HS256"));
    }
    let expected = hmac(secret, decoded.signing_input);
    if !constant_time_eq(&expected, &decoded.signature) {
        return Err(JwtError::BadSignature);
    }
    Ok(decoded.claims)
}

/// Verify the RS256 signature of an already decoded JWT.
pub fn verify_rs256(key: &RsaPublicKey, decoded: &Decoded<'_>) -> Result<(), JwtError> {
    let alg = decoded.header["alg"].as_str().unwrap_or_default();
    if alg != "RS256" {
        return Err(JwtError::UnsupportedAlg(alg.to_owned(), "RS256"));
    }
    let signature =
        Signature::try_from(decoded.signature.as_slice()).map_err(|_| JwtError::BadSignature)?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(decoded.signing_input.as_bytes(), &signature)
        .map_err(|_| JwtError::BadSignature)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hs256_round_trip_and_tamper() {
        let token = sign_hs256(b"secret", "k1", &json!({"sub": "u1"}));
        assert_eq!(verify_hs256(b"secret", &token).unwrap()["sub"], "u1");
        assert_eq!(verify_hs256(b"other", &token), Err(JwtError::BadSignature));
        assert_eq!(verify_hs256(b"secret", "a.b"), Err(JwtError::Malformed));
    }
}
