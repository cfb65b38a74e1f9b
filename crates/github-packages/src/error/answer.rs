//! From GitHub's answers to [`Error`]s: status, headers and error bodies,
//! with the signals GitHub really sends (see
//! `docs/github-behaviour.md`, summarised on each function).
//!
//! Over 500 lines with its tests, which are half of it: one table of
//! GitHub's real answers per signal.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, RateLimitKind, Refusal, TransportKind};
use crate::model::rate_limit::{header, reset_time, retry_after};
use crate::model::target::Target;
use crate::text::Scrub;

/// The parts of GitHub's error body worth keeping.
///
/// `status` is ignored: GitHub sends it as a string (`"404"`) in newer
/// answers and not at all in older ones.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) message: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) documentation_url: Option<String>,
    #[serde(default)]
    pub(crate) errors: Vec<serde_json::Value>,
    /// The message is the start of a body that is not GitHub's JSON (an
    /// HTML page from a proxy, say), shown shorter.
    #[serde(skip)]
    pub(crate) page: bool,
}

/// A string field that is kept only if it is a string (a hostile or odd
/// answer must not turn a 404 into a decode error).
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

impl ErrorBody {
    /// Reads GitHub's JSON error body, or keeps anything else (an HTML page
    /// from a proxy, say) as the message, whitespace collapsed. The text is
    /// raw: [`from_status`] scrubs and bounds it.
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
                message: Some(html_title(bytes).unwrap_or_else(|| collapse_whitespace(bytes)))
                    .filter(|s| !s.is_empty()),
                page: true,
                ..Self::default()
            },
        }
    }
}

/// Turns an unsuccessful answer into the matching variant. Every string
/// from the answer is scrubbed of the request's secrets and made inert.
pub(crate) fn from_status(
    operation: &'static str,
    target: &Target,
    status: StatusCode,
    headers: &HeaderMap,
    body: ErrorBody,
    scrub: &Scrub<'_>,
) -> Error {
    let target = target.clone();
    // Signals are read from the raw text; only scrubbed text is kept.
    let kind = rate_limit_kind(
        status,
        headers,
        body.message.as_deref(),
        body.documentation_url.as_deref(),
    );
    let refusal = body.message.as_deref().and_then(refusal);
    let message = match (&body.message, body.page) {
        (Some(page), true) => Some(scrub.bounded(page, SNIPPET_BYTES)),
        (message, false) => scrub.opt(message.clone()),
        (None, true) => None,
    };
    let documentation_url = scrub.opt(body.documentation_url);
    let header = |name| header(headers, name).map(|value| scrub.text(value));
    if let Some(kind) = kind {
        let exhausted = header("x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
        return Error::RateLimited {
            operation,
            target,
            status,
            kind,
            reset: reset_time(headers).filter(|_| exhausted),
            retry_after: retry_after(headers, now()),
            message,
        };
    }
    if status == StatusCode::BAD_REQUEST
        && let Some(refusal) = refusal
    {
        return Error::Refused {
            operation,
            target,
            refusal,
            message: message.unwrap_or_default(),
        };
    }
    match status.as_u16() {
        401 => Error::Unauthorized {
            operation,
            target,
            message,
            documentation_url,
            anonymous: false,
        },
        403 => Error::Forbidden {
            operation,
            target,
            message,
            documentation_url,
            oauth_scopes: header("x-oauth-scopes"),
            accepted_oauth_scopes: header("x-accepted-oauth-scopes"),
        },
        404 => Error::NotFound {
            operation,
            target,
            message,
            documentation_url,
        },
        400 | 422 => Error::BadRequest {
            operation,
            target,
            status,
            message,
            documentation_url,
        },
        500..=599 => Error::Server {
            operation,
            target,
            status,
            retry_after: retry_after(headers, now()),
            message,
        },
        _ => Error::Status {
            operation,
            target,
            status,
            message,
        },
    }
}

fn now() -> DateTime<Utc> {
    SystemTime::now().into()
}

/// Which rate limit a 403 or 429 reports, if any ("Rate limits for the REST
/// API" in GitHub's docs, and what GitHub really sends):
///
/// - **secondary** when the message says "secondary rate limit" or, in
///   older answers, "abuse detection mechanism" — whatever
///   `x-ratelimit-remaining` says, with or without `Retry-After`;
/// - **primary** when `x-ratelimit-remaining` is `0`, even if the
///   `documentation_url` names a secondary limit: go-github's
///   `CheckResponse` checks for the primary limit before the documentation
///   link (docs/github-behaviour.md, "Rate limits");
/// - **secondary** when the `documentation_url` points at
///   `#secondary-rate-limits`, `#about-secondary-rate-limits` or
///   `#abuse-rate-limits`, when GitHub asks to wait (`Retry-After`), or on
///   a 429;
/// - otherwise not a rate limit: a 403 is a real permission problem.
pub(crate) fn rate_limit_kind(
    status: StatusCode,
    headers: &HeaderMap,
    message: Option<&str>,
    documentation_url: Option<&str>,
) -> Option<RateLimitKind> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let message = message.unwrap_or_default().to_ascii_lowercase();
    let secondary_message = ["secondary rate limit", "abuse detection mechanism"]
        .iter()
        .any(|phrase| message.contains(phrase));
    let secondary_docs = documentation_url.is_some_and(|url| {
        [
            "#secondary-rate-limits",
            "#about-secondary-rate-limits",
            "#abuse-rate-limits",
        ]
        .iter()
        .any(|anchor| url.trim_end().ends_with(anchor))
    });
    let exhausted = header(headers, "x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
    if secondary_message {
        Some(RateLimitKind::Secondary)
    } else if exhausted {
        Some(RateLimitKind::Primary)
    } else if secondary_docs
        || headers.contains_key("retry-after")
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        Some(RateLimitKind::Secondary)
    } else {
        None
    }
}

/// GitHub's two 400 refusals a clean-up job acts on, by their messages
/// ("You cannot delete the last version of a package. You must delete the
/// package instead." — also reported with "last tagged version",
/// actions/delete-package-versions#231 — and "Publicly visible package
/// versions with more than 5000 downloads cannot be deleted. …").
pub(crate) fn refusal(message: &str) -> Option<Refusal> {
    let message = message.to_ascii_lowercase();
    if message.contains("cannot delete the last")
        && (message.contains("last version") || message.contains("last tagged version"))
    {
        Some(Refusal::LastVersion)
    } else if message.contains("downloads cannot be deleted") {
        Some(Refusal::TooManyDownloads)
    } else {
        None
    }
}

/// A successful answer whose body does not decode as `T`, with the place in
/// the body where decoding failed (item and field of a listing).
///
/// serde's messages quote the offending value and the path names the
/// server's keys, so both are scrubbed like any server text.
pub(crate) fn decode_error<T: DeserializeOwned>(
    operation: &'static str,
    target: &Target,
    status: StatusCode,
    bytes: &[u8],
    scrub: &Scrub<'_>,
) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (path, reason) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(located) => (
            Some(scrub.text(&located.path().to_string())),
            located.into_inner().to_string(),
        ),
        // Only the whole-document checks (trailing text) failed.
        Ok(_) => match serde_json::from_slice::<T>(bytes) {
            Err(error) => (None, error.to_string()),
            Ok(_) => (None, "the body has unexpected content".to_owned()),
        },
    };
    Error::Decode {
        operation,
        target: target.clone(),
        status,
        path,
        reason: scrub.text(&reason),
        snippet: scrub.bounded(&collapse_whitespace(bytes), SNIPPET_BYTES),
    }
}

/// A body as one line of text: lossy UTF-8, whitespace runs as one space.
fn collapse_whitespace(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `<title>` of an HTML page (a proxy's or GitHub's own error page
/// says what went wrong there, and the rest is markup), whitespace
/// collapsed; `None` for anything else or an empty title.
fn html_title(bytes: &[u8]) -> Option<String> {
    // ASCII lowercasing keeps byte offsets, so they index `bytes` too.
    let lower = bytes.to_ascii_lowercase();
    let find = |needle: &[u8], from: usize| {
        lower
            .get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|at| from + at)
    };
    let open = find(b"<title", 0)?;
    let start = open + lower[open..].iter().position(|&b| b == b'>')? + 1;
    let end = find(b"</title", start)?;
    Some(collapse_whitespace(&bytes[start..end])).filter(|t| !t.is_empty())
}

/// How much of a body that is not GitHub's JSON an error keeps.
pub(crate) const SNIPPET_BYTES: usize = 200;

/// A request that did not complete. The URL is dropped from reqwest's error:
/// it may carry a restore token in its query.
pub(crate) fn transport(operation: &'static str, target: &Target, source: reqwest::Error) -> Error {
    let source = source.without_url();
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
        target: target.clone(),
        kind,
        source,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;
    use crate::model::enums::PackageType;
    use crate::model::owner::Owner;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    HeaderName::from_static(k),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    fn target() -> Target {
        Target::for_owner(Owner::org("acme"))
            .package(PackageType::Container, "app".into())
            .version(crate::model::ids::VersionId::new(7))
    }

    #[test]
    fn an_html_page_is_said_by_its_title() {
        let page = b"<!DOCTYPE html>\n<HTML><head><meta charset=utf-8>\n<Title id=t>\n  Unicorn!  &middot; GitHub\n</TITLE>\n<style>body{}</style></head><body><p>We're having a really bad day.</p></body></html>";
        let body = ErrorBody::parse(page);
        assert!(body.page);
        assert_eq!(body.message.as_deref(), Some("Unicorn! &middot; GitHub"));
        for untitled in [
            &b"<html><title></title><b>502</b></html>"[..],
            b"<title>never closed",
        ] {
            let body = ErrorBody::parse(untitled);
            assert_eq!(
                body.message.as_deref(),
                Some(String::from_utf8_lossy(untitled).as_ref()),
                "no title: the page, as before"
            );
        }
    }

    #[test]
    fn pages_are_kept_short_on_one_line() {
        let body = ErrorBody::parse(b"<html>\n  <b>502</b>\n</html>");
        assert!(body.page);
        assert_eq!(body.message.as_deref(), Some("<html> <b>502</b> </html>"));
        let long = "x".repeat(1000);
        let err = from_status(
            "op",
            &target(),
            StatusCode::BAD_GATEWAY,
            &headers(&[]),
            ErrorBody::parse(long.as_bytes()),
            &Scrub::default(),
        );
        let Error::Server {
            message: Some(cut), ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(cut.len(), SNIPPET_BYTES + '…'.len_utf8());
        assert_eq!(collapse_whitespace(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn server_text_is_scrubbed_and_inert_in_every_field() {
        let secret = "ghp_CANARY_secret";
        let scrub = Scrub::new([secret]);
        let evil = format!("bad token {secret}\r\nINFO forged line\u{1b}[2J");
        let body = ErrorBody {
            message: Some(evil.clone()),
            documentation_url: Some(evil.clone()),
            ..ErrorBody::default()
        };
        let mut headers = headers(&[]);
        headers.insert(
            "x-oauth-scopes",
            evil.parse().unwrap_or_else(|_| "x".parse().unwrap()),
        );
        let err = from_status(
            "op",
            &target(),
            StatusCode::FORBIDDEN,
            &headers,
            body,
            &scrub,
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(
            !shown.contains('\n') && !shown.contains('\u{1b}'),
            "{shown}"
        );
        assert!(shown.contains("[redacted]"), "{shown}");
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
    fn error_bodies_decode_whatever_type_status_has() {
        for body in [
            &br#"{"message":"Not Found","documentation_url":"https://d","status":"404"}"#[..],
            br#"{"message":"Not Found","documentation_url":"https://d","status":404}"#,
            br#"{"message":"Not Found","documentation_url":7}"#,
        ] {
            assert_eq!(ErrorBody::parse(body).message.as_deref(), Some("Not Found"));
        }
    }

    #[test]
    fn a_forbidden_without_rate_limit_signals_is_forbidden() {
        let err = from_status(
            "op",
            &target(),
            StatusCode::FORBIDDEN,
            &headers(&[("x-ratelimit-remaining", "12")]),
            ErrorBody {
                message: Some("Must have admin rights to Repository.".into()),
                ..ErrorBody::default()
            },
            &Scrub::default(),
        );
        assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    }

    #[test]
    fn rate_limit_kinds_follow_githubs_signals() {
        use RateLimitKind::{Primary, Secondary};
        let forbidden = StatusCode::FORBIDDEN;
        let exhausted = headers(&[("x-ratelimit-remaining", "0")]);
        let plenty = headers(&[("x-ratelimit-remaining", "4321")]);
        let none = headers(&[]);
        type Case<'a> = (
            StatusCode,
            &'a HeaderMap,
            Option<&'a str>,
            Option<&'a str>,
            Option<RateLimitKind>,
        );
        let cases: [Case; 13] = [
            (
                forbidden,
                &exhausted,
                Some("API rate limit exceeded for user ID 1."),
                None,
                Some(Primary),
            ),
            // The primary limit, whatever its documentation link says.
            (
                forbidden,
                &exhausted,
                Some("API rate limit exceeded for user ID 1."),
                Some(
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#abuse-rate-limits",
                ),
                Some(Primary),
            ),
            (
                StatusCode::TOO_MANY_REQUESTS,
                &exhausted,
                Some("API rate limit exceeded for installation ID 7."),
                Some(
                    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                ),
                Some(Primary),
            ),
            (
                forbidden,
                &plenty,
                Some("You have exceeded a secondary rate limit. Please wait."),
                None,
                Some(Secondary),
            ),
            (
                forbidden,
                &exhausted,
                Some("You have exceeded a secondary rate limit."),
                None,
                Some(Secondary),
            ),
            (
                forbidden,
                &plenty,
                Some("You have triggered an abuse detection mechanism."),
                None,
                Some(Secondary),
            ),
            (
                forbidden,
                &plenty,
                Some("Slow down"),
                Some(
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#secondary-rate-limits",
                ),
                Some(Secondary),
            ),
            (
                forbidden,
                &none,
                None,
                Some(
                    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                ),
                Some(Secondary),
            ),
            (
                StatusCode::TOO_MANY_REQUESTS,
                &plenty,
                None,
                Some("https://developer.github.com/v3/#abuse-rate-limits"),
                Some(Secondary),
            ),
            (
                StatusCode::TOO_MANY_REQUESTS,
                &none,
                None,
                None,
                Some(Secondary),
            ),
            (
                forbidden,
                &plenty,
                Some("Must have admin rights to Repository."),
                Some("https://docs.github.com/rest/packages"),
                None,
            ),
            (
                forbidden,
                &none,
                None,
                Some("https://docs.github.com/x#secondary-rate-limits-and-more"),
                None,
            ),
            (
                StatusCode::NOT_FOUND,
                &exhausted,
                Some("secondary rate limit"),
                None,
                None,
            ),
        ];
        for (status, headers, message, docs, expected) in cases {
            assert_eq!(
                rate_limit_kind(status, headers, message, docs),
                expected,
                "{status} {message:?} {docs:?}"
            );
        }
        let with_retry_after = self::headers(&[("retry-after", "30")]);
        assert_eq!(
            rate_limit_kind(forbidden, &with_retry_after, None, None),
            Some(Secondary)
        );
    }

    #[test]
    fn refusals_are_recognised_by_githubs_messages() {
        let cases = [
            (
                "You cannot delete the last version of a package. You must delete the package instead.",
                Some(Refusal::LastVersion),
            ),
            (
                "You cannot delete the last tagged version of a package. You must delete the package instead.",
                Some(Refusal::LastVersion),
            ),
            (
                "Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.",
                Some(Refusal::TooManyDownloads),
            ),
            (
                "The value of per_page multiplied by page cannot be greater than 10000.",
                None,
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(refusal(message), expected, "{message}");
        }
        let err = from_status(
            "op",
            &target(),
            StatusCode::BAD_REQUEST,
            &headers(&[]),
            ErrorBody {
                message: Some(cases[0].0.to_owned()),
                ..ErrorBody::default()
            },
            &Scrub::default(),
        );
        assert!(
            matches!(&err, Error::Refused { refusal: Refusal::LastVersion, message, .. } if message == cases[0].0),
            "{err:?}"
        );
    }

    #[test]
    fn a_secondary_limit_reports_no_reset_unless_the_quota_is_spent() {
        let err = from_status(
            "op",
            &target(),
            StatusCode::FORBIDDEN,
            &headers(&[
                ("x-ratelimit-remaining", "4000"),
                ("x-ratelimit-reset", "1700000000"),
            ]),
            ErrorBody {
                message: Some("You have exceeded a secondary rate limit".into()),
                ..ErrorBody::default()
            },
            &Scrub::default(),
        );
        assert!(
            matches!(
                err,
                Error::RateLimited {
                    kind: RateLimitKind::Secondary,
                    reset: None,
                    retry_after: None,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn decode_errors_locate_the_listing_item_and_field() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: i64,
            owner: Owner2,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Owner2 {
            login: String,
        }
        let body = br#"[{"id":1,"owner":{"login":"a"}},{"id":2,"owner":{"login":"b"}},{"id":3,"owner":{"login":7}}]"#;
        let scrub = Scrub::default();
        let err = decode_error::<Vec<Item>>("op", &target(), StatusCode::OK, body, &scrub);
        let Error::Decode { path, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path.as_deref(), Some("[2].owner.login"));
        assert!(
            err.to_string()
                .contains("in item 2 at `owner.login`: invalid type: integer `7`"),
            "{err}"
        );

        let missing = br#"[{"id":1,"owner":{"login":"a"}},{"owner":{"login":"b"}}]"#;
        let err = decode_error::<Vec<Item>>("op", &target(), StatusCode::OK, missing, &scrub);
        assert!(
            err.to_string().contains("in item 1: missing field `id`"),
            "{err}"
        );
    }
}
