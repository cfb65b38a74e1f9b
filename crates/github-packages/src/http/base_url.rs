//! Where the API lives, from the URL a user gives: the table in the crate
//! docs ([`crate#base-urls`]), implemented and tested here.

use std::net::IpAddr;

use reqwest::Url;

use crate::error::Error;

/// Where the API lives for github.com.
pub const GITHUB_API: &str = "https://api.github.com";

/// How a configured URL is read.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum BaseUrl {
    /// Through the table in the module docs.
    Guess(String),
    /// The full API root, used as given.
    Exact(String),
    /// A GitHub Enterprise Server host (or URL): `/api/v3` on it.
    EnterpriseServer(String),
}

impl BaseUrl {
    /// The API root, or a one-sentence configuration error.
    pub(crate) fn resolve(&self) -> Result<String, Error> {
        match self {
            Self::Guess(input) => {
                let url = parse(input)?;
                Ok(guess(&url))
            }
            Self::Exact(input) => parse(input).map(|url| as_given(&url)),
            Self::EnterpriseServer(host) => {
                let host = host.trim();
                let with_scheme = if host.contains("://") {
                    host.to_owned()
                } else {
                    format!("https://{host}")
                };
                let url = parse(&with_scheme)?;
                Ok(format!("{}/api/v3", url.origin().ascii_serialization()))
            }
        }
    }
}

/// Shows the URL unless it may hold credentials (`user:secret@host`).
impl std::fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (mode, url) = match self {
            Self::Guess(url) => ("Guess", url),
            Self::Exact(url) => ("Exact", url),
            Self::EnterpriseServer(url) => ("EnterpriseServer", url),
        };
        let shown = if url.contains('@') {
            crate::text::REDACTED
        } else {
            url
        };
        f.debug_tuple(mode).field(&shown).finish()
    }
}

fn guess(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let has_path = !url.path().trim_end_matches('/').is_empty();
    if !has_path && matches!(host, "github.com" | "www.github.com") {
        return GITHUB_API.to_owned();
    }
    if is_api_host(host) || is_local(url) || has_path {
        return as_given(url);
    }
    if let Some(subdomain) = host.strip_suffix(".ghe.com") {
        let mut api = url.clone();
        if api
            .set_host(Some(&format!("api.{subdomain}.ghe.com")))
            .is_ok()
        {
            return as_given(&api);
        }
    }
    format!("{}/api/v3", url.origin().ascii_serialization())
}

/// `api.github.com`, `api.acme.ghe.com`, `github.api.example.com`.
fn is_api_host(host: &str) -> bool {
    host.starts_with("api.") || host.contains(".api.")
}

fn is_local(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok()
}

/// Whether `host` (as a URL names it: `localhost`, `127.0.0.1`, `[::1]`)
/// is this machine: `localhost`, a `*.localhost` name, or a loopback
/// address. Plain `http` is accepted without an explicit opt-in only for
/// such hosts, because nothing else can read what crosses loopback.
///
/// ```
/// use github_packages::is_loopback_host;
///
/// assert!(is_loopback_host("127.0.0.1") && is_loopback_host("[::1]"));
/// assert!(is_loopback_host("localhost") && is_loopback_host("fake.localhost"));
/// assert!(!is_loopback_host("10.0.0.5") && !is_loopback_host("ghe.example.com"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Refuses a plain-`http` URL to another machine unless `allowed`: the
/// token would cross the network unencrypted. `what` names the URL in the
/// one-sentence error ("the API root"); the retention crate checks its
/// registry URLs with it too.
///
/// ```
/// use github_packages::{check_plain_http, reqwest::Url};
///
/// let url = Url::parse("http://registry.example")?;
/// assert!(check_plain_http("the registry", &url, false).is_err());
/// assert!(check_plain_http("the registry", &url, true).is_ok());
/// assert!(check_plain_http("the registry", &Url::parse("http://127.0.0.1:5000")?, false).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_plain_http(what: &str, url: &Url, allowed: bool) -> Result<(), String> {
    let host = url.host_str().unwrap_or_default();
    if url.scheme() == "http" && !allowed && !is_loopback_host(host) {
        return Err(format!(
            "{what} `{}` is plain http to another machine, which would send the token unencrypted; \
             use https, or allow insecure http explicitly",
            url.origin().ascii_serialization()
        ));
    }
    Ok(())
}

fn as_given(url: &Url) -> String {
    format!(
        "{}{}",
        url.origin().ascii_serialization(),
        url.path().trim_end_matches('/')
    )
}

fn parse(input: &str) -> Result<Url, Error> {
    // Text that may hold credentials (`user:secret@`) is never echoed.
    let shown = if input.contains('@') {
        crate::text::REDACTED
    } else {
        input
    };
    let url = Url::parse(input.trim())
        .map_err(|e| Error::Config(format!("the base URL `{shown}` is not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: it holds credentials.
        return Err(Error::Config(
            "the base URL must not contain credentials; use the token".to_owned(),
        ));
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "the base URL `{shown}` is not an http or https URL with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "the base URL `{shown}` must not have a query or fragment"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of the module docs' table, in order.
    #[test]
    fn the_table() {
        let guessed = [
            ("https://github.com", "https://api.github.com"),
            ("https://www.github.com/", "https://api.github.com"),
            ("https://api.github.com", "https://api.github.com"),
            ("https://api.github.com/", "https://api.github.com"),
            ("https://api.acme.ghe.com", "https://api.acme.ghe.com"),
            (
                "https://github.api.example.com",
                "https://github.api.example.com",
            ),
            ("https://acme.ghe.com", "https://api.acme.ghe.com"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://fake.localhost", "http://fake.localhost"),
            (
                "http://127.0.0.1:8080/api/v3",
                "http://127.0.0.1:8080/api/v3",
            ),
            (
                "https://ghe.example.com/api/v3/",
                "https://ghe.example.com/api/v3",
            ),
            (
                "https://example.com/github/api",
                "https://example.com/github/api",
            ),
            ("https://ghe.example.com", "https://ghe.example.com/api/v3"),
            (
                "https://GHE.Example.com:8443",
                "https://ghe.example.com:8443/api/v3",
            ),
        ];
        for (input, expected) in guessed {
            assert_eq!(
                BaseUrl::Guess(input.into()).resolve().unwrap(),
                expected,
                "{input}"
            );
        }
        for (input, expected) in [
            ("https://ghe.example.com", "https://ghe.example.com"),
            (
                "https://ghe.example.com/api/v3/",
                "https://ghe.example.com/api/v3",
            ),
            ("https://api.acme.ghe.com", "https://api.acme.ghe.com"),
        ] {
            assert_eq!(BaseUrl::Exact(input.into()).resolve().unwrap(), expected);
        }
        for (input, expected) in [
            ("ghe.example.com", "https://ghe.example.com/api/v3"),
            ("https://ghe.example.com/", "https://ghe.example.com/api/v3"),
            ("http://10.0.0.5:8080", "http://10.0.0.5:8080/api/v3"),
        ] {
            assert_eq!(
                BaseUrl::EnterpriseServer(input.into()).resolve().unwrap(),
                expected
            );
        }
    }

    #[test]
    fn unusable_base_urls_are_rejected_without_echoing_credentials() {
        for input in [
            "ghe.example.com",
            "ftp://ghe.example.com",
            "https://ghe.example.com/api?x=1",
            "https://ghe.example.com/#top",
            "",
        ] {
            assert!(BaseUrl::Guess(input.into()).resolve().is_err(), "{input}");
        }
        for mode in [BaseUrl::Guess, BaseUrl::Exact, BaseUrl::EnterpriseServer] {
            for input in ["https://user:hunter2@ghe.example.com", "https://u:hunter2@"] {
                let err = mode(input.into()).resolve().unwrap_err();
                assert!(!err.to_string().contains("hunter2"), "{err}");
            }
        }
    }
}
