//! One error type for everything that can go wrong. How GitHub's answers map
//! onto it lives in `answer.rs`.
//!
//! Long because it is the crate's contract with its callers: every variant
//! and field is documented, with the accessors callers act on.

use std::fmt::{self, Write as _};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;

use crate::model::rate_limit::SECONDARY_LIMIT_WAIT;
use crate::model::target::Target;

pub(crate) mod answer;

/// The result type of this crate.
///
/// ```
/// fn check(name: &str) -> github_packages::Result<()> {
///     let _ = name;
///     Ok(())
/// }
/// # check("x").unwrap();
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a request failed.
///
/// Every variant that comes from a request names the GitHub operation
/// (`operation`, e.g. `packages/delete-package-version-for-org`) and what
/// it was about (`target`: owner, package, version); those that come from an
/// answer carry its HTTP status. `Display` is one sentence and never
/// contains the token.
///
/// | variant | when |
/// |---|---|
/// | [`TokenRequired`](Self::TokenRequired) | a client without a token was asked to change something, or to act as the authenticated user; nothing was sent |
/// | [`Unauthorized`](Self::Unauthorized) | 401: no token, or a bad one |
/// | [`Forbidden`](Self::Forbidden) | 403 that is not a rate limit: a missing scope or permission |
/// | [`NotFound`](Self::NotFound) | 404: no such owner, package or version, or the token may not see it |
/// | [`RateLimited`](Self::RateLimited) | 403/429 from the primary quota or a secondary limit |
/// | [`Refused`](Self::Refused) | 400: GitHub refuses to delete the last version, or a popular public version |
/// | [`BadRequest`](Self::BadRequest) | any other 400, and 422 |
/// | [`Server`](Self::Server) | 5xx |
/// | [`Status`](Self::Status) | any other unsuccessful status (409, 410, …) |
/// | [`Redirected`](Self::Redirected) | a redirect the client does not follow |
/// | [`TooLarge`](Self::TooLarge) | a successful answer over the configured size limit |
/// | [`Transport`](Self::Transport) | no connection, a timeout, a broken body |
/// | [`Decode`](Self::Decode) | a successful answer that is not what GitHub documents |
/// | [`InvalidArgument`](Self::InvalidArgument) | a caller mistake caught before sending |
/// | [`CrossOriginLink`](Self::CrossOriginLink) | a next-page link to another origin (not followed) |
/// | [`Paging`](Self::Paging) | a next-page link that cannot be followed |
/// | [`Config`](Self::Config) | an unusable client configuration |
///
/// The helpers cover the common decisions without matching:
/// [`is_not_found`](Self::is_not_found), [`is_retryable`](Self::is_retryable),
/// [`retry_after`](Self::retry_after), [`refusal`](Self::refusal),
/// [`status`](Self::status), [`operation`](Self::operation),
/// [`target`](Self::target).
///
/// ```no_run
/// # async fn example(version: github_packages::VersionRef) -> github_packages::Result<()> {
/// use github_packages::{Error, Refusal};
///
/// match version.delete().await {
///     Ok(()) => println!("deleted {}", version.id()),
///     Err(e) if e.is_not_found() => println!("{} was already gone", version.id()),
///     Err(Error::Refused { refusal: Refusal::LastVersion, .. }) => {
///         println!("{} is the last version; delete the package instead", version.id())
///     }
///     Err(e @ Error::Forbidden { .. }) => return Err(e), // a scope is missing; stop
///     Err(e) if e.is_retryable() => println!("try {} again later: {e}", version.id()),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client has no token, and the operation needs one: every delete
    /// and restore, and everything about the authenticated user. Nothing
    /// was sent.
    #[error(
        "{operation} ({target}): this needs a token and the client has none; set GITHUB_TOKEN \
         or ClientBuilder::token"
    )]
    TokenRequired {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
    },

    /// 401: the request needs a (valid) token.
    #[error(
        "{operation} ({target}): GitHub requires authentication (401){}{}",
        detail(message),
        if *anonymous { "; the client has no token (set GITHUB_TOKEN or ClientBuilder::token)" } else { "" }
    )]
    Unauthorized {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// GitHub's explanation.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
        /// The client sent no token.
        anonymous: bool,
    },

    /// 403 that is not a rate limit: the token lacks a scope or permission.
    #[error(
        "{operation} ({target}): forbidden (403){}{}",
        detail(message),
        scopes(oauth_scopes, accepted_oauth_scopes)
    )]
    Forbidden {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
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
    #[error("{operation}: {} (404){}", target.not_found(), not_found_detail(message))]
    NotFound {
        /// GitHub's operationId.
        operation: &'static str,
        /// What was not found.
        target: Target,
        /// GitHub's explanation.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
    },

    /// 403 or 429 because of a primary or secondary rate limit. Retried
    /// automatically within the [`RetryPolicy`](crate::RetryPolicy)'s budget.
    #[error(
        "{operation} ({target}): {kind} rate limit exceeded ({}){}",
        status.as_u16(),
        wait(reset, retry_after)
    )]
    RateLimited {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// 403 or 429; 429 also when the client did not send the request,
        /// as GitHub had said the quota was spent
        /// ([`OnPrimaryLimit::FailFast`](crate::OnPrimaryLimit::FailFast))
        /// or had asked for a pause longer than the request may wait
        /// ([`Throttle`](crate::Throttle)); `message` then starts with
        /// "not sent".
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

    /// 400: GitHub refuses a deletion for a reason a caller acts on (keep
    /// the version, or delete the whole package instead). The message is
    /// GitHub's own.
    #[error("{operation} ({target}): GitHub refuses ({refusal}): {message}")]
    Refused {
        /// GitHub's operationId.
        operation: &'static str,
        /// What GitHub refused to delete.
        target: Target,
        /// Why.
        refusal: Refusal,
        /// GitHub's message.
        message: String,
    },

    /// 400 or 422: GitHub rejected the request's content.
    #[error(
        "{operation} ({target}): GitHub rejected the request ({}){}",
        status.as_u16(),
        detail(message)
    )]
    BadRequest {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// 400 or 422.
        status: StatusCode,
        /// GitHub's explanation, with validation details when it sent any.
        message: Option<String>,
        /// Where GitHub documents the problem.
        documentation_url: Option<String>,
    },

    /// 5xx: GitHub (or a proxy in front of it) failed. GETs are retried,
    /// after `Retry-After` when the answer asks for it.
    #[error(
        "{operation} ({target}): GitHub answered with a server error ({}){}",
        status.as_u16(),
        detail(message)
    )]
    Server {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// The 5xx status.
        status: StatusCode,
        /// How long the answer asks to wait (`Retry-After`), if it does.
        retry_after: Option<Duration>,
        /// GitHub's message, or the start of the body (an HTML error page, say).
        message: Option<String>,
    },

    /// Any other unsuccessful status (409, 410, …).
    #[error("{operation} ({target}): GitHub answered {}{}", status.as_u16(), detail(message))]
    Status {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// The status.
        status: StatusCode,
        /// GitHub's message, or the start of the body.
        message: Option<String>,
    },

    /// The request did not complete: no connection, a timeout, a broken body.
    #[error("{operation} ({target}): {kind} ({source})")]
    Transport {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// What failed.
        kind: TransportKind,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// An answer redirected the request somewhere the client does not
    /// follow: any redirect of a DELETE or POST (following a 302/303 turns
    /// it into a GET whose success would read as "deleted"), a GET's
    /// redirect to another origin, more than five in a row. Nothing was
    /// sent to the redirect's target.
    #[error(
        "{operation} ({target}): not following the redirect ({}){}: {reason}",
        status.as_u16(),
        to(location)
    )]
    Redirected {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// The 3xx status (or the final status, when a caller's
        /// `reqwest::Client` followed the redirect itself).
        status: StatusCode,
        /// Where it pointed.
        location: Option<String>,
        /// Why it is not followed.
        reason: RedirectReason,
    },

    /// A successful answer larger than the limit set with
    /// [`ClientBuilder::max_body_size`](crate::ClientBuilder::max_body_size);
    /// reading stopped there and nothing of it was used.
    #[error(
        "{operation} ({target}): the answer ({}) is larger than the {limit}-byte limit",
        status.as_u16()
    )]
    TooLarge {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// The answer's status.
        status: StatusCode,
        /// The limit, in bytes.
        limit: usize,
    },

    /// GitHub answered, but the body is not what its description promises.
    #[error(
        "{operation} ({target}): the answer ({}) is not what GitHub documents{}: {reason}; it starts {snippet:?}",
        status.as_u16(),
        located(path)
    )]
    Decode {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
        /// The answer's status.
        status: StatusCode,
        /// Where in the body decoding failed, e.g. `[3].owner.login` (item 3
        /// of a listing), when it could be told.
        path: Option<String>,
        /// Why it did not decode (serde's message, e.g. "missing field
        /// `name` at line 1 column 80").
        reason: String,
        /// The start of the body, at most a few hundred bytes.
        snippet: String,
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

    /// A bulk run stopped ([`Bulk::stop_when`](crate::Bulk::stop_when))
    /// before this request was sent, so it was not sent.
    #[error("{operation} ({target}): not sent: the run was stopped")]
    Stopped {
        /// GitHub's operationId.
        operation: &'static str,
        /// What the request was about.
        target: Target,
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

    /// A listing's next page cannot be requested (its link names no page
    /// number); the listing ended here rather than pretending to be complete.
    #[error("{operation}: {message}")]
    Paging {
        /// GitHub's operationId.
        operation: &'static str,
        /// What is wrong with the link.
        message: String,
    },

    /// The client's configuration is unusable.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// Which rate limit GitHub applied.
///
/// ```
/// use github_packages::{Error, RateLimitKind};
///
/// fn slow_down(error: &Error) -> bool {
///     matches!(error, Error::RateLimited { kind: RateLimitKind::Secondary, .. })
/// }
/// # let _ = slow_down;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateLimitKind {
    /// The hourly request quota (`x-ratelimit-remaining: 0`); it resets at
    /// `x-ratelimit-reset`.
    Primary,
    /// GitHub's abuse protection (too many requests at once or too fast);
    /// wait `Retry-After`, or a minute when GitHub does not say.
    Secondary,
}

impl fmt::Display for RateLimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
        })
    }
}

/// Why GitHub refused a deletion ([`Error::Refused`]).
///
/// ```no_run
/// # async fn example(version: github_packages::VersionRef, app: github_packages::PackageRef) -> github_packages::Result<()> {
/// use github_packages::Refusal;
///
/// if let Err(error) = version.delete().await {
///     match error.refusal() {
///         Some(Refusal::LastVersion) => app.delete().await?, // delete the whole package
///         Some(Refusal::TooManyDownloads) => println!("keep {}: {error}", version.id()),
///         _ => return Err(error),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The version is the package's last (or last tagged) one; delete the
    /// whole package instead.
    LastVersion,
    /// The version is public and was downloaded more than 5,000 times; only
    /// GitHub support can delete it.
    TooManyDownloads,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LastVersion => "last version",
            Self::TooManyDownloads => "too many downloads",
        })
    }
}

/// How many redirects in a row a GET follows; the next one is refused
/// ([`RedirectReason::TooMany`]).
pub(crate) const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed ([`Error::Redirected`]).
///
/// ```
/// use github_packages::RedirectReason;
///
/// let reason = RedirectReason::Mutation;
/// assert!(reason.to_string().starts_with("a DELETE or POST is never redirected"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectReason {
    /// DELETE and POST are never redirected.
    Mutation,
    /// The redirect leads to another origin than the configured API's.
    OtherOrigin,
    /// More redirects in a row than a GET follows.
    TooMany,
    /// The redirect names no usable location.
    NoLocation,
    /// The `reqwest::Client` given to the builder followed a redirect by
    /// itself (build it with `redirect::Policy::none()`).
    FollowedByHttpClient,
}

impl fmt::Display for RedirectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Mutation => {
                "a DELETE or POST is never redirected, so that a redirect cannot fake a success"
            }
            Self::OtherOrigin => "it leads to another origin than the configured API",
            Self::TooMany => return write!(f, "more than {MAX_REDIRECTS} redirects in a row"),
            Self::NoLocation => "it names no usable location",
            Self::FollowedByHttpClient => {
                "the reqwest::Client passed to the builder followed it; build that client with \
                 redirect::Policy::none()"
            }
        })
    }
}

/// What part of a request failed below HTTP ([`Error::Transport`]).
///
/// ```
/// use github_packages::{Error, TransportKind};
///
/// fn offline(error: &Error) -> bool {
///     matches!(error, Error::Transport { kind: TransportKind::Connect, .. })
/// }
/// # let _ = offline;
/// ```
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

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            Self::TokenRequired { operation, .. }
            | Self::Unauthorized { operation, .. }
            | Self::Forbidden { operation, .. }
            | Self::NotFound { operation, .. }
            | Self::RateLimited { operation, .. }
            | Self::Refused { operation, .. }
            | Self::BadRequest { operation, .. }
            | Self::Server { operation, .. }
            | Self::Status { operation, .. }
            | Self::Redirected { operation, .. }
            | Self::TooLarge { operation, .. }
            | Self::Transport { operation, .. }
            | Self::Decode { operation, .. }
            | Self::InvalidArgument { operation, .. }
            | Self::Stopped { operation, .. }
            | Self::CrossOriginLink { operation, .. }
            | Self::Paging { operation, .. } => Some(operation),
            Self::Config(_) => None,
        }
    }

    /// What the failed request was about, if it was sent.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Self::TokenRequired { target, .. }
            | Self::Unauthorized { target, .. }
            | Self::Forbidden { target, .. }
            | Self::NotFound { target, .. }
            | Self::RateLimited { target, .. }
            | Self::Refused { target, .. }
            | Self::BadRequest { target, .. }
            | Self::Server { target, .. }
            | Self::Status { target, .. }
            | Self::Redirected { target, .. }
            | Self::TooLarge { target, .. }
            | Self::Transport { target, .. }
            | Self::Decode { target, .. }
            | Self::Stopped { target, .. } => Some(target),
            _ => None,
        }
    }

    /// The HTTP status of GitHub's answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Self::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Self::Refused { .. } => Some(StatusCode::BAD_REQUEST),
            Self::RateLimited { status, .. }
            | Self::BadRequest { status, .. }
            | Self::Server { status, .. }
            | Self::Status { status, .. }
            | Self::Redirected { status, .. }
            | Self::TooLarge { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            Self::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// Whether the owner, package or version does not exist (or the token
    /// may not see it): 404. Deleting something already deleted is one.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// Whether the same request may succeed later: rate limits, 5xx
    /// answers, timeouts and connection failures. The client has already
    /// retried GETs within its [`RetryPolicy`](crate::RetryPolicy), and
    /// DELETEs and POSTs after rate limits; a 5xx or a dropped connection
    /// on a DELETE may have come after the deletion happened.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Server { .. } => true,
            Self::Transport { kind, .. } => *kind != TransportKind::Other,
            _ => false,
        }
    }

    /// How long GitHub asks to wait before trying again: `Retry-After`, the
    /// time until the primary rate limit resets, or a minute for a
    /// secondary limit that does not say (GitHub's guidance).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited {
                retry_after: Some(after),
                ..
            }
            | Self::Server {
                retry_after: Some(after),
                ..
            } => Some(*after),
            Self::RateLimited {
                reset: Some(reset), ..
            } => Some(
                (*reset - DateTime::<Utc>::from(std::time::SystemTime::now()))
                    .to_std()
                    .unwrap_or_default(),
            ),
            Self::RateLimited {
                kind: RateLimitKind::Secondary,
                ..
            } => Some(SECONDARY_LIMIT_WAIT),
            _ => None,
        }
    }

    /// Why GitHub refused a deletion, for [`Error::Refused`].
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            Self::Refused { refusal, .. } => Some(*refusal),
            _ => None,
        }
    }
}

/// Turns "not found" into `None`, for requests where absence is an answer:
/// an idempotent delete, a lookup that may miss.
///
/// ```no_run
/// # async fn example(image: github_packages::PackageRef) -> github_packages::Result<()> {
/// use github_packages::OptionalExt;
///
/// // Deleted now, or already gone: either way it is gone.
/// let existed = image.version(786068).delete().await.optional()?.is_some();
/// // A package that may not exist.
/// match image.get().await.optional()? {
///     Some(package) => println!("{} has {:?} versions", package.name(), package.version_count()),
///     None => println!("no such package"),
/// }
/// # let _ = existed; Ok(()) }
/// ```
pub trait OptionalExt<T> {
    /// `Ok(Some(value))`, `Ok(None)` for a 404, or any other error.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExt<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }
}

fn detail(message: &Option<String>) -> String {
    match message.as_deref().map(str::trim) {
        Some(message) if !message.is_empty() => format!(": {}", message.trim_end_matches('.')),
        _ => String::new(),
    }
}

/// GitHub's 404 message is usually just "Not Found", which the sentence
/// already says.
fn not_found_detail(message: &Option<String>) -> String {
    match message.as_deref().map(str::trim) {
        Some(m) if m.eq_ignore_ascii_case("not found") => String::new(),
        _ => detail(message),
    }
}

fn located(path: &Option<String>) -> String {
    match path.as_deref() {
        None | Some("") | Some(".") => String::new(),
        Some(path) => match path.strip_prefix('[').and_then(|p| p.split_once(']')) {
            Some((index, "")) => format!(" in item {index}"),
            Some((index, rest)) => {
                format!(" in item {index} at `{}`", rest.trim_start_matches('.'))
            }
            None => format!(" at `{path}`"),
        },
    }
}

fn to(location: &Option<String>) -> String {
    location
        .as_deref()
        .map(|l| format!(" to {l}"))
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_paths_name_the_listing_item() {
        assert_eq!(located(&None), "");
        assert_eq!(located(&Some("[3]".into())), " in item 3");
        assert_eq!(
            located(&Some("[3].owner.login".into())),
            " in item 3 at `owner.login`"
        );
        assert_eq!(located(&Some("owner.login".into())), " at `owner.login`");
    }
}
