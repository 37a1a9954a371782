//! Private-video JWTs: RS256, header `{"alg":"RS256","typ":"JWT","kid":…}`,
//! claims `sub` (a video id or `*`), `iat` and `exp`.
//!
//! Signed by hand with `rsa`'s PKCS#1 v1.5 / SHA-256 signer: the format is
//! three base64url parts, and a JWT crate would bring a second set of
//! crypto dependencies for the one algorithm used here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::jwt_keys::JwtKeysClient;
use crate::keypair::{PrivateKey, PublicKey};
use crate::profiles::Profile;
use crate::secret::Secret;

/// Lifetime of a JWT when none is chosen.
pub const DEFAULT_TTL: Duration = Duration::hours(1);

pub use crate::profiles::{validate_ttl_cap, DEFAULT_MAX_TTL_SECONDS, TTL_CAP_RANGE};
pub use crate::time::describe_seconds;

/// Refuses a lifetime over the profile's cap, naming the cap.
pub fn check_ttl(profile: &Profile, ttl: Duration) -> Result<()> {
    let cap = i64::from(profile.jwt_max_ttl_seconds);
    if ttl.num_seconds() > cap {
        return Err(Error::validation(format!(
            "A JWT signed under profile '{}' may last at most {} (its cap); {} asked.",
            profile.name,
            describe_seconds(cap),
            describe_seconds(ttl.num_seconds())
        ))
        .with_hint(
            "Choose a shorter lifetime, or raise the profile's cap (Settings, or \
             `portal profile edit NAME --jwt-max-ttl`).",
        ));
    }
    Ok(())
}

/// [`sign`] under a profile: the lifetime may not exceed its cap. The app
/// and the CLI sign through this.
pub fn sign_for_profile(
    profile: &Profile,
    key: &PrivateKey,
    kid: &str,
    subject: &Subject,
    ttl: Duration,
) -> Result<SignedJwt> {
    check_ttl(profile, ttl)?;
    sign(key, kid, subject, ttl)
}

/// Which videos a JWT opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Video(String),
    AllVideos,
}

impl Subject {
    pub fn as_claim(&self) -> &str {
        match self {
            Self::Video(id) => id,
            Self::AllVideos => "*",
        }
    }

    pub fn from_claim(sub: &str) -> Self {
        if sub == "*" {
            Self::AllVideos
        } else {
            Self::Video(sub.to_owned())
        }
    }
}

/// A freshly signed JWT. The token opens the video(s) until `expires_at`, so it
/// is held as a [`Secret`].
#[derive(Debug)]
pub struct SignedJwt {
    pub jwt: Secret,
    pub kid: String,
    pub subject: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Signs a JWT for `subject` with the private half of server key `kid`,
/// valid from now for `ttl`.
pub fn sign(key: &PrivateKey, kid: &str, subject: &Subject, ttl: Duration) -> Result<SignedJwt> {
    sign_at(key, kid, subject, Utc::now(), ttl)
}

/// [`sign`] with an explicit issue time (tests; tokens dated in the past).
pub fn sign_at(
    key: &PrivateKey,
    kid: &str,
    subject: &Subject,
    issued_at: DateTime<Utc>,
    ttl: Duration,
) -> Result<SignedJwt> {
    if kid.trim().is_empty() {
        return Err(Error::validation(
            "The JWT needs the id of an uploaded key as its kid.",
        ));
    }
    if let Subject::Video(id) = subject {
        if id.trim().is_empty() || id == "*" {
            return Err(Error::validation(
                "A video id is needed (or sign for all videos).",
            ));
        }
    }
    if ttl <= Duration::zero() {
        return Err(Error::validation("The JWT's lifetime must be positive."));
    }
    let iat = issued_at.timestamp();
    let exp = iat
        .checked_add(ttl.num_seconds())
        .ok_or_else(|| Error::validation("The JWT's lifetime is too long."))?;
    let claims = json!({"sub": subject.as_claim(), "iat": iat, "exp": exp});
    Ok(SignedJwt {
        jwt: sign_claims(key, kid, &claims)?,
        kid: kid.to_owned(),
        subject: subject.as_claim().to_owned(),
        issued_at,
        expires_at: timestamp(exp).unwrap_or(issued_at),
    })
}

/// An RS256 JWT with header `{"alg":"RS256","typ":"JWT","kid":kid}` and
/// these claims, as they are (no check): [`sign_at`] builds its claims and
/// signs through this; tests sign claims the portal never would (`nbf`).
pub fn sign_claims(key: &PrivateKey, kid: &str, claims: &Value) -> Result<Secret> {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    // With an RNG the private-key operation is blinded (the signature is the
    // same: PKCS#1 v1.5 is deterministic), which blurs its timing.
    let signer = SigningKey::<Sha256>::new(key.rsa().clone());
    let signature = signer
        .try_sign_with_rng(&mut rand::rngs::OsRng, input.as_bytes())
        .map_err(|e| Error::internal(format!("cannot sign the JWT: {e}")))?;
    Ok(Secret::from(format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )))
}

/// A JWT's header and claims, read without checking anything.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecodedJwt {
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
    #[serde(skip)]
    signing_input: String,
    #[serde(skip)]
    signature: Vec<u8>,
}

impl DecodedJwt {
    pub fn alg(&self) -> Option<&str> {
        self.header["alg"].as_str()
    }

    pub fn kid(&self) -> Option<&str> {
        self.header["kid"].as_str()
    }

    pub fn subject(&self) -> Option<&str> {
        self.claims["sub"].as_str()
    }

    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.claims["exp"].as_i64().and_then(timestamp)
    }

    /// `nbf`, when the JWT has one.
    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        self.claims["nbf"].as_i64().and_then(timestamp)
    }

    /// The RS256 signature verifies with `public` (the alg is not looked at).
    pub fn signature_verifies(&self, public: &PublicKey) -> bool {
        Signature::try_from(self.signature.as_slice())
            .ok()
            .is_some_and(|sig| {
                VerifyingKey::<Sha256>::new(public.rsa().clone())
                    .verify(self.signing_input.as_bytes(), &sig)
                    .is_ok()
            })
    }
}

/// Splits a compact JWT into header and claims (no verification).
pub fn decode(token: &str) -> Result<DecodedJwt> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::validation(
            "This is not a JWT: it needs three dot-separated parts.",
        ));
    };
    let object = |p: &str, what: &str| -> Result<Value> {
        let bytes = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| Error::validation(format!("The JWT's {what} is not base64url.")))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err(Error::validation(format!(
                "The JWT's {what} is not a JSON object."
            ))),
        }
    };
    let header = object(h, "header")?;
    let claims = object(c, "claims")?;
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| Error::validation("The JWT's signature is not base64url."))?;
    Ok(DecodedJwt {
        header,
        claims,
        signing_input: token[..h.len() + 1 + c.len()].to_owned(),
        signature,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Valid,
    Expired,
    BadSignature,
    Malformed,
    /// No uploaded key has the JWT's kid.
    UnknownKid,
}

/// The answer to "would this JWT be accepted?", for a person.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub kind: VerdictKind,
    /// One sentence saying why.
    pub message: String,
    pub kid: Option<String>,
    pub subject: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        self.kind == VerdictKind::Valid
    }

    fn new(kind: VerdictKind, message: impl Into<String>, jwt: Option<&DecodedJwt>) -> Self {
        Self {
            kind,
            message: message.into(),
            kid: jwt.and_then(|j| j.kid().map(str::to_owned)),
            subject: jwt.and_then(|j| j.subject().map(str::to_owned)),
            expires_at: jwt.and_then(DecodedJwt::expires_at),
        }
    }
}

/// Checks the signature against `public`, then `exp` against `now`.
pub fn verify(token: &str, public: &PublicKey, now: DateTime<Utc>) -> Verdict {
    match decode(token) {
        Ok(jwt) => verify_decoded(&jwt, public, now),
        Err(e) => Verdict::new(VerdictKind::Malformed, e.message, None),
    }
}

fn verify_decoded(jwt: &DecodedJwt, public: &PublicKey, now: DateTime<Utc>) -> Verdict {
    let verdict = |kind, message: String| Verdict::new(kind, message, Some(jwt));
    match jwt.alg() {
        Some("RS256") => {}
        Some(other) => {
            return verdict(
                VerdictKind::Malformed,
                format!("The JWT uses alg {other}; private-video JWTs use RS256."),
            )
        }
        None => return verdict(VerdictKind::Malformed, "The JWT header has no alg.".into()),
    }
    if !jwt.signature_verifies(public) {
        return verdict(
            VerdictKind::BadSignature,
            "The signature does not verify with this public key.".into(),
        );
    }
    let Some(exp) = jwt.claims["exp"].as_i64() else {
        return verdict(
            VerdictKind::Malformed,
            "The JWT has no numeric exp claim.".into(),
        );
    };
    if jwt.subject().is_none() {
        return verdict(
            VerdictKind::Malformed,
            "The JWT has no sub claim (a video id or *).".into(),
        );
    }
    let expiry = timestamp(exp).map_or_else(|| exp.to_string(), |t| t.to_rfc3339());
    if exp <= now.timestamp() {
        return verdict(
            VerdictKind::Expired,
            format!("The signature is good but the JWT expired at {expiry}."),
        );
    }
    let scope = match jwt.subject() {
        Some("*") => "all videos".to_owned(),
        Some(id) => format!("video {id}"),
        None => String::new(),
    };
    verdict(
        VerdictKind::Valid,
        format!(
            "Signed by key {}, for {scope}, until {expiry}.",
            jwt.kid().unwrap_or("-")
        ),
    )
}

/// Verifies against the uploaded key its `kid` names, fetched from the JWT
/// keys API. A kid the service does not know is a verdict, not an error;
/// other failures to reach the service are errors.
pub async fn verify_with_service(token: &str, keys: &JwtKeysClient<'_>) -> Result<Verdict> {
    let jwt = match decode(token) {
        Ok(jwt) => jwt,
        Err(e) => return Ok(Verdict::new(VerdictKind::Malformed, e.message, None)),
    };
    let Some(kid) = jwt.kid().filter(|k| !k.is_empty()) else {
        return Ok(Verdict::new(
            VerdictKind::Malformed,
            "The JWT header has no kid naming an uploaded key.",
            Some(&jwt),
        ));
    };
    let server_key = match keys.get(kid).await {
        Ok(k) => k,
        Err(e) if e.code == ErrorCode::NotFound => {
            return Ok(Verdict::new(
                VerdictKind::UnknownKid,
                format!("No uploaded JWT key has the id {kid}."),
                Some(&jwt),
            ))
        }
        Err(e) => return Err(e),
    };
    let public = PublicKey::from_pem(&server_key.public_key).map_err(|e| {
        Error::new(
            ErrorCode::BadResponse,
            format!(
                "The service's public key {kid} cannot be read: {}",
                e.message
            ),
        )
    })?;
    Ok(verify_decoded(&jwt, &public, Utc::now()))
}

fn timestamp(secs: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0).single()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations_read_as_their_largest_unit() {
        assert_eq!(describe_seconds(7 * 86_400), "7 days");
        assert_eq!(describe_seconds(86_400), "1 day");
        assert_eq!(describe_seconds(12 * 3600), "12 hours");
        assert_eq!(describe_seconds(90 * 60), "90 minutes");
        assert_eq!(describe_seconds(45), "45 seconds");
    }

    #[test]
    fn the_ttl_cap_is_the_profiles_and_named_in_the_refusal() {
        let mut profile = Profile::new("Prod", crate::profiles::Environment::Production);
        assert!(check_ttl(&profile, Duration::days(7)).is_ok());
        let err = check_ttl(&profile, Duration::days(7) + Duration::seconds(1)).unwrap_err();
        assert_eq!(err.code, ErrorCode::Validation);
        assert!(err.message.contains("at most 7 days"), "{}", err.message);
        profile.jwt_max_ttl_seconds = 3600;
        let err = check_ttl(&profile, Duration::hours(2)).unwrap_err();
        assert!(err.message.contains("at most 1 hour"), "{}", err.message);
        assert!(check_ttl(&profile, Duration::hours(1)).is_ok());
        let key = PrivateKey::from_pem(&Secret::new(include_str!(
            "../tests/fixtures/rsa2048_pkcs8.pem"
        )))
        .unwrap();
        let over = sign_for_profile(&profile, &key, "k", &Subject::AllVideos, Duration::hours(2));
        assert_eq!(over.unwrap_err().code, ErrorCode::Validation);
        let ok = sign_for_profile(&profile, &key, "k", &Subject::AllVideos, Duration::hours(1));
        assert_eq!(ok.unwrap().kid, "k");
    }

    #[test]
    fn subjects_map_to_claims() {
        assert_eq!(Subject::AllVideos.as_claim(), "*");
        assert_eq!(Subject::from_claim("v1"), Subject::Video("v1".into()));
        assert_eq!(Subject::from_claim("*"), Subject::AllVideos);
    }

    #[test]
    fn garbage_is_malformed() {
        assert!(decode("a.b").is_err());
        assert!(decode("!.!.!").is_err());
        let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let not_object = format!("{}.{}.", enc("[]"), enc("{}"));
        assert!(decode(&not_object)
            .unwrap_err()
            .message
            .contains("header is not a JSON object"));
        let ok = format!(
            "{}.{}.",
            enc(r#"{"alg":"RS256","kid":"k"}"#),
            enc(r#"{"sub":"v"}"#)
        );
        let d = decode(&ok).unwrap();
        assert_eq!(d.kid(), Some("k"));
        assert_eq!(d.subject(), Some("v"));
        assert_eq!(d.expires_at(), None);
    }
}
