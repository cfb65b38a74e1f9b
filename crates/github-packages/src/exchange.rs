//! One request and its answer, as the generated client hands them over
//! (codegen routes every request through `RequestHooks::exec`):
//!
//! - GitHub's headers are stamped on the request;
//! - redirects: a DELETE or POST is never redirected (following a 302/303
//!   turns it into a GET whose 200 would read as "deleted"); a GET follows
//!   at most [`MAX_REDIRECTS`] redirects, only within the configured origin;
//!   anything else is refused, not followed, with or without the token;
//! - bodies are read up to a bound: [`ERROR_BODY_LIMIT`] for unsuccessful
//!   answers (the rest is dropped unread), the configured limit for
//!   successful ones (past it the answer is refused);
//! - errors from reqwest lose their URL, which may hold a restore token.
//!
//! What the generated code cannot express (a refused redirect, a body over
//! the limit) is recorded in the attempt's [`Outcome`] and turned into an
//! error by the transport, whatever the generated code made of the answer.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::RedirectReason;

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode, Url};

use crate::transport::Shared;

/// How many redirects in a row a GET follows.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// How much of an unsuccessful answer's body is read to explain it.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Why an answer was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A redirect that is not followed.
    Redirect {
        status: StatusCode,
        /// The `Location`, as the server sent it.
        location: Option<String>,
        reason: RedirectReason,
    },
    /// A successful answer larger than the configured limit.
    TooLarge { status: StatusCode, limit: usize },
}

/// What one attempt saw, for the transport to read after the generated
/// code has returned.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The final answer's status and headers.
    pub(crate) answer: Option<(StatusCode, HeaderMap)>,
    /// Set when the answer must not be used.
    pub(crate) refusal: Option<Refusal>,
}

/// The hooks of one attempt: a fresh (cheap) generated client is made per
/// attempt with its own `Attempt`, so what it records belongs to that
/// attempt alone, even when requests run concurrently.
pub(crate) struct Attempt {
    shared: Arc<Shared>,
    outcome: Mutex<Outcome>,
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt").finish_non_exhaustive()
    }
}

impl Attempt {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            outcome: Mutex::new(Outcome::default()),
        }
    }

    pub(crate) fn take_outcome(&self) -> Outcome {
        std::mem::take(&mut *self.outcome.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn record(&self, update: impl FnOnce(&mut Outcome)) {
        update(&mut self.outcome.lock().unwrap_or_else(PoisonError::into_inner));
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        self.stamp_headers(&mut request);
        let method = request.method().clone();
        let mut hops = 0;
        loop {
            let sent = request.url().clone();
            // A GET has no body, so it can be cloned to follow a redirect.
            let again = request.try_clone();
            let response = client
                .execute(request)
                .await
                .map_err(reqwest::Error::without_url)?;
            self.shared.observe(response.headers());
            let status = response.status();
            let headers = response.headers().clone();
            let version = response.version();

            if response.url() != &sent
                && (method != Method::GET || !self.shared.is_same_origin(response.url()))
            {
                return Ok(self.refuse(
                    status,
                    headers,
                    version,
                    Refusal::Redirect {
                        status,
                        location: Some(response.url().to_string()),
                        reason: RedirectReason::FollowedByHttpClient,
                    },
                ));
            }

            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = headers
                    .get(LOCATION)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
                let target = location.as_deref().and_then(|l| sent.join(l).ok());
                let reason = match (&target, again) {
                    _ if method != Method::GET => RedirectReason::Mutation,
                    (None, _) | (_, None) => RedirectReason::NoLocation,
                    (Some(url), _) if !self.shared.is_same_origin(url) => {
                        RedirectReason::OtherOrigin
                    }
                    _ if hops >= MAX_REDIRECTS => RedirectReason::TooMany,
                    (Some(url), Some(mut next)) => {
                        hops += 1;
                        *next.url_mut() = url.clone();
                        request = next;
                        continue;
                    }
                };
                return Ok(self.refuse(
                    status,
                    headers,
                    version,
                    Refusal::Redirect {
                        status,
                        location,
                        reason,
                    },
                ));
            }

            let limit = if status.is_success() {
                self.shared.max_body
            } else {
                ERROR_BODY_LIMIT
            };
            let (body, complete) = read_bounded(response, limit)
                .await
                .map_err(reqwest::Error::without_url)?;
            if !complete && status.is_success() {
                return Ok(self.refuse(
                    status,
                    headers,
                    version,
                    Refusal::TooLarge { status, limit },
                ));
            }
            self.record(|o| o.answer = Some((status, headers.clone())));
            return Ok(rebuild(status, headers, version, body));
        }
    }

    /// Records `refusal` and hands the generated code an empty answer.
    fn refuse(
        &self,
        status: StatusCode,
        headers: HeaderMap,
        version: reqwest::Version,
        refusal: Refusal,
    ) -> reqwest::Response {
        self.record(|o| {
            o.answer = Some((status, headers.clone()));
            o.refusal = Some(refusal);
        });
        rebuild(status, headers, version, Vec::new())
    }

    /// GitHub's headers replace progenitor's `Accept: application/json` and
    /// its own `api-version` (the description's version).
    fn stamp_headers(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.remove("api-version");
        for (name, value) in &self.shared.headers {
            headers.insert(name, value.clone());
        }
    }
}

impl generated::RequestHooks for Attempt {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation_id: &'static str,
    ) -> generated::ExecFuture<'a> {
        Box::pin(self.send(client, request))
    }
}

/// Reads at most `limit` bytes of a body; `false` when more was left (and
/// dropped unread with the connection).
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Vec<u8>, bool)> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

fn rebuild(
    status: StatusCode,
    headers: HeaderMap,
    version: reqwest::Version,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(body));
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

/// Whether `url` is on `base`'s origin (scheme, host and port).
pub(crate) fn same_origin(base: &Url, url: &Url) -> bool {
    base.origin() == url.origin()
}
