//! The playback doctor (issue 16 §1), shared by the app's *Playback doctor*
//! and `portal keys doctor`: "why won't this private video play?".
//!
//! Given a watch, embed or HLS URL carrying `?jwt=`, or a bare JWT, it runs
//! these checks in this order and names the first that failed, with its fix:
//!
//! 1. `parse`: the JWT parses (three base64url parts, JSON header and claims);
//! 2. `algorithm`: it is RS256;
//! 3. `key_id`: its `kid` names a key on the server (a kid naming a key kept
//!    here that was never uploaded, or whose server copy is gone, says so);
//! 4. `signature`: it verifies with that server key (fetched, not a local copy);
//! 5. `lifetime`: `exp` and `nbf` hold by the service's clock (its `Date`
//!    header; this machine's when it gave none), allowing the stated skew;
//! 6. `subject`: `sub` is the URL's video, or `*`;
//! 7. `url_form`: the URL is the profile's watch, embed or HLS form;
//! 8. `playback`: on a sandbox profile, the sandbox player's own answer.
//!
//! A check that cannot run without an earlier one (the signature without
//! the server key, anything without a JWT that parses) is `skipped` with the
//! reason; every other check runs even after a failure, so the report shows
//! all that is wrong, and the verdict names the first. The live playback
//! check asks the sandbox whatever the others said: it is the player's own
//! word (it allows no clock skew).
//!
//! A diagnosis changes nothing, so nothing is recorded. The JWT is a
//! credential: the report carries its header and claims, never the token or
//! its signature, and never echoes the URL that carries it.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use url::Url;

use super::cli;
use super::keys::{self, url_templates, Cx};
use crate::error::{ErrorCode, Result};
use crate::jwt_keys::JwtKey;
use crate::keypair::PublicKey;
use crate::local_keys::LocalKey;
use crate::signing::{self, describe_seconds, DecodedJwt};
use crate::time::roughly;

/// The clock skew allowed when none is given: one minute.
pub const DEFAULT_SKEW_SECONDS: u32 = 60;

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlaybackCheckId {
    Parse,
    Algorithm,
    KeyId,
    Signature,
    Lifetime,
    Subject,
    UrlForm,
    Playback,
}

impl PlaybackCheckId {
    pub fn label(self) -> &'static str {
        match self {
            Self::Parse => "The JWT parses",
            Self::Algorithm => "The algorithm is RS256",
            Self::KeyId => "The kid names a key on the server",
            Self::Signature => "The signature verifies with the server's key",
            Self::Lifetime => "exp and nbf hold",
            Self::Subject => "sub matches the video (or is *)",
            Self::UrlForm => "The URL is the profile's watch, embed or HLS form",
            Self::Playback => "The sandbox player plays it",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckStatus {
    Passed,
    Failed,
    /// It could not run (the reason is its detail).
    Skipped,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlaybackCheck {
    pub id: PlaybackCheckId,
    pub label: String,
    pub status: CheckStatus,
    /// One sentence: what was found, or why it was skipped.
    pub detail: String,
}

/// How to fix the first failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlaybackFix {
    /// What to do, in a sentence.
    pub sentence: String,
    /// The command that does it, in full, where there is one.
    pub command: Option<String>,
}

/// This machine's clock against the service's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClockReading {
    pub local: DateTime<Utc>,
    /// The service's `Date` header; `None` when it gave none (or was not asked).
    pub service: Option<DateTime<Utc>>,
    /// `service - local`, in seconds.
    #[ts(type = "number | null")]
    pub offset_seconds: Option<i64>,
    /// The skew the lifetime check allows, in seconds.
    pub skew_seconds: u32,
}

/// The diagnosis of one JWT (and the URL carrying it).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlaybackReport {
    /// Every check passed (a skipped one is not a failure).
    pub ok: bool,
    /// One line: plays, or why not.
    pub verdict: String,
    pub checks: Vec<PlaybackCheck>,
    /// The first check that failed.
    pub failed: Option<PlaybackCheckId>,
    pub fix: Option<PlaybackFix>,
    pub clock: ClockReading,
    /// The JWT's header and claims (never its signature).
    #[ts(type = "Record<string, unknown> | null")]
    pub header: Option<Value>,
    #[ts(type = "Record<string, unknown> | null")]
    pub claims: Option<Value>,
    /// The URL's form (`watch`, `embed`, `hls`) and video, when it has them.
    pub url_form: Option<String>,
    pub video_id: Option<String>,
}

/// What was pasted: the JWT, and the URL that carried it.
struct Input {
    jwt: Option<String>,
    url: Option<Url>,
}

fn read_input(input: &str) -> std::result::Result<Input, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Nothing was given: paste a watch, embed or HLS URL, or a JWT.".into());
    }
    if !input.contains("://") {
        return Ok(Input {
            jwt: Some(input.to_owned()),
            url: None,
        });
    }
    let url = Url::parse(input).map_err(|e| format!("This is not a URL ({e})."))?;
    let jwt = url
        .query_pairs()
        .find(|(k, _)| k == "jwt")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    Ok(Input {
        jwt,
        url: Some(url),
    })
}

const RECOPY: &str = "Copy the whole URL or JWT again: it may have been cut or wrapped.";

const VIDEO_MARK: &str = "portal-doctor-video-id";

/// The video in `url` when it has `template`'s form (`Some(None)`: the form,
/// with no video in it); `None` when it has not.
fn video_in(template: &str, url: &Url) -> Option<Option<String>> {
    let form = Url::parse(&template.replace("{video_id}", VIDEO_MARK)).ok()?;
    let origin = |u: &Url| {
        (
            u.scheme().to_owned(),
            u.host_str().map(str::to_ascii_lowercase),
            u.port_or_known_default(),
        )
    };
    if origin(&form) != origin(url) {
        return None;
    }
    let mut video = None;
    let mut take = |pattern: &str, actual: &str| -> bool {
        match pattern.split_once(VIDEO_MARK) {
            None => pattern == actual,
            Some((before, after)) => {
                let middle = actual
                    .strip_prefix(before)
                    .and_then(|rest| rest.strip_suffix(after));
                match middle.filter(|m| !m.is_empty()) {
                    Some(m) => {
                        video = Some(printable(
                            &percent_encoding::percent_decode_str(m).decode_utf8_lossy(),
                        ));
                        true
                    }
                    None => false,
                }
            }
        }
    };
    let (want, got): (Vec<&str>, Vec<&str>) = (
        form.path().split('/').collect(),
        url.path().split('/').collect(),
    );
    if want.len() != got.len() || !want.iter().zip(&got).all(|(w, g)| take(w, g)) {
        return None;
    }
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    for (k, v) in form.query_pairs() {
        let given = pairs
            .iter()
            .find(|(pk, _)| *pk == k)
            .map(|(_, pv)| pv.as_str());
        if !given.is_some_and(|g| take(&v, g)) {
            return None;
        }
    }
    Some(video)
}

/// The form (`watch`, `embed`, `hls`) of `url` among the profile's
/// templates, and its video.
fn url_form(templates: &keys::VideoUrls, url: &Url) -> Option<(&'static str, Option<String>)> {
    [
        ("watch", &templates.watch),
        ("embed", &templates.embed),
        ("hls", &templates.hls),
    ]
    .into_iter()
    .find_map(|(name, t)| video_in(t, url).map(|video| (name, video)))
}

/// `s` as one shell word, in single quotes.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` with each control character shown as U+FFFD.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// What the report is built from as the checks run.
struct Doctor<'a> {
    cx: Cx<'a>,
    checks: Vec<PlaybackCheck>,
    fixes: Vec<(PlaybackCheckId, PlaybackFix)>,
}

impl Doctor<'_> {
    fn push(&mut self, id: PlaybackCheckId, status: CheckStatus, detail: impl Into<String>) {
        self.checks.push(PlaybackCheck {
            id,
            label: id.label().to_owned(),
            status,
            detail: detail.into(),
        });
    }

    fn pass(&mut self, id: PlaybackCheckId, detail: impl Into<String>) {
        self.push(id, CheckStatus::Passed, detail);
    }

    fn skip(&mut self, id: PlaybackCheckId, why: impl Into<String>) {
        self.push(id, CheckStatus::Skipped, why);
    }

    fn fail(
        &mut self,
        id: PlaybackCheckId,
        detail: impl Into<String>,
        fix: &str,
        command: Option<String>,
    ) {
        self.push(id, CheckStatus::Failed, detail);
        self.fixes.push((
            id,
            PlaybackFix {
                sentence: fix.to_owned(),
                command,
            },
        ));
    }

    fn cli(&self, command: &str) -> String {
        cli(command, &self.cx.pc.profile.name)
    }

    /// `portal keys sign …` for a new JWT like this one.
    fn sign_again(&self, kid: Option<&str>, video: Option<&str>) -> String {
        let subject = match video {
            Some(v) if v != "*" => format!("--video {}", quoted(v)),
            _ => "--all-videos".to_owned(),
        };
        let key = match kid {
            Some(k)
                if k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                k.to_owned()
            }
            Some(k) => quoted(k),
            None => "ID".to_owned(),
        };
        self.cli(&format!("keys sign --key {key} {subject} --urls"))
    }
}

/// The local key a kid names when it is not a server id: its local id, or
/// one of its fingerprints.
fn local_named(local: &[LocalKey], kid: &str) -> Option<LocalKey> {
    local
        .iter()
        .find(|l| {
            l.local_id == kid
                || l.fingerprints.sha256 == kid
                || l.fingerprints.sha256_base64url == kid
                || l.fingerprints.jwk_thumbprint == kid
        })
        .cloned()
}

/// Diagnoses `input` (a watch, embed or HLS URL with `?jwt=`, or a bare
/// JWT) for the profile of `cx`, allowing `skew` between clocks. An error
/// only when the JWT keys service cannot be asked (no credential, no
/// answer): a refusal is a failed check.
pub async fn doctor(cx: Cx<'_>, input: &str, skew: Duration) -> Result<PlaybackReport> {
    use PlaybackCheckId as C;
    let skew_seconds = u32::try_from(skew.num_seconds().max(0)).unwrap_or(u32::MAX);
    let mut d = Doctor {
        cx,
        checks: Vec::new(),
        fixes: Vec::new(),
    };
    let local_now = Utc::now();
    let mut service_now = None;

    // 1. Parse.
    let (jwt, url) = match read_input(input) {
        Ok(Input { jwt, url }) => (jwt, url),
        Err(why) => {
            d.fail(C::Parse, why, RECOPY, None);
            (None, None)
        }
    };
    let decoded: Option<DecodedJwt> = match (&jwt, &url) {
        (Some(jwt), _) => match signing::decode(jwt) {
            Ok(decoded) => {
                d.pass(
                    C::Parse,
                    "Three base64url parts with a JSON header and claims.",
                );
                Some(decoded)
            }
            Err(e) => {
                d.fail(C::Parse, e.message, RECOPY, None);
                None
            }
        },
        (None, Some(_)) => {
            d.fail(
                C::Parse,
                "The URL carries no ?jwt= parameter.",
                "Sign a JWT and use the URL it comes in.",
                Some(d.sign_again(None, None)),
            );
            None
        }
        (None, None) => None,
    };
    let form = url.as_ref().map(|u| url_form(&url_templates(cx), u));
    let url_video = form.clone().flatten().and_then(|(_, video)| video);

    let Some(jwt_decoded) = decoded else {
        for id in [
            C::Algorithm,
            C::KeyId,
            C::Signature,
            C::Lifetime,
            C::Subject,
        ] {
            d.skip(id, "There is no JWT to read.");
        }
        url_form_check(&mut d, url.as_ref(), form.as_ref());
        d.skip(C::Playback, "There is no JWT to play with.");
        return Ok(report(
            d,
            None,
            ClockReading {
                local: local_now,
                service: None,
                offset_seconds: None,
                skew_seconds,
            },
            &form,
            url_video,
        ));
    };
    // Both come from whoever made the JWT, and go into sentences and the
    // commands shown: no control characters (terminal escapes).
    let kid = jwt_decoded.kid().filter(|k| !k.is_empty()).map(printable);
    let sub = jwt_decoded.subject().map(printable);

    // 2. Algorithm.
    let rs256 = jwt_decoded.alg() == Some("RS256");
    match jwt_decoded.alg() {
        Some("RS256") => d.pass(C::Algorithm, "RS256."),
        other => {
            let detail = match other {
                Some(alg) => format!(
                    "The JWT uses {alg}; private-video JWTs are RS256 (signed with an RSA key)."
                ),
                None => "The JWT's header names no algorithm (alg); private-video JWTs are RS256."
                    .to_owned(),
            };
            d.fail(
                C::Algorithm,
                detail,
                "Sign it with one of your RSA keys uploaded to the JWT keys service.",
                Some(d.sign_again(kid.as_deref(), sub.as_deref())),
            );
        }
    }

    // 3. The kid, on the server.
    let server_key: Option<JwtKey> = match &kid {
        None => {
            d.fail(
                C::KeyId,
                "The JWT's header has no kid naming an uploaded key.",
                "Sign it with an uploaded key: its id goes in the kid.",
                Some(d.sign_again(None, sub.as_deref())),
            );
            None
        }
        Some(kid) => {
            let credential = cx.api_key()?;
            let (found, date) = cx.pc.jwt_keys(&credential).get_dated(kid).await;
            service_now = date;
            match found {
                Ok(key) => {
                    d.pass(
                        C::KeyId,
                        format!("Key '{}' ({}) is on the server.", key.name, key.id),
                    );
                    Some(key)
                }
                Err(e) if e.code == ErrorCode::NotFound => {
                    unknown_kid(&mut d, kid, sub.as_deref());
                    None
                }
                Err(e) => return Err(e),
            }
        }
    };

    // 4. The signature, with the server's key.
    match (&server_key, rs256) {
        (None, _) => d.skip(C::Signature, "There is no server key to verify with."),
        (Some(_), false) => d.skip(
            C::Signature,
            "Only an RS256 signature can be verified with an RSA key.",
        ),
        (Some(key), true) => match PublicKey::from_pem(&key.public_key) {
            Err(e) => d.fail(
                C::Signature,
                format!(
                    "The server's copy of key {} cannot be read: {}",
                    key.id, e.message
                ),
                "Upload the key again and sign a new JWT with it.",
                None,
            ),
            Ok(public) if jwt_decoded.signature_verifies(&public) => d.pass(
                C::Signature,
                format!(
                    "It verifies with the public key the server holds as {}.",
                    key.id
                ),
            ),
            Ok(_) => {
                let here = cx.local().find_by_server_id(&key.id);
                let fix = match &here {
                    Some(_) => "Sign a new JWT here: the private half of this key is on this computer.",
                    None => "Sign it with the private half of this key (the one whose public half was uploaded).",
                };
                d.fail(
                    C::Signature,
                    format!("The signature does not verify with the public key the server holds as {}: the JWT was signed with another private key.", key.id),
                    fix,
                    here.map(|_| d.sign_again(Some(&key.id), sub.as_deref())),
                );
            }
        },
    }

    // 5. exp and nbf, by the service's clock.
    let now = service_now.unwrap_or(local_now);
    let clock = ClockReading {
        local: local_now,
        service: service_now,
        offset_seconds: service_now.map(|s| (s - local_now).num_seconds()),
        skew_seconds,
    };
    lifetime(
        &mut d,
        &jwt_decoded,
        now,
        &clock,
        skew,
        kid.as_deref(),
        sub.as_deref(),
    );

    // 6. sub against the URL's video.
    match (sub.as_deref(), &url, &url_video) {
        (None, _, _) => d.fail(
            C::Subject,
            "The JWT has no sub claim (a video id or *).",
            "Sign a new JWT for the video.",
            Some(d.sign_again(kid.as_deref(), url_video.as_deref())),
        ),
        (Some("*"), _, _) => d.pass(C::Subject, "sub is *: it opens every video."),
        (Some(_), None, _) => d.skip(
            C::Subject,
            "No URL was given: paste the URL to check its video.",
        ),
        (Some(_), Some(_), None) => d.skip(
            C::Subject,
            "The URL's video is not known: the URL is not one of the profile's forms.",
        ),
        (Some(s), Some(_), Some(v)) if s == v => {
            d.pass(C::Subject, format!("It is for video {v}, the URL's."))
        }
        (Some(s), Some(_), Some(v)) => d.fail(
            C::Subject,
            format!("The JWT is for video {s}, the URL for video {v}."),
            "Sign a JWT for the URL's video (or for all videos).",
            Some(d.sign_again(kid.as_deref(), Some(v))),
        ),
    }

    // 7. The URL's form.
    url_form_check(&mut d, url.as_ref(), form.as_ref());

    // 8. The sandbox player.
    let play_video = url_video
        .clone()
        .or_else(|| sub.clone().filter(|s| s != "*"));
    match (cx.is_sandbox(), play_video, &jwt) {
        (false, _, _) => d.skip(
            C::Playback,
            "Not a sandbox profile: only the sandbox has a player to ask.",
        ),
        (true, None, _) | (true, _, None) => d.skip(
            C::Playback,
            "No video to play: the JWT is for every video and no URL names one.",
        ),
        (true, Some(video), Some(jwt)) => match keys::test_playback(cx, &video, jwt).await {
            Ok(v) if v.allowed => d.pass(
                C::Playback,
                format!("The sandbox player plays video {video}."),
            ),
            Ok(v) => {
                let reason = v.reason.as_deref().unwrap_or("refused");
                let fix = if reason == "not_yet_valid" || reason == "expired" {
                    "The player allows no clock skew: sign a new JWT valid from now."
                } else {
                    "Sign a new JWT with an uploaded key for this video, and check it again."
                };
                d.fail(
                    C::Playback,
                    format!(
                        "The sandbox player refused it ({reason}): {}.",
                        v.message.trim_end_matches('.')
                    ),
                    fix,
                    Some(d.sign_again(kid.as_deref(), Some(&video))),
                );
            }
            Err(e) => d.skip(
                C::Playback,
                format!("The sandbox did not answer: {}", e.message),
            ),
        },
    }

    Ok(report(d, Some(jwt_decoded), clock, &form, url_video))
}

fn unknown_kid(d: &mut Doctor<'_>, kid: &str, sub: Option<&str>) {
    use PlaybackCheckId as C;
    let local = d.cx.local().list();
    if let Some(l) = local_named(&local, kid) {
        match &l.server_key_id {
            None => d.fail(
                C::KeyId,
                format!("Signed with key {} ('{}') that was never uploaded: the server has no key {kid}.", l.local_id, l.name),
                "Resume its upload, then sign a new JWT with the key id it gets.",
                Some(d.cli(&format!("keys upload {}", l.local_id))),
            ),
            Some(server_id) => d.fail(
                C::KeyId,
                format!("The kid names key {} ('{}') by its local id or fingerprint; the server knows it as {server_id}.", l.local_id, l.name),
                "Sign a new JWT: the kid must be the server's key id.",
                Some(d.sign_again(Some(server_id), sub)),
            ),
        }
        return;
    }
    if let Some(l) = local
        .iter()
        .find(|l| l.server_key_id.as_deref() == Some(kid))
    {
        d.fail(
            C::KeyId,
            format!("Key {kid} is gone from the server (deleted); its private half is still here as {} ('{}').", l.local_id, l.name),
            "Upload it again, then sign a new JWT with the key id it gets.",
            Some(d.cli(&format!("keys upload {}", l.local_id))),
        );
        return;
    }
    d.fail(
        C::KeyId,
        format!("No key on the server has the id {kid}: it was deleted, or the JWT was signed for another account."),
        "Sign a new JWT with one of this profile's keys (portal keys list shows them).",
        Some(d.sign_again(None, sub)),
    );
}

fn lifetime(
    d: &mut Doctor<'_>,
    jwt: &DecodedJwt,
    now: DateTime<Utc>,
    clock: &ClockReading,
    skew: Duration,
    kid: Option<&str>,
    sub: Option<&str>,
) {
    use PlaybackCheckId as C;
    let whose = if clock.service.is_some() {
        "the service's clock"
    } else {
        "this computer's clock (the service gave no Date)"
    };
    let off = clock
        .offset_seconds
        .filter(|o| o.abs() > i64::from(clock.skew_seconds))
        .map(|o| format!(" {}", crate::clock::offset_sentence(o)))
        .unwrap_or_default();
    let sign = || d.sign_again(kid, sub);
    let Some(exp) = jwt.expires_at() else {
        let command = Some(sign());
        d.fail(
            C::Lifetime,
            "The JWT has no numeric exp claim.",
            "Sign a new JWT: private-video JWTs carry an expiry.",
            command,
        );
        return;
    };
    if exp + skew <= now {
        let command = Some(sign());
        d.fail(
            C::Lifetime,
            format!(
                "It expired at {} ({} ago by {whose}).{off}",
                when(exp),
                roughly((now - exp).num_seconds())
            ),
            "Sign a new JWT.",
            command,
        );
        return;
    }
    if let Some(nbf) = jwt.not_before().filter(|nbf| *nbf - skew > now) {
        let command = Some(sign());
        d.fail(
            C::Lifetime,
            format!(
                "It is not valid before {} (in {} by {whose}).{off}",
                when(nbf),
                roughly((nbf - now).num_seconds())
            ),
            "Wait until then, or sign a new JWT valid from now.",
            command,
        );
        return;
    }
    let leeway = if exp <= now || jwt.not_before().is_some_and(|nbf| nbf > now) {
        format!(
            " Only within the {} of skew allowed: a player that allows none refuses it.",
            describe_seconds(skew.num_seconds())
        )
    } else {
        String::new()
    };
    d.pass(
        C::Lifetime,
        format!(
            "Valid until {} (in {}, by {whose}).{leeway}",
            when(exp),
            roughly((exp - now).num_seconds())
        ),
    );
}

fn url_form_check(
    d: &mut Doctor<'_>,
    url: Option<&Url>,
    form: Option<&Option<(&'static str, Option<String>)>>,
) {
    use PlaybackCheckId as C;
    match (url, form.cloned().flatten()) {
        (None, _) => d.skip(C::UrlForm, "No URL was given: only the JWT was checked."),
        (Some(_), Some((name, Some(video)))) => d.pass(
            C::UrlForm,
            format!("The profile's {name} URL, for video {video}."),
        ),
        (Some(_), Some((name, None))) => d.pass(C::UrlForm, format!("The profile's {name} URL.")),
        (Some(u), None) => {
            let t = url_templates(d.cx);
            d.fail(
                C::UrlForm,
                format!(
                    "A URL on {} that is none of the profile's forms: {}, {} or {}.",
                    u.host_str().unwrap_or("no host"),
                    t.watch,
                    t.embed,
                    t.hls
                ),
                "Use the URLs the portal signs for this profile, or set its templates to the player you use.",
                Some(d.cli("keys urls --watch TEMPLATE --embed TEMPLATE --hls TEMPLATE")),
            );
        }
    }
}

fn report(
    d: Doctor<'_>,
    jwt: Option<DecodedJwt>,
    clock: ClockReading,
    form: &Option<Option<(&'static str, Option<String>)>>,
    video_id: Option<String>,
) -> PlaybackReport {
    let first = d.checks.iter().find(|c| c.status == CheckStatus::Failed);
    let failed = first.map(|c| c.id);
    let verdict = match first {
        Some(c) => format!("Will not play: {}", lower_first(&c.detail)),
        None => {
            let played = d
                .checks
                .iter()
                .any(|c| c.id == PlaybackCheckId::Playback && c.status == CheckStatus::Passed);
            let skipped = d
                .checks
                .iter()
                .filter(|c| c.status == CheckStatus::Skipped)
                .count();
            match (played, skipped) {
                (true, _) => {
                    "Plays: every check passed, and the sandbox player played it.".to_owned()
                }
                (false, 0) => "Should play: every check passed.".to_owned(),
                (false, n) => {
                    format!("Should play: every check that could run passed ({n} could not run).")
                }
            }
        }
    };
    let fix = failed.and_then(|id| {
        d.fixes
            .into_iter()
            .find(|(f, _)| *f == id)
            .map(|(_, fix)| fix)
    });
    let (header, claims) = jwt.map_or((None, None), |j| (Some(j.header), Some(j.claims)));
    PlaybackReport {
        ok: failed.is_none(),
        verdict,
        checks: d.checks,
        failed,
        fix,
        clock,
        header,
        claims,
        url_form: form.clone().flatten().map(|(name, _)| name.to_owned()),
        video_id,
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if !chars.clone().next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_video_comes_out_of_each_form() {
        let t = keys::default_templates();
        let found = |s: &str| url_form(&t, &url(s));
        assert_eq!(
            found("https://watch.vidbeo.com/v%201?jwt=x"),
            Some(("watch", Some("v 1".into())))
        );
        assert_eq!(
            found("https://watch.vidbeo.com/v%1B?jwt=x"),
            Some(("watch", Some("v\u{fffd}".into())))
        );
        assert_eq!(
            found("https://player.vidbeo.com/embed/v2?jwt=x"),
            Some(("embed", Some("v2".into())))
        );
        assert_eq!(
            found("https://STREAM.vidbeo.com/v3/playlist.m3u8?jwt=x"),
            Some(("hls", Some("v3".into())))
        );
        assert_eq!(found("https://stream.vidbeo.com/v3/other.m3u8?jwt=x"), None);
        assert_eq!(found("https://evil.example/v3?jwt=x"), None);
        assert_eq!(found("http://watch.vidbeo.com/v1?jwt=x"), None);
        assert_eq!(found("https://watch.vidbeo.com/?jwt=x"), None);
        let q = keys::VideoUrls {
            watch: "https://w.example/watch?v={video_id}&autoplay=1".into(),
            embed: "https://e.example/{video_id}.html".into(),
            hls: "https://h.example/x".into(),
        };
        assert_eq!(
            url_form(&q, &url("https://w.example/watch?autoplay=1&v=abc&jwt=J")),
            Some(("watch", Some("abc".into())))
        );
        assert_eq!(
            url_form(&q, &url("https://w.example/watch?v=abc&jwt=J")),
            None
        );
        assert_eq!(
            url_form(&q, &url("https://e.example/abc.html?jwt=J")),
            Some(("embed", Some("abc".into())))
        );
        assert_eq!(
            url_form(&q, &url("https://h.example/x?jwt=J")),
            Some(("hls", None))
        );
    }

    #[test]
    fn the_jwt_comes_out_of_a_url_or_stands_alone() {
        let i = read_input(" https://watch.vidbeo.com/v1?a=1&jwt=a.b.c ").unwrap();
        assert_eq!(i.jwt.as_deref(), Some("a.b.c"));
        assert!(i.url.is_some());
        let i = read_input("a.b.c\n").unwrap();
        assert_eq!(i.jwt.as_deref(), Some("a.b.c"));
        assert!(i.url.is_none());
        assert!(read_input("https://watch.vidbeo.com/v1")
            .unwrap()
            .jwt
            .is_none());
        assert!(read_input("  ").is_err());
    }

    #[test]
    fn what_the_jwt_says_is_shown_inert() {
        assert_eq!(printable("k\u{1b}[31m\n"), "k\u{fffd}[31m\u{fffd}");
        assert_eq!(quoted("it's"), r"'it'\''s'");
    }

    #[test]
    fn durations_are_rounded_for_people() {
        assert_eq!(roughly(45), "45 seconds");
        assert_eq!(roughly(-7190), "2 hours");
        assert_eq!(roughly(600), "10 minutes");
        assert_eq!(roughly(7250), "2 hours");
        assert_eq!(roughly(3 * 86_400 + 100), "3 days");
    }
}
