//! Running one generated operation: GitHub's headers, the answer's status
//! and rate-limit headers, error mapping, and retries.
//!
//! Every request goes through the generated client. A fresh (cheap)
//! generated `Client` is made per attempt with its own [`CallHooks`], so the
//! status of an answer whose body fails to decode is known to that attempt
//! alone, even when requests run concurrently.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use progenitor_client::{Error as RawError, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::answer::{self, ErrorBody, transport};
use crate::{Error, RateLimit, RetryPolicy, Target};

/// What every request of one [`Client`](crate::Client) shares.
pub(crate) struct Shared {
    /// Normalized: scheme, host, optional path, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    /// Stamped on every request: authorization, accept, user agent, API version.
    pub(crate) headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Mutex<Option<RateLimit>>,
}

impl fmt::Debug for Shared {
    /// Names the headers but shows only the harmless values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = |name: &str| {
            self.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("user_agent", &header("user-agent"))
            .field("api_version", &header("x-github-api-version"))
            .field(
                "token",
                &if self.headers.contains_key("authorization") {
                    "<redacted>"
                } else {
                    "none"
                },
            )
            .field("retry", &self.retry)
            .finish()
    }
}

/// The status and headers of one attempt's answer, as it arrived.
struct Seen {
    status: StatusCode,
    headers: HeaderMap,
}

/// The hooks of one attempt (see the module docs).
struct CallHooks {
    shared: Arc<Shared>,
    seen: Mutex<Option<Seen>>,
}

impl fmt::Debug for CallHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallHooks")
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl generated::RequestHooks for CallHooks {
    fn before_send(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        // progenitor's own `api-version` (the description's version) and
        // `Accept: application/json` make way for GitHub's headers.
        headers.remove("api-version");
        for (name, value) in &self.shared.headers {
            headers.insert(name, value.clone());
        }
    }

    fn after_receive(&self, result: &reqwest::Result<reqwest::Response>) {
        if let Ok(response) = result {
            if let Some(state) = RateLimit::from_headers(response.headers()) {
                *self
                    .shared
                    .rate_limit
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(state);
            }
            *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(Seen {
                status: response.status(),
                headers: response.headers().clone(),
            });
        }
    }
}

/// The parts of a generated error body this crate uses.
pub(crate) trait IntoErrorBody {
    fn into_error_body(self) -> ErrorBody;
}

impl IntoErrorBody for () {
    fn into_error_body(self) -> ErrorBody {
        ErrorBody::default()
    }
}

impl IntoErrorBody for generated::types::BasicError {
    fn into_error_body(self) -> ErrorBody {
        ErrorBody {
            message: self.message,
            documentation_url: self.documentation_url,
            ..ErrorBody::default()
        }
    }
}

/// How much of an undocumented answer's body is read to explain it.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

impl Shared {
    /// Runs `send` against a fresh generated client until it succeeds, fails
    /// for good, or the retry policy gives up.
    ///
    /// `safe` marks requests (GETs) that may be repeated after any transient
    /// failure; others are repeated only after rate-limit answers.
    pub(crate) async fn execute<T, E, F, Fut>(
        self: &Arc<Self>,
        operation: &'static str,
        target: &Target,
        safe: bool,
        mut send: F,
    ) -> Result<ResponseValue<T>, Error>
    where
        T: DeserializeOwned,
        F: FnMut(generated::Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, RawError<E>>>,
        E: IntoErrorBody,
    {
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let hooks = Arc::new(CallHooks {
                shared: Arc::clone(self),
                seen: Mutex::new(None),
            });
            let client = generated::Client::new_with_client(
                &self.base_url,
                self.http.clone(),
                hooks.clone(),
            );
            let error = match send(client).await {
                Ok(value) => return Ok(value),
                Err(raw) => {
                    let seen = hooks
                        .seen
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take();
                    convert::<T, E>(operation, target, raw, seen).await
                }
            };
            let Some(delay) =
                self.retry
                    .delay(&error, safe, attempt, waited, SystemTime::now().into())
            else {
                return Err(error);
            };
            tracing::warn!(
                operation,
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %error,
                "retrying GitHub request"
            );
            self.retry.sleep(delay).await;
            waited += delay;
            attempt += 1;
        }
    }
}

/// Maps the generated client's error onto [`Error`].
async fn convert<T: DeserializeOwned, E: IntoErrorBody>(
    operation: &'static str,
    target: &Target,
    raw: RawError<E>,
    seen: Option<Seen>,
) -> Error {
    match raw {
        RawError::InvalidRequest(message) | RawError::Custom(message) => {
            Error::InvalidArgument { operation, message }
        }
        RawError::CommunicationError(source)
        | RawError::InvalidUpgrade(source)
        | RawError::ResponseBodyError(source) => transport(operation, target, source),
        RawError::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            answer::from_status(
                operation,
                target,
                status,
                &headers,
                value.into_inner().into_error_body(),
            )
        }
        RawError::InvalidResponsePayload(bytes, source) => {
            let (status, headers) = seen.map_or((StatusCode::OK, HeaderMap::new()), |s| {
                (s.status, s.headers)
            });
            if status.is_success() {
                answer::decode_error::<T>(operation, target, status, &bytes, source)
            } else {
                // A documented error status whose body is not GitHub's JSON
                // (a proxy's page, say): the status still says what happened.
                answer::from_status(
                    operation,
                    target,
                    status,
                    &headers,
                    ErrorBody::parse(&bytes),
                )
            }
        }
        RawError::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match read_prefix(response, ERROR_BODY_LIMIT).await {
                Ok(bytes) => answer::from_status(
                    operation,
                    target,
                    status,
                    &headers,
                    ErrorBody::parse(&bytes),
                ),
                Err(source) => transport(operation, target, source),
            }
        }
    }
}

/// Reads at most `limit` bytes of a body, so an error never holds a huge page.
async fn read_prefix(mut response: reqwest::Response, limit: usize) -> reqwest::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await? {
            Some(chunk) => bytes.extend_from_slice(&chunk),
            None => break,
        }
    }
    bytes.truncate(limit);
    Ok(bytes)
}
