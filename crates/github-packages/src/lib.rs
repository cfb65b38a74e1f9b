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
//! - **Gaps in GitHub's description.** For [`Owner::User`], the version
//!   listing documents no `state`, `page` or `per_page`; setting one is an
//!   [`Error::Unsupported`]. Only the package-level restore takes a token.

#![warn(missing_docs)]

mod client;
mod dispatch;
mod enums;
mod error;
mod handles;
mod model;
mod owner;
mod paging;
mod rate_limit;
mod retry;
mod transport;

pub use client::{Client, ClientBuilder, DEFAULT_API_VERSION, DEFAULT_BASE_URL};
pub use enums::{PackageType, ParseEnumError, VersionState, Visibility};
pub use error::{Error, RateLimitKind, Result, TransportKind};
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
