//! One error type for everything that can go wrong, mapped from GitHub's
//! answers to what a caller acts on.

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a request failed.
///
/// Every variant that comes from a request names the GitHub operation
/// (`operation`, e.g. `packages/delete-package-version-for-org`); those that
/// come from an answer carry its HTTP status. `Display` is one sentence and
/// never contains the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the request needs a (valid) token.
    #[error("{operation}: GitHub requires authentication (401){}", detail(message))]
    Unauthorized {
        /// GitHub's operationId.
        operation: &'static str,
        /// GitHub's explanation.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
    },

    /// 403 that is not a rate limit: the token lacks a scope or permission.
    #[error(
        "{operation}: forbidden (403){}{}",
        detail(message),
        scopes(oauth_scopes, accepted_oauth_scopes)
    )]
    Forbidden {
        /// GitHub's operationId.
        operation: &'static str,
        /// GitHub's explanation.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
        /// The scopes the token has (`X-OAuth-Scopes`), for classic tokens.
        oauth_scopes: Option<String>,
        /// The scopes the operation accepts (`X-Accepted-OAuth-Scopes`).
        accepted_oauth_scopes: Option<String>,
    },

    /// 404: the owner, package or version does not exist, or the token may
    /// not see it.
    #[error("{operation}: not found (404){}", detail(message))]
    NotFound {
        /// GitHub's operationId.
        operation: &'static str,
        /// GitHub's explanation.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
    },

    /// 403 or 429 because of a primary or secondary rate limit. Retried
    /// automatically within the [`RetryPolicy`](crate::RetryPolicy)'s budget.
    #[error("{operation}: {kind} rate limit exceeded ({}){}", status.as_u16(), wait(reset, retry_after))]
    RateLimited {
        /// GitHub's operationId.
        operation: &'static str,
        /// 403 or 429.
        status: StatusCode,
        /// Which limit was hit.
        kind: RateLimitKind,
        /// When the primary limit resets (`x-ratelimit-reset`).
        reset: Option<DateTime<Utc>>,
        /// How long GitHub asks to wait (`Retry-After`).
        retry_after: Option<Duration>,
        /// GitHub's explanation.
        message: Option<String>,
    },

    /// 400 or 422: GitHub rejected the request's content.
    #[error("{operation}: GitHub rejected the request ({}){}", status.as_u16(), detail(message))]
    BadRequest {
        /// GitHub's operationId.
        operation: &'static str,
        /// 400 or 422.
        status: StatusCode,
        /// GitHub's explanation, with validation details when it sent any.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
    },

    /// 5xx: GitHub (or a proxy in front of it) failed. GETs are retried.
    #[error("{operation}: GitHub answered with a server error ({}){}", status.as_u16(), detail(message))]
    Server {
        /// GitHub's operationId.
        operation: &'static str,
        /// The 5xx status.
        status: StatusCode,
        /// GitHub's message, or the start of the body (an HTML error page, say).
        message: Option<String>,
    },

    /// Any other unsuccessful status (409, 410, …).
    #[error("{operation}: GitHub answered {}{}", status.as_u16(), detail(message))]
    Status {
        /// GitHub's operationId.
        operation: &'static str,
        /// The status.
        status: StatusCode,
        /// GitHub's message, or the start of the body.
        message: Option<String>,
    },

    /// The request did not complete: no connection, a timeout, a broken body.
    #[error("{operation}: {kind} ({source})")]
    Transport {
        /// GitHub's operationId.
        operation: &'static str,
        /// What failed.
        kind: TransportKind,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// GitHub answered, but the body is not what its description promises.
    #[error("{operation}: the answer ({}) is not what GitHub documents ({source}); it starts {snippet:?}", status.as_u16())]
    Decode {
        /// GitHub's operationId.
        operation: &'static str,
        /// The answer's status.
        status: StatusCode,
        /// The start of the body, at most a few hundred characters.
        snippet: String,
        /// Why it did not decode.
        #[source]
        source: serde_json::Error,
    },

    /// A caller mistake caught before sending (an empty name, `per_page`
    /// out of range, an undocumented enum value…); nothing was sent.
    #[error("{operation}: {message}")]
    InvalidArgument {
        /// GitHub's operationId.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },

    /// The operation cannot do what was asked because GitHub's description
    /// does not document it for this owner scope; nothing was sent, or
    /// paging stopped.
    #[error("{operation}: {message}")]
    Unsupported {
        /// GitHub's operationId.
        operation: &'static str,
        /// What is missing.
        message: String,
    },

    /// A `Link` header pointed the next page at another origin than the
    /// configured base URL; it was not followed, so the token stays home.
    #[error(
        "{operation}: refused to follow a next-page link to {link} because it is not on {base}"
    )]
    CrossOriginLink {
        /// GitHub's operationId.
        operation: &'static str,
        /// The link's target.
        link: String,
        /// The configured base URL.
        base: String,
    },

    /// The client's configuration is unusable.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// Which rate limit GitHub applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateLimitKind {
    /// The hourly request quota (`x-ratelimit-remaining: 0`); it resets at
    /// `x-ratelimit-reset`.
    Primary,
    /// GitHub's abuse protection (too many requests at once or too fast);
    /// wait `Retry-After`, or a minute when GitHub does not say.
    Secondary,
}

impl std::fmt::Display for RateLimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
        })
    }
}

/// What part of a request failed below HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// The connection could not be made; the request was not sent.
    Connect,
    /// A timeout expired.
    Timeout,
    /// The answer's body could not be read.
    Body,
    /// Anything else reqwest reports.
    Other,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect to GitHub",
            Self::Timeout => "the request timed out",
            Self::Body => "could not read GitHub's answer",
            Self::Other => "the request failed",
        })
    }
}

impl Error {
    /// GitHub's operationId of the failed request, if the error came from one.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Self::Unauthorized { operation, .. }
            | Self::Forbidden { operation, .. }
            | Self::NotFound { operation, .. }
            | Self::RateLimited { operation, .. }
            | Self::BadRequest { operation, .. }
            | Self::Server { operation, .. }
            | Self::Status { operation, .. }
            | Self::Transport { operation, .. }
            | Self::Decode { operation, .. }
            | Self::InvalidArgument { operation, .. }
            | Self::Unsupported { operation, .. }
            | Self::CrossOriginLink { operation, .. } => Some(operation),
            Self::Config(_) => None,
        }
    }

    /// The HTTP status of GitHub's answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Self::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Self::RateLimited { status, .. }
            | Self::BadRequest { status, .. }
            | Self::Server { status, .. }
            | Self::Status { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            Self::Transport { source, .. } => source.status(),
            _ => None,
        }
    }
}

fn detail(message: &Option<String>) -> String {
    match message.as_deref().map(str::trim) {
        Some(message) if !message.is_empty() => format!(": {}", message.trim_end_matches('.')),
        _ => String::new(),
    }
}

fn scopes(has: &Option<String>, accepted: &Option<String>) -> String {
    let mut out = String::new();
    if let Some(accepted) = accepted.as_deref().filter(|s| !s.trim().is_empty()) {
        let has = has
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("none");
        let _ = write!(out, " (token scopes: {has}; accepted: {accepted})");
    }
    out
}

fn wait(reset: &Option<DateTime<Utc>>, retry_after: &Option<Duration>) -> String {
    match (retry_after, reset) {
        (Some(after), _) => format!("; GitHub asks to retry after {}s", after.as_secs()),
        (None, Some(reset)) => format!("; it resets at {}", reset.format("%Y-%m-%d %H:%M:%S UTC")),
        (None, None) => String::new(),
    }
}

/// The parts of GitHub's error body worth keeping.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    pub(crate) message: Option<String>,
    pub(crate) documentation_url: Option<String>,
    #[serde(default)]
    pub(crate) errors: Vec<serde_json::Value>,
}

impl ErrorBody {
    /// Reads GitHub's JSON error body, or keeps the start of anything else
    /// (an HTML page from a proxy, say) as the message.
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorBody>(bytes) {
            Ok(mut body) => {
                let details: Vec<String> = body
                    .errors
                    .iter()
                    .filter_map(|e| {
                        e.get("message")
                            .or_else(|| e.get("code"))
                            .and_then(|v| v.as_str())
                    })
                    .map(str::to_owned)
                    .collect();
                if !details.is_empty() {
                    let joined = details.join("; ");
                    body.message = Some(match body.message.take() {
                        Some(message) => format!("{message} ({joined})"),
                        None => joined,
                    });
                }
                body
            }
            Err(_) => Self {
                message: Some(snippet(bytes)).filter(|s| !s.is_empty()),
                ..Self::default()
            },
        }
    }
}

/// Turns an error status into the matching variant.
pub(crate) fn from_status(
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    body: ErrorBody,
) -> Error {
    let ErrorBody {
        message,
        documentation_url,
        ..
    } = body;
    if let Some((kind, reset, retry_after)) = rate_limit(status, headers, message.as_deref()) {
        return Error::RateLimited {
            operation,
            status,
            kind,
            reset,
            retry_after,
            message,
        };
    }
    match status.as_u16() {
        401 => Error::Unauthorized {
            operation,
            message,
            documentation_url,
        },
        403 => Error::Forbidden {
            operation,
            message,
            documentation_url,
            oauth_scopes: header(headers, "x-oauth-scopes"),
            accepted_oauth_scopes: header(headers, "x-accepted-oauth-scopes"),
        },
        404 => Error::NotFound {
            operation,
            message,
            documentation_url,
        },
        400 | 422 => Error::BadRequest {
            operation,
            status,
            message,
            documentation_url,
        },
        500..=599 => Error::Server {
            operation,
            status,
            message,
        },
        _ => Error::Status {
            operation,
            status,
            message,
        },
    }
}

/// Recognises GitHub's rate-limit answers (see GitHub's "Rate limits for the
/// REST API"): 403 or 429 with `x-ratelimit-remaining: 0` (primary), or with
/// `Retry-After` or a "secondary rate limit" message (secondary); a bare 429
/// counts as secondary.
fn rate_limit(
    status: StatusCode,
    headers: &HeaderMap,
    message: Option<&str>,
) -> Option<(RateLimitKind, Option<DateTime<Utc>>, Option<Duration>)> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let exhausted = header(headers, "x-ratelimit-remaining").as_deref() == Some("0");
    let retry_after = header(headers, "retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let secondary_message =
        message.is_some_and(|m| m.to_ascii_lowercase().contains("secondary rate limit"));
    let reset = crate::rate_limit::reset_time(headers);
    if exhausted && !secondary_message {
        Some((RateLimitKind::Primary, reset, retry_after))
    } else if secondary_message || retry_after.is_some() || status == StatusCode::TOO_MANY_REQUESTS
    {
        Some((
            RateLimitKind::Secondary,
            reset.filter(|_| exhausted),
            retry_after,
        ))
    } else {
        None
    }
}

pub(crate) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The start of a body as text: lossy UTF-8, whitespace collapsed, at most
/// [`SNIPPET_CHARS`] characters.
pub(crate) fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    }
}

/// How much of an unexpected body an error keeps.
pub(crate) const SNIPPET_CHARS: usize = 200;

pub(crate) fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    let kind = if source.is_timeout() {
        TransportKind::Timeout
    } else if source.is_connect() {
        TransportKind::Connect
    } else if source.is_body() || source.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    };
    Error::Transport {
        operation,
        kind,
        source,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    reqwest::header::HeaderName::from_static(k),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn snippets_are_bounded_and_collapse_whitespace() {
        assert_eq!(
            snippet(b"<html>\n  <b>502</b>\n</html>"),
            "<html> <b>502</b> </html>"
        );
        let long = "x".repeat(1000);
        let cut = snippet(long.as_bytes());
        assert_eq!(cut.chars().count(), SNIPPET_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(snippet(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn validation_details_join_the_message() {
        let body = ErrorBody::parse(
            br#"{"message":"Validation Failed","errors":[{"code":"invalid","message":"bad name"},{"code":"missing"}]}"#,
        );
        assert_eq!(
            body.message.as_deref(),
            Some("Validation Failed (bad name; missing)")
        );
    }

    #[test]
    fn a_forbidden_without_rate_limit_headers_is_forbidden() {
        let err = from_status(
            "op",
            StatusCode::FORBIDDEN,
            &headers(&[("x-ratelimit-remaining", "12")]),
            ErrorBody::default(),
        );
        assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    }

    #[test]
    fn rate_limit_kinds_follow_githubs_rules() {
        let primary = rate_limit(
            StatusCode::FORBIDDEN,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000000"),
            ]),
            Some("API rate limit exceeded"),
        );
        assert_eq!(
            primary,
            Some((
                RateLimitKind::Primary,
                DateTime::from_timestamp(1_700_000_000, 0),
                None
            ))
        );
        let secondary = rate_limit(
            StatusCode::FORBIDDEN,
            &headers(&[]),
            Some("You have exceeded a secondary rate limit."),
        );
        assert_eq!(secondary, Some((RateLimitKind::Secondary, None, None)));
        let bare_429 = rate_limit(StatusCode::TOO_MANY_REQUESTS, &headers(&[]), None);
        assert_eq!(bare_429, Some((RateLimitKind::Secondary, None, None)));
        assert_eq!(
            rate_limit(
                StatusCode::NOT_FOUND,
                &headers(&[("retry-after", "5")]),
                None
            ),
            None
        );
    }
}
