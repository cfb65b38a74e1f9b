//! Answers in the shapes api.github.com really sends (fixtures in
//! `tests/fixtures/`, own data): listings without `version_count`, owners
//! with extra fields, reduced repositories, container versions with license
//! and description, cosign tags, a multi-arch image, string statuses.

use futures::TryStreamExt;
use github_packages::{Error, Owner, PackageType, RetryPolicy, Visibility};
use reqwest::StatusCode;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::Harness;

fn fixture(name: &str) -> Value {
    let file = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

async fn serve(harness: &Harness, at: &str, status: u16, body: Value) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&harness.server)
        .await;
}

#[tokio::test]
async fn a_listing_without_version_count_with_extra_owner_fields_and_reduced_repositories() {
    let harness = Harness::new().await;
    serve(
        &harness,
        "/orgs/acme-labs/packages",
        200,
        fixture("org-packages-listing.json"),
    )
    .await;
    let page = harness
        .client
        .packages(Owner::org("acme-labs"))
        .list(PackageType::Container)
        .await
        .unwrap();
    let names: Vec<&str> = page.items.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["widgets/api", "widgets/worker", "widget-cli"]);
    for package in &page.items {
        assert_eq!(package.version_count(), None);
        assert_eq!(package.owner_login(), Some("acme-labs"));
        assert_eq!(package.package_type(), &PackageType::Container);
    }
    assert_eq!(
        page.items[0].repository_full_name(),
        Some("acme-labs/widgets")
    );
    assert_eq!(page.items[2].repository_full_name(), None);
    assert_eq!(page.items[2].visibility(), &Visibility::Internal);
    let repository = page.items[0].raw().repository.as_ref().unwrap();
    assert_eq!(repository.archive_url, None, "reduced: no URL templates");
}

#[tokio::test]
async fn a_single_package_carries_its_version_count() {
    let harness = Harness::new().await;
    serve(
        &harness,
        "/orgs/acme-labs/packages/container/widgets%2Fapi",
        200,
        fixture("org-package.json"),
    )
    .await;
    let package = harness
        .client
        .packages(Owner::org("acme-labs"))
        .package(PackageType::Container, "widgets/api")
        .get()
        .await
        .unwrap();
    assert_eq!(package.version_count(), Some(6));
}

#[tokio::test]
async fn a_multi_arch_image_with_signature_and_attestation_tags() {
    let harness = Harness::new().await;
    serve(
        &harness,
        "/orgs/acme-labs/packages/container/widgets%2Fapi/versions",
        200,
        fixture("container-versions-multi-arch.json"),
    )
    .await;
    let versions: Vec<_> = harness
        .client
        .packages(Owner::org("acme-labs"))
        .package(PackageType::Container, "widgets/api")
        .versions()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 6);
    let index = &versions[2];
    assert_eq!(index.tags(), ["v1.4.0", "latest"]);
    assert_eq!(index.license(), Some("Apache-2.0"));
    assert_eq!(index.description(), Some("The widgets API server"));
    let index_hex = index.name().strip_prefix("sha256:").unwrap();

    let untagged: Vec<i64> = versions
        .iter()
        .filter(|v| !v.is_tagged())
        .map(|v| v.id().get())
        .collect();
    assert_eq!(
        untagged,
        [880103, 880102, 880101],
        "the platform manifests and the attestation manifest"
    );
    assert_eq!(
        versions[1].tags(),
        [format!("sha256-{index_hex}.sig")],
        "the signature is a version of its own, tagged after the digest it signs"
    );
    assert_eq!(versions[0].tags(), [format!("sha256-{index_hex}.att")]);
    for version in &versions {
        assert_eq!(version.package_type(), Some(&PackageType::Container));
        assert!(version.name().starts_with("sha256:"));
    }
}

#[tokio::test]
async fn an_error_body_with_a_string_status_maps_to_not_found() {
    let harness = Harness::with_retry(RetryPolicy::none(), |b| b).await;
    for at in [
        "/orgs/acme-labs/packages/container/gone",
        "/orgs/acme-labs/packages/container/gone/versions",
    ] {
        serve(&harness, at, 404, fixture("error-not-found.json")).await;
    }
    let package = harness
        .client
        .packages(Owner::org("acme-labs"))
        .package(PackageType::Container, "gone");
    let get = package.get().await.unwrap_err();
    let list = package.versions().await.unwrap_err();
    for error in [get, list] {
        assert!(
            matches!(&error, Error::NotFound { documentation_url: Some(url), .. } if url.contains("get-a-package")),
            "{error:?}"
        );
        assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    }
}

#[tokio::test]
async fn an_item_that_still_fails_is_named_by_index_and_field() {
    let harness = Harness::new().await;
    let mut listing = fixture("org-packages-listing.json");
    listing[1]["owner"]["login"] = Value::from(42);
    listing[2].as_object_mut().unwrap().remove("name");
    serve(&harness, "/orgs/acme-labs/packages", 200, listing).await;
    let error = harness
        .client
        .packages(Owner::org("acme-labs"))
        .list(PackageType::Container)
        .await
        .unwrap_err();
    let Error::Decode { path, status, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*status, StatusCode::OK);
    assert_eq!(path.as_deref(), Some("[1].owner.login"));
    let message = error.to_string();
    assert!(
        message.starts_with(
            "packages/list-packages-for-organization (org acme-labs): the answer (200) is not what \
             GitHub documents in item 1 at `owner.login`: invalid type: integer `42`, expected a string"
        ),
        "{message}"
    );
}

/// REST API version 2026-03-10 drops `has_downloads` from the repositories
/// nested in packages (the only change to the packages operations, per
/// GitHub's breaking-change notices in the description); answers in either
/// version decode.
#[tokio::test]
async fn answers_in_either_api_version_decode() {
    for (version, has_downloads) in [("2022-11-28", Some(true)), ("2026-03-10", None)] {
        let harness = Harness::with(|b| b.api_version(version)).await;
        let mut package = fixture("org-package.json");
        match has_downloads {
            Some(value) => package["repository"]["has_downloads"] = Value::from(value),
            None => assert!(package["repository"].get("has_downloads").is_none()),
        }
        Mock::given(method("GET"))
            .and(wiremock::matchers::header("x-github-api-version", version))
            .respond_with(ResponseTemplate::new(200).set_body_json(package))
            .expect(1)
            .mount(&harness.server)
            .await;
        let package = harness
            .client
            .packages(Owner::org("acme-labs"))
            .package(PackageType::Container, "widgets/api")
            .get()
            .await
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        let repository = package.raw().repository.as_ref().unwrap();
        assert_eq!(repository.has_downloads, has_downloads, "{version}");
        assert_eq!(package.repository_full_name(), Some("acme-labs/widgets"));
    }
}
