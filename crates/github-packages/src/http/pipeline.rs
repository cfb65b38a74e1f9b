//! Running one generated operation: attempts, retries, and turning what an
//! attempt saw into a value or an [`Error`].
//!
//! Every request goes through the generated client, which hands it to an
//! [`Attempt`] (see `exchange.rs`) to send.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use progenitor_client::{Error as RawError, ResponseValue};
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::error::answer::{self, ErrorBody};
use crate::error::{Error, RateLimitKind};
use crate::http::exchange::{Attempt, Endpoint, Outcome, Unusable};
use crate::http::retry::RetryPolicy;
use crate::http::throttle::{self, Gate, NotAdmitted};
use crate::model::owner::Owner;
use crate::model::target::Target;
use crate::text::Scrub;

/// The request pipeline of one [`Client`](crate::Client), shared by its
/// clones: every request runs through [`Pipeline::execute`].
pub(crate) struct Pipeline {
    /// Builds every request; its hooks send through the attempt polling it.
    /// Its base URL is the client's: scheme, host, optional path, no
    /// trailing slash.
    pub(crate) generated: generated::Client,
    /// What each exchange with the server needs.
    pub(crate) endpoint: Arc<Endpoint>,
    pub(crate) retry: RetryPolicy,
    /// Paces every request of the client and its clones.
    pub(crate) gate: Gate,
    /// The client's token, removed from any server text shown.
    pub(crate) token: Option<String>,
}

impl fmt::Debug for Pipeline {
    /// Names the headers but shows only the harmless values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = |name: &str| {
            self.endpoint
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("user_agent", &header("user-agent"))
            .field("api_version", &header("x-github-api-version"))
            .field(
                "token",
                &if self.token.is_some() {
                    crate::text::REDACTED
                } else {
                    "none"
                },
            )
            .field("max_body", &self.endpoint.max_body)
            .field("retry", &self.retry)
            .field("throttle", self.gate.config())
            .finish()
    }
}

/// One operation to run: its name, what it is about, whether it may be
/// repeated after any transient failure (GETs), a secret it sends besides
/// the token (a restore token), to keep out of errors, and how a bulk run
/// sends it.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) operation: &'static str,
    pub(crate) target: &'a Target,
    pub(crate) idempotent: bool,
    pub(crate) secret: Option<&'a str>,
    pub(crate) write: Write<'a>,
}

/// How a bulk run sends a write: a dry run leaves the request in
/// `dry_run` instead; once `halt` is set, the request is not sent at all.
#[derive(Clone, Copy, Default)]
pub(crate) struct Write<'a> {
    pub(crate) dry_run: Option<&'a DryRun>,
    pub(crate) halt: Option<&'a Halt>,
}

/// Where a dry run leaves the request it did not send: the method and the
/// URL, secrets removed.
pub(crate) type DryRun = Mutex<Option<(reqwest::Method, String)>>;

/// Set when a bulk run stops: requests not yet sent are not sent, and
/// their waits (for the throttle, before a retry) end at once.
#[derive(Clone, Debug)]
pub(crate) struct Halt {
    set: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Halt {
    fn default() -> Self {
        Self {
            set: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }
}

impl Halt {
    pub(crate) fn halt(&self) {
        self.set.send_replace(true);
    }

    pub(crate) fn is_halted(&self) -> bool {
        *self.set.borrow()
    }

    /// Completes once the run is halted.
    async fn halted(&self) {
        let _ = self.set.subscribe().wait_for(|halted| *halted).await;
    }

    /// Runs `wait` unless the run is halted first (then `None`).
    async fn unless_halted<T>(halt: Option<&Self>, wait: impl Future<Output = T>) -> Option<T> {
        match halt {
            None => Some(wait.await),
            Some(halt) => {
                let wait = pin!(wait);
                let halted = pin!(halt.halted());
                match futures::future::select(wait, halted).await {
                    futures::future::Either::Left((value, _)) => Some(value),
                    futures::future::Either::Right(_) => None,
                }
            }
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

impl Pipeline {
    /// The API root, normalized (see [`Client::base_url`](crate::Client::base_url)).
    pub(crate) fn base_url(&self) -> &str {
        generated::ClientInfo::baseurl(&self.generated)
    }

    /// The API root, parsed.
    pub(crate) fn base(&self) -> &Url {
        &self.endpoint.base
    }

    /// Whether following a link to `url` keeps the token on the API's origin.
    pub(crate) fn is_same_origin(&self, url: &Url) -> bool {
        self.endpoint.is_same_origin(url)
    }

    /// The secrets of `call`, to scrub from server text.
    pub(crate) fn scrub<'a>(&'a self, call: &Call<'a>) -> Scrub<'a> {
        Scrub::new(self.token.as_deref().into_iter().chain(call.secret))
    }

    /// The client's token, to scrub from server text outside a call.
    pub(crate) fn scrub_token(&self) -> Scrub<'_> {
        Scrub::new(self.token.as_deref())
    }

    /// Runs the generated request `send` makes until it succeeds, fails for
    /// good, or the retry policy gives up.
    pub(crate) async fn execute<T, E, F, Fut>(
        self: &Arc<Self>,
        call: Call<'_>,
        mut send: F,
    ) -> Result<ResponseValue<T>, Error>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, RawError<E>>>,
        E: IntoErrorBody,
    {
        if self.token.is_none()
            && (!call.idempotent || *call.target.owner() == Owner::AuthenticatedUser)
        {
            return Err(Error::TokenRequired {
                operation: call.operation,
                target: call.target.clone(),
            });
        }
        if let Some(dry_run) = call.write.dry_run {
            // Boxed, like every rare path: this future is part of every request's.
            return Box::pin(self.dry_run(call, dry_run, send())).await;
        }
        let mut retries = Retries::default();
        loop {
            // Most requests need not wait: admitted at once, they build no
            // throttle future (boxed, as every rare path).
            let cost = throttle::cost(call.idempotent);
            let spent_until = self.endpoint.quota.spent_until();
            let now = spent_until
                .is_none()
                .then(|| self.gate.admit_now(call.operation, cost))
                .flatten();
            let pass = match now {
                Some(pass) => pass,
                None => Box::pin(Halt::unless_halted(
                    call.write.halt,
                    self.gate.admit(
                        call.operation,
                        cost,
                        spent_until,
                        retries.waited_out,
                        self.retry.wait_budget().saturating_sub(retries.waited),
                        self.retry.sleeper(),
                    ),
                ))
                .await
                .ok_or_else(|| stopped(&call))?
                .map_err(|refusal| not_admitted(&call, refusal))?,
            };
            // A stop takes effect up to the moment of sending.
            if call.write.halt.is_some_and(Halt::is_halted) {
                return Err(stopped(&call));
            }
            let attempt = Arc::new(Attempt::new(Arc::clone(&self.endpoint), false));
            let mut request = pin!(send());
            let result = poll_fn(|cx| attempt.poll(request.as_mut(), cx)).await;
            let outcome = attempt.take_outcome();
            drop(pass);
            // Everything past a plain success is boxed: it is rare, and its
            // state would otherwise enlarge every request's future.
            let error = match (result, outcome) {
                (Ok(value), Outcome { unusable: None, .. }) => {
                    self.gate.answered();
                    return Ok(value);
                }
                (
                    _,
                    Outcome {
                        unusable: Some(unusable),
                        ..
                    },
                ) => not_used(&call, *unusable, &self.scrub(&call)),
                (Err(raw), Outcome { answer, .. }) => {
                    Box::pin(convert::<T, E>(&call, raw, answer, &self.scrub(&call))).await
                }
            };
            Box::pin(self.wait_to_retry(&call, error, &mut retries)).await?;
        }
    }

    /// After a failed attempt: waits before the next one, or gives `error`
    /// back when the retry policy gives up.
    async fn wait_to_retry(
        &self,
        call: &Call<'_>,
        mut error: Error,
        retries: &mut Retries,
    ) -> Result<(), Error> {
        if let Error::Unauthorized { anonymous, .. } = &mut error {
            *anonymous = self.token.is_none();
        }
        // A secondary limit holds every request of the client; this one
        // waits it out below, as its retry.
        let pause = match &error {
            Error::RateLimited {
                kind: RateLimitKind::Secondary,
                retry_after,
                ..
            } => self.gate.pause(
                retry_after.unwrap_or(crate::model::rate_limit::SECONDARY_LIMIT_WAIT),
                self.retry.wait_budget(),
            ),
            _ => None,
        };
        let Some(delay) = self.retry.delay(
            &error,
            call.idempotent,
            retries.attempt,
            retries.waited,
            SystemTime::now().into(),
        ) else {
            return Err(error);
        };
        tracing::warn!(
            operation = call.operation,
            attempt = retries.attempt,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %error,
            "retrying GitHub request"
        );
        Halt::unless_halted(call.write.halt, self.retry.sleep(delay))
            .await
            .ok_or_else(|| stopped(call))?;
        retries.waited_out = throttle::Waited {
            pause,
            quota: matches!(
                error,
                Error::RateLimited {
                    kind: RateLimitKind::Primary,
                    ..
                }
            ),
        };
        retries.waited = retries.waited.saturating_add(delay);
        retries.attempt += 1;
        Ok(())
    }
}

/// Where one operation's retries stand.
struct Retries {
    /// The attempt about to be made, from 1.
    attempt: u32,
    /// The time spent waiting between attempts so far.
    waited: Duration,
    /// What the last wait waited out, for the throttle.
    waited_out: throttle::Waited,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            attempt: 1,
            waited: Duration::ZERO,
            waited_out: throttle::Waited::default(),
        }
    }
}

impl Pipeline {
    /// A dry run of `call`: the generated code builds `request` (so every
    /// check runs), which is recorded in `dry_run` and not sent.
    async fn dry_run<T, E, Fut>(
        self: &Arc<Self>,
        call: Call<'_>,
        dry_run: &DryRun,
        request: Fut,
    ) -> Result<ResponseValue<T>, Error>
    where
        T: DeserializeOwned,
        Fut: Future<Output = Result<ResponseValue<T>, RawError<E>>>,
        E: IntoErrorBody,
    {
        let attempt = Arc::new(Attempt::new(Arc::clone(&self.endpoint), true));
        let mut request = pin!(request);
        let result = poll_fn(|cx| attempt.poll(request.as_mut(), cx)).await;
        let outcome = attempt.take_outcome();
        let scrub = self.scrub(&call);
        match (result, outcome.planned) {
            (Ok(value), Some(planned)) => {
                let (method, url) = *planned;
                *dry_run.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((method, scrub.text(url.as_str())));
                Ok(value)
            }
            (Err(raw), _) => Err(convert::<T, E>(&call, raw, None, &scrub).await),
            (Ok(_), None) => Err(Error::InvalidArgument {
                operation: call.operation,
                message: "the dry run built no request".to_owned(),
            }),
        }
    }
}

/// The error for a request the throttle did not send: the primary quota is
/// spent and the throttle was told to fail fast, or a secondary-limit pause
/// lasts longer than the request may wait.
fn not_admitted(call: &Call<'_>, refusal: NotAdmitted) -> Error {
    let (kind, reset, retry_after, message) = match refusal {
        NotAdmitted::QuotaSpent(reset) => (
            RateLimitKind::Primary,
            Some(reset),
            None,
            "not sent: the hourly quota GitHub reported is spent",
        ),
        NotAdmitted::Paused(left) => (
            RateLimitKind::Secondary,
            None,
            Some(left),
            "not sent: GitHub asked for a pause longer than the retry policy's max_total_wait",
        ),
    };
    Error::RateLimited {
        operation: call.operation,
        target: call.target.clone(),
        status: StatusCode::TOO_MANY_REQUESTS,
        kind,
        reset,
        retry_after,
        message: Some(message.to_owned()),
    }
}

/// The error for a request not sent because its bulk run stopped.
fn stopped(call: &Call<'_>) -> Error {
    Error::Stopped {
        operation: call.operation,
        target: call.target.clone(),
    }
}

/// The error for an answer the exchange did not use.
fn not_used(call: &Call<'_>, unusable: Unusable, scrub: &Scrub<'_>) -> Error {
    let Call {
        operation, target, ..
    } = *call;
    match unusable {
        Unusable::Redirect {
            status,
            location,
            reason,
        } => Error::Redirected {
            operation,
            target: target.clone(),
            status,
            location: scrub.opt(location),
            reason,
        },
        Unusable::TooLarge { status, limit } => Error::TooLarge {
            operation,
            target: target.clone(),
            status,
            limit,
        },
    }
}

/// Maps the generated client's error onto [`Error`].
async fn convert<T: DeserializeOwned, E: IntoErrorBody>(
    call: &Call<'_>,
    raw: RawError<E>,
    answer: Option<(StatusCode, Option<Box<HeaderMap>>)>,
    scrub: &Scrub<'_>,
) -> Error {
    let Call {
        operation, target, ..
    } = *call;
    match raw {
        RawError::InvalidRequest(message) | RawError::Custom(message) => Error::InvalidArgument {
            operation,
            message: scrub.text(&message),
        },
        RawError::CommunicationError(source)
        | RawError::InvalidUpgrade(source)
        | RawError::ResponseBodyError(source) => answer::transport(operation, target, source),
        RawError::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            let body = value.into_inner().into_error_body();
            answer::from_status(operation, target, status, &headers, body, scrub)
        }
        RawError::InvalidResponsePayload(bytes, _) => {
            let (status, headers) = answer.unwrap_or((StatusCode::OK, None));
            let headers = headers.map(|h| *h).unwrap_or_default();
            if status.is_success() {
                answer::decode_error::<T>(operation, target, status, &bytes, scrub)
            } else {
                // A documented error status whose body is not GitHub's JSON
                // (a proxy's page, say): the status still says what happened.
                let body = ErrorBody::parse(&bytes);
                answer::from_status(operation, target, status, &headers, body, scrub)
            }
        }
        RawError::UnexpectedResponse(response) => {
            // The exchange already read the (bounded) body into memory.
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap_or_default();
            let body = ErrorBody::parse(&bytes);
            answer::from_status(operation, target, status, &headers, body, scrub)
        }
    }
}
