//! `portal://` deep links: the parser, pure. A link opens a page of the app
//! (`portal://tokens/<id>`, `keys/<id>`, `assets/<id>`, `profiles/<name>`,
//! `doctor?url=…`) and never carries a secret: a link holding anything shaped
//! like a token, a private key, a JWT, a password or a credential-named
//! query key is refused as a whole, before it is read any further, so it is
//! never acted on. A refusal's message never repeats the link.
//!
//! The playback doctor is opened with a URL *without* its `?jwt=`: a
//! playback JWT is a bearer grant to a private video until it expires, and a
//! link travels through chat, browser history and the process list. The
//! doctor's input is prefilled with the URL; the user pastes the JWT.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::scan::detect::{Detector, HitKind};

/// The scheme, registered with the OS by the app.
pub const SCHEME: &str = "portal";
/// The longest link read (bytes).
pub const MAX_LINK_LEN: usize = 2048;
/// The longest id (a token, key or asset id) a link may name.
const MAX_ID_LEN: usize = 128;
/// How many times a link is percent-decoded while looking for a secret
/// (a value encoded twice or three times is still that value).
const DECODE_ROUNDS: usize = 3;
/// Query keys (lowercase, without `_`, `-` and `.`) that name a secret,
/// whatever their value.
const SECRET_KEYS_CONTAINING: [&str; 6] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "credential",
];
const SECRET_KEYS_EXACT: [&str; 8] = [
    "pwd",
    "pass",
    "jwt",
    "key",
    "auth",
    "authorization",
    "privatekey",
    "signature",
];

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum DeepLink {
    /// The Tokens page, with this token selected.
    Token { id: String },
    /// The JWT keys page, with this key (server id or local `lk_…` id) selected.
    Key { id: String },
    /// The Assets page, with this asset's details open.
    Asset { id: String },
    /// Switch to this profile (a production one only once the user confirms).
    Profile { name: String },
    /// The playback doctor, its input prefilled with `url` (which carries no JWT).
    Doctor { url: String },
}

/// Why a link was not acted on. `message` never repeats the link or any part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LinkRefusal {
    /// The link carried something shaped like a secret.
    pub secret: bool,
    pub message: String,
}

impl LinkRefusal {
    fn secret(what: &str) -> Self {
        Self {
            secret: true,
            message: format!(
                "This link carries {what}. Links never carry secrets, so it was not opened: \
                 treat that value as exposed and replace it."
            ),
        }
    }

    fn invalid(why: &str) -> Self {
        Self {
            secret: false,
            message: format!("This link cannot be opened: {why}"),
        }
    }
}

/// What became of a link the app received: opened, or refused with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
#[ts(export)]
pub enum LinkOutcome {
    Open { link: DeepLink },
    Refused { refusal: LinkRefusal },
}

impl From<Result<DeepLink, LinkRefusal>> for LinkOutcome {
    fn from(parsed: Result<DeepLink, LinkRefusal>) -> Self {
        match parsed {
            Ok(link) => Self::Open { link },
            Err(refusal) => Self::Refused { refusal },
        }
    }
}

/// Whether `arg` (a command-line argument) is meant as a `portal:` link.
pub fn is_link(arg: &str) -> bool {
    arg.get(..SCHEME.len() + 1)
        .is_some_and(|s| s.eq_ignore_ascii_case(&format!("{SCHEME}:")))
}

/// Reads a `portal://` link. Secret-shaped content is looked for first, in
/// the link as given and percent-decoded up to three times.
pub fn parse(link: &str) -> Result<DeepLink, LinkRefusal> {
    if link.len() > MAX_LINK_LEN {
        return Err(LinkRefusal::invalid(&format!(
            "it is longer than {MAX_LINK_LEN} characters."
        )));
    }
    if let Some(what) = secret_in(link) {
        return Err(LinkRefusal::secret(what));
    }
    let rest = link
        .get(..SCHEME.len() + 3)
        .filter(|s| s.eq_ignore_ascii_case(&format!("{SCHEME}://")))
        .map(|_| &link[SCHEME.len() + 3..])
        .ok_or_else(|| LinkRefusal::invalid("it is not a portal:// link."))?;
    if rest.contains('#') {
        return Err(LinkRefusal::invalid("it has a #fragment."));
    }
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let (target, tail) = path.split_once('/').unwrap_or((path, ""));
    let tail = tail.strip_suffix('/').unwrap_or(tail);
    let target = target.to_ascii_lowercase();
    if target != "doctor" && query.is_some() {
        return Err(LinkRefusal::invalid("only doctor links take a ?query."));
    }
    match target.as_str() {
        "tokens" => Ok(DeepLink::Token { id: id(tail)? }),
        "keys" => Ok(DeepLink::Key { id: id(tail)? }),
        "assets" => Ok(DeepLink::Asset { id: id(tail)? }),
        "profiles" => {
            let name = decoded(tail)?;
            crate::profiles::validate_name(&name)
                .map_err(|e| LinkRefusal::invalid(&e.message))?;
            Ok(DeepLink::Profile { name })
        }
        "doctor" if tail.is_empty() => Ok(DeepLink::Doctor {
            url: doctor_url(query.unwrap_or(""))?,
        }),
        "doctor" => Err(LinkRefusal::invalid("a doctor link is portal://doctor?url=…")),
        _ => Err(LinkRefusal::invalid(
            "Partner Portal opens portal://tokens/…, keys/…, assets/…, profiles/… and doctor?url=… links.",
        )),
    }
}

/// One path segment, percent-decoded, as UTF-8.
fn decoded(segment: &str) -> Result<String, LinkRefusal> {
    if segment.is_empty() || segment.contains('/') {
        return Err(LinkRefusal::invalid(
            "it should name one item after the page (portal://tokens/<id>).",
        ));
    }
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| LinkRefusal::invalid("it is not valid UTF-8 once decoded."))
}

/// A token, key or asset id: 1 to 128 of `A-Z a-z 0-9 _ - . :`, not only dots.
fn id(segment: &str) -> Result<String, LinkRefusal> {
    let id = decoded(segment)?;
    let ok = id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
        && !id.bytes().all(|b| b == b'.');
    if ok {
        Ok(id)
    } else {
        Err(LinkRefusal::invalid(&format!(
            "an id is 1 to {MAX_ID_LEN} letters, digits, '_', '-', '.' or ':'."
        )))
    }
}

/// The doctor's `url`: the only query key, an http(s) URL with no password.
fn doctor_url(query: &str) -> Result<String, LinkRefusal> {
    let mut url = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "url" || url.is_some() {
            return Err(LinkRefusal::invalid(
                "a doctor link takes one url=… and nothing else.",
            ));
        }
        url = Some(
            percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| LinkRefusal::invalid("its url is not valid UTF-8 once decoded."))?
                .into_owned(),
        );
    }
    let url = url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| LinkRefusal::invalid("a doctor link is portal://doctor?url=…"))?;
    let parsed = Url::parse(&url).map_err(|_| LinkRefusal::invalid("its url is not a URL."))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(LinkRefusal::invalid("its url is not an http(s) URL."));
    }
    if parsed.password().is_some() {
        return Err(LinkRefusal::secret("a password (in the doctor's URL)"));
    }
    Ok(url)
}

/// What secret-shaped thing `link` holds, if any: in the link as given, or
/// once, twice or three times percent-decoded.
fn secret_in(link: &str) -> Option<&'static str> {
    let detector = Detector::new(&[]).ok()?;
    let mut text = link.to_owned();
    for _ in 0..=DECODE_ROUNDS {
        if let Some(what) = secret_in_text(&detector, &text) {
            return Some(what);
        }
        let next = percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned();
        if next == text {
            break;
        }
        text = next;
    }
    None
}

fn secret_in_text(detector: &Detector, text: &str) -> Option<&'static str> {
    for hit in detector.find(text.as_bytes()) {
        match hit.kind {
            HitKind::Token => return Some("a VaultStream token"),
            HitKind::PrivateKey { .. } => return Some("a private key"),
            HitKind::Stored { .. } => {}
        }
    }
    if has_jwt(text) {
        return Some("a JWT");
    }
    if text.to_ascii_lowercase().contains("bearer ") {
        return Some("a bearer credential");
    }
    if let Some(key) = secret_key(text) {
        return Some(key);
    }
    None
}

/// A JWT: `eyJ` and base64url, a dot, more base64url (a header and a payload).
fn has_jwt(text: &str) -> bool {
    let b64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-';
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find("eyJ").map(|i| from + i) {
        let header = bytes[at..].iter().take_while(|b| b64(b)).count();
        let rest = &bytes[at + header..];
        if header >= 10
            && rest.first() == Some(&b'.')
            && rest[1..].iter().take_while(|b| b64(b)).count() >= 2
        {
            return true;
        }
        from = at + 3;
    }
    false
}

/// A `key=` (after `?`, `&`, `;` or `#`) whose name says it holds a secret.
fn secret_key(text: &str) -> Option<&'static str> {
    for piece in text.split(['?', '&', ';', '#']).skip(1) {
        let Some((key, _)) = piece.split_once('=') else {
            continue;
        };
        let key: String = key
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        if key == "jwt" {
            return Some("a JWT (jwt=)");
        }
        if SECRET_KEYS_CONTAINING.iter().any(|s| key.contains(s))
            || SECRET_KEYS_EXACT.contains(&key.as_str())
        {
            return Some("a credential (a password, token, secret or key parameter)");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "vst_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abc";
    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2aWQxIn0.c2lnbmF0dXJl";

    fn ok(link: &str) -> DeepLink {
        parse(link).unwrap_or_else(|r| panic!("{link}: {}", r.message))
    }

    fn refused(link: &str) -> LinkRefusal {
        match parse(link) {
            Ok(l) => panic!("{link} was accepted as {l:?}"),
            Err(r) => {
                // (`portal://tokens` alone is in the message naming the forms.)
                assert!(
                    link.len() <= 20 || !r.message.contains(link),
                    "the message repeats {link}"
                );
                r
            }
        }
    }

    fn secret(link: &str) {
        let r = refused(link);
        assert!(r.secret, "{link}: not refused as a secret: {}", r.message);
        assert!(!r.message.contains("vst_") && !r.message.contains("eyJ"));
    }

    fn invalid(link: &str) {
        let r = refused(link);
        assert!(!r.secret, "{link}: refused as a secret: {}", r.message);
    }

    #[test]
    fn every_form_is_read() {
        assert_eq!(
            ok("portal://tokens/tok_abc123"),
            DeepLink::Token {
                id: "tok_abc123".into()
            }
        );
        assert_eq!(
            ok("portal://keys/key_1"),
            DeepLink::Key { id: "key_1".into() }
        );
        assert_eq!(
            ok("portal://keys/lk_9f"),
            DeepLink::Key { id: "lk_9f".into() }
        );
        assert_eq!(
            ok("portal://assets/3f2b8c1e-0d4a-4e6b-9a55-1c2d3e4f5a6b"),
            DeepLink::Asset {
                id: "3f2b8c1e-0d4a-4e6b-9a55-1c2d3e4f5a6b".into()
            }
        );
        assert_eq!(
            ok("portal://profiles/staging"),
            DeepLink::Profile {
                name: "staging".into()
            }
        );
        assert_eq!(
            ok("portal://doctor?url=https%3A%2F%2Fvideo.example.com%2Fwatch%2Fv1"),
            DeepLink::Doctor {
                url: "https://video.example.com/watch/v1".into()
            }
        );
    }

    #[test]
    fn scheme_and_page_are_case_insensitive_and_a_trailing_slash_is_fine() {
        assert_eq!(
            ok("PORTAL://Tokens/tok_1/"),
            DeepLink::Token { id: "tok_1".into() }
        );
        assert!(is_link("Portal://keys/k") && !is_link("--data-dir") && !is_link("port"));
    }

    #[test]
    fn path_segments_are_percent_decoded() {
        assert_eq!(
            ok("portal://profiles/My%20team"),
            DeepLink::Profile {
                name: "My team".into()
            }
        );
        assert_eq!(
            ok("portal://profiles/%C3%A9quipe"),
            DeepLink::Profile {
                name: "équipe".into()
            }
        );
        assert_eq!(
            ok("portal://tokens/tok%5F1"),
            DeepLink::Token { id: "tok_1".into() }
        );
        // An encoded slash is not a second segment, but it is not an id either.
        invalid("portal://tokens/a%2Fb");
        invalid("portal://profiles/a%2Fb");
        invalid("portal://profiles/%FF");
    }

    #[test]
    fn unknown_pages_bad_ids_and_other_schemes_are_refused() {
        invalid("portal://settings/x");
        invalid("portal://");
        invalid("https://tokens/tok_1");
        invalid("portal:tokens/tok_1");
        invalid("portal://tokens");
        invalid("portal://tokens/");
        invalid("portal://tokens/a/b");
        invalid("portal://tokens/..");
        invalid("portal://tokens/tok%201");
        invalid("portal://tokens/tok_1?x=1");
        invalid("portal://tokens/tok_1#x");
        invalid(&format!("portal://tokens/{}", "a".repeat(MAX_ID_LEN + 1)));
        ok(&format!("portal://tokens/{}", "a".repeat(MAX_ID_LEN)));
        invalid("portal://profiles/%20lead");
        invalid("portal://doctor");
        invalid("portal://doctor/x?url=https%3A%2F%2Fa.example");
        invalid("portal://doctor?url=");
        invalid("portal://doctor?url=https%3A%2F%2Fa.example&x=1");
        invalid("portal://doctor?url=file%3A%2F%2F%2Fetc%2Fpasswd");
        invalid("portal://doctor?url=not%20a%20url");
    }

    #[test]
    fn over_long_input_is_refused_before_it_is_read() {
        let long = format!("portal://tokens/{}", "a".repeat(MAX_LINK_LEN));
        let r = refused(&long);
        assert!(!r.secret && r.message.contains("longer"));
        // Even with a token in it: nothing past the length is looked at.
        let r = refused(&format!("{long}{TOKEN}"));
        assert!(!r.secret);
    }

    #[test]
    fn secret_shaped_content_is_refused_wherever_it_is() {
        secret(&format!("portal://tokens/{TOKEN}"));
        secret("portal://tokens/vst_ses_AbCdEfGhIjKlMnOpQrSt");
        secret(&format!("portal://profiles/{JWT}"));
        secret(&format!("portal://keys/x?{}", "token=abc"));
        secret("portal://tokens/tok_1?password=hunter2");
        secret("portal://tokens/tok_1?client_secret=s");
        secret("portal://tokens/tok_1?api-key=s");
        secret("portal://profiles/p?Private_Key=x");
        secret("portal://keys/-----BEGIN%20PRIVATE%20KEY-----MIIE");
        secret("portal://keys/x?auth=Bearer%20abc");
        // Encoded once, twice, three times.
        secret("portal://tokens/%76st_live_AbCdEfGhIjKlMnOpQrStUvWx");
        secret("portal://tokens/%2576st_live_AbCdEfGhIjKlMnOpQrStUvWx");
        secret("portal://tokens/%252576st_live_AbCdEfGhIjKlMnOpQrStUvWx");
        // A secret in a link that is otherwise invalid is still said to be one.
        secret(&format!("https://evil.example/{TOKEN}"));
    }

    #[test]
    fn the_doctor_takes_a_url_without_its_jwt() {
        secret(&format!(
            "portal://doctor?url=https%3A%2F%2Fv.example%2Fwatch%2Fv1%3Fjwt%3D{JWT}"
        ));
        secret("portal://doctor?url=https%3A%2F%2Fv.example%2Fwatch%2Fv1%3Fjwt%3Dshort");
        secret("portal://doctor?url=https%3A%2F%2Fv.example%2Fw%3Ftoken%3Dx");
        secret("portal://doctor?url=https%3A%2F%2Fuser%3Apw%40v.example%2Fw");
        assert_eq!(
            ok("portal://doctor?url=https%3A%2F%2Fv.example%2Fembed%2Fv1%3Fautoplay%3D1"),
            DeepLink::Doctor {
                url: "https://v.example/embed/v1?autoplay=1".into()
            }
        );
    }

    #[test]
    fn ordinary_ids_are_not_mistaken_for_secrets() {
        ok("portal://tokens/tok_live_ab");
        ok("portal://keys/eyJ");
        ok("portal://profiles/keys%20team");
        ok("portal://doctor?url=https%3A%2F%2Fv.example%2Fwatch%2Fmonkey");
    }

    #[test]
    fn arbitrary_input_is_answered_without_a_panic() {
        // A fixed pseudo-random walk over pieces links are made of, multibyte
        // characters and cut escapes included.
        const PIECES: [&str; 16] = [
            "portal://",
            "tokens/",
            "doctor?url=",
            "%",
            "%2",
            "%25",
            "é",
            "/",
            "?",
            "&",
            "=",
            "eyJ",
            ".",
            "vst_live_",
            "-----BEGIN ",
            "a",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let mut link = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                link.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            if let Err(r) = parse(&link) {
                assert!(!r.message.is_empty());
            }
        }
    }

    #[test]
    fn outcomes_serialize_as_the_ui_reads_them() {
        let open = serde_json::to_value(LinkOutcome::from(parse("portal://tokens/tok_1"))).unwrap();
        assert_eq!(
            open,
            serde_json::json!({"outcome": "open", "link": {"kind": "token", "id": "tok_1"}})
        );
        let no = serde_json::to_value(LinkOutcome::from(parse(&format!(
            "portal://tokens/{TOKEN}"
        ))))
        .unwrap();
        assert_eq!(no["outcome"], "refused");
        assert_eq!(no["refusal"]["secret"], true);
        assert!(!no.to_string().contains(TOKEN));
    }
}
