//! Whole-image deletion against the fake: a deleted image takes its parts
//! (platform and attestation manifests at any depth, cosign tags, its
//! referrers index, its referrers) along, and what a kept image shares
//! stays; the scoped keep counts, the delete limit and the digest rules.

use github_packages::PackageType;
use github_packages_fake::{ImageSeed, PackageSeed};
use github_packages_retention::{
    Action, Age, Digest, Outcome, Part, Pattern, Policy, Reason, VersionPlan,
};

mod support {
    pub mod on_fake;
}
use support::on_fake::*;

/// Deletes `pr-*` at any age, keeps `v*`, and has no untagged rule: what
/// goes untagged goes only with its image.
fn pr_policy() -> Policy {
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v*")];
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(0));
    policy
}

fn goes_with(version: &VersionPlan) -> Option<(&str, &[String], &Part)> {
    match &version.reason {
        Reason::WithImage {
            image,
            image_tags,
            part,
        } => Some((image, image_tags, part)),
        _ => None,
    }
}

#[tokio::test]
async fn a_deleted_image_goes_whole_and_what_a_kept_image_shares_stays() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(
            ImageSeed::new(["v1"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(60)),
        )
        .image(
            ImageSeed::new(["pr-7"])
                .platforms(["linux/amd64", "linux/arm64"])
                .attestations()
                .signed()
                .attested()
                .with_referrer()
                .with_referrers_tag()
                .created(days_ago(40)),
        )
        .image(
            ImageSeed::new(["pr-8"])
                .sharing_platforms_of("v1")
                .created(days_ago(30)),
        );
    let fake = fake_with([app]).await;
    let plan = plan_one(&fake, &pr_policy()).await;
    let pr7 = tagged(&plan, "pr-7").name.clone();
    let v1 = tagged(&plan, "v1").name.clone();

    // pr-7's two platforms, two attestation manifests, .sig, .att,
    // referrer and referrers index go with it.
    let mut parts: Vec<String> = plan
        .versions
        .iter()
        .filter_map(goes_with)
        .map(|(image, tags, part)| {
            assert_eq!((image, tags), (pr7.as_str(), &["pr-7".to_owned()][..]));
            part.to_string()
        })
        .collect();
    parts.sort();
    assert_eq!(
        parts,
        [
            "attestation manifest",
            "attestation manifest",
            "cosign .att",
            "cosign .sig",
            "linux/amd64 manifest",
            "linux/arm64 manifest",
            "referrer, application/vnd.example.sbom.v1+json",
            "referrers index",
        ],
        "{plan:#?}"
    );
    let sig = plan
        .versions
        .iter()
        .find(|v| matches!(goes_with(v), Some((_, _, Part::Signature { kind }))  if kind == "sig"))
        .unwrap();
    assert!(
        sig.reason
            .to_string()
            .starts_with("goes with deleted image sha256:"),
        "{}",
        sig.reason
    );
    assert!(sig.reason.to_string().ends_with(" [pr-7] (cosign .sig)"));
    // pr-8 lists v1's platforms: they stay, needed by v1; only pr-8's index
    // goes.
    assert!(matches!(reason(&plan, "pr-8"), Reason::DeleteTags { .. }));
    let shared = plan
        .versions
        .iter()
        .filter(|v| matches!(&v.reason, Reason::Child { index, .. } if *index == v1))
        .count();
    assert_eq!(shared, 2);
    assert_eq!(plan.counts().delete, 2 + 8);
    let serialized = serde_json::to_value(&plan).unwrap();
    let with_image = serialized["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "with_image" && v["link"] == "child")
        .expect("a platform manifest in JSON");
    assert_eq!(with_image["image"], pr7.as_str());
    assert_eq!(with_image["image_tags"][0], "pr-7");
    assert!(with_image["platform"].is_string(), "{with_image}");

    // Carried out: only v1's tree is left, and nothing more is planned.
    let done = execute(&fake, &plan).await;
    assert!(done.is_success(), "{}", done.summary());
    assert_eq!(done.count(Outcome::Deleted), 10);
    let mut left = fake.active_versions("acme", "container", "app").unwrap();
    left.sort();
    let mut kept: Vec<String> = plan
        .versions
        .iter()
        .filter(|v| v.action() == Action::Keep)
        .map(|v| v.name.clone())
        .collect();
    kept.sort();
    assert_eq!(left, kept);
    assert_eq!(left.len(), 3, "v1 and its two platforms");
    let again = plan_one(&fake, &pr_policy()).await;
    assert_eq!(again.counts().delete, 0, "{again:#?}");
}

#[tokio::test]
async fn a_nested_index_goes_with_the_image_at_any_depth() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1"]).created(days_ago(60)));
    let fake = fake_with([app]).await;
    let outer = fake
        .change(|world| {
            let inner = world.push_image(
                "acme",
                "app",
                &ImageSeed::untagged().platforms(["linux/amd64", "linux/arm64"]),
            )?;
            world.push_index("acme", "app", &["pr-9"], &[&inner])
        })
        .unwrap();
    let plan = plan_one(&fake, &pr_policy()).await;
    assert_eq!(tagged(&plan, "pr-9").name, outer);
    let with_outer = plan
        .versions
        .iter()
        .filter(|v| goes_with(v).is_some_and(|(image, _, _)| image == outer))
        .count();
    assert_eq!(
        with_outer, 3,
        "the inner index and its two platforms: {plan:#?}"
    );
    assert_eq!(plan.counts().delete, 4);
    let done = execute(&fake, &plan).await;
    assert!(done.is_success(), "{}", done.summary());
    assert_eq!(
        fake.active_versions("acme", "container", "app").unwrap(),
        [tagged(&plan, "v1").name.clone()]
    );
}

#[tokio::test]
async fn the_untagged_rule_counts_images_not_their_parts() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(
            ImageSeed::new(["v1"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(90)),
        )
        .image(
            ImageSeed::untagged()
                .platforms(["linux/amd64", "linux/arm64"])
                .signed()
                .created(days_ago(80)),
        )
        .image(ImageSeed::untagged().created(days_ago(70)))
        .image(ImageSeed::untagged().created(days_ago(60)))
        .image(ImageSeed::untagged().created(days_ago(50)));
    let fake = fake_with([app]).await;
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v*")];
    policy.delete_untagged_older_than = Some(Age::days(30));
    policy.delete_untagged_keep_latest = Some(2);

    let plan = plan_one(&fake, &policy).await;
    // Four untagged images (the multi-arch one counts once); the two
    // newest stay.
    let mut reasons: Vec<String> = plan
        .versions
        .iter()
        .filter(|v| {
            matches!(
                v.reason,
                Reason::Untagged { .. } | Reason::LatestUntagged { .. }
            )
        })
        .map(|v| v.reason.to_string())
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "one of the 2 most recent untagged versions old enough to delete (#1)",
            "one of the 2 most recent untagged versions old enough to delete (#2)",
            "untagged, 70 days old",
            "untagged, 80 days old",
        ],
        "{plan:#?}"
    );
    // The untagged index takes its platforms and signature along; v1's
    // platforms stay.
    assert_eq!(plan.versions.iter().filter_map(goes_with).count(), 3);
    assert_eq!(plan.counts().protected, 2);
    assert_eq!(plan.counts().delete, 2 + 3);
}

#[tokio::test]
async fn of_what_delete_tags_selects_the_newest_stay() {
    let mut app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1"]).created(days_ago(90)));
    for (n, age) in [(1, 50), (2, 40), (3, 30), (4, 20), (5, 10)] {
        app = app.image(ImageSeed::new([format!("pr-{n}")]).created(days_ago(age)));
    }
    let fake = fake_with([app]).await;
    let mut policy = pr_policy();
    policy.delete_tags_keep_latest = Some(3);
    let plan = plan_one(&fake, &policy).await;
    for (tag, rank) in [("pr-5", 1), ("pr-4", 2), ("pr-3", 3)] {
        assert_eq!(
            *reason(&plan, tag),
            Reason::LatestOfDeleteTags { rank, of: 3 },
            "{tag}"
        );
    }
    assert_eq!(deleted_tags(&plan), ["pr-2", "pr-1"]);
    assert_eq!(
        reason(&plan, "pr-5").to_string(),
        "one of the 3 most recent versions delete_tags selects (#1)"
    );

    // At most two deletions, the oldest: pr-1 and pr-2 of five.
    let mut limited = pr_policy();
    limited.delete_at_most = Some(2);
    let plan = plan_one(&fake, &limited).await;
    assert_eq!(deleted_tags(&plan), ["pr-2", "pr-1"]);
    assert_eq!(
        *reason(&plan, "pr-3"),
        Reason::OverDeleteLimit { at_most: 2 }
    );
}

#[tokio::test]
async fn digests_are_kept_and_deleted_by_name() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1"]).created(days_ago(90)))
        .image(ImageSeed::new(["pr-1"]).created(days_ago(50)))
        .image(ImageSeed::new(["nightly"]).created(days_ago(1)))
        .image(
            ImageSeed::new(["pr-2"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(40)),
        );
    let fake = fake_with([app]).await;
    let names = plan_one(&fake, &Policy::new(PackageType::Container)).await;
    let digest = |tag: &str| -> Digest {
        tagged(&names, tag)
            .name
            .to_uppercase()
            .replace("SHA256", "sha256")
            .parse()
            .unwrap()
    };

    let mut policy = pr_policy();
    policy.keep_digests = vec![digest("pr-1")];
    policy.delete_digests = vec![digest("nightly"), digest("v1")];
    let plan = plan_one(&fake, &policy).await;
    assert_eq!(*reason(&plan, "pr-1"), Reason::KeepDigest);
    assert_eq!(*reason(&plan, "nightly"), Reason::DeleteDigest);
    assert!(
        matches!(reason(&plan, "v1"), Reason::KeepTag { .. }),
        "a keep rule wins over delete_digests"
    );
    assert_eq!(
        reason(&plan, "nightly").to_string(),
        "its digest is in delete_digests"
    );
    // pr-2 goes with its platforms.
    assert_eq!(plan.counts().delete, 1 + 3);
}

#[test]
fn the_new_keys_read_from_toml_and_refuse_what_cannot_work() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    let policy = Policy::from_toml(&format!(
        r#"
        package_type = "container"
        keep_digests = ["{digest}"]
        delete_untagged_older_than = "1d"
        delete_untagged_keep_latest = 5
        delete_tags = ["pr-*"]
        delete_tags_older_than = "0d"
        delete_tags_keep_latest = 3
        delete_digests = ["{}"]
        delete_at_most = 100
        "#,
        digest.to_uppercase().replace("SHA256", "sha256")
    ))
    .unwrap();
    assert_eq!(policy.keep_digests, policy.delete_digests);
    assert_eq!(policy.delete_at_most, Some(100));
    let again = Policy::from_toml(&toml::to_string(&policy).unwrap()).unwrap();
    assert_eq!(again, policy);

    let cases = [
        (
            "package_type = \"container\"\nkeep_digests = [\"sha256:abc\"]",
            "`sha256:abc` is not a digest such as sha256:<64 hex digits>",
        ),
        (
            "package_type = \"container\"\ndelete_untagged_keep_latest = 3",
            "so it needs delete_untagged_older_than",
        ),
        (
            "package_type = \"container\"\ndelete_tags_keep_latest = 3",
            "so it needs delete_tags",
        ),
        (
            "package_type = \"container\"\ndelete_at_most = 3",
            "delete_at_most limits the delete rules, and there is none",
        ),
        (
            "package_type = \"npm\"\ndelete_tags = [\"*\"]\ndelete_tags_older_than = \"0d\"\ndelete_at_most = 0",
            "delete_at_most = 0 deletes nothing",
        ),
        (
            &format!("package_type = \"npm\"\nkeep_digests = [\"{digest}\"]"),
            "only container and docker packages have them",
        ),
    ];
    for (text, expected) in cases {
        let error = Policy::from_toml(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text}: {error}");
        assert!(!error.contains('\n'), "{error}");
    }
}
