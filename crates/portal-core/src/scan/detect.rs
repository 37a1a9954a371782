//! What the leak sweep looks for in a run of bytes, in one pass: one
//! Aho–Corasick automaton (leftmost-longest) over the VaultStream token
//! prefixes, the PEM header and the exact value of every stored credential.
//! A prefix hit is then extended to the whole token or PEM block by hand.
//! The stored values live only in the automaton, in memory; nothing here
//! writes one out (a finding carries its [`mask`]ed form).

use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, MatchKind, Span};
use memchr::memmem;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The VaultStream token prefixes (API token, session token).
const TOKEN_PREFIXES: [&str; 2] = ["vst_live_", "vst_ses_"];
const PEM_BEGIN: &str = "-----BEGIN ";
/// A token's body is base64url; fewer characters than this after the prefix
/// is a mention ("vst_live_…" in a README), not a token.
const MIN_TOKEN_BODY: usize = 16;
/// Longest PEM label looked at ("ENCRYPTED PRIVATE KEY" is 21 bytes).
const MAX_PEM_LABEL: usize = 40;
/// How far the END line of a private key is looked for (an RSA-8192 key in
/// PEM is about 6.4 KiB).
const MAX_PEM_BLOCK: usize = 16 * 1024;
/// Stored values shorter than this are not searched for: a short password
/// would match ordinary text.
pub const MIN_NEEDLE_LEN: usize = 8;

/// One exact value to find, and what it is (an index into the caller's list).
pub struct Needle {
    pub value: Secret,
    pub meaning: usize,
}

/// What a hit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HitKind {
    /// A `vst_live_…` or `vst_ses_…` value no stored credential equals.
    Token,
    /// A PEM private-key block; `label` as in its BEGIN line.
    PrivateKey { label: String },
    /// The exact value of stored credential `meaning`.
    Stored { meaning: usize },
}

/// One hit: bytes `start..end` of the searched buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub kind: HitKind,
}

/// How the patterns are searched: Teddy (SIMD, up to 64 patterns, as
/// ripgrep's literal search), else the automaton.
enum Matcher {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Matcher {
    /// The leftmost-longest match at or after `at`: (pattern, start, end).
    fn find(&self, hay: &[u8], at: usize) -> Option<(usize, usize, usize)> {
        match self {
            Self::Packed(p) => p
                .find_in(hay, Span::from(at..hay.len()))
                .map(|m| (m.pattern().as_usize(), m.start(), m.end())),
            Self::Automaton(a) => a
                .find(aho_corasick::Input::new(hay).span(at..hay.len()))
                .map(|m| (m.pattern().as_usize(), m.start(), m.end())),
        }
    }
}

/// The patterns' matcher and what they mean.
pub struct Detector {
    matcher: Matcher,
    /// Pattern `FIXED + i` is needle `i`'s value; this is its meaning.
    meanings: Vec<usize>,
}

const FIXED: usize = TOKEN_PREFIXES.len() + 1;

impl Detector {
    /// A detector for the token prefixes, PEM private keys and `needles`
    /// (values shorter than [`MIN_NEEDLE_LEN`] are left out; a value given
    /// twice keeps its first meaning).
    pub fn new(needles: &[Needle]) -> Result<Self> {
        let mut patterns: Vec<&[u8]> = TOKEN_PREFIXES.iter().map(|p| p.as_bytes()).collect();
        patterns.push(PEM_BEGIN.as_bytes());
        let mut meanings = Vec::new();
        for n in needles {
            let v = n.value.expose().as_bytes();
            if v.len() < MIN_NEEDLE_LEN || patterns[FIXED..].contains(&v) {
                continue;
            }
            patterns.push(v);
            meanings.push(n.meaning);
        }
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(&patterns)
            .build();
        let matcher = match packed {
            Some(p) => Matcher::Packed(p),
            None => Matcher::Automaton(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| Error::internal(format!("The leak sweep's matcher: {e}")))?,
            ),
        };
        Ok(Self { matcher, meanings })
    }

    /// Every hit in `hay`, in order, none overlapping.
    pub fn find(&self, hay: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut at = 0;
        while at < hay.len() {
            let Some((pattern, start, end)) = self.matcher.find(hay, at) else {
                break;
            };
            let hit = if pattern >= FIXED {
                Some(Hit {
                    start,
                    end,
                    kind: HitKind::Stored {
                        meaning: self.meanings[pattern - FIXED],
                    },
                })
            } else if pattern < TOKEN_PREFIXES.len() {
                token_at(hay, start, end)
            } else {
                private_key_at(hay, start)
            };
            match hit {
                Some(h) => {
                    at = h.end;
                    hits.push(h);
                }
                None => at = end,
            }
        }
        hits
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The token whose prefix is at `start..prefix_end`, when it is one: not
/// glued to a word before it, and with a long enough body.
fn token_at(hay: &[u8], start: usize, prefix_end: usize) -> Option<Hit> {
    if start > 0 && hay[start - 1].is_ascii_alphanumeric() {
        return None;
    }
    let body = hay[prefix_end..]
        .iter()
        .take_while(|b| is_token_byte(**b))
        .count();
    (body >= MIN_TOKEN_BODY).then(|| Hit {
        start,
        end: prefix_end + body,
        kind: HitKind::Token,
    })
}

/// The private-key block whose `-----BEGIN ` is at `start`: up to its END
/// line, or the BEGIN line alone when the END is missing (a cut block is
/// still a leak).
fn private_key_at(hay: &[u8], start: usize) -> Option<Hit> {
    let label_start = start + PEM_BEGIN.len();
    let window = &hay[label_start..hay.len().min(label_start + MAX_PEM_LABEL + 5)];
    let label_len = memmem::find(window, b"-----")?;
    let label = std::str::from_utf8(&window[..label_len]).ok()?;
    if !label.ends_with("PRIVATE KEY")
        || !label.bytes().all(|b| b.is_ascii_uppercase() || b == b' ')
    {
        return None;
    }
    let header_end = label_start + label_len + 5;
    let end_line = format!("-----END {label}-----");
    let search = &hay[header_end..hay.len().min(header_end + MAX_PEM_BLOCK)];
    let end = match memmem::find(search, end_line.as_bytes()) {
        Some(i) => header_end + i + end_line.len(),
        None => header_end,
    };
    Some(Hit {
        start,
        end,
        kind: HitKind::PrivateKey {
            label: label.to_owned(),
        },
    })
}

/// A value as a finding shows it: its known prefix (`vst_live_`, `eyJ`, the
/// PEM header) and its last 4 characters, never more. A value too short to
/// hide behind that shows no character at all.
pub fn mask(value: &str) -> String {
    if value.starts_with(PEM_BEGIN) {
        let header = value.split_inclusive("-----").take(2).collect::<String>();
        return format!("{header}…");
    }
    let prefix = TOKEN_PREFIXES
        .iter()
        .chain(&["eyJ"])
        .find(|p| value.starts_with(**p))
        .copied()
        .unwrap_or("");
    let chars = value.chars().count();
    if chars < 16 {
        return format!("{prefix}… ({chars} characters)");
    }
    let tail: String = value.chars().skip(chars - 4).collect();
    format!("{prefix}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needle(v: &str, meaning: usize) -> Needle {
        Needle {
            value: Secret::new(v),
            meaning,
        }
    }

    const TOKEN: &str = "vst_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abc";

    #[test]
    fn finds_tokens_with_a_body_and_not_mentions() {
        let d = Detector::new(&[]).unwrap();
        let text = format!(
            "export T={TOKEN}\nsee vst_live_… in the docs\nxvst_ses_{}\n",
            "a".repeat(20)
        );
        let hits = d.find(text.as_bytes());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(&text[hits[0].start..hits[0].end], TOKEN);
        assert_eq!(hits[0].kind, HitKind::Token);
        let ses = format!("s = 'vst_ses_{}'", "b".repeat(16));
        let hits = d.find(ses.as_bytes());
        assert_eq!(&ses[hits[0].start..hits[0].end], &ses[5..ses.len() - 1]);
    }

    #[test]
    fn a_stored_value_wins_over_the_token_prefix_and_is_named() {
        let d = Detector::new(&[needle(TOKEN, 7), needle("hunter2pass!", 3)]).unwrap();
        let text = format!("a={TOKEN} b=hunter2pass! c={TOKEN}x");
        let hits = d.find(text.as_bytes());
        let kinds: Vec<_> = hits.iter().map(|h| h.kind.clone()).collect();
        // The third is glued to an `x`: the stored value is found inside it
        // (a value is a leak wherever it sits).
        assert_eq!(
            kinds,
            vec![
                HitKind::Stored { meaning: 7 },
                HitKind::Stored { meaning: 3 },
                HitKind::Stored { meaning: 7 },
            ]
        );
        assert_eq!(&text[hits[1].start..hits[1].end], "hunter2pass!");
    }

    #[test]
    fn many_needles_use_the_automaton_and_find_the_same() {
        let needles: Vec<Needle> = (0..200)
            .map(|i| needle(&format!("secret-value-{i:04}"), i))
            .collect();
        let d = Detector::new(&needles).unwrap();
        assert!(matches!(d.matcher, Matcher::Automaton(_)));
        let text = format!("a secret-value-0150 b {TOKEN}");
        let kinds: Vec<_> = d
            .find(text.as_bytes())
            .into_iter()
            .map(|h| h.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![HitKind::Stored { meaning: 150 }, HitKind::Token]
        );
        let few = Detector::new(&needles[..3]).unwrap();
        assert!(matches!(few.matcher, Matcher::Packed(_)));
    }

    #[test]
    fn short_and_repeated_needles_are_left_out() {
        let d = Detector::new(&[
            needle("short", 0),
            needle("longenough1", 1),
            needle("longenough1", 2),
        ])
        .unwrap();
        let hits = d.find(b"short longenough1");
        assert_eq!(
            hits,
            vec![Hit {
                start: 6,
                end: 17,
                kind: HitKind::Stored { meaning: 1 }
            }]
        );
    }

    #[test]
    fn finds_whole_private_key_blocks_but_not_public_keys() {
        let d = Detector::new(&[]).unwrap();
        let key = "-----BEGIN PRIVATE KEY-----\nMIIB\nabcd\n-----END PRIVATE KEY-----";
        let text = format!(
            "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\nx\n{key}\n-----BEGIN RSA PRIVATE KEY-----\ncut"
        );
        let hits = d.find(text.as_bytes());
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(&text[hits[0].start..hits[0].end], key);
        assert_eq!(
            hits[0].kind,
            HitKind::PrivateKey {
                label: "PRIVATE KEY".into()
            }
        );
        assert_eq!(
            &text[hits[1].start..hits[1].end],
            "-----BEGIN RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn masks_show_a_prefix_and_four_characters_at_most() {
        assert_eq!(mask(TOKEN), "vst_live_…-abc");
        assert_eq!(mask("correct horse battery staple"), "…aple");
        assert_eq!(mask("hunter2pass!"), "… (12 characters)");
        assert_eq!(
            mask("-----BEGIN PRIVATE KEY-----\nMIIBsecret\n-----END PRIVATE KEY-----"),
            "-----BEGIN PRIVATE KEY-----…"
        );
        assert_eq!(mask("eyJhbGciOiJSUzI1NiJ9.e30.sig0123"), "eyJ…0123");
    }
}
