//! Reading manifests from the container registry (ghcr.io, GitHub
//! Enterprise Server's `containers.HOST`, or any OCI registry).
//!
//! oci-client does the sign-in: the registry's token exchange with the
//! GitHub token. The manifest GET itself is ours, because oci-client reads
//! a manifest body whole, however long it is: here it is read up to
//! [`MAX_MANIFEST`], and checked against the digest asked for.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use github_packages::reqwest::{self, StatusCode, Url, header};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client as OciClient, Reference, RegistryOperation};
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use sha2::{Digest as _, Sha256};

/// Who the registry is told is signing in (any name works with a token).
const USER: &str = "github-packages";

const USER_AGENT: &str = concat!("github-packages-retention/", env!("CARGO_PKG_VERSION"));

/// The manifest media types asked for (docs/github-behaviour.md, "Container images").
const ACCEPTED: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// The longest error text kept from the registry.
const MAX_ERROR: usize = 300;

/// The largest manifest read: the OCI distribution spec asks registries to
/// accept manifests of at least 4 MiB, and real ones are a few KiB.
pub(crate) const MAX_MANIFEST: usize = 4 * 1024 * 1024;

/// How long one manifest may take, from request to last byte.
const MANIFEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How a repository's manifests are asked for, once signed in.
#[derive(Clone)]
enum Credential {
    /// The token the registry's token exchange gave.
    Bearer(String),
    /// The GitHub token as a password (a registry without a token
    /// exchange), or nothing.
    Plain,
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
    url: String,
    /// `host[:port]`, as references name the registry.
    host: String,
    /// The token exchange.
    client: OciClient,
    auth: RegistryAuth,
    /// The manifest GETs.
    http: reqwest::Client,
    /// What the sign-in gave, per repository (`owner/name`).
    signed_in: Mutex<HashMap<String, Credential>>,
    /// Held while signing in, so that manifests read at once share one
    /// sign-in.
    signing_in: tokio::sync::Mutex<()>,
    token: Option<String>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// A registry that cannot be used, in one sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(String);

/// What a manifest says about other manifests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// An index's entries: digest, and platform (`os/arch[/variant]`,
    /// "attestation" for a buildx attestation manifest).
    pub(crate) children: Vec<(String, Option<String>)>,
    /// The OCI 1.1 `subject` it refers to.
    pub(crate) subject: Option<String>,
    /// Its `artifactType`, for referrers.
    pub(crate) artifact_type: Option<String>,
    /// Whether it is an image index or manifest list.
    pub(crate) is_index: bool,
}

impl Registry {
    /// The registry at `url` (`https://ghcr.io`; `http://` for a local
    /// one), signing in with `token` (any user name, the token as password)
    /// or anonymously.
    pub fn new(url: &str, token: Option<String>) -> Result<Self, RegistryError> {
        let parsed = Url::parse(url)
            .map_err(|e| RegistryError(format!("the registry URL `{url}` is not a URL ({e})")))?;
        let host = match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => {
                return Err(RegistryError(format!(
                    "the registry URL `{url}` has no host"
                )));
            }
        };
        let protocol = match parsed.scheme() {
            "https" => ClientProtocol::Https,
            "http" => ClientProtocol::Http,
            other => {
                return Err(RegistryError(format!(
                    "the registry URL `{url}` has scheme {other}; use https (or http for a local registry)"
                )));
            }
        };
        // oci-client builds its own HTTP client; with rustls and no process
        // provider it would panic. Ring is what the GitHub client uses too;
        // an application's own choice, installed first, stays.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = OciClient::new(ClientConfig {
            protocol,
            user_agent: USER_AGENT,
            connect_timeout: Some(std::time::Duration::from_secs(10)),
            read_timeout: Some(std::time::Duration::from_secs(60)),
            platform_resolver: None,
            ..ClientConfig::default()
        });
        let auth = match &token {
            Some(token) => RegistryAuth::Basic(USER.to_owned(), token.clone()),
            None => RegistryAuth::Anonymous,
        };
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
        Ok(Self {
            url: format!("{}://{host}", parsed.scheme()),
            host,
            client,
            auth,
            http,
            signed_in: Mutex::default(),
            signing_in: tokio::sync::Mutex::const_new(()),
            token,
        })
    }

    /// The registry that serves the container packages of the API at
    /// `api_root`, if it is known: ghcr.io for github.com,
    /// `containers.HOST` for GitHub Enterprise Server (docs/github-behaviour.md,
    /// "Hosts"), the same address for a local server (the fake).
    pub fn for_api(api_root: &str, token: Option<String>) -> Option<Result<Self, RegistryError>> {
        let url = Url::parse(api_root).ok()?;
        let host = url.host_str()?;
        let registry = if host == "api.github.com" {
            "https://ghcr.io".to_owned()
        } else if url.path().trim_end_matches('/') == "/api/v3" {
            format!("https://containers.{host}")
        } else if is_local(host) {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{host}{port}", url.scheme())
        } else {
            return None;
        };
        Some(Self::new(&registry, token))
    }

    /// Where it is, e.g. `https://ghcr.io`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Applies the container safety checks to `plan`, the plan of the
    /// image at `path` (`acme/team/app`): keeps whatever its kept versions
    /// need (children, signatures, referrers), or, if a manifest cannot be
    /// read, everything. [`Retention::plan`](crate::Retention::plan) does
    /// this for container packages; this is for plans made otherwise.
    pub async fn protect(&self, path: &str, plan: &mut crate::PackagePlan) {
        crate::safety::protect(Some(self), path, plan).await;
    }

    /// The manifest `digest` of the image at `path` (`acme/team/app`), or
    /// why it could not be read.
    pub(crate) async fn manifest(&self, path: &str, digest: &str) -> Result<Manifest, String> {
        let Some(hex) = digest.strip_prefix("sha256:") else {
            return Err(format!("{digest} is not a sha256 digest"));
        };
        let bytes = match tokio::time::timeout(MANIFEST_TIMEOUT, self.read(path, digest)).await {
            Ok(result) => result?,
            Err(_) => return Err(format!("the registry took over {MANIFEST_TIMEOUT:?}")),
        };
        if format!("{:x}", Sha256::digest(&bytes)) != hex {
            return Err("the registry's answer does not match its digest".to_owned());
        }
        parse(&bytes).map_err(|e| format!("manifest {digest} cannot be read: {e}"))
    }

    /// The bytes of manifest `digest`, signing in first if need be, and
    /// once more if the registry no longer takes the token.
    async fn read(&self, path: &str, digest: &str) -> Result<Vec<u8>, String> {
        let url = format!("{}/v2/{path}/manifests/{digest}", self.url);
        for fresh in [false, true] {
            let credential = self.credential(path, fresh).await?;
            let mut request = self
                .http
                .get(&url)
                .header(header::ACCEPT, ACCEPTED.join(", "));
            request = match (&credential, &self.token) {
                (Credential::Bearer(token), _) => request.bearer_auth(token),
                (Credential::Plain, Some(token)) => request.basic_auth(USER, Some(token)),
                (Credential::Plain, None) => request,
            };
            let response = request
                .send()
                .await
                .map_err(|e| self.scrub(&e.without_url().to_string()))?;
            match response.status() {
                StatusCode::UNAUTHORIZED if !fresh => continue,
                status if status.is_success() => return read_bounded(response).await,
                status => return Err(format!("the registry answered {status}")),
            }
        }
        Err("the registry refused the token it gave".to_owned())
    }

    /// How to ask for `path`'s manifests: the sign-in of an earlier
    /// request, or (`fresh`, or none yet) a new one.
    async fn credential(&self, path: &str, fresh: bool) -> Result<Credential, String> {
        let cached = || {
            self.signed_in
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(path)
                .cloned()
        };
        if !fresh && let Some(credential) = cached() {
            return Ok(credential);
        }
        let _turn = self.signing_in.lock().await;
        if !fresh && let Some(credential) = cached() {
            return Ok(credential);
        }
        let reference =
            Reference::with_tag(self.host.clone(), path.to_owned(), "latest".to_owned());
        let credential = match self
            .client
            .auth(&reference, &self.auth, RegistryOperation::Pull)
            .await
            .map_err(|e| {
                format!(
                    "cannot sign in to the registry: {}",
                    self.scrub(&e.to_string())
                )
            })? {
            Some(token) => Credential::Bearer(token),
            None => Credential::Plain,
        };
        self.signed_in
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_owned(), credential.clone());
        Ok(credential)
    }

    /// Registry text without the token, on one bounded line.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.replace(['\n', '\r'], " ");
        if let Some(token) = self.token.as_deref().filter(|t| !t.is_empty()) {
            text = text.replace(token, "[redacted]");
        }
        if text.len() > MAX_ERROR {
            let mut end = MAX_ERROR;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
        text
    }
}

/// A body of at most [`MAX_MANIFEST`] bytes; a longer one is refused as
/// soon as it says or shows so.
async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let too_long = || format!("the manifest is longer than {MAX_MANIFEST} bytes");
    let announced = response.content_length().unwrap_or(0);
    if announced > MAX_MANIFEST as u64 {
        return Err(too_long());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the registry's answer broke off ({})", e.without_url()))?
    {
        if bytes.len() + chunk.len() > MAX_MANIFEST {
            return Err(too_long());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn is_local(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Reads what matters of a manifest: an index's entries, or a manifest's
/// subject.
fn parse(bytes: &[u8]) -> Result<Manifest, String> {
    #[derive(serde::Deserialize)]
    struct Shape {
        manifests: Option<serde::de::IgnoredAny>,
    }
    let shape: Shape = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if shape.manifests.is_some() {
        let index = ImageIndex::from_reader(bytes).map_err(|e| e.to_string())?;
        Ok(Manifest {
            children: index.manifests().iter().map(entry).collect(),
            subject: index.subject().as_ref().map(|s| s.digest().to_string()),
            artifact_type: index.artifact_type().as_ref().map(ToString::to_string),
            is_index: true,
        })
    } else {
        let manifest = ImageManifest::from_reader(bytes).map_err(|e| e.to_string())?;
        Ok(Manifest {
            children: Vec::new(),
            subject: manifest.subject().as_ref().map(|s| s.digest().to_string()),
            artifact_type: manifest.artifact_type().as_ref().map(ToString::to_string),
            is_index: false,
        })
    }
}

/// An index entry's digest and what it is for.
fn entry(descriptor: &Descriptor) -> (String, Option<String>) {
    let attestation = descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|kind| kind == "attestation-manifest");
    let platform = if attestation {
        Some("attestation".to_owned())
    } else {
        descriptor.platform().as_ref().map(|p| {
            let mut text = format!("{}/{}", p.os(), p.architecture());
            if let Some(variant) = p.variant() {
                text = format!("{text}/{variant}");
            }
            text
        })
    };
    (descriptor.digest().to_string(), platform)
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
        assert!(error.to_string().contains("scheme ftp"), "{error}");
    }

    #[test]
    fn indexes_name_children_and_manifests_their_subject() {
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","size":1,"platform":{"os":"unknown","architecture":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}"#;
        let parsed = parse(index).unwrap();
        assert!(parsed.is_index);
        assert_eq!(parsed.children[0].1.as_deref(), Some("linux/arm64/v8"));
        assert_eq!(parsed.children[1].1.as_deref(), Some("attestation"));

        let referrer = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json",
            "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
            "layers":[],"subject":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","size":9}}"#;
        let parsed = parse(referrer).unwrap();
        assert!(!parsed.is_index);
        assert_eq!(
            parsed.subject.as_deref(),
            Some("sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc")
        );
        assert_eq!(
            parsed.artifact_type.as_deref(),
            Some("application/spdx+json")
        );
        assert!(parse(b"<html>").is_err());
    }

    #[test]
    fn registry_text_loses_the_token() {
        let registry = Registry::new("https://ghcr.io", Some("ghp_secret".to_owned())).unwrap();
        let text = registry.scrub("denied for ghp_secret\nretry");
        assert_eq!(text, "denied for [redacted] retry");
        assert!(!format!("{registry:?}").contains("ghp_secret"));
        assert!(registry.scrub(&"x".repeat(1000)).len() < 400);
    }
}
