//! A typed client for GitHub's Packages REST API.
//!
//! List, inspect, delete and restore the packages and package versions of an
//! organization, a user, or the authenticated user, on github.com, GitHub
//! Enterprise Cloud or GitHub Enterprise Server. Every request goes through
//! the client generated from GitHub's OpenAPI description (the
//! `github-packages-generated` crate); this crate adds owner scopes, typed
//! ids, open enums, one error type, paging over GitHub's `Link` header,
//! retries, a throttle that keeps it under GitHub's rate limits, bulk
//! deletes and restores, and the defences a client for production
//! registries needs (see "Security" in the README).
//!
//! # Quick start
//!
//! Report the versions of an npm package older than 180 days, except the
//! five newest; delete them only when asked to:
//!
//! ```no_run
//! use chrono::{Duration, Utc};
//! use futures::TryStreamExt;
//! use github_packages::{Client, OptionalExt, Owner, PackageType};
//!
//! # async fn prune(execute: bool) -> github_packages::Result<()> {
//! // GITHUB_TOKEN, and GITHUB_API_URL (the full API root) outside github.com.
//! let client = Client::from_env()?;
//! let widgets = client.packages(Owner::org("acme")).package(PackageType::Npm, "@acme/widgets");
//!
//! // Collect first (newest first): deleting while paging would shift the pages.
//! let versions: Vec<_> = widgets.versions().stream().try_collect().await?;
//! let cutoff = Utc::now() - Duration::days(180);
//! for version in versions.iter().skip(5).filter(|v| v.created_at() < cutoff) {
//!     println!("{} {} ({})", if execute { "deleting" } else { "would delete" }, version.name(), version.id());
//!     if execute {
//!         version.handle(&widgets).delete().await.optional()?; // already gone is fine
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Not for container images: a multi-arch image's platform manifests are
//! untagged versions that its tags need. The `github-packages-retention`
//! crate reads the registry and keeps what a kept image needs.
//!
//! # Paging
//!
//! Awaiting a listing gets one [`Page`]; `.stream()` gets every item,
//! fetching pages as it is consumed:
//!
//! ```no_run
//! # async fn example(client: github_packages::Client) -> github_packages::Result<()> {
//! use futures::TryStreamExt;
//! use github_packages::{Owner, PackageType};
//!
//! let org = client.packages(Owner::org("acme"));
//!
//! // One page at a time, e.g. to show progress or stop early.
//! let mut number = 1;
//! loop {
//!     let page = org.list(PackageType::Npm).per_page(50).page(number).await?;
//!     println!("page {number}: {} packages", page.items.len());
//!     if !page.has_next() {
//!         break;
//!     }
//!     number += 1;
//! }
//!
//! // Or every item as a stream.
//! let mut packages = org.list(PackageType::Npm).stream();
//! while let Some(package) = packages.try_next().await? {
//!     println!("{}", package.name());
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
//! - **Ids.** [`PackageId`] and [`VersionId`] are different types, so one
//!   cannot be passed for the other.
//! - **Errors.** One [`Error`], by what the caller can act on: 401, 403
//!   (with the token's and the accepted OAuth scopes), 404, rate limits,
//!   refusals, 400/422, 5xx, redirects, transport and decode failures, each
//!   naming the operation and the owner, package and version it was about.
//!   Messages never contain the token. [`OptionalExt::optional`] turns a
//!   404 into `None`.
//! - **Anonymous use.** Without a token the client reads what GitHub shows
//!   without one, and refuses to send what needs one
//!   ([`Error::TokenRequired`]).
//! - **Paging.** Listings are one [`Page`] when awaited, or every item as a
//!   `Stream` (`.stream()`), following `Link: rel="next"` only on the
//!   configured host; once GitHub names the last page, up to
//!   [`DEFAULT_PAGES_AT_ONCE`] pages are fetched at once, in order.
//! - **Retries.** See [`RetryPolicy`]; [`Client::rate_limit`] has the last
//!   rate-limit state GitHub reported.
//! - **GitHub's limits.** A [`Throttle`] keeps every clone of a client
//!   under GitHub's concurrency and points limits, pauses it when GitHub
//!   reports a secondary limit, and waits for (or refuses past) a spent
//!   quota.
//! - **Bulk.** [`PackageRef::delete_versions`] and its siblings delete or
//!   restore many items, each with its own [`BulkOutcome`], with dry runs
//!   and clean stops ([`Bulk`]).
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
//!
//! # How the crate is built
//!
//! A request meets its layers from top to bottom, each importing only from
//! those below: `api` (handles, the per-scope operation table, the checks
//! made before sending, paging, bulk runs) → `client` → `http` (the
//! pipeline with its retries, the throttle, one exchange with the server)
//! → `error` (one type; every answer mapped onto it in one place) →
//! `model` (owners, targets, ids, enums, packages) and [`text`].

#![warn(missing_docs)]

// The layers, in the order a request meets them; each imports only from
// the ones below it, and this file is the only place that re-exports.
mod api;
mod client;
mod error;
mod http;
mod model;
#[cfg(test)]
mod properties;
pub mod text;

pub use api::bulk::{Bulk, BulkAction, BulkItem, BulkOutcome, BulkReport};
pub use api::paging::{DEFAULT_PAGES_AT_ONCE, Links, Page};
pub use api::resources::{
    ListPackages, ListVersions, OwnerPackages, PackageRef, RestorePackage, VersionRef,
};
pub use client::{
    Client, ClientBuilder, DEFAULT_API_VERSION, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_SIZE,
    http_client_builder, token_from_env,
};
pub use error::{
    Error, OptionalExt, RateLimitKind, RedirectReason, Refusal, Result, TransportKind,
};
/// The generated types, with every field GitHub documents.
pub use generated::types as raw;
pub use http::base_url::{check_plain_http, is_loopback_host};
pub use http::exchange::read_bounded;
pub use http::retry::RetryPolicy;
pub use http::throttle::{DEFAULT_CONCURRENCY, DEFAULT_POINTS, OnPrimaryLimit, Throttle};
pub use model::enums::{PackageType, ParseEnumError, VersionState, Visibility};
pub use model::ids::{PackageId, ParseIdError, VersionId};
pub use model::owner::{Owner, ParseOwnerError};
pub use model::package::{Package, PackageVersion};
pub use model::rate_limit::RateLimit;
pub use model::target::Target;

/// The `reqwest` this crate is built on, for
/// [`ClientBuilder::http_client`] (its `Client` must come from this version;
/// start from [`http_client_builder`]).
pub use reqwest;
