//! Executing a plan while the registry changes under it: re-tags, new
//! pushes that reuse planned manifests, restores, listings that shift while
//! they are read, deletions GitHub refuses at the top of a tree, and stops.
//! Each test says what is deleted, what is sent, and what is reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use github_packages::{Client, Owner, PackageType, RetryPolicy, Throttle};
use github_packages_fake::{
    Fake, ImageSeed, LimitsSeed, LoggedRequest, PackageSeed, Seed, TokenSeed, VersionSeed,
};
use github_packages_retention::{
    Action, Age, ExecuteError, ExecuteOptions, Execution, Outcome, PackagePlan, Part, Pattern,
    Plan, Policy, Reason, Registry, Retention,
};

const TOKEN: &str = "ghp_world_alice";

fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

fn seed(package: PackageSeed) -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .limits(LimitsSeed::off())
        .package(package)
}

fn retention_with(fake: &Fake, throttle: Throttle) -> Retention {
    let client = Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .retry(RetryPolicy::none())
        .throttle(throttle)
        .build()
        .unwrap();
    let registry = Registry::for_api(fake.url(), Some(TOKEN.to_owned()))
        .unwrap()
        .unwrap();
    Retention::new(client).registry(registry)
}

fn retention(fake: &Fake) -> Retention {
    retention_with(fake, Throttle::off())
}

/// Keep `v*`, delete untagged versions older than 30 days and `pr-*`
/// older than 14.
fn policy() -> Policy {
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v*")];
    policy.delete_untagged_older_than = Some(Age::days(30));
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(14));
    policy
}

async fn plan(retention: &Retention, policy: &Policy) -> Plan {
    retention.plan(Owner::org("acme"), policy).await.unwrap()
}

async fn execute(retention: &Retention, plan: &Plan) -> Execution {
    retention
        .execute(plan, ExecuteOptions::default(), |_, _| {})
        .await
        .unwrap()
}

fn only(plan: &Plan) -> &PackagePlan {
    assert_eq!(plan.packages.len(), 1, "{plan:#?}");
    &plan.packages[0]
}

/// The paths of the DELETEs the fake received.
fn deletes(fake: &Fake) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path)
        .collect()
}

fn deleted(fake: &Fake, id: github_packages::VersionId) -> bool {
    deletes(fake).iter().any(|p| p.ends_with(&format!("/{id}")))
}

/// The outcome of the version named `name`.
fn outcome_of<'a>(
    done: &'a Execution,
    name: &str,
) -> &'a github_packages_retention::VersionOutcome {
    done.packages
        .iter()
        .flat_map(|p| &p.versions)
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no outcome for {name}: {done:#?}"))
}

/// A kept release and two old untagged images, and the plan under
/// [`policy`], which deletes the two.
async fn release_and_two_strays() -> (Fake, Retention, Plan) {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(90)))
        .image(ImageSeed::untagged().created(days_ago(60)))
        .image(ImageSeed::untagged().created(days_ago(50)));
    let fake = Fake::start(seed(app)).await.unwrap();
    let retention = retention(&fake);
    let plan = plan(&retention, &policy()).await;
    (fake, retention, plan)
}

#[tokio::test]
async fn a_version_tagged_since_the_plan_is_kept() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(90)))
        .image(
            ImageSeed::untagged()
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(60)),
        )
        .image(ImageSeed::untagged().created(days_ago(50)));
    let fake = Fake::start(seed(app)).await.unwrap();
    let retention = retention(&fake);
    let plan = plan(&retention, &policy()).await;
    let app = only(&plan);
    // The untagged index, its two children and the stray image.
    assert_eq!(app.deletions().count(), 4, "{app:#?}");
    let index = app
        .deletions()
        .find(|v| app.is_index(&v.name))
        .unwrap()
        .clone();

    // Someone tags the untagged multi-arch image `latest` after the plan.
    fake.change(|world| world.move_tag("acme", "app", "latest", &index.name))
        .unwrap();
    fake.clear_requests();
    let done = execute(&retention, &plan).await;

    let retagged = outcome_of(&done, &index.name);
    assert_eq!(retagged.outcome, Outcome::Changed);
    assert_eq!(
        retagged.detail.as_deref(),
        Some("its tags were [] in the plan and are [latest] now")
    );
    // Its children stay with it, and say why.
    let children: Vec<_> = app
        .deletions()
        .filter(|v| app.children_of(&index.name).any(|child| child == v.name))
        .collect();
    assert_eq!(children.len(), 2);
    for child in &children {
        let outcome = outcome_of(&done, &child.name);
        assert_eq!(outcome.outcome, Outcome::Changed, "{outcome:?}");
        let detail = outcome.detail.as_deref().unwrap();
        assert!(
            detail.starts_with("child of kept index sha256:")
                && detail.ends_with("whose tags changed since the plan"),
            "{detail}"
        );
        assert!(!deleted(&fake, child.id));
    }
    // Only the stray image was deleted; the image tagged `latest` pulls.
    assert_eq!(deletes(&fake).len(), 1, "{:?}", deletes(&fake));
    assert_eq!(
        done.summary(),
        "deleted 1, already gone 0, changed since the plan 3, refused 0, failed 0, not attempted 0"
    );
    assert!(done.is_success(), "a change is not a failure");
    let active = fake.active_versions("acme", "container", "app").unwrap();
    assert!(active.contains(&index.name));
    assert!(children.iter().all(|c| active.contains(&c.name)));
}

#[tokio::test]
async fn a_new_multi_arch_push_that_reuses_a_planned_manifest_keeps_it() {
    let (fake, retention, plan) = release_and_two_strays().await;
    let app = only(&plan);
    let orphans: Vec<_> = app.deletions().cloned().collect();
    assert_eq!(orphans.len(), 2);

    // A build pushes a multi-arch image whose arm64 manifest is one the
    // plan deletes (same content, same digest), and tags it v2.
    let adopted = &orphans[0];
    let index = fake
        .change(|world| world.push_index("acme", "app", &["v2.0.0"], &[&adopted.name]))
        .unwrap();
    fake.clear_requests();
    let done = execute(&retention, &plan).await;

    let kept = outcome_of(&done, &adopted.name);
    assert_eq!(kept.outcome, Outcome::Changed);
    assert_eq!(
        kept.detail.as_deref(),
        Some(
            format!(
                "child of kept index {}, which appeared since the plan",
                &index[..19]
            )
            .as_str()
        )
    );
    assert!(!deleted(&fake, adopted.id));
    assert!(deleted(&fake, orphans[1].id));
    assert_eq!(deletes(&fake).len(), 1);
    // The new image's manifest was read; the plan's were not read again.
    let manifests: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/manifests/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(manifests, [format!("/v2/acme/app/manifests/{index}")]);
}

#[tokio::test]
async fn a_restored_index_keeps_the_children_the_plan_found_orphaned() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(90)))
        .image(
            ImageSeed::new(["pr-3"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(60)),
        );
    let fake = Fake::start(seed(app)).await.unwrap();
    let active = fake.active_versions("acme", "container", "app").unwrap();
    // pr-3's index, deleted before the plan: its children look orphaned.
    let index = active[0].clone();
    fake.change(|world| world.delete_version("acme", "container", "app", &index))
        .unwrap();
    let retention = retention(&fake);
    let plan = plan(&retention, &policy()).await;
    let children: Vec<_> = only(&plan).deletions().cloned().collect();
    assert_eq!(children.len(), 2, "{plan:#?}");

    // Someone restores the index after the plan.
    fake.change(|world| world.restore_version("acme", "container", "app", &index))
        .unwrap();
    fake.clear_requests();
    let done = execute(&retention, &plan).await;
    for child in &children {
        let outcome = outcome_of(&done, &child.name);
        assert_eq!(outcome.outcome, Outcome::Changed);
        assert!(
            outcome
                .detail
                .as_deref()
                .unwrap()
                .ends_with("which appeared since the plan"),
            "{outcome:?}"
        );
    }
    assert!(deletes(&fake).is_empty(), "{:?}", deletes(&fake));
}

#[tokio::test]
async fn a_version_deleted_by_someone_else_counts_as_gone_without_a_request() {
    let (fake, retention, plan) = release_and_two_strays().await;
    let gone = only(&plan).deletions().next().unwrap().clone();
    fake.change(|world| world.delete_version("acme", "container", "app", &gone.name))
        .unwrap();
    fake.clear_requests();
    let done = execute(&retention, &plan).await;
    assert_eq!(outcome_of(&done, &gone.name).outcome, Outcome::AlreadyGone);
    assert_eq!(deletes(&fake).len(), 1);
    assert!(done.is_success());
}

/// A container package of `count` images tagged `pr-N`, a day apart, all
/// older than 14 days, and a kept release.
fn many_images(count: usize) -> PackageSeed {
    let mut app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(400)));
    for n in 0..count {
        app = app.image(ImageSeed::new([format!("pr-{n}")]).created(days_ago(20 + n as i64)));
    }
    app
}

fn is_second_page(request: &LoggedRequest) -> bool {
    request.path.ends_with("/versions")
        && request
            .query
            .as_deref()
            .is_some_and(|q| q.contains("page=2"))
}

#[tokio::test]
async fn a_version_listed_twice_with_different_tags_is_kept() {
    let fake = Fake::start(seed(many_images(150))).await.unwrap();
    // While the second page is asked for, a build pushes a new image (the
    // listing shifts by one: the last of page one is shown again) and
    // re-tags that version.
    let fired = Arc::new(AtomicBool::new(false));
    let once = Arc::clone(&fired);
    fake.on_request(move |request, world| {
        if is_second_page(request) && !once.swap(true, Ordering::SeqCst) {
            world
                .push_image("acme", "app", &ImageSeed::new(["pr-new"]))
                .unwrap();
            // The 100th newest before the push (the last of page one),
            // shown again first on page two: `pr-99`.
            let digest = world
                .digest_tagged("acme", "container", "app", "pr-99")
                .unwrap();
            world
                .move_tag("acme", "app", "pr-99-rebuilt", &digest)
                .unwrap();
        }
    });
    let plan = plan(&retention(&fake), &policy()).await;
    assert!(fired.load(Ordering::SeqCst));
    let app = only(&plan);
    assert_eq!(app.blocked, None, "nothing was skipped");
    assert_eq!(app.versions.len(), 151, "each id once");
    let twice = app
        .versions
        .iter()
        .find(|v| v.tags.iter().any(|t| t == "pr-99"))
        .unwrap();
    assert_eq!(
        twice.reason,
        Reason::ListedTwice {
            other_tags: vec!["pr-99".to_owned(), "pr-99-rebuilt".to_owned()]
        }
    );
    assert_eq!(twice.action(), Action::Keep);
    assert!(
        twice
            .reason
            .to_string()
            .starts_with("listed twice by GitHub, once with tags [pr-99, pr-99-rebuilt]")
    );
    assert_eq!(app.deletions().count(), 149);
}

#[tokio::test]
async fn a_listing_that_skips_a_version_once_is_read_again() {
    let fake = Fake::start(seed(many_images(150))).await.unwrap();
    let newest = fake.active_versions("acme", "container", "app").unwrap()[0].clone();
    let fired = Arc::new(AtomicBool::new(false));
    let once = Arc::clone(&fired);
    // Someone deletes the newest version while page two is asked for:
    // every later version moves forward, and one is never shown.
    fake.on_request(move |request, world| {
        if is_second_page(request) && !once.swap(true, Ordering::SeqCst) {
            world
                .delete_version("acme", "container", "app", &newest)
                .unwrap();
        }
    });
    let plan = plan(&retention(&fake), &policy()).await;
    assert!(fired.load(Ordering::SeqCst));
    let app = only(&plan);
    assert_eq!(app.blocked, None, "the second reading adds up");
    assert_eq!(app.versions.len(), 150);
    let listings = fake
        .requests()
        .iter()
        .filter(|r| {
            r.path.ends_with("/versions")
                && r.query.as_deref().is_none_or(|q| !q.contains("page=2"))
        })
        .count();
    assert_eq!(listings, 2, "the listing was read twice");
}

#[tokio::test]
async fn a_listing_that_keeps_skipping_blocks_the_package() {
    let fake = Fake::start(seed(many_images(150))).await.unwrap();
    fake.on_request(move |request, world| {
        if is_second_page(request) {
            let newest = world
                .newest_version("acme", "container", "app")
                .expect("a version");
            world
                .delete_version("acme", "container", "app", &newest)
                .unwrap();
        }
    });
    let retention = retention(&fake);
    let plan = plan(&retention, &policy()).await;
    let app = only(&plan);
    let why = app.blocked.as_deref().expect("blocked");
    assert!(
        why.starts_with("GitHub listed 148 versions of a package it says has 149"),
        "{why}"
    );
    assert_eq!(app.deletions().count(), 0);
    fake.clear_requests();
    let done = execute(&retention, &plan).await;
    assert!(deletes(&fake).is_empty());
    assert_eq!(done.packages[0].blocked.as_deref(), Some(why));
}

#[tokio::test]
async fn a_digest_listed_under_two_ids_gets_the_more_protective_decision() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(90)))
        .image(ImageSeed::new(["v2.0.0"]).created(days_ago(80)));
    let fake = Fake::start(seed(app)).await.unwrap();
    let release = fake.active_versions("acme", "container", "app").unwrap()[1].clone();
    // The same digest again, untagged, under another id.
    let twin = fake
        .change(|world| {
            world.add_version(
                "acme",
                "container",
                "app",
                &VersionSeed::new(release.clone()),
            )
        })
        .unwrap();
    let mut everything_untagged = policy();
    everything_untagged.delete_untagged_older_than = Some(Age::days(0));
    everything_untagged.allow_untagged_under_an_hour = true;
    let plan = plan(&retention(&fake), &everything_untagged).await;
    let app = only(&plan);
    let twin = app
        .versions
        .iter()
        .find(|v| v.id.get() == twin as i64)
        .unwrap();
    let kept = app
        .versions
        .iter()
        .find(|v| v.name == release && v.id != twin.id)
        .unwrap();
    assert_eq!(twin.reason, Reason::Duplicate { of: kept.id });
    assert_eq!(app.deletions().count(), 0);
}

#[tokio::test]
async fn a_refused_outer_index_keeps_its_whole_tree() {
    // Index A lists index B, which lists two platform manifests; A has a
    // cosign signature and a referrers index. Nothing keeps A, but GitHub
    // refuses to delete it (a public version downloaded too often).
    let app = PackageSeed::new("acme", "container", "app")
        .visibility("public")
        .image(ImageSeed::new(["v1.0.0"]).created(days_ago(90)));
    let fake = Fake::start(seed(app)).await.unwrap();
    let tree = fake
        .change(|world| {
            let amd64 = world.push_image("acme", "app", &ImageSeed::untagged())?;
            let arm64 = world.push_image("acme", "app", &ImageSeed::untagged())?;
            let inner = world.push_index("acme", "app", &[], &[&amd64, &arm64])?;
            let outer = world.push_index("acme", "app", &[], &[&inner])?;
            let hex = outer.trim_start_matches("sha256:").to_owned();
            let signature = world.push_image(
                "acme",
                "app",
                &ImageSeed::new([format!("sha256-{hex}.sig")]),
            )?;
            let referrers =
                world.push_image("acme", "app", &ImageSeed::new([format!("sha256-{hex}")]))?;
            world.set_downloads("acme", "container", "app", &outer, 6_000)?;
            Ok::<_, String>([outer, inner, amd64, arm64, signature, referrers])
        })
        .unwrap();
    let [outer, ..] = &tree;
    let mut fresh = policy();
    fresh.delete_untagged_older_than = Some(Age::days(0));
    fresh.allow_untagged_under_an_hour = true;
    let retention = retention(&fake);
    let plan = plan(&retention, &fresh).await;
    let app = only(&plan);
    assert_eq!(app.deletions().count(), 6, "{app:#?}");
    fake.clear_requests();

    let done = execute(&retention, &plan).await;
    assert_eq!(outcome_of(&done, outer).outcome, Outcome::Refused);
    for digest in &tree[1..] {
        let outcome = outcome_of(&done, digest);
        assert_eq!(outcome.outcome, Outcome::NotAttempted, "{outcome:?}");
        assert!(
            outcome
                .detail
                .as_deref()
                .unwrap()
                .starts_with("not deleted: "),
            "{outcome:?}"
        );
    }
    // Only the outer index was asked for; the whole tree still pulls.
    assert_eq!(deletes(&fake).len(), 1);
    let active = fake.active_versions("acme", "container", "app").unwrap();
    assert!(tree.iter().all(|d| active.contains(d)));
    assert!(!done.is_success());
}

#[tokio::test]
async fn a_stop_before_the_run_sends_nothing() {
    let fake = Fake::start(seed(many_images(3))).await.unwrap();
    let retention = retention(&fake);
    let plan = plan(&retention, &policy()).await;
    fake.clear_requests();
    let options = ExecuteOptions {
        stop: Some(Box::pin(std::future::ready(()))),
        ..ExecuteOptions::default()
    };
    let done = retention.execute(&plan, options, |_, _| {}).await.unwrap();
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    assert_eq!(done.count(Outcome::NotAttempted), 3);
}

#[tokio::test]
async fn a_stop_during_the_run_lets_the_request_in_flight_finish_and_starts_no_other() {
    let mut npm = PackageSeed::new("acme", "npm", "tool");
    for n in 0..6 {
        npm = npm.version(VersionSeed::new(format!("0.0.{n}")).created(days_ago(100 - n)));
    }
    let fake = Fake::start(seed(many_images(6)).package(npm))
        .await
        .unwrap();
    let stop = Arc::new(tokio::sync::Notify::new());
    let deletes_seen = Arc::new(AtomicUsize::new(0));
    {
        let (stop, seen) = (Arc::clone(&stop), Arc::clone(&deletes_seen));
        fake.on_request(move |request, _| {
            if request.method == "DELETE" && seen.fetch_add(1, Ordering::SeqCst) == 1 {
                // Ctrl-C while the second deletion is on its way.
                stop.notify_one();
            }
        });
    }
    // One request at a time, so that which requests were sent is exact.
    let retention = retention_with(&fake, Throttle::new().concurrency(1).no_points());
    let mut everything = Policy::new(PackageType::Container);
    everything.delete_tags = vec![Pattern::new("pr-*")];
    everything.delete_tags_older_than = Some(Age::days(1));
    let mut plan = plan(&retention, &everything).await;
    let mut npm_policy = Policy::new(PackageType::Npm);
    npm_policy.delete_tags = vec![Pattern::new("0.0.*")];
    npm_policy.delete_tags_older_than = Some(Age::days(1));
    plan.packages.extend(
        retention
            .plan(Owner::org("acme"), &npm_policy)
            .await
            .unwrap()
            .packages,
    );
    fake.clear_requests();
    let options = ExecuteOptions {
        stop: Some(Box::pin(async move { stop.notified().await })),
        ..ExecuteOptions::default()
    };
    let done = retention.execute(&plan, options, |_, _| {}).await.unwrap();
    assert_eq!(deletes(&fake).len(), 2, "{:?}", deletes(&fake));
    assert_eq!(done.count(Outcome::Deleted), 2, "{}", done.summary());
    // The rest of this package, and all of the next one, not attempted.
    assert_eq!(
        done.count(Outcome::NotAttempted),
        4 + 5,
        "{}",
        done.summary()
    );
    assert!(
        fake.requests()
            .iter()
            .filter(|r| r.path.contains("/npm/"))
            .count()
            == 0,
        "no other package was even read after the stop"
    );
}

#[tokio::test]
async fn an_old_plan_is_refused_and_a_client_without_a_token_too() {
    let fake = Fake::start(seed(many_images(2))).await.unwrap();
    let retention = retention(&fake);
    let mut plan = plan(&retention, &policy()).await;
    plan.made_at = Utc::now() - Duration::minutes(61);
    fake.clear_requests();
    let error = retention
        .execute(&plan, ExecuteOptions::default(), |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ExecuteError::StalePlan { .. }));
    assert_eq!(
        error.to_string(),
        "the plan was made 1h 1m ago, longer than the 1h a plan may wait before it is carried out; plan again"
    );
    let options = ExecuteOptions {
        max_plan_age: std::time::Duration::from_secs(2 * 60 * 60),
        ..ExecuteOptions::default()
    };
    let anonymous = Retention::new(
        Client::builder()
            .base_url(fake.url())
            .throttle(Throttle::off())
            .build()
            .unwrap(),
    );
    let error = anonymous
        .execute(&plan, options, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(error, ExecuteError::TokenRequired);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn the_referrers_tag_follows_its_image_and_is_not_a_release() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(
            ImageSeed::new(["v1.0.0"])
                .with_referrers_tag()
                .created(days_ago(90)),
        )
        .image(ImageSeed::new(["pr-0"]).created(days_ago(70)))
        .image(ImageSeed::new(["pr-1"]).created(days_ago(60)));
    let fake = Fake::start(seed(app)).await.unwrap();
    // pr-0 is attested today: its referrers index is the newest version
    // with a tag.
    fake.change(|world| {
        let pr0 = world.digest_tagged("acme", "container", "app", "pr-0")?;
        let tag = pr0.replace(':', "-");
        world.push_image("acme", "app", &ImageSeed::new([tag])).ok()
    })
    .unwrap();
    let referrers_of = |plan: &PackagePlan, tag: &str| {
        let subject = plan
            .versions
            .iter()
            .find(|v| v.tags.iter().any(|t| t == tag))
            .unwrap()
            .name
            .clone();
        plan.versions
            .iter()
            .find(|v| v.tags == [subject.replace(':', "-")])
            .unwrap()
            .clone()
    };

    // keep_latest 1 keeps the newest release, pr-1, not that referrers
    // index; and `*` selects no referrers index.
    let mut latest = Policy::new(PackageType::Container);
    latest.keep_latest = Some(1);
    latest.delete_tags = vec![Pattern::new("*")];
    latest.delete_tags_older_than = Some(Age::days(1));
    let plan = plan(&retention(&fake), &latest).await;
    let app = only(&plan);
    let release = |tag: &str| {
        app.versions
            .iter()
            .find(|v| v.tags.iter().any(|t| t == tag))
            .unwrap()
    };
    assert_eq!(release("pr-1").reason, Reason::Latest { rank: 1, of: 1 });
    assert!(matches!(release("pr-0").reason, Reason::DeleteTags { .. }));
    assert!(matches!(
        release("v1.0.0").reason,
        Reason::DeleteTags { .. }
    ));
    for tag in ["pr-0", "v1.0.0"] {
        assert_eq!(
            referrers_of(app, tag).reason,
            Reason::WithImage {
                image: release(tag).name.clone(),
                image_tags: vec![tag.to_owned()],
                part: Part::ReferrersIndex,
            },
            "not selected by `*`, but a part of the image it goes with"
        );
    }

    // Keeping the release keeps its referrers index, which says so.
    let mut keep = latest.clone();
    keep.keep_tags = vec![Pattern::new("v*")];
    let plan = self::plan(&retention(&fake), &keep).await;
    let app = only(&plan);
    let release = app
        .versions
        .iter()
        .find(|v| v.tags.iter().any(|t| t == "v1.0.0"))
        .unwrap();
    let referrers = referrers_of(app, "v1.0.0");
    assert_eq!(
        referrers.reason,
        Reason::ReferrersIndex {
            of: release.name.clone()
        }
    );
    assert!(
        referrers
            .reason
            .to_string()
            .starts_with("referrers index of kept sha256:")
    );
}

#[tokio::test]
async fn a_plan_made_by_hand_is_checked_and_ordered_like_any_other() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(
            ImageSeed::new(["v1.0.0"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(90)),
        )
        .image(
            ImageSeed::untagged()
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(60)),
        );
    let fake = Fake::start(seed(app)).await.unwrap();
    let retention = retention(&fake);
    // Another tool's plan: delete every untagged version, unchecked.
    let client = retention.client().clone();
    let handle = client
        .packages(Owner::org("acme"))
        .package(PackageType::Container, "app");
    let listed: Vec<_> = futures::TryStreamExt::try_collect(handle.versions().stream())
        .await
        .unwrap();
    // Oldest first, so that the untagged index comes after its children.
    let versions = listed
        .iter()
        .rev()
        .map(|v| github_packages_retention::VersionPlan {
            id: v.id(),
            name: v.name().to_owned(),
            tags: v.tags().to_vec(),
            created_at: v.created_at(),
            reason: if v.tags().is_empty() {
                Reason::Untagged { age_days: 60 }
            } else {
                Reason::NoRule
            },
        })
        .collect();
    let plan = Plan {
        made_at: Utc::now(),
        packages: vec![PackagePlan::new(
            Owner::org("acme"),
            PackageType::Container,
            "app",
            versions,
        )],
    };
    assert_eq!(plan.counts().delete, 5);
    fake.clear_requests();
    let done = execute(&retention, &plan).await;

    // The kept release's two platforms are kept by the check, which says
    // the plan keeps their index.
    assert_eq!(done.count(Outcome::Changed), 2, "{}", done.summary());
    for version in done.packages[0]
        .versions
        .iter()
        .filter(|v| v.outcome == Outcome::Changed)
    {
        let detail = version.detail.as_deref().unwrap();
        assert!(
            detail.starts_with("child of kept index sha256:")
                && detail.ends_with("which the plan keeps"),
            "{detail}"
        );
    }
    // The untagged image goes, its index (pushed last: the highest id of
    // the three) first, although the plan did not say which it was.
    let deletes = deletes(&fake);
    assert_eq!(deletes.len(), 3, "{deletes:?}");
    let index = listed
        .iter()
        .filter(|v| v.tags().is_empty())
        .map(|v| v.id())
        .max()
        .unwrap();
    assert!(deletes[0].ends_with(&format!("/{index}")), "{deletes:?}");
}
