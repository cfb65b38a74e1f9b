//! The rate-limit state GitHub reports on every answer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{AsHeaderName, HeaderMap, HeaderName};

/// How long to wait after a secondary rate limit that gives no
/// `Retry-After`: at least a minute, GitHub says (docs/github-behaviour.md,
/// "Rate limits").
pub(crate) const SECONDARY_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// GitHub's rate-limit headers from the most recent answer that carried
/// them (`x-ratelimit-*`); see [`Client::rate_limit`](crate::Client::rate_limit).
///
/// ```no_run
/// # fn example(client: github_packages::Client) {
/// if let Some(limit) = client.rate_limit() {
///     if limit.remaining < 100 {
///         println!("{} requests left ({:?}) until {}", limit.remaining, limit.resource, limit.reset);
///     }
/// }
/// # }
/// ```
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
    /// Runs on every answer, so the names are parsed once, here.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
        const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
        const USED: HeaderName = HeaderName::from_static("x-ratelimit-used");
        const RESOURCE: HeaderName = HeaderName::from_static("x-ratelimit-resource");
        let number = |name| header(headers, name).and_then(|v| v.trim().parse::<u64>().ok());
        let reset = reset_time(headers)?;
        Some(Self {
            limit: number(&LIMIT)?,
            remaining: number(&REMAINING)?,
            used: number(&USED),
            reset,
            resource: header(headers, &RESOURCE).map(str::to_owned),
        })
    }
}

/// When GitHub says the rate-limit window resets (`x-ratelimit-reset`,
/// seconds since the epoch).
pub(crate) fn reset_time(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
    header(headers, &RESET)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|epoch| DateTime::from_timestamp(epoch, 0))
}

/// How long `Retry-After` asks to wait, in either of its forms:
/// delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`,
/// counted from `now`; a date in the past means no wait). Anything else,
/// negative numbers included, is ignored.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = header(headers, "retry-after")?;
    let value = value.trim();
    if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        // Longer than u64 seconds is still "far too long", not an error.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or_default(),
    )
}

/// A header's value as text, if it is present and valid text.
pub(crate) fn header<K: AsHeaderName>(headers: &HeaderMap, name: K) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", HeaderValue::from_str(value).unwrap());
            retry_after(&headers, now)
        };
        assert_eq!(with("120"), Some(Duration::from_secs(120)));
        assert_eq!(with(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            with("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(with("Wed, 21 Oct 2015 07:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(
            with("18446744073709551616000"),
            Some(Duration::from_secs(u64::MAX))
        );
        for ignored in ["-5", "soon", "", "1.5"] {
            assert_eq!(with(ignored), None, "{ignored:?}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
