//! The owner-scope table: for each request, the generated operation that
//! serves it for an organization, a user and the authenticated user.
//!
//! This is the only module that names generated methods and GitHub's
//! operationIds. Every request is checked here before anything is sent:
//! names, enum values GitHub would not accept, and paging bounds.

use std::sync::Arc;

use progenitor_client::ResponseValue;

use crate::api::checks::{
    self, checked_package, checked_version, documented, page_number, page_size, restore_token,
};
use crate::api::paging::{Links, Page, PerPage};
use crate::error::Error;
use crate::http::pipeline::{Call, Pipeline, Write};
use crate::model::enums::{PackageType, VersionState, Visibility};
use crate::model::owner::Owner;
use crate::model::package::{Package, PackageVersion};
use crate::model::target::Target;

/// Sends one generated request built by `$request` (which sees the
/// generated client as `$client`), with retries; evaluates to the
/// operationId with the answer.
macro_rules! send {
    ($pipeline:expr, $call:expr, |$client:ident| $request:expr) => {{
        let call: Call<'_> = $call;
        let pipeline: &Arc<Pipeline> = $pipeline;
        let $client = &pipeline.generated;
        pipeline
            .execute(call, move || $request.send())
            .await
            .map(|response| (call.operation, response))
    }};
}

/// One table row: the generated method and operationId per owner scope,
/// the checks (binding `$checked` for the request, given the operationId as
/// `$op`), and how to fill the builder `$b`. `idempotent` marks requests that may
/// be repeated after any transient failure (GETs); `secret` is a value sent
/// besides the token that must stay out of errors (a restore token); `write`
/// says how a bulk run sends it (a dry run, a stop).
macro_rules! by_owner {
    (
        $pipeline:expr, $target:expr, idempotent: $idempotent:expr, $(secret: $secret:expr,)? $(write: $write:expr,)?
        org: $org:ident = $org_id:literal,
        user: $user:ident = $user_id:literal,
        me: $me:ident = $me_id:literal,
        check: |$op:ident| $checked:pat = $check:expr,
        fill: |$b:ident| $fill:expr $(,)?
    ) => {{
        let target: &Target = $target;
        let owner = target.owner();
        let call = |operation| Call {
            operation,
            target,
            idempotent: $idempotent,
            secret: None $(.or($secret))?,
            write: None $(.or(Some($write)))?.unwrap_or_default(),
        };
        match owner {
            Owner::Org(login) => {
                let $op: &'static str = $org_id;
                checks::owner($op, owner)?;
                let $checked = $check;
                send!($pipeline, call($op), |client| {
                    let $b = client.$org().org(login.as_str());
                    $fill
                })
            }
            Owner::User(login) => {
                let $op: &'static str = $user_id;
                checks::owner($op, owner)?;
                let $checked = $check;
                send!($pipeline, call($op), |client| {
                    let $b = client.$user().username(login.as_str());
                    $fill
                })
            }
            Owner::AuthenticatedUser => {
                let $op: &'static str = $me_id;
                let $checked = $check;
                send!($pipeline, call($op), |client| {
                    let $b = client.$me();
                    $fill
                })
            }
        }
    }};
}

/// A row about one package, which every such operation checks and fills
/// alike; `$rest` is `by_owner!`'s flags and scopes.
macro_rules! by_package {
    ($pipeline:expr, $target:expr, $($rest:tt)*) => {{
        let (package_type, name) = package_of($target);
        by_owner!($pipeline, $target, $($rest)*
            check: |op| ty = checked_package(op, package_type, name)?,
            fill: |b| b.package_type(ty).package_name(name),
        )
    }};
}

/// A row about one version, which every such operation checks and fills
/// alike; `$rest` is `by_owner!`'s flags and scopes.
macro_rules! by_version {
    ($pipeline:expr, $target:expr, $($rest:tt)*) => {{
        let (package_type, name, id) = version_of($target);
        by_owner!($pipeline, $target, $($rest)*
            check: |op| (ty, id) = checked_version(op, package_type, name, id)?,
            fill: |b| b.package_type(ty).package_name(name).package_version_id(id),
        )
    }};
}

/// Sets the optional listing parameters a scope documents on builder `$b`.
macro_rules! paged {
    ($b:expr $(, state: $state:expr)?, page: $page:expr, per_page: $per_page:expr) => {{
        let b = $b;
        $(let b = match $state { Some(s) => b.state(s), None => b };)?
        let b = match $page { Some(n) => b.page(n), None => b };
        match $per_page { Some(n) => b.per_page(n), None => b }
    }};
}

pub(crate) async fn docker_conflicts(
    pipeline: &Arc<Pipeline>,
    target: &Target,
) -> Result<Vec<Package>, Error> {
    let (_, response) = by_owner!(pipeline, target, idempotent: true,
        org: packages_list_docker_migration_conflicting_packages_for_organization =
            "packages/list-docker-migration-conflicting-packages-for-organization",
        user: packages_list_docker_migration_conflicting_packages_for_user =
            "packages/list-docker-migration-conflicting-packages-for-user",
        me: packages_list_docker_migration_conflicting_packages_for_authenticated_user =
            "packages/list-docker-migration-conflicting-packages-for-authenticated-user",
        check: |_op| () = (),
        fill: |b| b,
    )?;
    Ok(response
        .into_inner()
        .into_iter()
        .map(Package::from_raw)
        .collect())
}

pub(crate) async fn list_packages(
    pipeline: &Arc<Pipeline>,
    target: &Target,
    package_type: &PackageType,
    visibility: Option<&Visibility>,
    page: Option<u32>,
    per_page: PerPage,
) -> Result<Page<Package>, Error> {
    let (operation, response) = by_owner!(pipeline, target, idempotent: true,
        org: packages_list_packages_for_organization = "packages/list-packages-for-organization",
        user: packages_list_packages_for_user = "packages/list-packages-for-user",
        me: packages_list_packages_for_authenticated_user = "packages/list-packages-for-authenticated-user",
        check: |op| (ty, visibility, page, per_page) = (
            documented(op, package_type.to_raw())?,
            visibility.map(|v| documented(op, v.to_raw())).transpose()?,
            page_number(op, page)?,
            page_size(op, per_page)?,
        ),
        fill: |b| {
            let b = b.package_type(ty);
            let b = match visibility { Some(v) => b.visibility(v), None => b };
            paged!(b, page: page, per_page: per_page)
        },
    )?;
    page_of(operation, response, Package::from_raw)
}

pub(crate) async fn get_package(
    pipeline: &Arc<Pipeline>,
    target: &Target,
) -> Result<Package, Error> {
    let (_, response) = by_package!(pipeline, target, idempotent: true,
        org: packages_get_package_for_organization = "packages/get-package-for-organization",
        user: packages_get_package_for_user = "packages/get-package-for-user",
        me: packages_get_package_for_authenticated_user = "packages/get-package-for-authenticated-user",
    )?;
    Ok(Package::from_raw(response.into_inner()))
}

pub(crate) async fn delete_package(
    pipeline: &Arc<Pipeline>,
    target: &Target,
    write: Write<'_>,
) -> Result<(), Error> {
    done(
        by_package!(pipeline, target, idempotent: false, write: write,
            org: packages_delete_package_for_org = "packages/delete-package-for-org",
            user: packages_delete_package_for_user = "packages/delete-package-for-user",
            me: packages_delete_package_for_authenticated_user = "packages/delete-package-for-authenticated-user",
        ),
    )
}

pub(crate) async fn restore_package(
    pipeline: &Arc<Pipeline>,
    target: &Target,
    token: Option<&str>,
    write: Write<'_>,
) -> Result<(), Error> {
    let (package_type, name) = package_of(target);
    done(
        by_owner!(pipeline, target, idempotent: false, secret: token, write: write,
            org: packages_restore_package_for_org = "packages/restore-package-for-org",
            user: packages_restore_package_for_user = "packages/restore-package-for-user",
            me: packages_restore_package_for_authenticated_user = "packages/restore-package-for-authenticated-user",
            check: |op| (ty, ()) = (checked_package(op, package_type, name)?, restore_token(op, token)?),
            fill: |b| {
                let b = b.package_type(ty).package_name(name);
                match token { Some(token) => b.token(token), None => b }
            },
        ),
    )
}

/// Lists a package's versions. The user scope pages like the others (see
/// codegen's `page_user_package_versions` fixup).
pub(crate) async fn list_versions(
    pipeline: &Arc<Pipeline>,
    target: &Target,
    state: Option<VersionState>,
    page: Option<u32>,
    per_page: PerPage,
) -> Result<Page<PackageVersion>, Error> {
    let (package_type, name) = package_of(target);
    let state = state.map(VersionState::to_raw);
    let (operation, response) = by_owner!(pipeline, target, idempotent: true,
        org: packages_get_all_package_versions_for_package_owned_by_org =
            "packages/get-all-package-versions-for-package-owned-by-org",
        user: packages_get_all_package_versions_for_package_owned_by_user =
            "packages/get-all-package-versions-for-package-owned-by-user",
        me: packages_get_all_package_versions_for_package_owned_by_authenticated_user =
            "packages/get-all-package-versions-for-package-owned-by-authenticated-user",
        check: |op| (ty, page, per_page) = (
            checked_package(op, package_type, name)?,
            page_number(op, page)?,
            page_size(op, per_page)?,
        ),
        fill: |b| {
            let b = b.package_type(ty).package_name(name);
            paged!(b, state: state, page: page, per_page: per_page)
        },
    )?;
    page_of(operation, response, PackageVersion::from_raw)
}

pub(crate) async fn get_version(
    pipeline: &Arc<Pipeline>,
    target: &Target,
) -> Result<PackageVersion, Error> {
    let (_, response) = by_version!(pipeline, target, idempotent: true,
        org: packages_get_package_version_for_organization = "packages/get-package-version-for-organization",
        user: packages_get_package_version_for_user = "packages/get-package-version-for-user",
        me: packages_get_package_version_for_authenticated_user = "packages/get-package-version-for-authenticated-user",
    )?;
    Ok(PackageVersion::from_raw(response.into_inner()))
}

pub(crate) async fn delete_version(
    pipeline: &Arc<Pipeline>,
    target: &Target,
    write: Write<'_>,
) -> Result<(), Error> {
    done(
        by_version!(pipeline, target, idempotent: false, write: write,
            org: packages_delete_package_version_for_org = "packages/delete-package-version-for-org",
            user: packages_delete_package_version_for_user = "packages/delete-package-version-for-user",
            me: packages_delete_package_version_for_authenticated_user = "packages/delete-package-version-for-authenticated-user",
        ),
    )
}

pub(crate) async fn restore_version(
    pipeline: &Arc<Pipeline>,
    target: &Target,
    write: Write<'_>,
) -> Result<(), Error> {
    done(
        by_version!(pipeline, target, idempotent: false, write: write,
            org: packages_restore_package_version_for_org = "packages/restore-package-version-for-org",
            user: packages_restore_package_version_for_user = "packages/restore-package-version-for-user",
            me: packages_restore_package_version_for_authenticated_user = "packages/restore-package-version-for-authenticated-user",
        ),
    )
}

/// The package a package-level target names (handles always set it).
fn package_of(target: &Target) -> (&PackageType, &str) {
    target
        .package_type()
        .zip(target.package_name())
        .expect("package handles carry a package")
}

/// The package and version a version-level target names.
fn version_of(target: &Target) -> (&PackageType, &str, i64) {
    let (package_type, name) = package_of(target);
    let id = target
        .version_id()
        .expect("version handles carry a version");
    (package_type, name, id.get())
}

fn page_of<T, U>(
    operation: &'static str,
    response: ResponseValue<Vec<T>>,
    item: fn(T) -> U,
) -> Result<Page<U>, Error> {
    let links = Links::from_headers(response.headers()).ok_or_else(|| Error::Paging {
        operation,
        message: "GitHub's Link header is not valid text, so whether more pages follow \
                  cannot be told"
            .to_owned(),
    })?;
    Ok(Page {
        items: response.into_inner().into_iter().map(item).collect(),
        links,
        operation,
    })
}

/// A delete or restore succeeded on any 2xx, also one GitHub's description
/// does not list (it documents 204 only).
fn done(result: Result<(&'static str, ResponseValue<()>), Error>) -> Result<(), Error> {
    match result {
        Ok(_) => Ok(()),
        Err(Error::Status { status, .. }) if status.is_success() => Ok(()),
        Err(error) => Err(error),
    }
}
