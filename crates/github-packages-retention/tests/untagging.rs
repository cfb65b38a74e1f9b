//! Untagging against the fake: with `delete_tags_untag`, an image that has
//! tags `delete_tags` does not all match loses just the matching ones — a
//! unique empty index pushed under each, then deleted through the REST
//! API — and keeps the rest; a tag that moved since the plan is left
//! alone.

use github_packages::PackageType;
use github_packages_fake::{Fake, ImageSeed, PackageSeed};
use github_packages_retention::{
    Action, Age, ExecuteOptions, Journal, Outcome, Pattern, Plan, Policy, Reason, TagRestore,
};

mod support {
    pub mod on_fake;
}
use support::on_fake::*;

fn untag_policy() -> Policy {
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("latest")];
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(1));
    policy.delete_tags_untag = true;
    policy
}

async fn seeded() -> Fake {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["latest"]).created(days_ago(90)))
        .image(
            ImageSeed::new(["v1", "pr-7", "pr-8"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(60)),
        )
        .image(ImageSeed::new(["pr-9"]).created(days_ago(30)))
        .image(ImageSeed::new(["v2", "pr-10"]).created(days_ago(20)));
    fake_with([app]).await
}

fn writes(fake: &Fake) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.method != "HEAD")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn matching_tags_go_and_the_image_stays_with_the_rest() {
    let fake = seeded().await;
    let plan = plan_one(&fake, &untag_policy()).await;
    let v1 = tagged(&plan, "v1");
    assert_eq!(v1.action(), Action::Untag);
    assert_eq!(
        v1.reason,
        Reason::Untag {
            tags: vec!["pr-7".to_owned(), "pr-8".to_owned()],
            pattern: "pr-*".to_owned(),
            age_days: 60,
        }
    );
    assert_eq!(
        v1.reason.to_string(),
        "tags pr-7, pr-8 match `pr-*`, 60 days old; the image keeps its other tags"
    );
    assert!(matches!(reason(&plan, "pr-9"), Reason::DeleteTags { .. }));
    assert_eq!(tagged(&plan, "v2").action(), Action::Untag);
    let counts = plan.counts();
    assert_eq!((counts.untag, counts.delete), (2, 1));
    let serialized = serde_json::to_value(&plan).unwrap();
    assert_eq!(serialized["untag"], 2);
    // The platforms of an image that stays are its parts.
    assert_eq!(counts.protected, 2);

    let v1_name = v1.name.clone();
    fake.clear_requests();
    let done = execute(&fake, &plan).await;
    assert!(done.is_success(), "{}", done.summary());
    assert_eq!(done.count(Outcome::Untagged), 2);
    assert_eq!(done.count(Outcome::Deleted), 1);
    assert!(
        done.summary().ends_with(", untagged 2"),
        "{}",
        done.summary()
    );
    let report = serde_json::to_value(&done).unwrap();
    assert_eq!(report["packages"][0]["untagged"], 2);

    // Three placeholders pushed, each under its tag (newest image first),
    // and each deleted right after.
    let writes = writes(&fake);
    let puts: Vec<&String> = writes.iter().filter(|w| w.starts_with("PUT")).collect();
    assert_eq!(
        puts,
        [
            "PUT /v2/acme/app/manifests/pr-10",
            "PUT /v2/acme/app/manifests/pr-7",
            "PUT /v2/acme/app/manifests/pr-8",
        ],
        "{writes:?}"
    );
    assert_eq!(
        writes.iter().filter(|w| w.starts_with("DELETE")).count(),
        1 + 3
    );

    // The image stays whole, with its other tag; no pr- tag is left.
    let again = plan_one(&fake, &untag_policy()).await;
    let v1 = tagged(&again, "v1");
    assert_eq!(v1.name, v1_name);
    assert_eq!(v1.tags, ["v1"]);
    assert!(
        again
            .versions
            .iter()
            .all(|v| v.tags.iter().all(|t| !t.starts_with("pr-"))),
        "{again:#?}"
    );
    assert_eq!(
        again.versions.len(),
        1 + 3 + 1,
        "latest, v1 and its platforms, v2"
    );
    assert_eq!(again.counts().delete + again.counts().untag, 0);
}

#[tokio::test]
async fn a_tag_moved_since_the_plan_is_left_alone() {
    let fake = seeded().await;
    let plan = plan_one(&fake, &untag_policy()).await;
    // pr-10 moves to a new image after the plan.
    fake.change(|world| {
        let new = world.push_image("acme", "app", &ImageSeed::new(["build-1"]))?;
        world.move_tag("acme", "app", "pr-10", &new)
    })
    .unwrap();
    fake.clear_requests();
    let done = execute(&fake, &plan).await;
    let v2 = done.packages[0]
        .versions
        .iter()
        .find(|v| v.name == tagged(&plan, "v2").name)
        .unwrap();
    assert_eq!(v2.outcome, Outcome::Changed, "{v2}");
    assert!(
        v2.detail
            .as_deref()
            .unwrap()
            .starts_with("its tags were [v2, pr-10] in the plan"),
        "{v2}"
    );
    assert!(
        !writes(&fake).contains(&"PUT /v2/acme/app/manifests/pr-10".to_owned()),
        "{:?}",
        writes(&fake)
    );
    let new = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "pr-10"))
        .unwrap();
    let build = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "build-1"))
        .unwrap();
    assert_eq!(new, build, "pr-10 still names the new image");
}

/// The journal says which tags an untag moved off which image, and
/// `restore_tags` puts them back: the image's own manifest pushed under
/// each, so the tag names the same version again. A tag someone moved to
/// another image since is left alone.
#[tokio::test]
async fn an_untag_is_undone_from_its_journal_entry() {
    let fake = seeded().await;
    let plan = plan_one(&fake, &untag_policy()).await;
    let v1 = tagged(&plan, "v1").clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let options = ExecuteOptions {
        journal: Some(Journal::create(&path).unwrap()),
        ..Default::default()
    };
    let whole = Plan {
        made_at: chrono::Utc::now(),
        packages: vec![plan.clone()],
    };
    let retention = retention(&fake);
    let done = retention.execute(&whole, options, |_, _| {}).await.unwrap();
    assert_eq!(done.count(Outcome::Untagged), 2);
    let entries = Journal::read(&path).unwrap();
    let entry = entries
        .iter()
        .find(|e| e.name.as_deref() == Some(v1.name.as_str()))
        .unwrap();
    assert_eq!(
        (entry.action.as_str(), entry.outcome.as_str()),
        ("untag", "untagged")
    );
    assert_eq!(entry.removed_tags, ["pr-7", "pr-8"]);

    // pr-8 is taken by another image meanwhile.
    fake.change(|world| world.push_image("acme", "app", &ImageSeed::new(["pr-8"])))
        .unwrap();
    let package = client(&fake)
        .packages(github_packages::Owner::org("acme"))
        .package(PackageType::Container, "app");
    let dry = retention
        .restore_tags(&package, &v1.name, &entry.removed_tags, false)
        .await;
    assert_eq!(dry[0], ("pr-7".to_owned(), TagRestore::WouldRestore));
    assert!(
        matches!(&dry[1], (tag, TagRestore::Changed(_)) if tag == "pr-8"),
        "{dry:?}"
    );
    fake.clear_requests();
    let undone = retention
        .restore_tags(&package, &v1.name, &entry.removed_tags, true)
        .await;
    assert_eq!(undone[0], ("pr-7".to_owned(), TagRestore::Restored));
    assert!(
        matches!(&undone[1], (_, TagRestore::Changed(why)) if why.starts_with("it names sha256:"))
    );
    assert_eq!(
        writes(&fake),
        ["PUT /v2/acme/app/manifests/pr-7"],
        "one push, nothing deleted"
    );
    let pr7 = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "pr-7"))
        .unwrap();
    assert_eq!(pr7, v1.name, "pr-7 names the image again");
    let again = retention
        .restore_tags(&package, &v1.name, &["pr-7".to_owned()], true)
        .await;
    assert_eq!(again[0].1, TagRestore::AlreadyThere);
}

#[test]
fn untagging_needs_delete_tags_and_a_container_package() {
    for (text, expected) in [
        (
            "package_type = \"container\"\ndelete_tags_untag = true",
            "so it needs delete_tags",
        ),
        (
            "package_type = \"docker\"\ndelete_tags = [\"pr-*\"]\ndelete_tags_older_than = \"1d\"\ndelete_tags_untag = true",
            "only container packages have",
        ),
    ] {
        let error = Policy::from_toml(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[tokio::test]
async fn after_a_stop_no_tag_is_moved() {
    let fake = seeded().await;
    let plan = plan_one(&fake, &untag_policy()).await;
    let plan = github_packages_retention::Plan {
        made_at: chrono::Utc::now(),
        packages: vec![plan],
    };
    fake.clear_requests();
    let options = github_packages_retention::ExecuteOptions {
        stop: Some(Box::pin(async {})),
        ..Default::default()
    };
    let done = retention(&fake)
        .execute(&plan, options, |_, _| {})
        .await
        .unwrap();
    assert_eq!(done.count(Outcome::NotAttempted), 3, "{}", done.summary());
    assert_eq!(writes(&fake), Vec::<String>::new());
}
