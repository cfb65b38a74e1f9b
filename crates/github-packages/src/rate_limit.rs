//! The rate-limit state GitHub reports on every answer.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

use crate::error::header;

/// GitHub's rate-limit headers from the most recent answer that carried
/// them (`x-ratelimit-*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in the current window.
    pub remaining: u64,
    /// Requests used in the current window, when GitHub says.
    pub used: Option<u64>,
    /// When the window resets.
    pub reset: DateTime<Utc>,
    /// Which quota the numbers belong to (`core`, …), when GitHub says.
    pub resource: Option<String>,
}

impl RateLimit {
    /// Reads the headers; `None` unless limit, remaining and reset are all there.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |name: &str| header(headers, name).and_then(|v| v.trim().parse::<u64>().ok());
        let reset = reset_time(headers)?;
        Some(Self {
            limit: number("x-ratelimit-limit")?,
            remaining: number("x-ratelimit-remaining")?,
            used: number("x-ratelimit-used"),
            reset,
            resource: header(headers, "x-ratelimit-resource"),
        })
    }
}

/// When GitHub says the rate-limit window resets (`x-ratelimit-reset`,
/// seconds since the epoch).
pub(crate) fn reset_time(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    header(headers, "x-ratelimit-reset")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|epoch| DateTime::from_timestamp(epoch, 0))
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    #[test]
    fn reads_githubs_headers_and_needs_the_essential_ones() {
        let mut headers: HeaderMap = [
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4999"),
            ("x-ratelimit-used", "1"),
            ("x-ratelimit-reset", "1700000000"),
            ("x-ratelimit-resource", "core"),
        ]
        .into_iter()
        .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
        .collect();
        let state = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(state.remaining, 4999);
        assert_eq!(state.reset.timestamp(), 1_700_000_000);
        assert_eq!(state.resource.as_deref(), Some("core"));

        headers.remove("x-ratelimit-limit");
        assert_eq!(RateLimit::from_headers(&headers), None);
    }
}
