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
//! - errors from reqwest lose their URL, which may hold a restore token;
//! - in a dry run, the request is recorded and never sent.
//!
//! What the generated code cannot express (a refused redirect, a body over
//! the limit) is recorded in the attempt's [`Outcome`] and turned into an
//! error by the pipeline, whatever the generated code made of the answer.
//!
//! A client has one generated client, whose [`Hooks`] send through the
//! attempt being polled: [`Attempt::poll`] makes it current on this thread
//! for the length of one poll of the generated request (a thread-local
//! hand-over, since progenitor's hooks get no per-request context). That
//! keeps a fresh generated client, and a layer of future, out of every
//! request: the overhead benchmark's +4 % over the bare generated call
//! depends on it.

use std::cell::Cell;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use reqwest::header::{ACCEPT, HeaderMap, HeaderName, LOCATION};
use reqwest::{Method, StatusCode, Url};

use crate::error::{MAX_REDIRECTS, RedirectReason};
use crate::http::quota::Quota;

/// What an exchange needs to know of its client.
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// The API root parsed, for origin checks.
    pub(crate) base: Url,
    /// Whether the HTTP client is the caller's (which may follow redirects
    /// itself).
    pub(crate) callers_http: bool,
    /// Stamped on every request: authorization, accept, user agent, API version.
    pub(crate) headers: HeaderMap,
    /// The most bytes of a successful answer read.
    pub(crate) max_body: usize,
    /// Where every answer's rate-limit headers are recorded.
    pub(crate) quota: Quota,
}

impl Endpoint {
    /// Whether `url` is on the API's origin (scheme, host and port), where
    /// the token may go.
    pub(crate) fn is_same_origin(&self, url: &Url) -> bool {
        self.base.origin() == url.origin()
    }
}

/// How much of an unsuccessful answer's body is read to explain it.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Why an answer was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unusable {
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

/// What one attempt saw, for the pipeline to read after the generated
/// code has returned. What only an unusual answer has is boxed: a success
/// leaves 32 bytes to move.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The final answer's status, with its headers if it was unsuccessful
    /// or refused (they explain the error).
    pub(crate) answer: Option<(StatusCode, Option<Box<HeaderMap>>)>,
    /// Set when the answer must not be used.
    pub(crate) unusable: Option<Box<Unusable>>,
    /// In a dry run: the request that was not sent.
    pub(crate) planned: Option<Box<(Method, Url)>>,
}

/// What [`Attempt::inspect`] decided.
enum Step {
    /// Follow a redirect with this request.
    Redirect(reqwest::Request),
    /// Hand this answer to the generated code.
    Answer(reqwest::Response),
    /// Read the body, up to the limit, first.
    ReadBody(reqwest::Response, usize),
}

thread_local! {
    /// The attempt whose request is being polled on this thread.
    static CURRENT: Cell<Option<Arc<Attempt>>> = const { Cell::new(None) };
}

/// The generated client's hooks: each request goes through the current
/// attempt (see [`Attempt::poll`]).
#[derive(Debug)]
pub(crate) struct Hooks;

impl generated::RequestHooks for Hooks {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation_id: &'static str,
    ) -> generated::ExecFuture<'a> {
        // The generated client is private to the pipeline, which polls
        // its requests only through `Attempt::poll`, and a generated request
        // sends once: the attempt is taken (`poll` restores what was there).
        let attempt = CURRENT
            .take()
            .expect("a generated request is polled by its attempt");
        attempt.exec(client, request)
    }
}

/// Restores the attempt that was current before [`Attempt::poll`].
struct Restore(Option<Arc<Attempt>>);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.set(self.0.take());
    }
}

/// One attempt at a request: what it sent and saw belongs to it alone, even
/// when requests run concurrently.
pub(crate) struct Attempt {
    endpoint: Arc<Endpoint>,
    /// Record the request instead of sending it.
    dry_run: bool,
    outcome: Mutex<Outcome>,
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt").finish_non_exhaustive()
    }
}

impl Attempt {
    /// Polls a generated request with this attempt current, so that its
    /// hooks send through this attempt.
    pub(crate) fn poll<F: Future>(
        self: &Arc<Self>,
        request: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<F::Output> {
        let _restore = Restore(CURRENT.replace(Some(Arc::clone(self))));
        request.poll(cx)
    }

    /// Stamps the request and hands it to reqwest at once; only the wait
    /// for its answer is boxed, so the future every request allocates
    /// stays small.
    fn exec(
        self: Arc<Self>,
        client: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> generated::ExecFuture<'_> {
        self.stamp_headers(&mut request);
        if self.dry_run {
            // Nothing leaves the machine: the generated code gets an empty
            // 204, and the pipeline reports the request as not sent.
            let planned = Box::new((request.method().clone(), request.url().clone()));
            self.record(|o| o.planned = Some(planned));
            let empty = rebuild(
                StatusCode::NO_CONTENT,
                HeaderMap::new(),
                reqwest::Version::HTTP_11,
                Vec::new(),
            );
            return Box::pin(std::future::ready(Ok(empty)));
        }
        self.send(client, request, 0)
    }

    pub(crate) fn new(endpoint: Arc<Endpoint>, dry_run: bool) -> Self {
        Self {
            endpoint,
            dry_run,
            outcome: Mutex::new(Outcome::default()),
        }
    }

    pub(crate) fn take_outcome(&self) -> Outcome {
        std::mem::take(&mut *self.outcome.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn record(&self, update: impl FnOnce(&mut Outcome)) {
        update(&mut self.outcome.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Hands `request` to reqwest, `hops` redirects into the attempt, and
    /// waits for its answer. Only the wait is boxed (small: what it holds
    /// is the pending request), and the rare paths, a redirect or a body to
    /// read first, are boxed again, so that their state does not enlarge
    /// every request's future.
    fn send(
        self: Arc<Self>,
        client: &reqwest::Client,
        request: reqwest::Request,
        mut hops: usize,
    ) -> generated::ExecFuture<'_> {
        let is_get = request.method() == Method::GET;
        let (pending, sent) = self.dispatch(client, request);
        Box::pin(async move {
            let response = pending.await.map_err(reqwest::Error::without_url)?;
            let rare: generated::ExecFuture<'_> =
                match self.inspect(response, sent, is_get, &mut hops) {
                    Step::Answer(response) => return Ok(response),
                    Step::ReadBody(response, limit) => Box::pin(self.read_body(response, limit)),
                    Step::Redirect(next) => self.send(client, next, hops),
                };
            rare.await
        })
    }

    /// Sends `request`, keeping its URL when the HTTP client is the
    /// caller's: only such a client may follow redirects by itself.
    fn dispatch(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> (
        impl Future<Output = reqwest::Result<reqwest::Response>> + use<>,
        Option<Box<Url>>,
    ) {
        // Boxed to keep every request's future small; it is rarely there.
        let sent = self
            .endpoint
            .callers_http
            .then(|| Box::new(request.url().clone()));
        (client.execute(request), sent)
    }

    /// What to do with an answer: follow a redirect, hand it over, or read
    /// its body first.
    fn inspect(
        &self,
        response: reqwest::Response,
        sent: Option<Box<Url>>,
        is_get: bool,
        hops: &mut usize,
    ) -> Step {
        self.endpoint.quota.observe(response.headers());
        let status = response.status();

        if sent.is_some_and(|sent| response.url() != &*sent)
            && (!is_get || !self.endpoint.is_same_origin(response.url()))
        {
            let location = Some(response.url().to_string());
            return self.refuse_redirect(response, location, RedirectReason::FollowedByHttpClient);
        }

        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location = response
                .headers()
                .get(LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let target = location
                .as_deref()
                .and_then(|l| response.url().join(l).ok());
            let reason = match target {
                _ if !is_get => RedirectReason::Mutation,
                None => RedirectReason::NoLocation,
                Some(url) if !self.endpoint.is_same_origin(&url) => RedirectReason::OtherOrigin,
                _ if *hops >= MAX_REDIRECTS => RedirectReason::TooMany,
                Some(url) => {
                    // A GET carries nothing but its URL and headers.
                    *hops += 1;
                    let mut request = reqwest::Request::new(Method::GET, url);
                    self.stamp_headers(&mut request);
                    return Step::Redirect(request);
                }
            };
            return self.refuse_redirect(response, location, reason);
        }

        let limit = if status.is_success() {
            self.endpoint.max_body
        } else {
            ERROR_BODY_LIMIT
        };
        if response
            .content_length()
            .is_some_and(|length| length <= limit as u64)
        {
            // HTTP's framing ends the body at its declared length, so it is
            // bounded already; the generated code reads it.
            self.record_answer(status, response.headers());
            return Step::Answer(response);
        }
        Step::ReadBody(response, limit)
    }

    /// Reads a body up to `limit` and hands over the answer rebuilt from
    /// it; a successful answer with more is refused.
    async fn read_body(
        self: Arc<Self>,
        mut response: reqwest::Response,
        limit: usize,
    ) -> reqwest::Result<reqwest::Response> {
        let status = response.status();
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let (body, complete) = read_bounded(response, limit)
            .await
            .map_err(reqwest::Error::without_url)?;
        if !complete && status.is_success() {
            return Ok(self.refuse(
                status,
                headers,
                version,
                Unusable::TooLarge { status, limit },
            ));
        }
        self.record_answer(status, &headers);
        Ok(rebuild(status, headers, version, body))
    }

    /// Records the answer's status, and an unsuccessful answer's headers,
    /// which explain the error.
    fn record_answer(&self, status: StatusCode, headers: &HeaderMap) {
        let kept = (!status.is_success()).then(|| Box::new(headers.clone()));
        self.record(|o| o.answer = Some((status, kept)));
    }

    /// Refuses a redirect: see [`Attempt::refuse`].
    fn refuse_redirect(
        &self,
        mut response: reqwest::Response,
        location: Option<String>,
        reason: RedirectReason,
    ) -> Step {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        Step::Answer(self.refuse(
            status,
            headers,
            response.version(),
            Unusable::Redirect {
                status,
                location,
                reason,
            },
        ))
    }

    /// Records why the answer is not used and hands the generated code an
    /// empty one.
    fn refuse(
        &self,
        status: StatusCode,
        headers: HeaderMap,
        version: reqwest::Version,
        unusable: Unusable,
    ) -> reqwest::Response {
        self.record(|o| {
            o.answer = Some((status, Some(Box::new(headers.clone()))));
            o.unusable = Some(Box::new(unusable));
        });
        rebuild(status, headers, version, Vec::new())
    }

    /// GitHub's headers replace progenitor's `Accept: application/json` and
    /// its own `api-version` (the description's version).
    fn stamp_headers(&self, request: &mut reqwest::Request) {
        const PROGENITORS_VERSION: HeaderName = HeaderName::from_static("api-version");
        let headers = request.headers_mut();
        let only_progenitors = headers
            .keys()
            .all(|name| name == ACCEPT || name == PROGENITORS_VERSION);
        if only_progenitors {
            // The usual case, and the cheap one: nothing else to keep.
            *headers = self.endpoint.headers.clone();
            return;
        }
        headers.remove(&PROGENITORS_VERSION);
        for (name, value) in &self.endpoint.headers {
            headers.insert(name, value.clone());
        }
    }
}

/// Reads at most `limit` bytes of an answer's body, and whether that was
/// all of it (the rest is dropped unread with the connection): memory stays
/// bounded whatever the server sends or announces. The client reads every
/// body this way; so can other clients of GitHub's hosts (a registry).
pub async fn read_bounded(
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
