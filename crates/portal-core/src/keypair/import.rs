//! Reading keys from PEM text: SPKI and PKCS#1 public keys, X.509
//! certificates, PKCS#1 and PKCS#8 private keys (encrypted PKCS#8 with a
//! passphrase). Anything else is refused with a message that names what it is.

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::{AnyRef, Decode};
use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use rsa::BigUint;
use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::{check_bits, to_der, PrivateKey, PublicKey};
use crate::error::{Error, Result};
use crate::secret::Secret;

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// What kind of PEM block a text starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PemKind {
    /// `BEGIN PUBLIC KEY`: an X.509 SubjectPublicKeyInfo.
    PublicKey,
    /// `BEGIN RSA PUBLIC KEY`: PKCS#1.
    RsaPublicKey,
    /// `BEGIN CERTIFICATE`: its public key is used.
    Certificate,
    /// `BEGIN RSA PRIVATE KEY`: PKCS#1.
    RsaPrivateKey,
    /// `BEGIN PRIVATE KEY`: PKCS#8.
    PrivateKey,
    /// `BEGIN ENCRYPTED PRIVATE KEY`: PKCS#8 encrypted with a passphrase.
    EncryptedPrivateKey,
}

impl PemKind {
    fn from_label(label: &str) -> Option<Self> {
        Some(match label {
            "PUBLIC KEY" => Self::PublicKey,
            "RSA PUBLIC KEY" => Self::RsaPublicKey,
            "CERTIFICATE" | "X509 CERTIFICATE" => Self::Certificate,
            "RSA PRIVATE KEY" => Self::RsaPrivateKey,
            "PRIVATE KEY" => Self::PrivateKey,
            "ENCRYPTED PRIVATE KEY" => Self::EncryptedPrivateKey,
            _ => return None,
        })
    }

    /// The kind of the first PEM block of `text`, if it is one this module reads.
    /// The UI uses it to ask for a passphrase before importing.
    pub fn detect(text: &str) -> Option<Self> {
        first_label(text).and_then(Self::from_label)
    }

    pub fn has_private_key(self) -> bool {
        matches!(
            self,
            Self::RsaPrivateKey | Self::PrivateKey | Self::EncryptedPrivateKey
        )
    }

    pub fn needs_passphrase(self) -> bool {
        self == Self::EncryptedPrivateKey
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::PublicKey => "SPKI public key",
            Self::RsaPublicKey => "PKCS#1 public key",
            Self::Certificate => "X.509 certificate",
            Self::RsaPrivateKey => "PKCS#1 private key",
            Self::PrivateKey => "PKCS#8 private key",
            Self::EncryptedPrivateKey => "encrypted PKCS#8 private key",
        }
    }
}

/// A key read from PEM: always its public half, and the private half when
/// the PEM held one.
#[derive(Debug)]
pub struct ImportedKey {
    pub kind: PemKind,
    pub public: PublicKey,
    pub private: Option<PrivateKey>,
}

/// Reads the first PEM block of `text`. `passphrase` is needed only for an
/// `ENCRYPTED PRIVATE KEY`.
pub fn import_pem(text: &str, passphrase: Option<&Secret>) -> Result<ImportedKey> {
    let (label, der) = first_block(text)?;
    let Some(kind) = PemKind::from_label(&label) else {
        return Err(unsupported_label(&label, &der));
    };
    let (public, private) = match kind {
        PemKind::PublicKey => (public_from_spki(&der)?, None),
        PemKind::RsaPublicKey => (public_from_pkcs1(&der)?, None),
        PemKind::Certificate => {
            let cert = x509_cert::Certificate::from_der(&der)
                .map_err(|e| Error::validation(format!("The certificate cannot be read: {e}.")))?;
            let spki = to_der(&cert.tbs_certificate.subject_public_key_info)?;
            (public_from_spki(&spki)?, None)
        }
        PemKind::RsaPrivateKey => split(private_from_pkcs1(&der)?),
        PemKind::PrivateKey => split(private_from_pkcs8(&der)?),
        PemKind::EncryptedPrivateKey => {
            let passphrase = passphrase.filter(|p| !p.is_empty()).ok_or_else(|| {
                Error::validation("The private key is encrypted: its passphrase is needed.")
            })?;
            let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|e| {
                Error::validation(format!(
                    "The encrypted private key uses a scheme this portal does not read ({e}); \
                     re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`."
                ))
            })?;
            check_kdf_cost(&info.encryption_algorithm)?;
            let plain = info
                .decrypt(passphrase.expose().as_bytes())
                .map_err(|_| Error::validation("The passphrase does not decrypt this key."))?;
            split(private_from_pkcs8(plain.as_bytes())?)
        }
    };
    Ok(ImportedKey {
        kind,
        public,
        private,
    })
}

/// The most PBKDF2 iterations an encrypted key may ask for. OpenSSL writes
/// 2,048 by default and our export 600,000. With HMAC-SHA-512, or SHA-224/256
/// on a CPU without SHA instructions, 2,000,000 already take 2–4 s (10,000,000
/// took 10–40 s, which looks like a hang).
#[cfg(not(fuzzing))]
const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
/// The most memory an scrypt-encrypted key may ask for (128·N·r bytes);
/// OpenSSL's default (N = 2^14, r = 8) needs 16 MiB.
#[cfg(not(fuzzing))]
const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
/// The most scrypt work (128·N·r·p bytes mixed) an encrypted key may ask for.
#[cfg(not(fuzzing))]
const MAX_SCRYPT_WORK: u64 = 1024 * 1024 * 1024;
// Under cargo-fuzz (`--cfg fuzzing`) the same checks run with lower limits,
// so that no single input takes seconds: a slow input is a libFuzzer timeout
// on a slow machine, and slow inputs leave fewer runs for the rest.
#[cfg(fuzzing)]
const MAX_PBKDF2_ITERATIONS: u32 = 50_000;
#[cfg(fuzzing)]
const MAX_SCRYPT_MEMORY: u64 = 16 * 1024 * 1024;
#[cfg(fuzzing)]
const MAX_SCRYPT_WORK: u64 = 32 * 1024 * 1024;

/// Refuses key-derivation parameters that would hang the import or exhaust
/// memory before the passphrase is even tried: they come from the pasted
/// text, and `pkcs5` derives the key with whatever the text says.
fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<()> {
    use pkcs8::pkcs5::pbes2::Kdf;
    let pkcs8::pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Ok(()); // PBES1: refused by `decrypt` without deriving a key.
    };
    let too_costly = |what: String| {
        Error::validation(format!(
            "The encrypted private key asks for {what}, more than this portal spends on \
             a passphrase; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`."
        ))
    };
    match &params.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Err(too_costly(format!(
            "{} PBKDF2 iterations",
            p.iteration_count
        ))),
        Kdf::Pbkdf2(_) => Ok(()),
        Kdf::Scrypt(p) => {
            let memory = 128u128 * u128::from(p.cost_parameter) * u128::from(p.block_size);
            let work = memory * u128::from(p.parallelization);
            if memory > u128::from(MAX_SCRYPT_MEMORY) || work > u128::from(MAX_SCRYPT_WORK) {
                return Err(too_costly(format!(
                    "scrypt with N = {}, r = {}, p = {}",
                    p.cost_parameter, p.block_size, p.parallelization
                )));
            }
            Ok(())
        }
        // A KDF added to `pkcs5` later: its cost is unknown, so it is not run.
        _ => Err(Error::validation(
            "The encrypted private key uses a key derivation this portal does not read; \
             re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`.",
        )),
    }
}

fn split(private: PrivateKey) -> (PublicKey, Option<PrivateKey>) {
    (private.public_key(), Some(private))
}

/// The label of the first `-----BEGIN …-----` line.
fn first_label(text: &str) -> Option<&str> {
    let start = text.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = &text[start..];
    let end = rest.find("-----")?;
    Some(rest[..end].trim())
}

/// The label and DER bytes of the first PEM block.
fn first_block(text: &str) -> Result<(String, Zeroizing<Vec<u8>>)> {
    let Some(label) = first_label(text) else {
        let trimmed = text.trim_start();
        if trimmed.starts_with("ssh-rsa ") || trimmed.starts_with("ssh-") {
            return Err(Error::validation(
                "This is an OpenSSH public key line, not PEM; convert it with \
                 `ssh-keygen -e -m PKCS8 -f FILE`.",
            ));
        }
        return Err(Error::validation(
            "The text is not a PEM key: it has no line starting with -----BEGIN.",
        ));
    };
    let begin = text.find("-----BEGIN ").unwrap_or_default();
    let end_marker = format!("-----END {label}-----");
    let Some(end) = text[begin..].find(&end_marker) else {
        return Err(Error::validation(format!(
            "The PEM block '{label}' has no '{end_marker}' line."
        )));
    };
    let block = &text[begin..begin + end + end_marker.len()];
    if block.contains("Proc-Type:") {
        return Err(Error::validation(format!(
            "The '{label}' block is encrypted in OpenSSL's legacy format; convert it with \
             `openssl pkcs8 -topk8 -v2 aes-256-cbc -in FILE`."
        )));
    }
    // RFC 7468 strict grammar, after normalising line ends and trailing blanks.
    let normalised = Zeroizing::new(
        block
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n",
    );
    let (_, der) = pkcs8::der::pem::decode_vec(normalised.as_bytes())
        .map_err(|e| Error::validation(format!("The PEM block '{label}' is malformed: {e}.")))?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

fn unsupported_label(label: &str, der: &[u8]) -> Error {
    let what = match label {
        "EC PRIVATE KEY" | "EC PARAMETERS" => match curve_in(der) {
            Some(curve) => format!("an EC ({curve}) key"),
            None => "an EC key".to_owned(),
        },
        "DSA PRIVATE KEY" | "DSA PUBLIC KEY" => "a DSA key".to_owned(),
        "OPENSSH PRIVATE KEY" => {
            return Error::validation(
                "The key is in OpenSSH's own format; convert it with \
                 `ssh-keygen -p -m PKCS8 -f FILE` (RSA keys only).",
            )
        }
        other => {
            return Error::validation(format!(
                "A '{other}' PEM block is not a key this portal reads: use PUBLIC KEY, \
                 RSA PUBLIC KEY, CERTIFICATE, RSA PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY."
            ))
        }
    };
    not_rsa(&what)
}

fn not_rsa(what: &str) -> Error {
    Error::validation(format!(
        "The key is {what}; JWT signing keys must be RSA (RS256)."
    ))
}

/// Known named curves, by their DER-encoded OID (tag, length, value).
const CURVES: [(&[u8], &str); 4] = [
    (
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        "P-256",
    ),
    (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], "P-384"),
    (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23], "P-521"),
    (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a], "secp256k1"),
];

/// The named curve a SEC1 key or EC parameters block refers to.
fn curve_in(der: &[u8]) -> Option<&'static str> {
    CURVES
        .iter()
        .find(|(oid, _)| der.windows(oid.len()).any(|w| w == *oid))
        .map(|(_, name)| *name)
}

fn curve_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    Some(match oid.to_string().as_str() {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        _ => return None,
    })
}

/// Refuses any algorithm but rsaEncryption, naming the one found.
fn require_rsa(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<()> {
    let oid = algorithm.oid.to_string();
    if oid == RSA_ENCRYPTION {
        return Ok(());
    }
    let curve = || {
        algorithm
            .parameters
            .and_then(|p: AnyRef<'_>| p.decode_as::<ObjectIdentifier>().ok())
            .and_then(|c| curve_name(&c))
    };
    let what =
        match oid.as_str() {
            "1.2.840.10045.2.1" => match curve() {
                Some(c) => format!("an EC ({c}) key"),
                None => "an EC key".to_owned(),
            },
            "1.3.101.112" => "an Ed25519 key".to_owned(),
            "1.3.101.113" => "an Ed448 key".to_owned(),
            "1.3.101.110" => "an X25519 key".to_owned(),
            "1.3.101.111" => "an X448 key".to_owned(),
            "1.2.840.10040.4.1" => "a DSA key".to_owned(),
            "1.2.840.113549.1.1.10" => return Err(Error::validation(
                "The key is an RSA-PSS key (restricted to PSS signatures); RS256 needs a plain \
                 RSA (rsaEncryption) key.",
            )),
            other => format!("of algorithm {other}"),
        };
    Err(not_rsa(&what))
}

fn bits_of(modulus: &[u8]) -> usize {
    let bytes = modulus.iter().skip_while(|b| **b == 0).collect::<Vec<_>>();
    match bytes.first() {
        None => 0,
        Some(top) => bytes.len() * 8 - top.leading_zeros() as usize,
    }
}

fn public_from_spki(der: &[u8]) -> Result<PublicKey> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| {
        Error::validation(format!(
            "The public key is not a SubjectPublicKeyInfo: {e}."
        ))
    })?;
    require_rsa(&spki.algorithm)?;
    let bits = spki.subject_public_key.raw_bytes();
    public_from_pkcs1(bits)
}

fn public_from_pkcs1(der: &[u8]) -> Result<PublicKey> {
    let key = rsa::pkcs1::RsaPublicKey::from_der(der)
        .map_err(|e| Error::validation(format!("The RSA public key cannot be read: {e}.")))?;
    check_bits(bits_of(key.modulus.as_bytes()))?;
    let rsa = rsa::RsaPublicKey::new(
        BigUint::from_bytes_be(key.modulus.as_bytes()),
        BigUint::from_bytes_be(key.public_exponent.as_bytes()),
    )
    .map_err(|e| Error::validation(format!("The RSA public key is not valid: {e}.")))?;
    PublicKey::new(rsa)
}

fn private_from_pkcs1(der: &[u8]) -> Result<PrivateKey> {
    let parsed = rsa::pkcs1::RsaPrivateKey::from_der(der)
        .map_err(|e| Error::validation(format!("The RSA private key cannot be read: {e}.")))?;
    check_bits(bits_of(parsed.modulus.as_bytes()))?;
    if parsed.other_prime_infos.is_some() {
        return Err(Error::validation(
            "The RSA private key has more than two primes; use a two-prime key.",
        ));
    }
    let key = <rsa::RsaPrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_der(der)
        .map_err(|e| Error::validation(format!("The RSA private key is not valid: {e}.")))?;
    PrivateKey::new(key)
}

fn private_from_pkcs8(der: &[u8]) -> Result<PrivateKey> {
    let info = pkcs8::PrivateKeyInfo::try_from(der)
        .map_err(|e| Error::validation(format!("The private key is not valid PKCS#8: {e}.")))?;
    require_rsa(&info.algorithm)?;
    private_from_pkcs1(info.private_key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn detects_kinds_by_label() {
        assert_eq!(
            PemKind::detect("junk\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nx"),
            Some(PemKind::EncryptedPrivateKey)
        );
        assert_eq!(PemKind::detect("-----BEGIN EC PRIVATE KEY-----"), None);
        assert_eq!(PemKind::detect("hello"), None);
    }

    #[test]
    fn not_pem_and_truncated_pem_are_named() {
        let e = import_pem("hello", None).unwrap_err();
        assert!(e.message.contains("no line starting with -----BEGIN"));
        let e = import_pem("-----BEGIN PUBLIC KEY-----\nMIIB\n", None).unwrap_err();
        assert!(e.message.contains("has no '-----END PUBLIC KEY-----' line"));
        let e = import_pem(
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("is malformed"), "{}", e.message);
        let e = import_pem("ssh-rsa AAAAB3Nza me@host", None).unwrap_err();
        assert!(e.message.contains("OpenSSH public key"));
    }

    /// Found while writing the `pem_import` fuzz target (and confirmed with
    /// it): an encrypted key's KDF parameters
    /// come from the text, so they could abort the process (scrypt with
    /// N = 2^40 allocates 128 TiB) or keep it busy for many minutes
    /// (4·10^9 PBKDF2 iterations) before the passphrase is even tried.
    #[test]
    fn encrypted_keys_asking_for_huge_kdf_costs_are_refused_before_deriving() {
        let pass = Secret::new("test-pass");
        let e = import_pem(SCRYPT_N_2_40, Some(&pass)).unwrap_err();
        assert!(
            e.message
                .contains("scrypt with N = 1099511627776, r = 8, p = 1"),
            "{}",
            e.message
        );
        assert!(e.message.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"));
        let e = import_pem(SCRYPT_P_60000, Some(&pass)).unwrap_err();
        assert!(e.message.contains("p = 60000"), "{}", e.message);
        let e = import_pem(PBKDF2_4E9, Some(&pass)).unwrap_err();
        assert!(
            e.message.contains("4000000000 PBKDF2 iterations"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_modest_scrypt_key_still_imports() {
        use pkcs8::pkcs5::{pbes2, scrypt};
        let pem = include_str!("../../tests/fixtures/rsa2048_pkcs8.pem");
        let (_, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).unwrap();
        let info = pkcs8::PrivateKeyInfo::try_from(der.as_slice()).unwrap();
        let params = pbes2::Parameters::scrypt_aes256cbc(
            scrypt::Params::new(10, 8, 1, 32).unwrap(),
            b"saltsalt",
            &[7; 16],
        )
        .unwrap();
        let encrypted = info.encrypt_with_params(params, "test-pass").unwrap();
        let text = encrypted
            .to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF)
            .unwrap();
        let key = import_pem(&text, Some(&Secret::new("test-pass"))).unwrap();
        assert!(key.private.is_some());
        assert_eq!(key.public.bits(), 2048);
    }

    const SCRYPT_N_2_40: &str = r"-----BEGIN ENCRYPTED PRIVATE KEY-----
MHcwUwYJKoZIhvcNAQUNMEYwJQYJKwYBBAHaRwQLMBgECHNhbHRzYWx0AgYBAAAA
AAACAQgCAQEwHQYJYIZIAWUDBAEqBBABAQEBAQEBAQEBAQEBAQEBBCACAgICAgIC
AgICAgICAgICAgICAgICAgICAgICAgICAg==
-----END ENCRYPTED PRIVATE KEY-----
";
    const SCRYPT_P_60000: &str = r"-----BEGIN ENCRYPTED PRIVATE KEY-----
MHUwUQYJKoZIhvcNAQUNMEQwIwYJKwYBBAHaRwQLMBYECHNhbHRzYWx0AgJAAAIB
CAIDAOpgMB0GCWCGSAFlAwQBKgQQAQEBAQEBAQEBAQEBAQEBAQQgAgICAgICAgIC
AgICAgICAgICAgICAgICAgICAgICAgI=
-----END ENCRYPTED PRIVATE KEY-----
";
    const PBKDF2_4E9: &str = r"-----BEGIN ENCRYPTED PRIVATE KEY-----
MH4wWgYJKoZIhvcNAQUNME0wLAYJKoZIhvcNAQUMMB8ECHNhbHRzYWx0AgUA7mso
ADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQAQEBAQEBAQEBAQEBAQEBAQQg
AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=
-----END ENCRYPTED PRIVATE KEY-----
";

    #[test]
    fn modulus_bits_skip_leading_zeros() {
        assert_eq!(bits_of(&[0, 0x80, 0]), 16);
        assert_eq!(bits_of(&[0x01]), 1);
        assert_eq!(bits_of(&[]), 0);
    }
}
