//! Text a server sent, made safe to put in an error, a log line or a
//! terminal.
//!
//! Whatever a server (or a proxy in between) sends may quote our token (an
//! echoed `Authorization` header, a URL with the restore token, the HTTP
//! Basic credentials a registry sign-in sent), may be huge, and may carry
//! control characters that forge log lines, drive a terminal or reorder
//! what a reader sees. Every piece of server text that reaches an
//! [`Error`](crate::Error) goes through [`Scrub::text`] first; the
//! retention crate and the CLI use the same two functions for theirs.
//!
//! ```
//! use github_packages::text::{Scrub, inert};
//!
//! let scrub = Scrub::new(["ghp_secret_token"]);
//! // "Basic " + base64 of "user:ghp_secret_token", echoed back by a server.
//! let echoed = "denied: Basic dXNlcjpnaHBfc2VjcmV0X3Rva2Vu\u{1b}[2J";
//! assert_eq!(scrub.text(echoed), "denied: Basic [redacted]\\u{1b}[2J");
//! assert_eq!(inert("tag\u{202e}gnp.exe", 100), "tag\\u{202e}gnp.exe");
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// At most this many bytes of one server-provided string are shown.
pub const MAX_SHOWN: usize = 1024;

/// What replaces a secret in shown text.
pub const REDACTED: &str = "[redacted]";

/// The shortest secret whose base64 forms are looked for: shorter ones
/// would match ordinary words.
const MIN_ENCODED_SECRET: usize = 8;

/// The secrets to remove from server text (a token, a restore token), in
/// every form a server can echo them: as sent, percent-encoded (any byte,
/// in either case, `+` for a space), and in base64 (alone, or inside HTTP
/// Basic credentials `user:secret`, whatever the user name).
#[derive(Clone, Debug, Default)]
pub struct Scrub<'a> {
    /// Each secret, longest first.
    secrets: Vec<&'a str>,
    /// The base64 characters each secret determines whatever surrounds
    /// it, in each of the three alignments and both alphabets; a run of
    /// base64 that contains one is removed whole.
    encoded: Vec<String>,
}

impl<'a> Scrub<'a> {
    /// Removes `secrets` (empty ones are ignored).
    pub fn new(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut kept: Vec<&'a str> = Vec::new();
        let mut encoded = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            kept.push(secret);
            if secret.len() >= MIN_ENCODED_SECRET {
                encoded.extend(base64_cores(secret.as_bytes()));
            }
        }
        kept.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        encoded.sort_unstable();
        encoded.dedup();
        Self {
            secrets: kept,
            encoded,
        }
    }

    /// `raw` with every secret replaced, control characters escaped, and at
    /// most [`MAX_SHOWN`] bytes (then `…`).
    pub fn text(&self, raw: &str) -> String {
        self.bounded(raw, MAX_SHOWN)
    }

    /// [`Scrub::text`] for an optional string.
    pub(crate) fn opt(&self, raw: Option<String>) -> Option<String> {
        raw.map(|raw| self.text(&raw))
    }

    /// Like [`Scrub::text`] with another bound.
    pub fn bounded(&self, raw: &str, max_bytes: usize) -> String {
        let mut text = Cow::Borrowed(raw);
        for secret in &self.secrets {
            let mut from = 0;
            while let Some(found) = find_escaped(&text[from..], secret.as_bytes()) {
                let (start, end) = (from + found.start, from + found.end);
                text = Cow::Owned(format!("{}{REDACTED}{}", &text[..start], &text[end..]));
                from = start + REDACTED.len();
            }
        }
        for core in &self.encoded {
            while let Some(at) = text.find(core.as_str()) {
                let run = base64_run(&text, at, core.len());
                text = Cow::Owned(format!(
                    "{}{REDACTED}{}",
                    &text[..run.start],
                    &text[run.end..]
                ));
            }
        }
        inert(&text, max_bytes)
    }
}

/// Where `secret` first occurs in `text`, each of its bytes as itself or
/// percent-escaped (`%5F`, `%5f`; `+` for a space).
fn find_escaped(text: &str, secret: &[u8]) -> Option<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let matches_at = |start: usize| {
        let mut at = start;
        for &wanted in secret {
            match bytes.get(at) {
                Some(&b) if b == wanted => at += 1,
                Some(b'+') if wanted == b' ' => at += 1,
                Some(b'%') => {
                    let high = bytes.get(at + 1).copied().and_then(hex)?;
                    let low = bytes.get(at + 2).copied().and_then(hex)?;
                    if high * 16 + low != u32::from(wanted) {
                        return None;
                    }
                    at += 3;
                }
                _ => return None,
            }
        }
        Some(at)
    };
    (0..bytes.len())
        .filter(|&start| text.is_char_boundary(start))
        .find_map(|start| matches_at(start).map(|end| start..end))
}

/// The base64 characters that `secret` alone determines when it is
/// encoded after 0, 1 or 2 other bytes (so inside `user:secret` too), in
/// the standard and the URL-safe alphabet.
fn base64_cores(secret: &[u8]) -> Vec<String> {
    let mut cores = Vec::new();
    for offset in 0..3 {
        let mut bytes = vec![0; offset];
        bytes.extend_from_slice(secret);
        // Character i covers bits 6i..6i+6: keep those wholly inside the
        // secret's bits, 8·offset..8·(offset + len).
        let first = (8 * offset).div_ceil(6);
        let end = 8 * bytes.len() / 6;
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let text = engine.encode(&bytes);
            if let Some(core) = text.get(first..end) {
                cores.push(core.to_owned());
            }
        }
    }
    cores
}

/// The run of base64 characters around `text[at..at + len]`.
fn base64_run(text: &str, at: usize, len: usize) -> std::ops::Range<usize> {
    let is_base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '=');
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_base64(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = text[at + len..]
        .char_indices()
        .find(|(_, c)| !is_base64(*c))
        .map_or(text.len(), |(i, _)| at + len + i);
    start..end
}

/// Escapes control characters (CR, LF, ESC, BEL, …), line separators and
/// bidirectional overrides, and cuts after `max_bytes` at a character
/// boundary, marking the cut with `…`.
pub fn inert(text: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_bytes) + 4);
    for c in text.chars() {
        let before = out.len();
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        if out.len() > max_bytes {
            out.truncate(before);
            out.push('…');
            break;
        }
    }
    out
}

/// Whether `c` must not reach a terminal or log as it is: a control
/// character, a line or paragraph separator, or a bidirectional override.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_replaced_in_every_form() {
        let scrub = Scrub::new(["ghp_canary123", "pkg token/1"]);
        assert_eq!(
            scrub.text("Authorization: Bearer ghp_canary123 rejected"),
            "Authorization: Bearer [redacted] rejected"
        );
        assert_eq!(
            scrub.text("/restore?token=pkg%20token%2F1&x=1 and pkg token/1"),
            "/restore?token=[redacted]&x=1 and [redacted]"
        );
        assert_eq!(
            scrub.text("over-escaped: ghp%5Fcanary%31%323, form: pkg+token%2f1"),
            "over-escaped: [redacted], form: [redacted]"
        );
        assert_eq!(Scrub::new([""]).text("nothing to hide"), "nothing to hide");
    }

    #[test]
    fn base64_forms_are_removed_whatever_surrounds_them() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let secret = "ghp_canary0123456789abcdefABCDEF";
        let scrub = Scrub::new([secret]);
        for user in ["", "u", "us", "github-packages", "x-access-token"] {
            let credentials = if user.is_empty() {
                secret.to_owned()
            } else {
                format!("{user}:{secret}")
            };
            for engine in [STANDARD, URL_SAFE] {
                let echoed = format!(
                    "got Authorization: Basic {}, denied",
                    engine.encode(&credentials)
                );
                assert_eq!(
                    scrub.text(&echoed),
                    "got Authorization: Basic [redacted], denied",
                    "{user:?}"
                );
            }
        }
        // Ordinary text is left alone.
        assert_eq!(scrub.text("manifest unknown"), "manifest unknown");
    }

    #[test]
    fn control_characters_are_escaped() {
        let scrub = Scrub::default();
        assert_eq!(
            scrub.text("a\r\nWARN forged\u{1b}[31mred\u{7}\u{0}"),
            "a\\r\\nWARN forged\\u{1b}[31mred\\u{7}\\u{0}"
        );
        assert_eq!(scrub.text("x\u{202e}y\u{2028}"), "x\\u{202e}y\\u{2028}");
        assert_eq!(scrub.text("ünïcode ✓"), "ünïcode ✓");
    }

    #[test]
    fn text_is_bounded_at_a_character_boundary() {
        let scrub = Scrub::default();
        let shown = scrub.text(&"é".repeat(5000));
        assert!(shown.len() <= MAX_SHOWN + '…'.len_utf8(), "{}", shown.len());
        assert!(shown.ends_with('…'));
        let escapes = scrub.text(&"\u{1b}".repeat(5000));
        assert!(escapes.len() <= MAX_SHOWN + '…'.len_utf8());
        assert!(escapes.trim_end_matches('…').ends_with("\\u{1b}"));
        assert_eq!(inert("short", 100), "short");
    }

    #[test]
    fn a_secret_split_by_the_bound_is_still_removed() {
        let secret = "ghp_".to_owned() + &"s".repeat(60);
        let text = format!("{}{secret}", "x".repeat(MAX_SHOWN - 10));
        let shown = Scrub::new([secret.as_str()]).text(&text);
        assert!(!shown.contains("ghp_"), "{shown}");
    }
}
