//! The fake's HTTP side: one hyper server answering GitHub's REST paths
//! and the registry's, with the configured latency, faults and limits, a
//! request log, and the hooks that change the world mid-run. GitHub's
//! semantics are in `github/`; this file turns requests into calls to it
//! and its answers into HTTP.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Full, Limited, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::admin;
use crate::faults::Fate;
use crate::github::access::Caller;
use crate::github::accounts::{self, Account};
use crate::github::render::Answer;
use crate::instance::{InFlight, Server};
use crate::log::{self, LoggedRequest};
use crate::registry;
use crate::routes::{self, Query};
use crate::seed::TokenKind;

pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// The most bytes of a request body read: a registry push's blob or
/// manifest, in the small images tests push.
const MAX_PUSH_BODY: usize = 16 << 20;

/// Counts one request in flight while it lives.
struct Flying<'a>(&'a InFlight);

impl<'a> Flying<'a> {
    fn start(gauge: &'a InFlight) -> Self {
        let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
        gauge.peak.fetch_max(now, Ordering::SeqCst);
        Self(gauge)
    }
}

impl Drop for Flying<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Server>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue,
            },
            _ = stopped.changed() => return,
        };
        let shared = Arc::clone(&shared);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { answer(shared, request).await }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

/// One request: its fate, limits, the REST or registry answer, the log.
/// An `Err` makes hyper close the connection without an answer.
async fn answer(
    shared: Arc<Server>,
    request: Request<Incoming>,
) -> Result<Response<Body>, std::io::Error> {
    if let Some(admin_path) = request.uri().path().strip_prefix(admin::PREFIX) {
        let (method, admin_path) = (request.method().as_str().to_owned(), admin_path.to_owned());
        let answer = match Limited::new(request.into_body(), admin::MAX_BODY)
            .collect()
            .await
        {
            Ok(body) => admin::handle(&shared, &method, &admin_path, &body.to_bytes()),
            Err(_) => Answer::error(413, "the body is larger than the admin API reads"),
        };
        return Ok(json_response(answer, &[]));
    }
    let _flying = Flying::start(&shared.in_flight);
    let received = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let secret = authorization
        .as_deref()
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("token "))
        })
        .map(str::trim)
        .map(str::to_owned);
    let label = secret.as_ref().and_then(|s| {
        let state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.tokens.get(s).map(|t| t.label.clone())
    });
    let matched = routes::matched(&method, &path);
    let mut entry = LoggedRequest {
        method: method.clone(),
        path: path.clone(),
        query: log::redact_query(query.as_deref()),
        token: label.clone(),
        operation: matched.as_ref().ok().map(|m| m.route.operation_id),
        status: None,
        at: shared.clock.now(),
        duration_ms: 0,
    };
    let content_type = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // The REST operations take no body; a registry push does (bounded).
    let body = match Limited::new(request.into_body(), MAX_PUSH_BODY)
        .collect()
        .await
    {
        Ok(body) => Some(body.to_bytes()),
        Err(_) => None,
    };
    shared.run_hooks(&entry);

    let fate = shared.faults.draw();
    if fate.dropped {
        shared.record(entry, received);
        return Err(std::io::Error::other("fault: connection dropped"));
    }

    let key = label.clone().unwrap_or_else(|| "anonymous".to_owned());
    let answer = match matched {
        Ok(matched) => {
            limited(&shared, fate, &key, &method, matched.route.path, || {
                rest(
                    &shared,
                    &matched,
                    secret.as_deref(),
                    label.is_some(),
                    query.as_deref(),
                )
            })
            .await
        }
        // Reading the quota does not spend it.
        Err(_) if Account::of(&method, &path) == Some(Account::RateLimit) => {
            delay(fate.latency).await;
            json_response(
                accounts::rate_limit(shared.limits.quota(&shared.clock, &key)),
                &[],
            )
        }
        Err(_) if let Some(account) = Account::of(&method, &path) => {
            limited(&shared, fate, &key, &method, account.template(), || {
                account_answer(&shared, &account, secret.as_deref(), label.is_some())
            })
            .await
        }
        Err(other_method) => {
            delay(fate.latency).await;
            let registry = if shared.faults.registry_busy() {
                let mut busy =
                    registry::RegistryAnswer::error(429, "TOOMANYREQUESTS", "too many requests");
                busy.headers.push(("retry-after", "1".to_owned()));
                Some(busy)
            } else {
                let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
                let mut grants = shared.grants.lock().unwrap_or_else(PoisonError::into_inner);
                match &body {
                    None => Some(registry::RegistryAnswer::error(
                        413,
                        "SIZE_INVALID",
                        "the body is larger than the fake reads",
                    )),
                    Some(body) => registry::handle(
                        &mut state,
                        &mut grants,
                        &registry::Request {
                            method: &method,
                            path: &path,
                            query: query.as_deref(),
                            authorization: authorization.as_deref(),
                            content_type: content_type.as_deref(),
                            body,
                        },
                        &shared.base,
                        shared.clock.now(),
                    ),
                }
            };
            match registry {
                Some(answer) => {
                    let mut response = Response::new(full(answer.body));
                    *response.status_mut() =
                        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
                    for (name, value) in &answer.headers {
                        insert(&mut response, name, value);
                    }
                    response
                }
                None if other_method => {
                    json_response(Answer::error(405, "Method Not Allowed"), &[])
                }
                None => json_response(Answer::error(404, "Not Found"), &[]),
            }
        }
    };
    entry.status = Some(answer.status().as_u16());
    shared.record(entry, received);
    Ok(match fate.slow_body {
        Some(pause) => slow(answer, pause).await,
        None => answer,
    })
}

/// A GitHub answer under the rate limits: refused as GitHub refuses, or
/// after the drawn latency `answer` (or the drawn 5xx), with the limits'
/// headers.
async fn limited(
    shared: &Server,
    fate: Fate,
    key: &str,
    method: &str,
    endpoint: &'static str,
    answer: impl FnOnce() -> Response<Body>,
) -> Response<Body> {
    match shared.limits.admit(&shared.clock, key, method, endpoint) {
        Err(refusal) => json_response(refusal, &[]),
        Ok(admission) => {
            delay(fate.latency).await;
            let mut response = match fate.server_error {
                Some(html) => server_error(html),
                None => answer(),
            };
            for (name, value) in &admission.headers {
                insert(&mut response, name, value);
            }
            response
        }
    }
}

/// Answers an account endpoint as the token (or nobody) sees it.
fn account_answer(
    shared: &Server,
    account: &Account,
    secret: Option<&str>,
    known_token: bool,
) -> Response<Body> {
    if secret.is_some() && !known_token {
        return json_response(Answer::error(401, "Bad credentials"), &[]);
    }
    let state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    let caller = state.caller(secret);
    json_response(
        state.account(account, caller, shared.clock.now(), &shared.base),
        &[],
    )
}

fn rest(
    shared: &Server,
    matched: &routes::Matched,
    secret: Option<&str>,
    known_token: bool,
    query: Option<&str>,
) -> Response<Body> {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    if secret.is_some() && !known_token {
        return json_response(Answer::error(401, "Bad credentials"), &[]);
    }
    let token = secret.and_then(|s| state.tokens.get(s)).cloned();
    let caller = match &token {
        Some(token) => Caller::Token(token),
        None => Caller::Anonymous,
    };
    let answer = state.handle(
        shared.clock.now(),
        caller,
        matched,
        &Query::parse(query),
        &shared.base,
    );
    // GitHub names a classic token's scopes on every answer.
    let scopes = token
        .filter(|t| t.kind == TokenKind::Classic)
        .map(|t| t.scopes.join(", "));
    let extra: Vec<(&'static str, String)> =
        scopes.into_iter().map(|s| ("x-oauth-scopes", s)).collect();
    json_response(answer, &extra)
}

fn json_response(answer: Answer, extra: &[(&'static str, String)]) -> Response<Body> {
    let body = answer
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).expect("JSON values serialize"))
        .unwrap_or_default();
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    if answer.body.is_some() {
        insert(
            &mut response,
            "content-type",
            "application/json; charset=utf-8",
        );
    }
    insert(&mut response, "x-github-api-version-selected", "2022-11-28");
    for (name, value) in extra.iter().chain(&answer.headers) {
        insert(&mut response, name, value);
    }
    response
}

/// A 5xx as GitHub's edge or a proxy sends it.
fn server_error(html: bool) -> Response<Body> {
    if html {
        let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
        let mut response = Response::new(full(page.as_bytes().to_vec()));
        *response.status_mut() = StatusCode::BAD_GATEWAY;
        insert(&mut response, "content-type", "text/html");
        response
    } else {
        json_response(Answer::error(500, "Server Error"), &[])
    }
}

fn insert(response: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        hyper::header::HeaderName::from_bytes(name.as_bytes()),
        hyper::header::HeaderValue::from_str(value),
    ) {
        response.headers_mut().insert(name, value);
    }
}

fn full(bytes: Vec<u8>) -> Body {
    Full::new(Bytes::from(bytes))
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// The same answer, its body in 16-byte chunks `pause` apart.
async fn slow(response: Response<Body>, pause: std::time::Duration) -> Response<Body> {
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let chunks: Vec<Bytes> = bytes.chunks(16).map(Bytes::copy_from_slice).collect();
    let stream = futures::stream::iter(chunks).then(move |chunk| async move {
        tokio::time::sleep(pause).await;
        Ok::<_, std::io::Error>(Frame::data(chunk))
    });
    Response::from_parts(parts, BodyExt::boxed(StreamBody::new(stream)))
}

/// Waits for injected latency; none means no wait at all (a zero sleep
/// still waits for the timer's next millisecond tick).
async fn delay(latency: std::time::Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}
