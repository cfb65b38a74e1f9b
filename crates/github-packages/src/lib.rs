//! A typed client for GitHub's Packages REST API.
//!
//! List, inspect, delete and restore the packages and package versions of an
//! organization, a user, or the authenticated user, on github.com or GitHub
//! Enterprise Server. Every request goes through the client generated from
//! GitHub's OpenAPI description (the `github-packages-generated` crate);
//! this crate adds the owner scopes, open enums, one error type, paging over
//! GitHub's `Link` header, retries and rate-limit tracking.
//!
//! # Quick start
//!
//! Delete the untagged versions of an organization's container image:
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use github_packages::{Client, Owner, PackageType};
//!
//! # async fn prune() -> github_packages::Result<()> {
//! // GITHUB_TOKEN (and GITHUB_API_URL on GitHub Enterprise Server).
//! let client = Client::from_env()?;
//! let image = client.packages(Owner::org("acme")).package(PackageType::Container, "team/app");
//!
//! // Collect first: deleting while paging would shift the pages.
//! let versions: Vec<_> = image.versions().stream().try_collect().await?;
//! for version in versions.iter().filter(|v| !v.is_tagged()) {
//!     println!("deleting {} ({})", version.name(), version.id());
//!     image.version(version.id()).delete().await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # What to expect
//!
//! - **Owners.** [`Owner::Org`], [`Owner::User`] and
//!   [`Owner::AuthenticatedUser`] select GitHub's URL family; all 27
//!   operations are reachable from [`Client::packages`].
//! - **Names.** Package names are sent as one percent-encoded path segment
//!   (`team/app` stays one name). Empty names, `.`/`..` and `\` are refused
//!   before sending, as are `per_page` outside 1..=100 and page 0.
//! - **Enums.** [`PackageType`] and [`Visibility`] keep values GitHub adds
//!   later as `Other`; parsing user input with `FromStr` is strict.
//! - **Errors.** One [`Error`], by what the caller can act on: 401, 403
//!   (with the token's and the accepted OAuth scopes), 404, rate limits,
//!   400/422, 5xx, transport and decode failures. Messages never contain
//!   the token.
//! - **Paging.** Listings are one [`Page`] when awaited, or every item as a
//!   `Stream` (`.stream()`), following `Link: rel="next"` only on the
//!   configured host.
//! - **Retries.** See [`RetryPolicy`]; [`Client::rate_limit`] has the last
//!   rate-limit state GitHub reported.
//! - **Where GitHub differs from its description**, the client follows
//!   GitHub: a named user's package versions page like the others (and
//!   take `state`); package listings without `version_count` decode
//!   ([`Package::version_count`] is an `Option`); secondary rate limits are
//!   recognised however GitHub signals them; the two deletion refusals are
//!   typed ([`Error::Refused`]). Only the package-level restore takes a
//!   token.
//!
//! # Base URLs
//!
//! [`ClientBuilder::base_url`] reads the URL as most users mean it:
//!
//! | given | API root | why |
//! |---|---|---|
//! | `https://github.com`, `https://www.github.com` | `https://api.github.com` | github.com's web host |
//! | an API host, `api.…` or `….api.…` (`https://api.github.com`, `https://api.acme.ghe.com`) | as given | already the API (go-github's rule); GitHub Enterprise Cloud with data residency serves it at `api.SUBDOMAIN.ghe.com` |
//! | `https://SUBDOMAIN.ghe.com` | `https://api.SUBDOMAIN.ghe.com` | GHE.com's web host |
//! | `localhost`, `*.localhost` or an IP address (`http://127.0.0.1:8080`) | as given | a local server or mock serves the API at its root |
//! | a URL with a path (`https://ghe.example.com/api/v3`) | as given | the path says where the API is |
//! | any other host without a path (`https://ghe.example.com`) | `https://ghe.example.com/api/v3` | GitHub Enterprise Server's layout |
//! | [`ClientBuilder::api_root`], `GITHUB_API_URL` | as given | the full API root, as GitHub Actions sets it |
//! | [`ClientBuilder::enterprise_server`]`("ghe.example.com")` | `https://ghe.example.com/api/v3` | says so explicitly |
//!
//! "As given" keeps scheme, host, port and path; only a trailing slash is
//! dropped.

#![warn(missing_docs)]

mod answer;
mod base_url;
mod client;
mod dispatch;
mod enums;
mod error;
mod exchange;
mod handles;
mod model;
mod owner;
mod paging;
#[cfg(test)]
mod properties;
mod rate_limit;
mod retry;
mod target;
mod text;
mod transport;

pub use client::{
    Client, ClientBuilder, DEFAULT_API_VERSION, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_SIZE,
};
pub use enums::{PackageType, ParseEnumError, VersionState, Visibility};
pub use error::{Error, RateLimitKind, RedirectReason, Refusal, Result, TransportKind};
/// The generated types, with every field GitHub documents.
pub use generated::types as raw;
pub use handles::{
    ListPackages, ListVersions, OwnerPackages, PackageRef, RestorePackage, VersionRef,
};
pub use model::{Package, PackageVersion};
pub use owner::{Owner, ParseOwnerError};
pub use paging::{Links, Page};
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;
pub use target::Target;
