//! Key material: import of every PEM format, refusals, fingerprints, export.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portal_core::keypair::{
    generate, import_pem, pairs_with, GenProgress, PemKind, PrivateKey, PublicKey,
};
use portal_core::{ErrorCode, Secret};
use rsa::BigUint;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn openssl_fingerprint() -> String {
    fixture("rsa2048_spki.sha256").trim().to_owned()
}

#[test]
fn rfc7638_example_thumbprint() {
    // RFC 7638 §3.1.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let n = BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(n).unwrap());
    let key = PublicKey::new(rsa::RsaPublicKey::new(n, BigUint::from(65_537u32)).unwrap()).unwrap();
    assert_eq!(
        key.jwk_thumbprint_input(),
        format!(
            r#"{{"e":"AQAB","kty":"RSA","n":"{}"}}"#,
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        )
    );
    assert_eq!(
        key.fingerprints().unwrap().jwk_thumbprint,
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn every_public_format_gives_the_same_key_as_openssl_sees_it() {
    let expected = openssl_fingerprint();
    for (file, kind) in [
        ("rsa2048_spki.pem", PemKind::PublicKey),
        ("rsa2048_pkcs1_pub.pem", PemKind::RsaPublicKey),
        ("rsa2048_cert.pem", PemKind::Certificate),
    ] {
        let imported = import_pem(&fixture(file), None).unwrap();
        assert_eq!(imported.kind, kind, "{file}");
        assert!(imported.private.is_none(), "{file}");
        let fp = imported.public.fingerprints().unwrap();
        assert_eq!(fp.sha256, expected, "{file}");
        assert_eq!(imported.public.bits(), 2048);
        // SPKI PEM out, and back in: same key.
        let pem = imported.public.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{file}");
        assert_eq!(PublicKey::from_pem(&pem).unwrap(), imported.public);
    }
    // Our SPKI PEM is byte for byte OpenSSL's.
    let spki = fixture("rsa2048_spki.pem");
    assert_eq!(PublicKey::from_pem(&spki).unwrap().to_pem().unwrap(), spki);
}

#[test]
fn every_private_format_keeps_the_private_half() {
    let expected = openssl_fingerprint();
    let pass = Secret::new("test-pass");
    for (file, kind) in [
        ("rsa2048_pkcs1.pem", PemKind::RsaPrivateKey),
        ("rsa2048_pkcs8.pem", PemKind::PrivateKey),
        ("rsa2048_encrypted.pem", PemKind::EncryptedPrivateKey),
    ] {
        let imported = import_pem(&fixture(file), Some(&pass)).unwrap();
        assert_eq!(imported.kind, kind, "{file}");
        let private = imported.private.unwrap();
        assert_eq!(imported.public.fingerprints().unwrap().sha256, expected);
        assert!(pairs_with(&private, &imported.public));
        // PKCS#8 out and back in.
        let pem = private.to_pkcs8_pem().unwrap();
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = PrivateKey::from_pem(&pem).unwrap();
        assert!(pairs_with(&again, &imported.public));
    }
    // OpenSSL's PKCS#8 text is what we write too.
    let pkcs8 = fixture("rsa2048_pkcs8.pem");
    let key = PrivateKey::from_pem(&Secret::new(pkcs8.as_str())).unwrap();
    assert_eq!(key.to_pkcs8_pem().unwrap().expose(), pkcs8);
}

#[test]
fn encrypted_keys_need_the_right_passphrase() {
    let pem = fixture("rsa2048_encrypted.pem");
    assert_eq!(PemKind::detect(&pem), Some(PemKind::EncryptedPrivateKey));
    assert!(PemKind::EncryptedPrivateKey.needs_passphrase());
    let e = import_pem(&pem, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(e.message.contains("passphrase is needed"), "{}", e.message);
    let e = import_pem(&pem, Some(&Secret::new("wrong"))).unwrap_err();
    assert_eq!(e.message, "The passphrase does not decrypt this key.");
}

#[test]
fn encrypted_export_round_trips_and_openssl_reads_it() {
    let key = PrivateKey::from_pem(&Secret::new(fixture("rsa2048_pkcs8.pem"))).unwrap();
    let pass = Secret::new("correct horse");
    let pem = key.to_encrypted_pkcs8_pem(&pass).unwrap();
    assert!(pem
        .expose()
        .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    let back = import_pem(pem.expose(), Some(&pass)).unwrap();
    assert_eq!(back.kind, PemKind::EncryptedPrivateKey);
    assert!(pairs_with(&back.private.unwrap(), &key.public_key()));
    assert!(import_pem(pem.expose(), Some(&Secret::new("nope"))).is_err());
    assert!(key.to_encrypted_pkcs8_pem(&Secret::new("")).is_err());

    // OpenSSL, when present, decrypts it to the same public key.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pem");
    std::fs::write(&path, pem.expose()).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-passin", "pass:correct horse", "-in"])
        .arg(&path)
        .output();
    if let Ok(out) = out {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            fixture("rsa2048_spki.pem")
        );
    }
}

fn refusal(text: &str) -> String {
    let e = import_pem(text, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation, "{}", e.message);
    e.message
}

#[test]
fn small_and_non_rsa_keys_are_refused_by_name() {
    for file in ["rsa1024_pkcs8.pem", "rsa1024_spki.pem"] {
        assert_eq!(
            refusal(&fixture(file)),
            "The RSA key is 1024 bits; at least 2048 are required.",
            "{file}"
        );
    }
    for file in ["ec_p256_sec1.pem", "ec_p256_pkcs8.pem", "ec_p256_spki.pem"] {
        assert_eq!(
            refusal(&fixture(file)),
            "The key is an EC (P-256) key; JWT signing keys must be RSA (RS256).",
            "{file}"
        );
    }
    assert_eq!(
        refusal(&fixture("ed25519_spki.pem")),
        "The key is an Ed25519 key; JWT signing keys must be RSA (RS256)."
    );
}

#[test]
fn malformed_pem_is_refused_precisely() {
    assert!(refusal("").contains("no line starting with -----BEGIN"));
    let spki = fixture("rsa2048_spki.pem");
    let truncated = &spki[..spki.len() - 30];
    assert!(refusal(truncated).contains("has no '-----END PUBLIC KEY-----' line"));
    let broken = spki.replacen("MII", "M*I", 1);
    assert!(refusal(&broken).contains("is malformed"));
    let wrong_body = fixture("rsa2048_pkcs1_pub.pem").replace("RSA PUBLIC KEY", "PUBLIC KEY");
    assert!(refusal(&wrong_body).contains("not a SubjectPublicKeyInfo"));
    assert!(refusal("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n")
        .contains("'FOO' PEM block is not a key"));
    let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    assert!(refusal(legacy).contains("legacy format"));
}

#[test]
fn pem_with_crlf_and_surrounding_text_is_read() {
    let spki = fixture("rsa2048_spki.pem").replace('\n', "\r\n");
    let text = format!("Here is my key:\r\n{spki}\r\nthanks");
    assert_eq!(
        import_pem(&text, None)
            .unwrap()
            .public
            .fingerprints()
            .unwrap()
            .sha256,
        openssl_fingerprint()
    );
}

#[test]
fn generated_key_has_the_size_exponent_and_formats_asked_for() {
    let cancel = AtomicBool::new(false);
    let seen = Mutex::new(Vec::<GenProgress>::new());
    let key = generate(2048, |p| seen.lock().unwrap().push(p), &cancel).unwrap();
    assert_eq!(key.bits(), 2048);
    let public = key.public_key();
    use rsa::traits::PublicKeyParts;
    assert_eq!(public.rsa().e(), &BigUint::from(65_537u32));
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first().unwrap().primes_found, 0);
    assert_eq!(seen.last().unwrap().primes_found, 2);
    assert!(seen.last().unwrap().candidates_tested >= 2);

    // PKCS#8 private and SPKI public PEM, both read back.
    let private_pem = key.to_pkcs8_pem().unwrap();
    let back = import_pem(private_pem.expose(), None).unwrap();
    assert_eq!(back.kind, PemKind::PrivateKey);
    assert_eq!(back.public, public);
    let public_pem = public.to_pem().unwrap();
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(PublicKey::from_pem(&public_pem).unwrap(), public);

    // Nothing private in Debug.
    let debug = format!("{key:?}");
    assert_eq!(debug, "PrivateKey(RSA-2048, <redacted>)");
}

#[test]
fn generation_can_be_cancelled_from_another_thread() {
    let cancel = AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        let handle = s.spawn(|| generate(4096, |_| {}, &cancel));
        std::thread::sleep(std::time::Duration::from_millis(50));
        cancel.store(true, Ordering::Relaxed);
        handle.join().unwrap()
    });
    // A 4096-bit key in 50 ms is possible but rare; either way nothing hangs.
    if let Err(e) = result {
        assert_eq!(e.code, ErrorCode::Cancelled);
    }
}
