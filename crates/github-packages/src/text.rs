//! Text a server sent, made safe to put in an error or a log line.
//!
//! Whatever a server (or a proxy in between) sends may quote our token (an
//! echoed `Authorization` header, a URL with the restore token), may be
//! huge, and may carry control characters that forge log lines or drive a
//! terminal. Every piece of server text that reaches an [`Error`](crate::Error)
//! goes through [`Scrub::text`] first.

use std::borrow::Cow;
use std::fmt::Write as _;

/// At most this many bytes of one server-provided string are shown.
pub(crate) const MAX_SHOWN: usize = 1024;

/// What replaces a secret in shown text.
pub(crate) const REDACTED: &str = "[redacted]";

/// The secrets of one request (the client's token, a restore token), to be
/// removed from server text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scrub<'a> {
    /// Each secret as sent and percent-encoded, longest first.
    forms: Vec<Cow<'a, str>>,
}

impl<'a> Scrub<'a> {
    pub(crate) fn new(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut forms: Vec<Cow<'a, str>> = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            let encoded = percent_encode(secret);
            if encoded != secret {
                forms.push(Cow::Owned(encoded));
            }
            forms.push(Cow::Borrowed(secret));
        }
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        Self { forms }
    }

    /// `raw` with every secret replaced, control characters escaped, and at
    /// most [`MAX_SHOWN`] bytes (then `…`).
    pub(crate) fn text(&self, raw: &str) -> String {
        self.bounded(raw, MAX_SHOWN)
    }

    /// [`Scrub::text`] for an optional string.
    pub(crate) fn opt(&self, raw: Option<String>) -> Option<String> {
        raw.map(|raw| self.text(&raw))
    }

    /// Like [`Scrub::text`] with another bound.
    pub(crate) fn bounded(&self, raw: &str, max_bytes: usize) -> String {
        let mut text = Cow::Borrowed(raw);
        for form in &self.forms {
            if text.contains(form.as_ref()) {
                text = Cow::Owned(text.replace(form.as_ref(), REDACTED));
            }
        }
        inert(&text, max_bytes)
    }
}

/// Escapes control characters (CR, LF, ESC, BEL, …), line separators and
/// bidirectional overrides, and cuts after `max_bytes` at a character
/// boundary, marking the cut with `…`.
pub(crate) fn inert(text: &str, max_bytes: usize) -> String {
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

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as a
/// query string would carry the secret.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
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
        assert_eq!(Scrub::new([""]).text("nothing to hide"), "nothing to hide");
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
