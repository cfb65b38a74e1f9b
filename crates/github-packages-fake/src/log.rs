//! What reached the fake, for tests to assert on. Tokens are named by
//! label (`alice (classic token #1)`), never by value, and a restore
//! token in the query is redacted.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One request the fake answered (or dropped); the admin API serves these
/// as JSON objects with the same field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    /// `GET`, `DELETE`, …
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// The query as sent, with any `token` value replaced by `[redacted]`.
    pub query: Option<String>,
    /// Which seeded token it carried, by label; `None` without one (or
    /// with an unknown one).
    pub token: Option<String>,
    /// The operationId, for a REST operation.
    pub operation: Option<&'static str>,
    /// The answer's status; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// When it arrived, on the fake's clock.
    pub at: DateTime<Utc>,
    /// How long answering it took, in real milliseconds.
    pub duration_ms: u64,
}

/// The query with `token` values redacted.
pub(crate) fn redact_query(query: Option<&str>) -> Option<String> {
    let query = query?;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("token", _)) => "token=[redacted]".to_owned(),
            _ => pair.to_owned(),
        })
        .collect();
    Some(pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_tokens_are_redacted() {
        assert_eq!(
            redact_query(Some("token=s3cret&x=1")).as_deref(),
            Some("token=[redacted]&x=1")
        );
        assert_eq!(redact_query(None), None);
    }
}
