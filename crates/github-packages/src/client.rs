//! The client and its configuration (over 500 lines: every builder
//! setting is documented where it is set, and its tests follow).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::error::Error;
use crate::http::base_url::{BaseUrl, GITHUB_API, check_plain_http};
use crate::http::exchange::{Endpoint, Hooks};
use crate::http::pipeline::Pipeline;
use crate::http::quota::Quota;
use crate::http::retry::RetryPolicy;
use crate::http::throttle::{Gate, Throttle};
use crate::model::rate_limit::RateLimit;

/// Where GitHub's REST API lives for github.com.
pub const DEFAULT_BASE_URL: &str = GITHUB_API;
/// The REST API version this crate is written against (`X-GitHub-Api-Version`).
pub const DEFAULT_API_VERSION: &str = "2022-11-28";
/// The media type GitHub recommends for its REST API.
const GITHUB_JSON: &str = "application/vnd.github+json";
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest successful answer read by default: a page of 100 versions is
/// about 100 KB, so this is far beyond any real answer yet bounded.
pub const DEFAULT_MAX_BODY_SIZE: usize = 32 * 1024 * 1024;

/// A GitHub Packages client. Cheap to clone; clones share the connection
/// pool and the rate-limit state.
///
/// ```no_run
/// # async fn example() -> github_packages::Result<()> {
/// use github_packages::{Client, Owner, PackageType};
///
/// let client = Client::builder().token(std::env::var("GITHUB_TOKEN").unwrap()).build()?;
/// let page = client.packages(Owner::org("acme")).list(PackageType::Container).await?;
/// for package in page.items {
///     println!("{} ({})", package.name(), package.visibility());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pipeline: Arc<Pipeline>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.pipeline, f)
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment, as GitHub Actions sets it:
    /// `GITHUB_TOKEN` and `GITHUB_API_URL` (the full API root; defaults to
    /// `https://api.github.com`).
    ///
    /// Without `GITHUB_TOKEN` the client is anonymous: it can read what
    /// GitHub shows without a token, and refuses deletes, restores and
    /// anything about the authenticated user ([`Error::TokenRequired`])
    /// without sending them.
    ///
    /// ```no_run
    /// use github_packages::{Client, Owner, PackageType};
    ///
    /// # async fn example() -> github_packages::Result<()> {
    /// let client = Client::from_env()?;
    /// let package = client
    ///     .packages(Owner::user("octocat"))
    ///     .package(PackageType::Container, "hello-world")
    ///     .get()
    ///     .await?;
    /// println!("{} is {}", package.name(), package.visibility());
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    /// GitHub's rate-limit state from the most recent answer that carried it.
    ///
    /// ```no_run
    /// # async fn example(client: github_packages::Client) -> github_packages::Result<()> {
    /// use github_packages::{Owner, PackageType};
    ///
    /// client.packages(Owner::org("acme")).list(PackageType::Npm).await?;
    /// if let Some(limit) = client.rate_limit() {
    ///     println!("{} of {} requests left until {}", limit.remaining, limit.limit, limit.reset);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.pipeline.endpoint.quota.last()
    }

    /// Whether the client has a token: without one it refuses every
    /// delete and restore before sending it ([`Error::TokenRequired`]).
    pub fn has_token(&self) -> bool {
        self.pipeline.token.is_some()
    }

    /// The API root requests go to, e.g. `https://api.github.com`.
    pub fn base_url(&self) -> &str {
        self.pipeline.base_url()
    }

    pub(crate) fn pipeline(&self) -> &Arc<Pipeline> {
        &self.pipeline
    }
}

/// Configures a [`Client`]. Every setting has a default; only the token is
/// needed for anything but public packages.
///
/// GitHub Enterprise Server, your own `reqwest::Client` (a proxy, say),
/// a patient retry policy:
///
/// ```
/// use std::time::Duration;
///
/// use github_packages::reqwest;
/// use github_packages::{Client, RetryPolicy};
///
/// let http = github_packages::http_client_builder()?
///     .proxy(reqwest::Proxy::https("http://proxy.example:3128")?)
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// let client = Client::builder()
///     .enterprise_server("ghe.example.com")
///     .token("ghp_…")
///     .user_agent("acme-cleanup/1.0")
///     .http_client(http)
///     .retry(RetryPolicy::new().max_total_wait(Duration::from_secs(600)))
///     .build()?;
/// assert_eq!(client.base_url(), "https://ghe.example.com/api/v3");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    token: Option<String>,
    base_url: Option<BaseUrl>,
    user_agent: Option<String>,
    api_version: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
    throttle: Option<Throttle>,
    max_body_size: Option<usize>,
    allow_insecure_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| crate::text::REDACTED))
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field(
                "http",
                &self.http.as_ref().map(|_| "<custom reqwest::Client>"),
            )
            .field("retry", &self.retry)
            .field("throttle", &self.throttle)
            .field("max_body_size", &self.max_body_size)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// The token sent as `Authorization: Bearer …`: a personal access token
    /// (classic tokens need `read:packages`, plus `delete:packages` or
    /// `write:packages` to delete or restore), or a GitHub Actions token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Where the API is, read as most users mean it; `https://api.github.com`
    /// by default. `https://github.com` means `https://api.github.com`; an
    /// API host (`https://api.acme.ghe.com`), a local server
    /// (`http://127.0.0.1:8080`) or a URL with a path is used as given; any
    /// other bare host (`https://ghe.example.com`) is taken for GitHub
    /// Enterprise Server and gets `/api/v3`. The whole table is in the
    /// [crate docs](crate#base-urls).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(BaseUrl::Guess(url.into()));
        self
    }

    /// The full API root, used as given (like `GITHUB_API_URL` in GitHub
    /// Actions), e.g. `https://ghe.example.com/api/v3`.
    pub fn api_root(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(BaseUrl::Exact(url.into()));
        self
    }

    /// A GitHub Enterprise Server host, e.g. `ghe.example.com`: the API
    /// root becomes `https://ghe.example.com/api/v3`.
    pub fn enterprise_server(mut self, host: impl Into<String>) -> Self {
        self.base_url = Some(BaseUrl::EnterpriseServer(host.into()));
        self
    }

    /// The `User-Agent` GitHub sees (it rejects requests without one).
    /// Defaults to `github-packages/<version>`; naming your tool helps
    /// GitHub support help you.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The `X-GitHub-Api-Version` sent; defaults to [`DEFAULT_API_VERSION`].
    /// `2026-03-10` is the newer version; for the packages operations it
    /// only drops `has_downloads` from the repository nested in a package,
    /// which the client treats as optional either way.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// How long to wait for a connection (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long one request may take in all (60 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends requests through your own `reqwest::Client` (proxies,
    /// certificates, …). Its timeouts apply; setting this crate's timeouts
    /// as well is an error.
    ///
    /// Start from [`http_client_builder`], which sets the crate's TLS and
    /// turns off reqwest's redirects: this crate follows a GET's redirects
    /// itself, within the API's origin, and never a DELETE's or POST's. A
    /// client that follows redirects by itself may already have sent the
    /// request on; the answer is then refused ([`Error::Redirected`])
    /// rather than trusted.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The most bytes of a successful answer the client reads (32 MiB by
    /// default, [`DEFAULT_MAX_BODY_SIZE`]); a larger answer is
    /// [`Error::TooLarge`]. Unsuccessful answers are read up to 64 KiB,
    /// always.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = Some(bytes);
        self
    }

    /// How failed requests are retried; [`RetryPolicy::none`] turns it off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// How the client paces its requests to stay under GitHub's limits;
    /// [`Throttle::new`] (GitHub's limits) by default, [`Throttle::off`]
    /// for none. Clones of the client share it.
    pub fn throttle(mut self, throttle: Throttle) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// Accepts a plain-`http` API root on another machine than this one.
    /// Without it, `http` is accepted only for loopback hosts (`localhost`,
    /// `127.0.0.1`, `[::1]`: a local fake or proxy), and any other `http`
    /// URL is a [configuration error](Error::Config) before anything is
    /// sent, because the token would cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// A builder preloaded from `GITHUB_TOKEN` (if set) and
    /// `GITHUB_API_URL` (the full API root, used as given), for further
    /// settings; see [`Client::from_env`].
    pub fn from_env() -> Self {
        Self::from_env_vars(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_env_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let mut builder = Self::default();
        if let Some(token) = token_in(&var) {
            builder = builder.token(token);
        }
        if let Some(url) = var("GITHUB_API_URL").filter(|u| !u.trim().is_empty()) {
            builder = builder.api_root(url);
        }
        builder
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = match &self.base_url {
            Some(url) => url.resolve()?,
            None => GITHUB_API.to_owned(),
        };
        if base_url.starts_with("https:")
            && !cfg!(any(
                feature = "rustls",
                feature = "rustls-aws-lc",
                feature = "native-tls"
            ))
        {
            return Err(Error::Config(
                "this build has no TLS; enable the `rustls` or `native-tls` feature to reach https URLs".to_owned(),
            ));
        }

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(GITHUB_JSON));
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
        headers.insert(USER_AGENT, header_value("user agent", user_agent.trim())?);
        let version = self
            .api_version
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        headers.insert(
            HeaderName::from_static("x-github-api-version"),
            header_value("API version", version.trim())?,
        );
        let token = self.token.map(|t| t.trim().to_owned());
        if let Some(token) = &token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .ok()
                .filter(|_| !token.trim().is_empty())
                .ok_or_else(|| {
                    Error::Config("the token is empty or not valid in an HTTP header".to_owned())
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }

        let callers_http = self.http.is_some();
        let http = match self.http {
            Some(_) if self.connect_timeout.is_some() || self.timeout.is_some() => {
                return Err(Error::Config(
                    "timeouts are set on the reqwest::Client you pass, not on this builder"
                        .to_owned(),
                ));
            }
            Some(client) => client,
            None => http_client_builder()?
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };

        let base = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("the API root `{base_url}` is not a URL ({e})")))?;
        check_plain_http("the API root", &base, self.allow_insecure_http).map_err(Error::Config)?;
        Ok(Client {
            pipeline: Arc::new(Pipeline {
                generated: generated::Client::new_with_client(&base_url, http, Arc::new(Hooks)),
                endpoint: Arc::new(Endpoint {
                    base,
                    callers_http,
                    headers,
                    max_body: self.max_body_size.unwrap_or(DEFAULT_MAX_BODY_SIZE),
                    quota: Quota::default(),
                }),
                retry: self.retry.unwrap_or_default(),
                gate: Gate::new(self.throttle.unwrap_or_default()),
                token,
            }),
        })
    }
}

/// A `reqwest::ClientBuilder` set up as this crate sets up its own: the TLS
/// of the crate's features, and no redirects (the client follows a GET's
/// redirects itself, within the API's origin). Start from it to add a
/// proxy, certificates or timeouts, and pass the result to
/// [`ClientBuilder::http_client`].
///
/// With the default `rustls` feature, reqwest has no process-wide TLS
/// provider, so `reqwest::Client::new()` would panic; this builder brings
/// its own.
///
/// ```
/// use std::time::Duration;
///
/// let http = github_packages::http_client_builder()?
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// let client = github_packages::Client::builder().http_client(http).build()?;
/// # let _ = client;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    #[cfg(feature = "rustls")]
    let builder = builder.tls_backend_preconfigured(rustls_over_ring()?);
    Ok(builder)
}

/// rustls with the ring provider and the platform's certificate verifier,
/// configured for this client alone: installing a process-wide default
/// provider could clash with the application's own choice.
#[cfg(feature = "rustls")]
fn rustls_over_ring() -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let failed = |e: rustls::Error| Error::Config(format!("cannot set up TLS: {e}"));
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(failed)?
    .with_platform_verifier()
    .map_err(failed)?
    .with_no_client_auth())
}

/// The token in the environment, as GitHub Actions and most tools pass
/// it: `GITHUB_TOKEN`, unless unset or blank. [`Client::from_env`] signs
/// in with it; other clients of GitHub (a container registry) can too.
pub fn token_from_env() -> Option<String> {
    token_in(&|name| std::env::var(name).ok())
}

fn token_in(var: &impl Fn(&str) -> Option<String>) -> Option<String> {
    var("GITHUB_TOKEN").filter(|token| !token.trim().is_empty())
}

fn header_value(what: &str, value: &str) -> Result<HeaderValue, Error> {
    if value.is_empty() {
        return Err(Error::Config(format!(
            "the {what} is empty; GitHub rejects requests without one"
        )));
    }
    HeaderValue::from_str(value).map_err(|_| {
        Error::Config(format!(
            "the {what} `{value}` is not valid in an HTTP header"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_gives_token_and_url_and_no_token_is_anonymous() {
        let vars = |token: Option<&'static str>, url: Option<&'static str>| {
            move |name: &str| match name {
                "GITHUB_TOKEN" => token.map(str::to_owned),
                "GITHUB_API_URL" => url.map(str::to_owned),
                _ => None,
            }
        };
        let client =
            ClientBuilder::from_env_vars(vars(Some("t0k"), Some("https://ghe.example.com/api/v3")))
                .build()
                .unwrap();
        assert_eq!(client.base_url(), "https://ghe.example.com/api/v3");
        assert!(client.pipeline().token.is_some());

        for missing in [None, Some("  ")] {
            let client = ClientBuilder::from_env_vars(vars(missing, None))
                .build()
                .expect("no token is an anonymous client, not a configuration error");
            assert!(client.pipeline().token.is_none());
            assert_eq!(client.base_url(), "https://api.github.com");
        }
    }

    #[test]
    fn bad_settings_are_clear_errors() {
        let err = Client::builder().user_agent("").build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client configuration: the user agent is empty; GitHub rejects requests without one"
        );
        let err = Client::builder()
            .base_url("http://ghe.example.com")
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client configuration: the API root `http://ghe.example.com` is plain http to \
             another machine, which would send the token unencrypted; use https, or allow insecure \
             http explicitly"
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost",
        ] {
            Client::builder().base_url(local).build().unwrap();
        }
        Client::builder()
            .base_url("http://ghe.example.com")
            .allow_insecure_http(true)
            .build()
            .expect("allowed explicitly");
        let err = Client::builder().token("line\nbreak").build().unwrap_err();
        assert!(!err.to_string().contains("line"), "{err}");
        let err = Client::builder()
            .http_client(http_client_builder().unwrap().build().unwrap())
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("timeouts are set on the reqwest::Client you pass"),
            "{err}"
        );
    }
}
