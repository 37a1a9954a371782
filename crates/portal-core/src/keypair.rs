//! RSA key material for JWT signing keys: public and private keys, their
//! fingerprints, PEM export, generation ([`generate`]) and import
//! ([`import_pem`]).
//!
//! A [`PrivateKey`] has no `Serialize`, prints `<redacted>` and zeroizes on
//! drop (the `rsa` crate clears its components); its PEM leaves only as a
//! [`Secret`]. Everything that may cross to the UI ([`Fingerprints`],
//! [`KeySummary`]) holds public data only.

mod generate;
mod import;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use pkcs8::der::Encode;
use pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rand::RngCore;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::secret::Secret;

pub use generate::{generate, GenProgress};
pub use import::{import_pem, ImportedKey, PemKind};

/// Key sizes the portal generates.
pub const KEY_SIZES: [usize; 3] = [2048, 3072, 4096];
/// The size generated when none is chosen.
pub const DEFAULT_BITS: usize = 2048;
/// The smallest RSA key accepted (the JWT keys service refuses smaller ones too).
pub const MIN_BITS: usize = 2048;
/// The largest RSA key accepted (the `rsa` crate's limit).
pub const MAX_BITS: usize = 4096;
/// The public exponent of generated keys.
pub const PUBLIC_EXPONENT: u64 = 65_537;
/// PBKDF2-HMAC-SHA256 iterations of a passphrase-protected export
/// (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const EXPORT_PBKDF2_ITERATIONS: u32 = 600_000;

/// How a key is recognised. All three are computed from the public half.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Fingerprints {
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex in colon-separated
    /// pairs (`openssl pkey -pubin -outform DER | openssl dgst -sha256 -c`).
    pub sha256: String,
    /// The same digest in base64url without padding.
    pub sha256_base64url: String,
    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub jwk_thumbprint: String,
}

/// Public facts about a key, safe to show and to serialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeySummary {
    pub bits: usize,
    pub fingerprints: Fingerprints,
    /// The public half as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_key_pem: String,
}

/// An RSA public key of an accepted size.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: RsaPublicKey,
}

impl PublicKey {
    /// Wraps a key after checking its size.
    pub fn new(key: RsaPublicKey) -> Result<Self> {
        check_bits(key.n().bits())?;
        Ok(Self { key })
    }

    /// Reads a public key from PEM: SPKI, PKCS#1 or an X.509 certificate (a
    /// private key's public half is accepted too).
    pub fn from_pem(text: &str) -> Result<Self> {
        Ok(import_pem(text, None)?.public)
    }

    pub fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }

    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> Result<Vec<u8>> {
        Ok(self
            .key
            .to_public_key_der()
            .map_err(|e| Error::internal(format!("cannot encode the public key: {e}")))?
            .into_vec())
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`), the form the JWT keys API takes.
    pub fn to_pem(&self) -> Result<String> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| Error::internal(format!("cannot encode the public key: {e}")))
    }

    /// The RFC 7638 JWK members in lexicographic order, no whitespace.
    pub fn jwk_thumbprint_input(&self) -> String {
        format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(self.key.e().to_bytes_be()),
            URL_SAFE_NO_PAD.encode(self.key.n().to_bytes_be())
        )
    }

    pub fn fingerprints(&self) -> Result<Fingerprints> {
        let digest = Sha256::digest(self.spki_der()?);
        Ok(Fingerprints {
            sha256: colon_hex(&digest),
            sha256_base64url: URL_SAFE_NO_PAD.encode(digest),
            jwk_thumbprint: URL_SAFE_NO_PAD
                .encode(Sha256::digest(self.jwk_thumbprint_input().as_bytes())),
        })
    }

    pub fn summary(&self) -> Result<KeySummary> {
        Ok(KeySummary {
            bits: self.bits(),
            fingerprints: self.fingerprints()?,
            public_key_pem: self.to_pem()?,
        })
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits())
    }
}

/// An RSA private key. Never serialised, never printed.
pub struct PrivateKey {
    key: RsaPrivateKey,
}

impl PrivateKey {
    /// Wraps a key after checking its size and consistency.
    pub fn new(key: RsaPrivateKey) -> Result<Self> {
        check_bits(key.n().bits())?;
        key.validate()
            .map_err(|e| Error::validation(format!("The RSA private key is inconsistent: {e}.")))?;
        Ok(Self { key })
    }

    /// Reads an unencrypted PKCS#8 or PKCS#1 private key (as kept in the keychain).
    pub fn from_pem(pem: &Secret) -> Result<Self> {
        import_pem(pem.expose(), None)?
            .private
            .ok_or_else(|| Error::validation("The PEM holds a public key, not a private key."))
    }

    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.key.to_public_key(),
        }
    }

    pub(crate) fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }

    /// Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Secret> {
        let pem = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| Error::internal(format!("cannot encode the private key: {e}")))?;
        Ok(Secret::new(pem.as_str()))
    }

    /// PKCS#8 encrypted with `passphrase` (PBES2: PBKDF2-HMAC-SHA256 with
    /// [`EXPORT_PBKDF2_ITERATIONS`] and AES-256-CBC), `-----BEGIN ENCRYPTED PRIVATE KEY-----`.
    /// OpenSSL reads it (`openssl pkey -in FILE`).
    pub fn to_encrypted_pkcs8_pem(&self, passphrase: &Secret) -> Result<Secret> {
        self.to_encrypted_pkcs8_pem_with(passphrase, EXPORT_PBKDF2_ITERATIONS)
    }

    pub(crate) fn to_encrypted_pkcs8_pem_with(
        &self,
        passphrase: &Secret,
        iterations: u32,
    ) -> Result<Secret> {
        if passphrase.is_empty() {
            return Err(Error::validation("The export passphrase is empty."));
        }
        let encode_err = |e: &dyn std::fmt::Display| {
            Error::internal(format!("cannot encrypt the private key: {e}"))
        };
        let der = self.key.to_pkcs8_der().map_err(|e| encode_err(&e))?;
        let info = pkcs8::PrivateKeyInfo::try_from(der.as_bytes()).map_err(|e| encode_err(&e))?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut iv);
        let params =
            pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(iterations, &salt, &iv)
                .map_err(|e| encode_err(&e))?;
        let encrypted = info
            .encrypt_with_params(params, passphrase.expose().as_bytes())
            .map_err(|e| encode_err(&e))?;
        let pem = encrypted
            .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(|e| encode_err(&e))?;
        Ok(Secret::new(pem.as_str()))
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(RSA-{}, <redacted>)", self.bits())
    }
}

/// Writes a private key PEM to a new file readable by its owner only (mode
/// 0600 on Unix), atomically. An existing file is never replaced.
pub fn write_private_key_file(path: &std::path::Path, pem: &Secret) -> Result<()> {
    if path.exists() {
        return Err(Error::validation(format!(
            "{} exists already; choose another file (a key file is never overwritten).",
            path.display()
        )));
    }
    crate::fsutil::write_private(path, pem.expose().as_bytes()).map_err(|e| {
        Error::new(
            e.code,
            format!(
                "Cannot write the private key to {}: {}",
                path.display(),
                e.message
            ),
        )
    })
}

/// Whether the two halves belong together.
pub fn pairs_with(private: &PrivateKey, public: &PublicKey) -> bool {
    private.key.n() == public.key.n() && private.key.e() == public.key.e()
}

fn check_bits(bits: usize) -> Result<()> {
    if bits < MIN_BITS {
        return Err(Error::validation(format!(
            "The RSA key is {bits} bits; at least {MIN_BITS} are required."
        )));
    }
    if bits > MAX_BITS {
        return Err(Error::validation(format!(
            "The RSA key is {bits} bits; at most {MAX_BITS} are supported."
        )));
    }
    Ok(())
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// DER-encodes a decoded structure again (certificate SPKI → SPKI DER).
fn to_der(value: &impl Encode) -> Result<Vec<u8>> {
    value
        .to_der()
        .map_err(|e| Error::validation(format!("The key's DER cannot be re-encoded: {e}.")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn colon_hex_is_lowercase_pairs() {
        assert_eq!(colon_hex(&[0x0a, 0xff, 0x10]), "0a:ff:10");
    }

    #[test]
    fn sizes_outside_the_range_are_refused() {
        let e = check_bits(1024).unwrap_err();
        assert_eq!(
            e.message,
            "The RSA key is 1024 bits; at least 2048 are required."
        );
        assert!(check_bits(8192).is_err());
        assert!(check_bits(2048).is_ok());
    }
}
