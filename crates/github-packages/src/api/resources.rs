//! The request API: an owner's packages, one package, one version.
//!
//! Over 500 lines because the three handles and two listings are the
//! public surface most users read, each with a runnable doc example.
//!
//! Requests that take options are builders; await them for one answer
//! (`IntoFuture`), or call `stream()` on a listing for every item.
//!
//! Requests without options return the request's future itself (`Send`,
//! about 2 KiB) rather than wrapping it in another `async fn`, whose state
//! would hold, and copy, it once more.

use std::fmt;
use std::future::IntoFuture;

use futures::Stream;
use futures::future::BoxFuture;

use crate::api::bulk::{Bulk, BulkAction};
use crate::api::dispatch;
use crate::api::paging::{Page, PerPage};
use crate::client::Client;
use crate::error::Error;
use crate::http::pipeline::Write;
use crate::model::enums::{PackageType, VersionState, Visibility};
use crate::model::ids::VersionId;
use crate::model::owner::Owner;
use crate::model::package::{Package, PackageVersion};
use crate::model::target::Target;

/// The paging options and the two ways to run a listing, for a listing
/// type with `fetch(page, per_page)` and `client()`.
macro_rules! listing {
    ($listing:ident, $item:ty, $items:literal) => {
        impl $listing {
            #[doc = concat!($items, " per page, 1 to 100 (GitHub's default is 30; streams ask for 100).")]
            pub fn per_page(mut self, per_page: u32) -> Self {
                self.per_page = Some(per_page);
                self
            }

            /// Which page to get (from 1), or where a stream starts.
            pub fn page(mut self, page: u32) -> Self {
                self.page = Some(page);
                self
            }

            /// Gets one page.
            pub async fn send(self) -> Result<Page<$item>, Error> {
                let per_page = self.per_page.map_or(PerPage::Default, PerPage::Exactly);
                self.fetch(self.page, per_page).await
            }

            /// How many pages [`stream`](Self::stream) may fetch at once
            /// once GitHub says how many there are
            /// ([`DEFAULT_PAGES_AT_ONCE`](crate::api::paging::DEFAULT_PAGES_AT_ONCE) by
            /// default; 1 fetches page after page). Every request still
            /// passes the client's [`Throttle`](crate::Throttle).
            pub fn pages_at_once(mut self, pages: usize) -> Self {
                self.pages_at_once = pages.max(1);
                self
            }

            /// Every item, in GitHub's order (100 per page where GitHub
            /// lets us ask, unless [`per_page`](Self::per_page) says
            /// otherwise), fetched as the stream is consumed.
            ///
            /// When the first page's `Link` header names the last page, the
            /// rest are fetched [several at once](Self::pages_at_once),
            /// holding at most that many pages besides the one being
            /// read; without it, page after page. Dropping the stream
            /// cancels what is in flight and starts nothing more.
            pub fn stream(self) -> impl Stream<Item = Result<$item, Error>> + Send + 'static {
                let per_page = self.per_page.map_or(PerPage::Max, PerPage::Exactly);
                let pipeline = std::sync::Arc::clone(self.client().pipeline());
                crate::api::paging::items(pipeline, self.page, self.pages_at_once, move |page| {
                    let this = self.clone();
                    async move { this.fetch(page, per_page).await }
                })
            }
        }

        impl IntoFuture for $listing {
            type Output = Result<Page<$item>, Error>;
            type IntoFuture = BoxFuture<'static, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

impl Client {
    /// The packages of `owner`: list them, or pick one to inspect, delete or
    /// restore it and its versions.
    pub fn packages(&self, owner: Owner) -> OwnerPackages {
        OwnerPackages::new(self.clone(), owner)
    }
}

impl Package {
    /// The handle to this package among `owner`'s packages (the listing it
    /// came from), to get, delete or restore it or list its versions.
    pub fn handle(&self, owner: &OwnerPackages) -> PackageRef {
        owner.package(self.package_type().clone(), self.name().to_owned())
    }
}

impl PackageVersion {
    /// The handle to this version of `package` (the package it was listed
    /// from), to get, delete or restore it.
    pub fn handle(&self, package: &PackageRef) -> VersionRef {
        package.version(self.id())
    }
}

/// The packages of one owner; from [`Client::packages`].
///
/// ```no_run
/// # async fn example(client: github_packages::Client) -> github_packages::Result<()> {
/// use github_packages::{Owner, PackageType, Visibility};
///
/// let org = client.packages(Owner::org("acme"));
/// let public = org.list(PackageType::Container).visibility(Visibility::Public).await?;
/// let app = org.package(PackageType::Container, "team/app").get().await?;
/// let conflicts = org.docker_conflicts().await?;
/// println!("{} public images; {} has {:?} versions; {} conflicts",
///     public.items.len(), app.name(), app.version_count(), conflicts.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct OwnerPackages {
    client: Client,
    target: Target,
}

impl OwnerPackages {
    pub(crate) fn new(client: Client, owner: Owner) -> Self {
        Self {
            client,
            target: Target::for_owner(owner),
        }
    }

    /// Whose packages these are.
    pub fn owner(&self) -> &Owner {
        self.target.owner()
    }

    /// Lists the owner's packages of one type; await it for one page, or
    /// `.stream()` it for all.
    pub fn list(&self, package_type: PackageType) -> ListPackages {
        ListPackages {
            packages: self.clone(),
            package_type,
            visibility: None,
            per_page: None,
            page: None,
            pages_at_once: crate::api::paging::DEFAULT_PAGES_AT_ONCE,
        }
    }

    /// Packages whose migration from the Docker registry to the Container
    /// registry hit a conflict.
    pub fn docker_conflicts(
        &self,
    ) -> impl Future<Output = Result<Vec<Package>, Error>> + Send + '_ {
        dispatch::docker_conflicts(self.client.pipeline(), &self.target)
    }

    /// Deletes many packages of one type, with all their versions, each
    /// through the client's throttle, with an outcome per package; see
    /// [`Bulk`].
    pub fn delete_packages<I>(&self, package_type: PackageType, names: I) -> Bulk
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.packages_bulk(BulkAction::Delete, package_type, names)
    }

    /// Restores many packages of one type deleted in the last 30 days; see
    /// [`Bulk`].
    pub fn restore_packages<I>(&self, package_type: PackageType, names: I) -> Bulk
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.packages_bulk(BulkAction::Restore, package_type, names)
    }

    fn packages_bulk<I>(&self, action: BulkAction, package_type: PackageType, names: I) -> Bulk
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let targets = names
            .into_iter()
            .map(|name| self.target.package(package_type.clone(), name.into()))
            .collect();
        Bulk::new(self.client.clone(), action, targets)
    }

    /// One package, to get, delete or restore it or work with its versions.
    /// The name is sent as one path segment, percent-encoded, so a container
    /// named `team/app` is addressed as such.
    pub fn package(&self, package_type: PackageType, name: impl Into<String>) -> PackageRef {
        PackageRef {
            client: self.client.clone(),
            target: self.target.package(package_type, name.into()),
        }
    }
}

/// A listing of an owner's packages; from [`OwnerPackages::list`].
///
/// ```no_run
/// # async fn example(client: github_packages::Client) -> github_packages::Result<()> {
/// use futures::TryStreamExt;
/// use github_packages::{Owner, PackageType};
///
/// let names: Vec<String> = client
///     .packages(Owner::AuthenticatedUser)
///     .list(PackageType::Npm)
///     .stream()
///     .map_ok(|package| package.name().to_owned())
///     .try_collect()
///     .await?;
/// # let _ = names; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until it is awaited or streamed"]
pub struct ListPackages {
    packages: OwnerPackages,
    package_type: PackageType,
    visibility: Option<Visibility>,
    per_page: Option<u32>,
    page: Option<u32>,
    pages_at_once: usize,
}

impl ListPackages {
    /// Only packages with this visibility.
    pub fn visibility(mut self, visibility: Visibility) -> Self {
        self.visibility = Some(visibility);
        self
    }

    async fn fetch(&self, page: Option<u32>, per_page: PerPage) -> Result<Page<Package>, Error> {
        let OwnerPackages { client, target } = &self.packages;
        dispatch::list_packages(
            client.pipeline(),
            target,
            &self.package_type,
            self.visibility.as_ref(),
            page,
            per_page,
        )
        .await
    }

    fn client(&self) -> &Client {
        &self.packages.client
    }
}

listing!(ListPackages, Package, "Packages");

/// One package of an owner; from [`OwnerPackages::package`] or
/// [`Package::handle`].
///
/// ```no_run
/// # async fn example(client: github_packages::Client) -> github_packages::Result<()> {
/// use github_packages::{Owner, PackageType};
///
/// let app = client.packages(Owner::org("acme")).package(PackageType::Npm, "@acme/app");
/// println!("{:?} versions", app.get().await?.version_count());
/// app.delete().await?; // restorable for 30 days
/// app.restore().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct PackageRef {
    client: Client,
    /// Names the package.
    target: Target,
}

impl PackageRef {
    /// The package's owner.
    pub fn owner(&self) -> &Owner {
        self.target.owner()
    }

    /// The package's type.
    pub fn package_type(&self) -> &PackageType {
        self.target
            .package_type()
            .expect("a package handle names its type")
    }

    /// The package's name.
    pub fn name(&self) -> &str {
        self.target
            .package_name()
            .expect("a package handle names its package")
    }

    /// Owner, type and name, as errors about this package show them.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Gets the package.
    pub fn get(&self) -> impl Future<Output = Result<Package, Error>> + Send + '_ {
        dispatch::get_package(self.client.pipeline(), &self.target)
    }

    /// Deletes the whole package with all its versions. GitHub keeps it
    /// restorable for 30 days. Needs `delete:packages`; not retried after
    /// errors that might have come after the deletion (see [`RetryPolicy`](crate::RetryPolicy)).
    pub fn delete(&self) -> impl Future<Output = Result<(), Error>> + Send + '_ {
        dispatch::delete_package(self.client.pipeline(), &self.target, Write::default())
    }

    /// Restores the package deleted in the last 30 days; await it, or set a
    /// package token first. Needs `write:packages`.
    pub fn restore(&self) -> RestorePackage {
        RestorePackage {
            package: self.clone(),
            token: None,
        }
    }

    /// Lists the package's versions; await it for one page, or `.stream()`
    /// it for all.
    pub fn versions(&self) -> ListVersions {
        ListVersions {
            package: self.clone(),
            state: None,
            per_page: None,
            page: None,
            pages_at_once: crate::api::paging::DEFAULT_PAGES_AT_ONCE,
        }
    }

    /// Deletes many versions of the package, each through the client's
    /// throttle, with an outcome per version; see [`Bulk`] (dry runs,
    /// stopping, progress).
    pub fn delete_versions<I>(&self, ids: I) -> Bulk
    where
        I: IntoIterator,
        I::Item: Into<VersionId>,
    {
        self.versions_bulk(BulkAction::Delete, ids)
    }

    /// Restores many versions of the package deleted in the last 30 days;
    /// see [`Bulk`].
    pub fn restore_versions<I>(&self, ids: I) -> Bulk
    where
        I: IntoIterator,
        I::Item: Into<VersionId>,
    {
        self.versions_bulk(BulkAction::Restore, ids)
    }

    fn versions_bulk<I>(&self, action: BulkAction, ids: I) -> Bulk
    where
        I: IntoIterator,
        I::Item: Into<VersionId>,
    {
        let targets = ids
            .into_iter()
            .map(|id| self.target.version(id.into()))
            .collect();
        Bulk::new(self.client.clone(), action, targets)
    }

    /// One version of the package, by [`PackageVersion::id`] (or a number:
    /// `image.version(786068)`).
    pub fn version(&self, id: impl Into<VersionId>) -> VersionRef {
        VersionRef {
            client: self.client.clone(),
            target: self.target.version(id.into()),
        }
    }
}

/// A package restore; from [`PackageRef::restore`]. Await it, with or
/// without the package token GitHub's restore optionally takes (the token
/// never appears in `Debug` output or errors).
///
/// ```no_run
/// # async fn example(app: github_packages::PackageRef, token: String) -> github_packages::Result<()> {
/// app.restore().await?;
/// app.restore().token(token).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a restore does nothing until it is awaited"]
pub struct RestorePackage {
    package: PackageRef,
    token: Option<String>,
}

impl fmt::Debug for RestorePackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestorePackage")
            .field("package", &self.package)
            .field("token", &self.token.as_ref().map(|_| crate::text::REDACTED))
            .finish()
    }
}

impl RestorePackage {
    /// The package token GitHub's restore operation optionally takes.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Restores the package.
    pub async fn send(self) -> Result<(), Error> {
        let PackageRef { client, target } = &self.package;
        dispatch::restore_package(
            client.pipeline(),
            target,
            self.token.as_deref(),
            Write::default(),
        )
        .await
    }
}

impl IntoFuture for RestorePackage {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A listing of a package's versions; from [`PackageRef::versions`].
///
/// ```no_run
/// # async fn example(app: github_packages::PackageRef) -> github_packages::Result<()> {
/// use futures::TryStreamExt;
/// use github_packages::VersionState;
///
/// // Deleted versions that can still be restored, every page.
/// let deleted: Vec<_> = app.versions().state(VersionState::Deleted).stream().try_collect().await?;
/// for version in &deleted {
///     println!("{} deleted at {:?}", version.name(), version.deleted_at());
/// }
/// # Ok(()) }
/// ```
///
/// Deleting versions while streaming shifts the pages under the stream;
/// collect what to delete first, then delete.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until it is awaited or streamed"]
pub struct ListVersions {
    package: PackageRef,
    state: Option<VersionState>,
    per_page: Option<u32>,
    page: Option<u32>,
    pages_at_once: usize,
}

impl ListVersions {
    /// Active versions (GitHub's default) or deleted, restorable ones.
    pub fn state(mut self, state: VersionState) -> Self {
        self.state = Some(state);
        self
    }

    async fn fetch(
        &self,
        page: Option<u32>,
        per_page: PerPage,
    ) -> Result<Page<PackageVersion>, Error> {
        let PackageRef { client, target } = &self.package;
        dispatch::list_versions(client.pipeline(), target, self.state, page, per_page).await
    }

    fn client(&self) -> &Client {
        &self.package.client
    }
}

listing!(ListVersions, PackageVersion, "Versions");

/// One version of a package; from [`PackageRef::version`] or
/// [`PackageVersion::handle`].
///
/// ```no_run
/// # async fn example(app: github_packages::PackageRef) -> github_packages::Result<()> {
/// use github_packages::OptionalExt;
///
/// let version = app.version(786068);
/// println!("tags: {:?}", version.get().await?.tags());
/// version.delete().await.optional()?; // idempotent: already gone is fine
/// version.restore().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct VersionRef {
    client: Client,
    /// Names the version.
    target: Target,
}

impl VersionRef {
    /// The version's id.
    pub fn id(&self) -> VersionId {
        self.target
            .version_id()
            .expect("a version handle names its version")
    }

    /// Owner, type, name and id, as errors about this version show them.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Gets the version.
    pub fn get(&self) -> impl Future<Output = Result<PackageVersion, Error>> + Send + '_ {
        dispatch::get_version(self.client.pipeline(), &self.target)
    }

    /// Deletes the version. GitHub refuses ([`Error::Refused`]) to delete a
    /// package's last version, and a public version downloaded more than
    /// 5,000 times. Needs `delete:packages`.
    pub fn delete(&self) -> impl Future<Output = Result<(), Error>> + Send + '_ {
        dispatch::delete_version(self.client.pipeline(), &self.target, Write::default())
    }

    /// Restores the version deleted in the last 30 days. Needs `write:packages`.
    pub fn restore(&self) -> impl Future<Output = Result<(), Error>> + Send + '_ {
        dispatch::restore_version(self.client.pipeline(), &self.target, Write::default())
    }
}
