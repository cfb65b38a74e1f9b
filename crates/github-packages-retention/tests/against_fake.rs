//! Retention against the fake GitHub, whose registry serves the manifests
//! of the images it lists: every policy rule, the protection of what kept
//! images need, failing closed, GitHub's refusals, and executing a plan.

use github_packages::{Client, Owner, PackageType};
use github_packages_fake::{Fake, ImageSeed, PackageSeed, Seed, VersionSeed};
use github_packages_retention::{
    Action, Age, AgeFrom, Outcome, PackagePlan, Pattern, Plan, Policy, Reason, Registry, Retention,
    VersionPlan,
};

mod support {
    pub mod on_fake;
}
use support::on_fake::{TOKEN, base_seed, days_ago, retention, tagged};

/// The plan for org `acme` under `policy`.
async fn plan_acme(fake: &Fake, policy: &Policy) -> Plan {
    retention(fake)
        .plan(Owner::org("acme"), policy)
        .await
        .unwrap()
}

fn policy(package_type: PackageType) -> Policy {
    Policy::new(package_type)
}

fn only(plan: &Plan) -> &PackagePlan {
    assert_eq!(plan.packages.len(), 1, "{plan:#?}");
    &plan.packages[0]
}

#[tokio::test]
async fn every_rule_decides_and_says_why() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["latest"]).created(days_ago(100)))
        .image(ImageSeed::new(["v1.2.0"]).created(days_ago(90)))
        .image(ImageSeed::new(["1.0.0"]).created(days_ago(80)))
        .image(ImageSeed::new(["pr-12"]).created(days_ago(60)))
        .image(ImageSeed::new(["feature-x"]).created(days_ago(50)))
        .image(ImageSeed::untagged().created(days_ago(40)))
        .image(ImageSeed::untagged().created(days_ago(10)))
        .image(ImageSeed::new(["pr-13"]).created(days_ago(3)));
    let fake = Fake::start(base_seed().package(app)).await.unwrap();
    let mut policy = policy(PackageType::Container);
    policy.keep_latest = Some(2);
    policy.keep_tags = vec![Pattern::new("latest"), Pattern::new("v*")];
    policy.keep_semver = true;
    policy.keep_younger_than = Some(Age::days(7));
    policy.delete_untagged_older_than = Some(Age::days(30));
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(14));

    let plan = plan_acme(&fake, &policy).await;
    let app = only(&plan);
    assert_eq!(app.blocked, None);
    let reason = |tag: &str| tagged(app, tag).reason.clone();
    assert!(matches!(reason("latest"), Reason::KeepTag { pattern, .. } if pattern == "latest"));
    assert!(matches!(reason("v1.2.0"), Reason::KeepTag { pattern, .. } if pattern == "v*"));
    assert!(matches!(reason("1.0.0"), Reason::Semver { .. }));
    assert!(matches!(reason("pr-13"), Reason::Young { .. }));
    assert!(matches!(
        reason("feature-x"),
        Reason::Latest { rank: 2, of: 2 }
    ));
    assert!(matches!(
        reason("pr-12"),
        Reason::DeleteTags { age_days: 60, .. }
    ));
    let untagged: Vec<&Reason> = app
        .versions
        .iter()
        .filter(|v| v.tags.is_empty())
        .map(|v| &v.reason)
        .collect();
    assert!(matches!(
        untagged[..],
        [Reason::NoRule, Reason::Untagged { age_days: 40 }]
    ));
    assert_eq!(
        reason("pr-12").to_string(),
        "tag pr-12 matches `pr-*`, 60 days old"
    );
    let counts = app.counts();
    assert_eq!((counts.keep, counts.delete, counts.protected), (6, 2, 0));
    // Eight manifests, read a few at once, share one registry sign-in.
    let requests = fake.requests();
    assert_eq!(requests.iter().filter(|r| r.path == "/token").count(), 1);
}

#[tokio::test]
async fn non_container_versions_are_judged_by_name() {
    let tool = PackageSeed::new("acme", "npm", "tool")
        .version(VersionSeed::new("2.0.0").created(days_ago(50)))
        .version(VersionSeed::new("2.0.0-pr.5").created(days_ago(40)))
        .version(VersionSeed::new("nightly-1").created(days_ago(30)));
    let fake = Fake::start(base_seed().package(tool)).await.unwrap();
    let mut policy = policy(PackageType::Npm);
    policy.keep_tags = vec![Pattern::new("2.0.0")];
    policy.delete_tags = vec![Pattern::new("*-pr.*"), Pattern::new("nightly-*")];
    policy.delete_tags_older_than = Some(Age::days(7));
    let plan = plan_acme(&fake, &policy).await;
    let actions: Vec<(&str, Action)> = only(&plan)
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.action()))
        .collect();
    assert_eq!(
        actions,
        [
            ("nightly-1", Action::Delete),
            ("2.0.0-pr.5", Action::Delete),
            ("2.0.0", Action::Keep)
        ]
    );
}

/// A kept multi-arch image with everything that hangs off it, an untagged
/// multi-arch image nobody keeps, and a stray old image.
fn multi_arch() -> PackageSeed {
    PackageSeed::new("acme", "container", "team/app")
        .image(
            ImageSeed::new(["v2.0.0"])
                .platforms(["linux/amd64", "linux/arm64"])
                .attestations()
                .signed()
                .attested()
                .with_referrer()
                .created(days_ago(100)),
        )
        .image(
            ImageSeed::untagged()
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(90)),
        )
        .image(ImageSeed::new(["pr-7"]).signed().created(days_ago(80)))
        .image(ImageSeed::untagged().created(days_ago(70)))
}

fn prune_policy() -> Policy {
    let mut policy = policy(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v*")];
    policy.delete_untagged_older_than = Some(Age::days(30));
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(14));
    policy
}

/// The fake seeded with `seed`, and the plan for org `acme` under
/// `prune_policy`.
async fn planned(seed: Seed) -> (Fake, Retention, Plan) {
    let fake = Fake::start(seed).await.unwrap();
    let retention = retention(&fake);
    let plan = retention
        .plan(Owner::org("acme"), &prune_policy())
        .await
        .unwrap();
    (fake, retention, plan)
}

#[tokio::test]
async fn what_a_kept_image_needs_is_kept() {
    let (fake, _, plan) = planned(base_seed().package(multi_arch())).await;
    let app = only(&plan);
    assert_eq!(app.blocked, None);
    let index = tagged(app, "v2.0.0").name.clone();
    let kept_by = |matches: &dyn Fn(&Reason) -> bool| {
        app.versions.iter().filter(|v| matches(&v.reason)).count()
    };
    let platforms = kept_by(
        &|r| matches!(r, Reason::Child { index: i, platform: Some(p) } if *i == index && p.starts_with("linux/")),
    );
    let attestations =
        kept_by(&|r| matches!(r, Reason::Child { platform: Some(p), .. } if p == "attestation"));
    let signatures = kept_by(&|r| matches!(r, Reason::Signature { of, .. } if *of == index));
    let referrers = kept_by(&|r| matches!(r, Reason::Referrer { of, .. } if *of == index));
    assert_eq!(
        (platforms, attestations, signatures, referrers),
        (2, 2, 2, 1)
    );
    assert!(app.versions.iter().any(|v| {
        v.reason
            .to_string()
            .starts_with("child of kept index sha256:")
    }));

    // Nobody keeps the untagged index, its children, pr-7 and its
    // signature, or the stray image: 3 + 2 + 1 versions.
    assert_eq!(app.deletions().count(), 6, "{app:#?}");
    assert!(
        app.deletions()
            .any(|v| v.tags.iter().any(|t| t.ends_with(".sig")))
    );
    assert_eq!(app.counts().protected, 7);

    // Planning sent only reads: one sign-in to the registry, and each
    // manifest at most once; the manifests of the kept index's platform
    // and attestation manifests, which the index describes as image
    // manifests, are not needed (docs/github-behaviour.md, "Which
    // manifests a plan reads").
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" || r.method == "HEAD"),
        "{requests:?}"
    );
    let sign_ins = requests.iter().filter(|r| r.path == "/token").count();
    let manifests: Vec<&str> = requests
        .iter()
        .filter(|r| r.path.contains("/manifests/"))
        .map(|r| r.path.as_str())
        .collect();
    let distinct: std::collections::BTreeSet<&str> = manifests.iter().copied().collect();
    assert_eq!(sign_ins, 1, "{requests:?}");
    assert_eq!(manifests.len(), distinct.len(), "{manifests:?}");
    let mut unread: Vec<&Reason> = app
        .versions
        .iter()
        .filter(|v| !distinct.iter().any(|path| path.ends_with(&v.name)))
        .map(|v| &v.reason)
        .collect();
    unread.sort_by_key(|r| r.to_string());
    assert_eq!(unread.len(), 4, "{unread:?}");
    assert!(
        unread
            .iter()
            .all(|r| matches!(r, Reason::Child { index: i, .. } if *i == index)),
        "{unread:?}"
    );
}

#[tokio::test]
async fn executing_deletes_indexes_first_and_a_rerun_changes_nothing() {
    let (fake, retention, plan) = planned(base_seed().package(multi_arch())).await;
    let app = only(&plan);
    let untagged_index = app
        .versions
        .iter()
        .find(|v| v.action() == Action::Delete && app.is_index(&v.name))
        .expect("the untagged index is deleted")
        .id;
    let pr = tagged(app, "pr-7");
    let signature = app
        .versions
        .iter()
        .find(|v| v.tags.iter().any(|t| t.ends_with(".sig")) && v.action() == Action::Delete)
        .expect("pr-7's signature is deleted")
        .id;
    let pr = pr.id;
    fake.clear_requests();

    let done = retention
        .execute(&plan, Default::default(), |_, _| {})
        .await
        .unwrap();
    assert!(done.is_success(), "{done:?}");
    assert_eq!(
        done.summary(),
        "deleted 6, already gone 0, changed since the plan 0, refused 0, failed 0, not attempted 0"
    );
    let deletes: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path)
        .collect();
    assert_eq!(deletes.len(), 6);
    let position = |id: github_packages::VersionId| {
        deletes
            .iter()
            .position(|path| path.ends_with(&format!("/{id}")))
            .unwrap()
    };
    // The index goes before its children (the two untagged platform
    // manifests), and the image before its signature.
    let children: Vec<_> = app
        .deletions()
        .filter(|v| v.tags.is_empty() && !app.is_index(&v.name))
        .map(|v| v.id)
        .collect();
    let index_children = children
        .iter()
        .filter(|id| position(**id) > position(untagged_index))
        .count();
    assert!(
        index_children >= 2,
        "the index goes before its children: {deletes:?}"
    );
    assert!(position(signature) > position(pr), "{deletes:?}");
    // Everything the kept image needs is still there.
    let active = fake
        .active_versions("acme", "container", "team/app")
        .unwrap();
    for version in app.versions.iter().filter(|v| v.action() == Action::Keep) {
        assert!(active.contains(&version.name), "{} is gone", version.name);
    }

    // The same plan again: everything is already gone, which is success.
    let again = retention
        .execute(&plan, Default::default(), |_, _| {})
        .await
        .unwrap();
    assert!(again.is_success());
    assert_eq!(
        again.summary(),
        "deleted 0, already gone 6, changed since the plan 0, refused 0, failed 0, not attempted 0"
    );
    // A new plan deletes nothing more.
    let replanned = retention
        .plan(Owner::org("acme"), &prune_policy())
        .await
        .unwrap();
    assert_eq!(only(&replanned).deletions().count(), 0);
}

#[tokio::test]
async fn the_children_of_an_index_github_refuses_to_delete_stay() {
    // A public image index downloaded too often: GitHub refuses to delete
    // it, so its platform manifests must stay for it to pull.
    let popular = ImageSeed::untagged()
        .platforms(["linux/amd64", "linux/arm64"])
        .created(days_ago(90))
        .downloads(6_000);
    let app = PackageSeed::new("acme", "container", "team/app")
        .visibility("public")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(100)))
        .image(popular);
    let (fake, retention, plan) = planned(base_seed().package(app)).await;
    let app = only(&plan);
    assert_eq!(app.deletions().count(), 3, "{app:#?}");
    let index = app
        .deletions()
        .find(|v| app.is_index(&v.name))
        .expect("the index is planned for deletion")
        .name
        .clone();

    let done = retention
        .execute(&plan, Default::default(), |_, _| {})
        .await
        .unwrap();
    assert!(!done.is_success());
    assert_eq!(
        done.summary(),
        "deleted 0, already gone 0, changed since the plan 0, refused 1, failed 0, not attempted 2"
    );
    let errors: Vec<_> = done.packages[0].errors().collect();
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.detail.as_deref()
                == Some(&format!("not deleted: its index {index} is still there")))
            .count(),
        2,
        "{errors:?}"
    );
    // Only the index was asked for, and the image still has its children.
    let deletes = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 1);
    let active = fake
        .active_versions("acme", "container", "team/app")
        .unwrap();
    assert_eq!(active.len(), 4, "{active:?}");
}

#[tokio::test]
async fn a_manifest_that_cannot_be_read_blocks_the_package() {
    // Versions GitHub lists but the registry has no manifest for.
    let ghost = PackageSeed::new("acme", "container", "ghost")
        .version(
            VersionSeed::new("sha256:1111")
                .tags(["v1"])
                .created(days_ago(90)),
        )
        .version(VersionSeed::new("sha256:2222").created(days_ago(80)));
    let (fake, retention, plan) = planned(base_seed().package(ghost).package(multi_arch())).await;
    let ghost = plan.packages.iter().find(|p| p.name == "ghost").unwrap();
    let why = ghost.blocked.as_deref().expect("blocked");
    assert!(why.contains("could not be read"), "{why}");
    assert_eq!(ghost.deletions().count(), 0);
    assert!(
        ghost
            .versions
            .iter()
            .any(|v| matches!(v.reason, Reason::RegistryUnavailable { .. }))
    );
    // The other package is unaffected.
    let app = plan.packages.iter().find(|p| p.name == "team/app").unwrap();
    assert_eq!(app.deletions().count(), 6);

    fake.clear_requests();
    let done = retention
        .execute(&plan, Default::default(), |_, _| {})
        .await
        .unwrap();
    let ghost_done = done.packages.iter().find(|p| p.name == "ghost").unwrap();
    assert_eq!(ghost_done.count(Outcome::Deleted), 0);
    assert!(ghost_done.blocked.is_some());
    assert!(
        fake.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .all(|r| !r.path.contains("ghost"))
    );
}

#[tokio::test]
async fn an_unreachable_registry_blocks_every_container_package() {
    let fake = Fake::start(base_seed().package(multi_arch()))
        .await
        .unwrap();
    let client = Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .build()
        .unwrap();
    // Nothing listens on port 9 of loopback.
    let nowhere = Registry::new("http://127.0.0.1:9", Some(TOKEN.to_owned())).unwrap();
    let plan = Retention::new(client.clone())
        .registry(nowhere)
        .plan(Owner::org("acme"), &prune_policy())
        .await
        .unwrap();
    let why = only(&plan).blocked.clone().expect("blocked");
    assert!(why.contains("127.0.0.1:9"), "{why}");
    assert!(!why.contains(TOKEN), "{why}");
    assert_eq!(plan.counts().delete, 0);

    // Without any registry, the same.
    let plan = Retention::new(client)
        .plan(Owner::org("acme"), &prune_policy())
        .await
        .unwrap();
    assert!(
        only(&plan)
            .blocked
            .as_deref()
            .unwrap()
            .contains("no container registry")
    );
}

#[tokio::test]
async fn the_last_version_and_the_last_tagged_one_stay() {
    let npm = PackageSeed::new("acme", "npm", "old")
        .version(VersionSeed::new("1.0.0").created(days_ago(50)))
        .version(VersionSeed::new("1.0.1").created(days_ago(40)));
    let image = PackageSeed::new("acme", "container", "img")
        .image(ImageSeed::new(["pr-1"]).created(days_ago(50)))
        .image(ImageSeed::new(["pr-2"]).created(days_ago(40)))
        .image(ImageSeed::untagged().created(days_ago(10)));
    let fake = Fake::start(base_seed().package(npm).package(image))
        .await
        .unwrap();
    let retention = retention(&fake);

    let mut everything = policy(PackageType::Npm);
    everything.delete_tags = vec![Pattern::new("*")];
    everything.delete_tags_older_than = Some(Age::days(0));
    let plan = retention
        .plan(Owner::org("acme"), &everything)
        .await
        .unwrap();
    let old = only(&plan);
    assert_eq!(old.versions[0].name, "1.0.1");
    assert_eq!(old.versions[0].reason, Reason::LastVersion);
    assert_eq!(old.deletions().count(), 1);

    let mut pr = policy(PackageType::Container);
    pr.delete_tags = vec![Pattern::new("pr-*")];
    pr.delete_tags_older_than = Some(Age::days(0));
    pr.delete_untagged_older_than = Some(Age::days(1));
    let plan = retention.plan(Owner::org("acme"), &pr).await.unwrap();
    let img = only(&plan);
    // The newest version is untagged: it is the last version, pr-2 the
    // last tagged one.
    assert_eq!(img.versions[0].reason, Reason::LastVersion);
    assert_eq!(tagged(img, "pr-2").reason, Reason::LastTagged);
    assert_eq!(tagged(img, "pr-1").action(), Action::Delete);
}

#[tokio::test]
async fn literal_names_are_fetched_not_listed_and_me_finds_its_image() {
    let mine = PackageSeed::new("alice", "container", "sandbox")
        .image(
            ImageSeed::new(["v1"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(60)),
        )
        .image(ImageSeed::untagged().created(days_ago(60)));
    let fake = Fake::start(base_seed().package(mine)).await.unwrap();
    let mut policy = prune_policy();
    policy.packages = vec![Pattern::new("sandbox")];
    let plan = retention(&fake)
        .plan(Owner::AuthenticatedUser, &policy)
        .await
        .unwrap();
    let sandbox = only(&plan);
    assert_eq!(
        sandbox.blocked, None,
        "the image path was found from the owner's login"
    );
    assert_eq!(sandbox.counts().protected, 2, "{sandbox:#?}");
    assert_eq!(sandbox.deletions().count(), 1);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.operation != Some("packages/list-packages-for-authenticated-user")),
        "a literal name is fetched, not listed"
    );
}

#[tokio::test]
async fn the_plan_serializes_with_rules_and_words() {
    let (_fake, _, plan) = planned(base_seed().package(multi_arch())).await;
    let json = serde_json::to_value(&plan).unwrap();
    let package = &json["packages"][0];
    assert_eq!(package["owner"], "org:acme");
    assert_eq!(package["package_type"], "container");
    assert_eq!(package["delete"], 6);
    let child = package["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "child")
        .unwrap();
    assert_eq!(child["action"], "keep");
    assert!(child["index"].as_str().unwrap().starts_with("sha256:"));
    assert!(
        child["why"]
            .as_str()
            .unwrap()
            .starts_with("child of kept index")
    );
    for field in ["id", "name", "tags", "created_at"] {
        assert!(!child[field].is_null(), "{field}");
    }
}

#[tokio::test]
async fn children_shared_with_a_kept_index_stay_when_the_other_index_goes() {
    let seed = base_seed().package(
        PackageSeed::new("acme", "container", "app")
            .image(
                ImageSeed::new(["v1"])
                    .platforms(["linux/amd64", "linux/arm64"])
                    .created(days_ago(60)),
            )
            .image(
                ImageSeed::new(["pr-7"])
                    .sharing_platforms_of("v1")
                    .created(days_ago(40)),
            ),
    );
    let (_, _, plan) = planned(seed).await;
    let app = only(&plan);
    assert_eq!(app.blocked, None, "{app:#?}");
    let deleted: Vec<&VersionPlan> = app.deletions().collect();
    assert_eq!(deleted.len(), 1, "only the pr-7 index: {app:#?}");
    assert_eq!(deleted[0].tags, ["pr-7"]);
    let v1 = tagged(app, "v1").name.clone();
    let shared_kept = app
        .versions
        .iter()
        .filter(|v| matches!(&v.reason, Reason::Child { index, .. } if *index == v1))
        .count();
    assert_eq!(shared_kept, 2, "{app:#?}");
}

#[tokio::test]
async fn ages_count_from_the_last_update_when_asked() {
    let seed = base_seed().package(
        PackageSeed::new("acme", "container", "app")
            .image(ImageSeed::new(["latest"]).created(days_ago(60)))
            .image(ImageSeed::new(["next"]).created(days_ago(1))),
    );
    let fake = Fake::start(seed).await.unwrap();
    // `latest` moves to the new image today: the old one is untagged now,
    // 60 days after it was pushed and a moment after its last update.
    let new = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "next"))
        .unwrap();
    fake.change(|world| world.move_tag("acme", "app", "latest", &new))
        .unwrap();
    let mut policy = policy(PackageType::Container);
    policy.delete_untagged_older_than = Some(Age::days(30));

    let by_creation = plan_acme(&fake, &policy).await;
    assert_eq!(
        only(&by_creation).deletions().count(),
        1,
        "{by_creation:#?}"
    );

    policy.age_from = AgeFrom::UpdatedAt;
    let by_update = plan_acme(&fake, &policy).await;
    assert_eq!(only(&by_update).deletions().count(), 0, "{by_update:#?}");
    let from_toml = Policy::from_toml(
        "package_type = \"container\"\ndelete_untagged_older_than = \"30d\"\nage_from = \"updated_at\"",
    )
    .unwrap();
    assert_eq!(from_toml, policy);
    let bad =
        Policy::from_toml("package_type = \"container\"\nage_from = \"pushed_at\"").unwrap_err();
    assert!(bad.to_string().contains("pushed_at"), "{bad}");
}
