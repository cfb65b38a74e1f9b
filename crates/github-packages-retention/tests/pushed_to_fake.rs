//! An image pushed to the fake with oci-client, as a build pushes it to
//! ghcr.io, becomes versions on the REST side, and the retention plan sees
//! the new versions and keeps what the pushed index needs.

use github_packages::{Owner, PackageType};
use github_packages_retention::{Age, Policy, Reason};
use oci_client::secrets::RegistryAuth;
use serde_json::json;

mod support {
    pub mod on_fake;
    pub mod pusher;
}
use support::on_fake::{TOKEN, fake_with, retention};
use support::pusher::Pusher;

#[tokio::test(flavor = "multi_thread")]
async fn a_pushed_multi_arch_image_is_planned_with_its_children_kept() {
    let fake = fake_with([]).await;
    let host = fake.url().trim_start_matches("http://");
    let auth = RegistryAuth::Basic("alice".to_owned(), TOKEN.to_owned());
    let pusher = Pusher::new(host, &auth).await;
    let mut children = Vec::new();
    for architecture in ["amd64", "arm64"] {
        let image = pusher.image(architecture, None).await;
        let mut entry = pusher.manifest(&image, None).await;
        entry["platform"] = json!({"os": "linux", "architecture": architecture});
        children.push(entry);
    }
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": children,
    });
    let index = pusher.manifest(&index, Some("v1")).await;
    let index_digest = index["digest"].as_str().unwrap().to_owned();

    // The first push made the package; each manifest is a version.
    let listed = fake.active_versions("acme", "container", "app").unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(listed[0], index_digest, "the index came last, newest");

    let mut policy = Policy::new(PackageType::Container);
    policy.delete_untagged_older_than = Some(Age::days(0));
    policy.allow_untagged_under_an_hour = true;
    let plan = retention(&fake)
        .plan(Owner::org("acme"), &policy)
        .await
        .unwrap();
    let app = &plan.packages[0];
    assert_eq!(app.blocked, None, "{app:#?}");
    assert_eq!(app.versions.len(), 3);
    assert_eq!(
        app.deletions().count(),
        0,
        "the untagged children are the index's: {app:#?}"
    );
    let children_kept = app
        .versions
        .iter()
        .filter(|v| matches!(&v.reason, Reason::Child { index, .. } if *index == index_digest))
        .count();
    assert_eq!(children_kept, 2, "{app:#?}");
}
