//! The streaming masker of `portal exec`: bytes in, bytes out, every byte
//! that belongs to an occurrence of a secret hidden, each run of hidden
//! bytes written as one `***`.
//!
//! The output is the same however the input is cut into reads: a secret
//! split across two reads is still found, overlapping secrets hide the
//! union of their bytes, and a run hidden across a read boundary is one
//! `***`. To be sure, the masker holds back the end of what it has read
//! when that end could be the start of a secret (at most the longest
//! secret's length minus one byte: the only bytes whose fate the next read
//! can still change) and writes everything else at once, so a prompt or a
//! line of interactive output is not kept waiting unless it ends like a
//! secret begins.

use aho_corasick::{AhoCorasick, MatchKind};

/// What a hidden run of bytes is written as.
pub const MASK: &[u8] = b"***";

pub struct Masker {
    /// `None` when there is nothing to hide: bytes pass through untouched.
    finder: Option<AhoCorasick>,
    /// The secrets (not empty), to know whether the input ends like one begins.
    patterns: Vec<Vec<u8>>,
    /// The longest secret's length minus one.
    keep: usize,
    /// Up to `keep` bytes already written: an occurrence that starts in
    /// them and ends in the next read hides its remaining bytes.
    written_tail: Vec<u8>,
    /// Bytes not written yet (at most `keep`).
    pending: Vec<u8>,
    /// The output ends with a `***` whose run may go on.
    in_mask: bool,
}

impl Masker {
    /// A masker of `secrets` (empty ones are ignored: they hide nothing).
    pub fn new<S: AsRef<[u8]>>(secrets: &[S]) -> Self {
        let patterns: Vec<Vec<u8>> = secrets
            .iter()
            .map(AsRef::as_ref)
            .filter(|s| !s.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        let keep = patterns.iter().map(|p| p.len()).max().unwrap_or(1) - 1;
        // Standard semantics: the overlapping search reports every
        // occurrence of every secret. Built once per run, from a handful of
        // secrets: it cannot fail (no size limit is set that they could
        // exceed); if it did, masking everything would be wrong and passing
        // secrets through worse, so the masker hides all output instead.
        let finder = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .unwrap_or_else(|_| hide_everything()),
            )
        };
        Self {
            finder,
            patterns,
            keep,
            written_tail: Vec::new(),
            pending: Vec::new(),
            in_mask: false,
        }
    }

    /// Takes `input` and appends to `out` every byte that can already be
    /// decided.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.finder.is_none() {
            out.extend_from_slice(input);
            return;
        }
        self.pending.extend_from_slice(input);
        let decided = self.decided_len();
        self.write(decided, out);
    }

    /// How many pending bytes are decided: all but the longest end of them
    /// that is the start of a secret. (An occurrence of a secret that covers
    /// a byte before that end and goes on past the input would make an
    /// earlier end the start of a secret.)
    fn decided_len(&self) -> usize {
        let len = self.pending.len();
        (len.saturating_sub(self.keep)..len)
            .find(|&from| {
                let end = &self.pending[from..];
                self.patterns.iter().any(|p| p.starts_with(end))
            })
            .unwrap_or(len)
    }

    /// Writes what is still held back: the input has ended.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let len = self.pending.len();
        self.write(len, out);
    }

    /// Writes the first `len` pending bytes (each one decided: no occurrence
    /// covering it can end after the pending bytes).
    fn write(&mut self, len: usize, out: &mut Vec<u8>) {
        let Some(finder) = &self.finder else {
            out.append(&mut self.pending);
            return;
        };
        if len == 0 {
            return;
        }
        let before = self.written_tail.len();
        let mut buf = std::mem::take(&mut self.written_tail);
        buf.extend_from_slice(&self.pending);
        let mut hidden = vec![false; buf.len()];
        for m in finder.find_overlapping_iter(&buf[..]) {
            hidden[m.start()..m.end()].fill(true);
        }
        let end = before + len;
        let mut i = before;
        while i < end {
            let run_hidden = hidden[i];
            let run_end = (i..end).find(|&j| hidden[j] != run_hidden).unwrap_or(end);
            if run_hidden {
                if !self.in_mask {
                    out.extend_from_slice(MASK);
                }
            } else {
                out.extend_from_slice(&buf[i..run_end]);
            }
            self.in_mask = run_hidden;
            i = run_end;
        }
        self.pending = buf.split_off(end);
        let tail_start = end.saturating_sub(self.keep);
        self.written_tail = buf.split_off(tail_start);
    }
}

/// A finder that matches every byte, for the case that cannot happen.
fn hide_everything() -> AhoCorasick {
    let every_byte: Vec<[u8; 1]> = (0..=u8::MAX).map(|b| [b]).collect();
    #[allow(clippy::expect_used)]
    AhoCorasick::new(every_byte).expect("256 one-byte patterns always build")
}

/// `input` with every secret hidden, in one go.
pub fn mask_all<S: AsRef<[u8]>>(secrets: &[S], input: &[u8]) -> Vec<u8> {
    let mut m = Masker::new(secrets);
    let mut out = Vec::new();
    m.feed(input, &mut out);
    m.finish(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fed in the pieces that cuts at `cuts` make, then finished.
    fn masked_in_pieces(secrets: &[&str], input: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut m = Masker::new(secrets);
        let mut out = Vec::new();
        let mut from = 0;
        for &cut in cuts {
            m.feed(&input[from..cut], &mut out);
            from = cut;
        }
        m.feed(&input[from..], &mut out);
        m.finish(&mut out);
        out
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn a_secret_is_hidden_wherever_it_is() {
        let s = ["tok_3f9a8b7c"];
        assert_eq!(text(&mask_all(&s, b"TOKEN=tok_3f9a8b7c\n")), "TOKEN=***\n");
        assert_eq!(text(&mask_all(&s, b"tok_3f9a8b7c")), "***");
        assert_eq!(text(&mask_all(&s, b"tok_3f9a8b7c tok_3f9a8b7c")), "*** ***");
        assert_eq!(text(&mask_all(&s, b"tok_3f9a8b7ctok_3f9a8b7c")), "***");
    }

    #[test]
    fn output_without_a_secret_passes_through_unchanged() {
        let input = b"no secret here, just tok_3f9a8b7 (one short)\n\x00\xff";
        assert_eq!(mask_all(&["tok_3f9a8b7c"], input), input.to_vec());
        let no_secrets: [&str; 0] = [];
        assert_eq!(mask_all(&no_secrets, input), input.to_vec());
    }

    #[test]
    fn empty_input_and_empty_secrets() {
        assert_eq!(mask_all(&["secret"], b""), b"".to_vec());
        // An empty secret hides nothing (it would otherwise hide everything).
        assert_eq!(mask_all(&["", "secret"], b"a secret"), b"a ***".to_vec());
        assert_eq!(mask_all(&[""], b"abc"), b"abc".to_vec());
    }

    #[test]
    fn overlapping_secrets_hide_the_union_of_their_bytes() {
        let s = ["abcd", "cdef"];
        assert_eq!(text(&mask_all(&s, b"xabcdefy")), "x***y");
        assert_eq!(text(&mask_all(&s, b"xcdefabcdy")), "x***y");
        // One inside another.
        assert_eq!(
            text(&mask_all(&["secret", "cre"], b"[cre][secret]")),
            "[***][***]"
        );
        // A secret overlapping itself.
        assert_eq!(text(&mask_all(&["aba"], b"xababay")), "x***y");
    }

    #[test]
    fn every_cut_gives_the_same_output_as_one_read() {
        let secrets = ["tok_3f9a8b7c", "3f9a-key", "key!"];
        let input =
            b"A tok_3f9a8b7c B 3f9a-key! C tok_3f9a8b7ctok_3f9a8b7c D tok_3f9a8b7 E 3f9a-ke";
        let whole = mask_all(&secrets, input);
        assert_eq!(text(&whole), "A *** B *** C *** D tok_3f9a8b7 E 3f9a-ke");
        for a in 0..=input.len() {
            assert_eq!(masked_in_pieces(&secrets, input, &[a]), whole, "cut at {a}");
            for b in a..=input.len() {
                assert_eq!(
                    masked_in_pieces(&secrets, input, &[a, b]),
                    whole,
                    "cuts at {a} and {b}"
                );
            }
        }
    }

    #[test]
    fn a_byte_at_a_time_gives_the_same_output() {
        let secrets = ["aba", "secret"];
        let input = b"abababa secret-secret ab a";
        let cuts: Vec<usize> = (1..input.len()).collect();
        assert_eq!(
            masked_in_pieces(&secrets, input, &cuts),
            mask_all(&secrets, input)
        );
        assert_eq!(text(&mask_all(&secrets, input)), "*** ***-*** ab a");
    }

    /// Feeds each read in turn and checks all the output so far after it.
    fn check_reads(secrets: &[&str], reads: &[(&str, &str)], finished: &str) {
        let mut m = Masker::new(secrets);
        let mut out = Vec::new();
        for (read, so_far) in reads {
            m.feed(read.as_bytes(), &mut out);
            assert_eq!(text(&out), *so_far, "after {read:?}");
        }
        m.finish(&mut out);
        assert_eq!(text(&out), finished);
    }

    #[test]
    fn only_an_end_that_could_begin_a_secret_is_held_back() {
        let reads = [
            ("prompt> ", "prompt> "),
            ("the sec", "prompt> the "),
            ("re", "prompt> the "),
            ("t!", "prompt> the ***!"),
            (" s", "prompt> the ***! "),
            ("o", "prompt> the ***! so"),
            (" secre", "prompt> the ***! so "),
        ];
        check_reads(&["secret"], &reads, "prompt> the ***! so secre");
        // At most the longest secret's length minus one byte.
        check_reads(&["aaaa"], &[("xaaaaaaa", "x***"), ("b", "x***b")], "x***b");
        // Without secrets, nothing waits.
        check_reads(&[], &[("prompt> ", "prompt> ")], "prompt> ");
    }
}
