//! The container registry (ghcr.io, GitHub Enterprise Server's
//! `containers.HOST`, or any OCI registry): signing in with the GitHub
//! token, and reading manifests and tag lists (over 500 lines: the sign-in,
//! its checks on where a token may go, and the bounded reads share one
//! client and its settings).
//!
//! At most [`DEFAULT_REGISTRY_CONCURRENCY`] requests are in flight at once (or
//! what [`RegistryBuilder::concurrency`] says); a read the registry answers
//! with 429 or a 5xx, or whose connection breaks, is tried again after a
//! pause (`Retry-After` when given) before its error counts.
//!
//! Every answer is read with a bound, nothing follows a redirect, a
//! manifest must hash to the digest asked for, and the GitHub token is
//! sent only to the registry itself or to a sign-in endpoint on the
//! registry's or the GitHub API's origin (which has the token anyway).
//! Text from the registry reaches errors scrubbed of the token in every
//! encoding and made inert (`github_packages::text`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use github_packages::reqwest::{self, StatusCode, Url, header};
use github_packages::text::{REDACTED, Scrub};
use sha2::{Digest as _, Sha256};

use super::challenge::{Challenge, parse_challenge};
use crate::manifest::{self, ACCEPTED, MAX_MANIFEST, Manifest};

/// Who the registry is told is signing in (any name works with a token).
const USER: &str = "github-packages";

const USER_AGENT: &str = concat!("github-packages-retention/", env!("CARGO_PKG_VERSION"));

/// The longest piece of registry text kept in an error.
const MAX_ERROR: usize = 300;

/// The largest sign-in answer or error body read.
const MAX_SMALL_BODY: usize = 64 * 1024;

/// How long one request may take, from sending to the last byte.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The most pages of one tag list read (at [`TAGS_PER_PAGE`] each).
const MAX_TAG_PAGES: usize = 100;

/// Tags asked for per page of a tag list.
const TAGS_PER_PAGE: usize = 1000;

/// Registry requests in flight at once unless
/// [`RegistryBuilder::concurrency`] says otherwise. GitHub publishes no
/// limits for ghcr.io (`docs/github-behaviour.md`, "Container images");
/// its REST API allows 100 concurrent requests, and 32 small manifest
/// GETs stay at a third of that while a plan of four packages at 50 ms a
/// request finishes in under half a second (BENCHMARKS.md, "Planning").
pub const DEFAULT_REGISTRY_CONCURRENCY: usize = 32;

/// Times one read is sent before a busy or failing registry's answer
/// counts as its error.
const READ_ATTEMPTS: u32 = 3;

/// The pause before the second attempt of a read; it doubles after.
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// The longest pause between attempts, whatever `Retry-After` asks for.
const MAX_PAUSE: Duration = Duration::from_secs(20);

/// Why a registry request failed, and whether sending it again may help.
enum Failure {
    /// For good.
    Final(String),
    /// The registry was busy or failing (429, 5xx, a broken connection),
    /// and asked to wait this long if it said.
    Busy(String, Option<Duration>),
}

impl From<String> for Failure {
    fn from(error: String) -> Self {
        Self::Final(error)
    }
}

/// How a repository's manifests are asked for, once signed in.
#[derive(Clone)]
enum Credential {
    /// The token the registry's sign-in endpoint gave.
    Bearer(String),
    /// The GitHub token as an HTTP Basic password, to the registry itself.
    Basic,
    /// Nothing.
    Anonymous,
}

/// What a request does to a repository, as a sign-in scope names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Reads.
    Pull,
    /// Writes (a manifest PUT), and reads.
    Push,
}

impl Access {
    fn actions(self) -> &'static str {
        match self {
            Self::Pull => "pull",
            Self::Push => "pull,push",
        }
    }
}

/// A container registry, and how to sign in to it.
///
/// ```no_run
/// use github_packages_retention::Registry;
///
/// // ghcr.io with the token the GitHub client uses.
/// let ghcr = Registry::new("https://ghcr.io", std::env::var("GITHUB_TOKEN").ok())?;
/// // Worked out from an API root: ghcr.io for api.github.com,
/// // containers.HOST for GitHub Enterprise Server.
/// let ghes = Registry::for_api("https://ghe.example.com/api/v3", None).unwrap()?;
/// assert_eq!(ghes.url(), "https://containers.ghe.example.com");
/// # let _ = ghcr;
/// # Ok::<(), github_packages_retention::RegistryError>(())
/// ```
pub struct Registry {
    /// `scheme://host[:port]`.
    url: String,
    /// The origins a sign-in endpoint may be on for the token to be sent
    /// there: the registry's, and the GitHub API's when known.
    trusted: Vec<String>,
    allow_insecure_http: bool,
    http: reqwest::Client,
    token: Option<String>,
    /// How the registry asks for sign-ins, once probed.
    challenge: tokio::sync::OnceCell<Challenge>,
    /// What the sign-in gave, per scope (`repository:owner/name:pull`):
    /// one sign-in per repository for as long as the registry takes it.
    signed_in: Mutex<HashMap<String, Credential>>,
    /// Per scope, held while signing in, so that requests made at once for
    /// one repository share one sign-in (and other repositories wait for
    /// none).
    signing_in: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The requests that may be in flight at once.
    slots: tokio::sync::Semaphore,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| REDACTED))
            .finish_non_exhaustive()
    }
}

/// A registry that cannot be used, in one sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(String);

/// Configures a [`Registry`]: [`Registry::builder`], or
/// [`RegistryBuilder::for_api`].
#[derive(Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct RegistryBuilder {
    url: String,
    token: Option<String>,
    api_root: Option<String>,
    allow_insecure_http: bool,
    concurrency: usize,
}

impl RegistryBuilder {
    /// The registry that serves the container packages of the API at
    /// `api_root`, if it is known: ghcr.io for github.com,
    /// `containers.HOST` for GitHub Enterprise Server
    /// (`docs/github-behaviour.md`, "Hosts"), the same address for a local
    /// server (the fake). Sign-ins may also go to the API's origin.
    pub fn for_api(api_root: &str) -> Option<Self> {
        let url = Url::parse(api_root).ok()?;
        let host = url.host_str()?;
        let registry = if host == "api.github.com" {
            "https://ghcr.io".to_owned()
        } else if url.path().trim_end_matches('/') == "/api/v3" {
            format!("https://containers.{host}")
        } else if github_packages::is_loopback_host(host) {
            url.origin().ascii_serialization()
        } else {
            return None;
        };
        Some(Registry::builder(&registry).api_root(api_root))
    }

    /// Signs in with `token` (any user name, the token as password), or
    /// anonymously.
    pub fn token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|t| !t.trim().is_empty());
        self
    }

    /// The GitHub API the token belongs to: a sign-in endpoint on its
    /// origin may receive the token too (it has it already).
    pub fn api_root(mut self, api_root: &str) -> Self {
        self.api_root = Some(api_root.to_owned());
        self
    }

    /// Accepts plain `http` to another machine than this one (for the
    /// registry and its sign-in endpoint). Without it, `http` is accepted
    /// only for loopback hosts, because the token would cross the network
    /// unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// At most `requests` registry requests in flight at once
    /// ([`DEFAULT_REGISTRY_CONCURRENCY`] unless set; at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Checks the settings and builds the registry.
    pub fn build(self) -> Result<Registry, RegistryError> {
        let url = &self.url;
        let parsed = Url::parse(url)
            .map_err(|e| RegistryError(format!("the registry URL `{url}` is not a URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(RegistryError(format!(
                "the registry URL `{url}` is not an http or https URL with a host"
            )));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(RegistryError(
                "the registry URL must not contain credentials; use the token".to_owned(),
            ));
        }
        check_plain_http("the registry", &parsed, self.allow_insecure_http)?;
        let origin = parsed.origin().ascii_serialization();
        let mut trusted = vec![origin.clone()];
        if let Some(api) = self.api_root.as_deref().and_then(|a| Url::parse(a).ok()) {
            trusted.push(api.origin().ascii_serialization());
        }
        // Redirects are not followed: a manifest is served where it is
        // asked for, and the credentials go nowhere else.
        let cannot = |e: &dyn fmt::Display| {
            RegistryError(format!("cannot set up HTTP for the registry: {e}"))
        };
        let http = github_packages::http_client_builder()
            .map_err(|e| cannot(&e))?
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| cannot(&e))?;
        Ok(Registry {
            url: origin,
            trusted,
            allow_insecure_http: self.allow_insecure_http,
            http,
            token: self.token,
            challenge: tokio::sync::OnceCell::new(),
            signed_in: Mutex::default(),
            signing_in: Mutex::default(),
            slots: tokio::sync::Semaphore::new(self.concurrency),
        })
    }
}

/// [`github_packages::check_plain_http`], as a registry error.
fn check_plain_http(what: &str, url: &Url, allowed: bool) -> Result<(), RegistryError> {
    github_packages::check_plain_http(what, url, allowed).map_err(RegistryError)
}

impl Registry {
    /// Configures the registry at `url` (`https://ghcr.io`; `http://` only
    /// for a loopback host unless allowed).
    pub fn builder(url: &str) -> RegistryBuilder {
        RegistryBuilder {
            url: url.trim().to_owned(),
            token: None,
            api_root: None,
            allow_insecure_http: false,
            concurrency: DEFAULT_REGISTRY_CONCURRENCY,
        }
    }

    /// The registry at `url`, signing in with `token` (any user name, the
    /// token as password) or anonymously.
    pub fn new(url: &str, token: Option<String>) -> Result<Self, RegistryError> {
        Self::builder(url).token(token).build()
    }

    /// The registry that goes with the API at `api_root`, if it is known
    /// ([`RegistryBuilder::for_api`]), signing in with `token`.
    pub fn for_api(api_root: &str, token: Option<String>) -> Option<Result<Self, RegistryError>> {
        RegistryBuilder::for_api(api_root).map(|b| b.token(token).build())
    }

    /// Where it is, e.g. `https://ghcr.io`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The manifest `digest` of the image at `path` (`acme/team/app`), or
    /// why it could not be read.
    pub(crate) async fn manifest(&self, path: &str, digest: &str) -> Result<Manifest, String> {
        let bytes = self.raw_manifest(path, digest).await?.0;
        manifest::parse(&bytes)
            .map_err(|e| format!("manifest {digest} cannot be read: {}", self.shown(&e)))
    }

    /// The bytes of the manifest `reference` (a digest or a tag) of the
    /// image at `path`, and its digest: the one asked for, which the bytes
    /// must hash to, or for a tag the one they hash to.
    pub(crate) async fn raw_manifest(
        &self,
        path: &str,
        reference: &str,
    ) -> Result<(Vec<u8>, String), String> {
        // Tags hold no `:`; digests do, and only sha256 ones are checked.
        let named_digest = reference.contains(':');
        if named_digest && !reference.starts_with("sha256:") {
            return Err(format!("{} is not a sha256 digest", self.shown(reference)));
        }
        let url = format!("{}/v2/{path}/manifests/{reference}", self.url);
        let bytes = self
            .send(path, Access::Pull, MAX_MANIFEST, |http| {
                http.get(&url).header(header::ACCEPT, ACCEPTED.join(", "))
            })
            .await?
            .1;
        let digest = format!("sha256:{:x}", Sha256::digest(&bytes));
        if named_digest && reference != digest {
            return Err("the registry's answer does not match its digest".to_owned());
        }
        Ok((bytes, digest))
    }

    /// Pushes `bytes`, a manifest of `media_type`, to the image at `path`
    /// under `tag`, signing in for pushing.
    pub(crate) async fn put_manifest(
        &self,
        path: &str,
        tag: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        let url = format!("{}/v2/{path}/manifests/{tag}", self.url);
        self.send(path, Access::Push, MAX_SMALL_BODY, |http| {
            http.put(&url)
                .header(header::CONTENT_TYPE, media_type)
                .body(bytes.to_vec())
        })
        .await
        .map(drop)
    }

    /// Every tag of the image at `path`, page by page (the distribution
    /// spec's `tags/list`, following `Link: rel="next"` on this registry).
    pub(crate) async fn tags(&self, path: &str) -> Result<Vec<String>, String> {
        #[derive(serde::Deserialize)]
        struct TagList {
            tags: Option<Vec<String>>,
        }
        let mut tags = Vec::new();
        let mut url = format!("{}/v2/{path}/tags/list?n={TAGS_PER_PAGE}", self.url);
        for _ in 0..MAX_TAG_PAGES {
            let (headers, bytes) = self
                .send(path, Access::Pull, MAX_MANIFEST, |http| http.get(&url))
                .await?;
            let page: TagList = serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "the registry's tag list cannot be read: {}",
                    self.shown(&e.to_string())
                )
            })?;
            tags.extend(page.tags.unwrap_or_default());
            match next_link(&headers, &self.url)? {
                Some(next) => url = next,
                None => return Ok(tags),
            }
        }
        Err(format!(
            "the registry's tag list has more than {MAX_TAG_PAGES} pages"
        ))
    }

    /// The headers and bytes (at most `max` of them) of the answer to the
    /// request `build` makes about the image at `path`, signing in for
    /// `access` first if need be, and again if the registry no longer
    /// takes the sign-in. A read is sent again while the registry is busy
    /// or failing, up to [`READ_ATTEMPTS`] times; a push is sent once.
    async fn send(
        &self,
        path: &str,
        access: Access,
        max: usize,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<(header::HeaderMap, Vec<u8>), String> {
        let mut pause = FIRST_PAUSE;
        let mut attempt = 1;
        loop {
            match self.send_once(path, access, max, &build).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Busy(error, asked)) => {
                    if access == Access::Push || attempt == READ_ATTEMPTS {
                        return Err(match attempt {
                            1 => error,
                            n => format!("{error}, {n} times"),
                        });
                    }
                    tokio::time::sleep(asked.unwrap_or(pause).min(MAX_PAUSE)).await;
                    pause *= 2;
                    attempt += 1;
                }
            }
        }
    }

    /// One attempt of [`send`](Self::send): one of the registry's slots,
    /// then the attempt within [`REQUEST_TIMEOUT`] (waiting for the slot
    /// does not count).
    async fn send_once(
        &self,
        path: &str,
        access: Access,
        max: usize,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<(header::HeaderMap, Vec<u8>), Failure> {
        let _slot = self.slots.acquire().await.map_err(|e| e.to_string())?;
        let read = async {
            let mut challenge = None;
            for fresh in [false, true] {
                let credential = self
                    .credential(path, access, challenge.take(), fresh)
                    .await?;
                let request = build(&self.http);
                let request = match (&credential, &self.token) {
                    (Credential::Bearer(token), _) => request.bearer_auth(token),
                    (Credential::Basic, Some(token)) => request.basic_auth(USER, Some(token)),
                    _ => request,
                };
                let response = request
                    .send()
                    .await
                    .map_err(|e| Failure::Busy(self.shown(&e.without_url().to_string()), None))?;
                let status = response.status();
                if status == StatusCode::UNAUTHORIZED && !fresh {
                    challenge = Some(parse_challenge(response.headers()));
                    continue;
                }
                if !status.is_success() {
                    return Err(self.refusal("the registry", response).await);
                }
                let headers = response.headers().clone();
                return Ok((headers, read_bounded(response, max).await?));
            }
            Err(Failure::Final(
                "the registry refused the sign-in it gave".to_owned(),
            ))
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, read).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Final(format!(
                "the registry took over {REQUEST_TIMEOUT:?}"
            ))),
        }
    }

    /// How to ask for `path`'s manifests: the sign-in of an earlier
    /// request, or (`fresh`, or none yet) a new one, by `challenge` if the
    /// registry just sent one.
    async fn credential(
        &self,
        path: &str,
        access: Access,
        challenge: Option<Challenge>,
        fresh: bool,
    ) -> Result<Credential, Failure> {
        let scope = format!("repository:{path}:{}", access.actions());
        let cached = || {
            self.signed_in
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&scope)
                .cloned()
        };
        if !fresh && let Some(credential) = cached() {
            return Ok(credential);
        }
        let turn = Arc::clone(
            self.signing_in
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(scope.clone())
                .or_default(),
        );
        let _turn = turn.lock().await;
        if !fresh && let Some(credential) = cached() {
            return Ok(credential);
        }
        let challenge = match challenge {
            Some(challenge) => challenge,
            None => self.challenge().await?,
        };
        let credential = match challenge {
            Challenge::None => Credential::Anonymous,
            Challenge::Basic if self.token.is_some() => Credential::Basic,
            Challenge::Basic => Credential::Anonymous,
            Challenge::Bearer { realm, service } => {
                Credential::Bearer(self.exchange(&realm, service.as_deref(), &scope).await?)
            }
        };
        self.signed_in
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(scope, credential.clone());
        Ok(credential)
    }

    /// Asks how the registry signs in now, so that the first reads need
    /// not wait for it; a failure is left for those reads to meet.
    pub(crate) async fn probe(&self) {
        let _ = self.challenge().await;
    }

    /// How the registry asks for sign-ins: its answer to `GET /v2/`
    /// without credentials, asked once.
    async fn challenge(&self) -> Result<Challenge, Failure> {
        self.challenge
            .get_or_try_init(|| async {
                let response = self
                    .http
                    .get(format!("{}/v2/", self.url))
                    .send()
                    .await
                    .map_err(|e| Failure::Busy(self.shown(&e.without_url().to_string()), None))?;
                match response.status() {
                    StatusCode::UNAUTHORIZED => Ok(parse_challenge(response.headers())),
                    status if status.is_success() => Ok(Challenge::None),
                    _ => Err(self.refusal("the registry", response).await),
                }
            })
            .await
            .cloned()
    }

    /// The registry token for `scope` (`repository:acme/app:pull`), from
    /// the sign-in endpoint `realm`; the GitHub token goes there only if
    /// the endpoint is trusted.
    async fn exchange(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, Failure> {
        let mut url = Url::parse(realm).map_err(|_| {
            format!(
                "the registry names a sign-in endpoint that is not a URL: {}",
                self.shown(realm)
            )
        })?;
        let origin = url.origin().ascii_serialization();
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Failure::Final(format!(
                "the registry names a sign-in endpoint that is not http or https: {}",
                self.shown(&origin)
            )));
        }
        if self.token.is_some() {
            if !self.trusted.contains(&origin) {
                return Err(Failure::Final(format!(
                    "the registry sends sign-ins to {}, which is neither the registry nor the \
                     GitHub API, so the token is not sent there",
                    self.shown(&origin)
                )));
            }
            check_plain_http(
                "the registry's sign-in endpoint",
                &url,
                self.allow_insecure_http,
            )
            .map_err(|e| e.to_string())?;
        }
        url.query_pairs_mut()
            .extend_pairs(service.map(|s| ("service", s)))
            .append_pair("scope", scope);
        let mut request = self.http.get(url);
        if let Some(token) = &self.token {
            request = request.basic_auth(USER, Some(token));
        }
        let response = request.send().await.map_err(|e| {
            Failure::Busy(
                format!(
                    "cannot sign in to the registry: {}",
                    self.shown(&e.without_url().to_string())
                ),
                None,
            )
        })?;
        if !response.status().is_success() {
            return Err(self.refusal("the registry's sign-in", response).await);
        }
        #[derive(serde::Deserialize)]
        struct Granted {
            token: Option<String>,
            access_token: Option<String>,
        }
        let bytes = read_bounded(response, MAX_SMALL_BODY).await?;
        let granted: Granted = serde_json::from_slice(&bytes)
            .map_err(|_| "the registry's sign-in did not answer with a token".to_owned())?;
        granted
            .token
            .or(granted.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Failure::Final("the registry's sign-in did not answer with a token".to_owned())
            })
    }

    /// One sentence about an unsuccessful answer: its status and the first
    /// error the body names, scrubbed; busy if the status says the
    /// registry is pressed or failing (429, 5xx).
    async fn refusal(&self, who: &str, response: reqwest::Response) -> Failure {
        let status = response.status();
        let asked = retry_after(response.headers());
        let body = read_bounded(response, MAX_SMALL_BODY)
            .await
            .unwrap_or_default();
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                let first = &v["errors"][0];
                let code = first["code"].as_str()?;
                Some(match first["message"].as_str() {
                    Some(message) => format!("{code}: {message}"),
                    None => code.to_owned(),
                })
            });
        let sentence = match message {
            Some(message) => format!("{who} answered {status} ({})", self.shown(&message)),
            None => format!("{who} answered {status}"),
        };
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Failure::Busy(sentence, asked)
        } else {
            Failure::Final(sentence)
        }
    }

    /// Registry text for an error: without the token in any form, inert,
    /// bounded.
    fn shown(&self, text: &str) -> String {
        Scrub::new(self.token.as_deref()).bounded(text, MAX_ERROR)
    }
}

/// The pause a `Retry-After: <seconds>` header asks for, if any.
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let seconds = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    seconds.trim().parse().ok().map(Duration::from_secs)
}

/// The next page of a tag list, from `Link: <…>; rel="next"`, if it is on
/// the registry (a relative link is resolved against it).
fn next_link(headers: &header::HeaderMap, base: &str) -> Result<Option<String>, String> {
    let Some(target) = github_packages::Links::from_headers(headers).and_then(|links| links.next)
    else {
        return Ok(None);
    };
    let base_url = Url::parse(base).map_err(|e| e.to_string())?;
    let next = base_url
        .join(&target)
        .map_err(|_| "the registry's tag list links to a next page that is not a URL".to_owned())?;
    if next.origin().ascii_serialization() != base {
        return Err("the registry's tag list links to a next page on another origin".to_owned());
    }
    Ok(Some(next.to_string()))
}

/// A body of at most `max` bytes; a longer one is refused as soon as it
/// says or shows so.
async fn read_bounded(response: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let too_long = || format!("the registry's answer is longer than {max} bytes");
    if response
        .content_length()
        .is_some_and(|announced| announced > max as u64)
    {
        return Err(too_long());
    }
    let (bytes, complete) = github_packages::read_bounded(response, max)
        .await
        .map_err(|e| format!("the registry's answer broke off ({})", e.without_url()))?;
    if !complete {
        return Err(too_long());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_follows_the_api() {
        let url = |api: &str| Registry::for_api(api, None).map(|r| r.unwrap().url().to_owned());
        assert_eq!(
            url("https://api.github.com").as_deref(),
            Some("https://ghcr.io")
        );
        assert_eq!(
            url("https://ghe.example.com/api/v3").as_deref(),
            Some("https://containers.ghe.example.com")
        );
        assert_eq!(
            url("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(url("https://api.acme.ghe.com"), None);
        let error = Registry::new("ftp://x", None).unwrap_err();
        assert!(
            error.to_string().contains("not an http or https URL"),
            "{error}"
        );
    }

    #[test]
    fn plain_http_is_for_loopback_unless_allowed() {
        let error = Registry::new("http://registry.example", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the registry `http://registry.example` is plain http to another machine, which \
             would send the token unencrypted; use https, or allow insecure http explicitly"
        );
        Registry::builder("http://registry.example")
            .allow_insecure_http(true)
            .build()
            .expect("allowed explicitly");
        Registry::new("http://localhost:5000", None).expect("loopback");
        assert!(
            Registry::new("https://u:secret@ghcr.io", None)
                .unwrap_err()
                .to_string()
                .contains("must not contain credentials")
        );
    }

    #[test]
    fn registry_text_loses_the_token_in_every_form() {
        let registry =
            Registry::new("https://ghcr.io", Some("ghp_secret_token".to_owned())).unwrap();
        let text = registry.shown(
            "denied for ghp_secret_token\nBasic Z2l0aHViLXBhY2thZ2VzOmdocF9zZWNyZXRfdG9rZW4= \u{1b}[2J",
        );
        assert_eq!(text, "denied for [redacted]\\nBasic [redacted] \\u{1b}[2J");
        assert!(!format!("{registry:?}").contains("ghp_secret"));
        assert!(registry.shown(&"x".repeat(1000)).len() < 400);
    }
}
