//! Each peer's most common workflows, written as the README's mapping
//! says, give the outcome the peer documents — or the safer one the README
//! names: snok/container-retention-policy, dataaxiom/ghcr-cleanup-action
//! and actions/delete-package-versions, from the examples in their READMEs.

use github_packages_fake::{ImageSeed, PackageSeed, VersionSeed};
use github_packages_retention::{Action, PackagePlan, Policy, Reason};

mod support {
    pub mod on_fake;
}
use support::on_fake::*;

/// The names `plan` deletes, oldest first.
fn deleted_names(plan: &PackagePlan) -> Vec<&str> {
    let mut names: Vec<&str> = plan
        .versions
        .iter()
        .rev()
        .filter(|v| v.action() == Action::Delete)
        .map(|v| v.name.as_str())
        .collect();
    names.dedup();
    names
}

/// npm versions, one a day, the first `versions.len()` days ago.
fn npm(versions: &[&str]) -> PackageSeed {
    let mut package = PackageSeed::new("acme", "npm", "tool");
    for (i, name) in versions.iter().enumerate() {
        let age = i64::try_from(versions.len() - i).unwrap();
        package = package.version(VersionSeed::new(*name).created(days_ago(age)));
    }
    package
}

/// Releases, two of them major versions.
const RELEASES: [&str; 7] = [
    "1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0", "2.2.0", "2.3.0",
];

/// Every version, at any age.
const DELETE_ALL: &str = "delete_tags = [\"*\"]\ndelete_tags_older_than = \"0d\"";

/// actions/delete-package-versions' `ignore-versions` example: major
/// versions as semver has them.
const KEEP_MAJOR: &str = r#"keep_tags = ['re:^(0|[1-9]\d*)\.0\.0$']"#;

#[tokio::test]
async fn delete_package_versions_all_but_the_latest_3_ignoring_major_versions() {
    // min-versions-to-keep: 3, ignore-versions: '^(0|[1-9]\\d*)\\.0\\.0$'
    let fake = fake_with([npm(&RELEASES)]).await;
    let policy = Policy::from_toml(&format!(
        "package_type = \"npm\"\n{KEEP_MAJOR}\n{DELETE_ALL}\ndelete_tags_keep_latest = 3"
    ))
    .unwrap();
    let plan = plan_one(&fake, &policy).await;
    assert_eq!(deleted_names(&plan), ["1.1.0", "1.2.0"]);
    let major = plan.versions.iter().find(|v| v.name == "2.0.0").unwrap();
    assert!(matches!(major.reason, Reason::KeepTag { .. }));
}

#[tokio::test]
async fn delete_package_versions_the_3_oldest_ignoring_major_versions() {
    // num-old-versions-to-delete: 3, ignore-versions: '^(0|[1-9]\\d*)\\.0\\.0$'
    let fake = fake_with([npm(&RELEASES)]).await;
    let policy = Policy::from_toml(&format!(
        "package_type = \"npm\"\n{KEEP_MAJOR}\n{DELETE_ALL}\ndelete_at_most = 3"
    ))
    .unwrap();
    let plan = plan_one(&fake, &policy).await;
    assert_eq!(deleted_names(&plan), ["1.1.0", "1.2.0", "2.1.0"]);
}

#[tokio::test]
async fn delete_package_versions_pre_releases_but_the_latest_2() {
    // min-versions-to-keep: 2, delete-only-pre-release-versions: true (a
    // pre-release is any name that is not dot-separated numbers).
    let fake = fake_with([npm(&[
        "1.0.0",
        "1.1.0-rc.1",
        "1.1.0-rc.2",
        "1.1.0",
        "1.2.0-beta.1",
        "1.2.0-beta.2",
    ])])
    .await;
    let policy = Policy::from_toml(
        r#"
        package_type = "npm"
        delete_tags = ['not:re:^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$']
        delete_tags_older_than = "0d"
        delete_tags_keep_latest = 2
        "#,
    )
    .unwrap();
    let plan = plan_one(&fake, &policy).await;
    assert_eq!(deleted_names(&plan), ["1.1.0-rc.1", "1.1.0-rc.2"]);
}

#[tokio::test]
async fn delete_package_versions_untagged_but_the_latest_3_leaves_kept_images_whole() {
    // min-versions-to-keep: 3, delete-only-untagged-versions: true. The
    // peer counts the platform manifests of tagged images among the
    // untagged versions and deletes them (actions/delete-package-versions#90);
    // here they are parts of the kept image and do not count.
    let mut app = PackageSeed::new("acme", "container", "app").image(
        ImageSeed::new(["v1"])
            .platforms(["linux/amd64", "linux/arm64"])
            .created(days_ago(100)),
    );
    for age in [60, 50, 40, 30, 20] {
        app = app.image(ImageSeed::untagged().created(days_ago(age)));
    }
    let fake = fake_with([app]).await;
    let policy = Policy::from_toml(
        r#"
        package_type = "container"
        delete_untagged_older_than = "1h"
        delete_untagged_keep_latest = 3
        "#,
    )
    .unwrap();
    let plan = plan_one(&fake, &policy).await;
    let untagged: Vec<i64> = plan
        .versions
        .iter()
        .filter_map(|v| match v.reason {
            Reason::Untagged { age_days } => Some(age_days),
            _ => None,
        })
        .collect();
    assert_eq!(untagged, [50, 60]);
    assert_eq!(plan.counts().protected, 2);
    assert_eq!(plan.counts().delete, 2);
}

#[tokio::test]
async fn container_retention_policy_keeps_the_5_most_recent_of_what_is_past_the_cut_off() {
    // image-tags: "*", tag-selection: both, cut-off: 1w,
    // keep-n-most-recent: 5 (timestamp-to-use: updated_at by default).
    let mut app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["fresh"]).created(days_ago(2)));
    for n in 1..=7 {
        app = app.image(ImageSeed::new([format!("build-{n}")]).created(days_ago(80 - 10 * n)));
    }
    app = app
        .image(ImageSeed::untagged().created(days_ago(30)))
        .image(ImageSeed::untagged().created(days_ago(3)));
    let fake = fake_with([app]).await;
    let policy = Policy::from_toml(
        r#"
        package_type = "container"
        age_from = "updated_at"
        delete_tags = ["*"]
        delete_tags_older_than = "1w"
        delete_tags_keep_latest = 5
        delete_untagged_older_than = "1w"
        "#,
    )
    .unwrap();
    let plan = plan_one(&fake, &policy).await;
    assert_eq!(deleted_tags(&plan), ["-", "build-2", "build-1"]);
    assert_eq!(
        *reason(&plan, "fresh"),
        Reason::NoRule,
        "inside the cut-off"
    );
    assert_eq!(
        *reason(&plan, "build-3"),
        Reason::LatestOfDeleteTags { rank: 5, of: 5 }
    );
}

#[tokio::test]
async fn ghcr_cleanup_keeps_the_newest_tagged_plus_dev_and_drops_the_rest() {
    // keep-n-tagged: 3, exclude-tags: dev, delete-untagged: true (the
    // README's "keep 10 tagged images plus dev", with 3).
    let mut app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["dev"]).created(days_ago(90)));
    for n in 1..=5 {
        app = app.image(
            ImageSeed::new([format!("v{n}")])
                .platforms(["linux/amd64", "linux/arm64"])
                .signed()
                .created(days_ago(60 - 10 * n)),
        );
    }
    app = app.image(ImageSeed::untagged().created(days_ago(20)));
    let fake = fake_with([app]).await;
    let policy = Policy::from_toml(
        r#"
        package_type = "container"
        keep_tags = ["dev"]
        delete_tags = ["*"]
        delete_tags_older_than = "0d"
        delete_tags_keep_latest = 3
        delete_untagged_older_than = "1h"
        "#,
    )
    .unwrap();
    let plan = plan_one(&fake, &policy).await;
    // v1 and v2 go whole (index, two platforms, signature: 4 each), and
    // the untagged image.
    let roots: Vec<&str> = deleted_tags(&plan)
        .into_iter()
        .filter(|t| t.starts_with('v') || *t == "-")
        .collect();
    assert!(roots.contains(&"v1") && roots.contains(&"v2"), "{roots:?}");
    assert_eq!(plan.counts().delete, 2 * 4 + 1, "{plan:#?}");
    for tag in ["dev", "v3", "v4", "v5"] {
        assert_eq!(tagged(&plan, tag).action(), Action::Keep, "{tag}");
    }
    let done = execute(&fake, &plan).await;
    assert!(done.is_success(), "{}", done.summary());
    assert_eq!(
        fake.active_versions("acme", "container", "app")
            .unwrap()
            .len(),
        1 + 3 * 4
    );
}
