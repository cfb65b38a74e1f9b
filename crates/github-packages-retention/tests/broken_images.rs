//! Images that do not pull completely and orphans, against the fake: what
//! `Retention::check` reports, and what `delete_ghost_images`,
//! `delete_partial_images` and `delete_orphans` delete (as
//! dataaxiom/ghcr-cleanup-action's options of the same names do).

use github_packages::{Owner, PackageType};
use github_packages_fake::{Fake, ImageSeed, PackageSeed};
use github_packages_retention::{Action, PackageCheck, Policy, Reason};

mod support {
    pub mod on_fake;
}
use support::on_fake::*;

/// The digests of the images tagged ghost, partial and gone.
struct Broken {
    ghost: String,
    partial: String,
    gone: String,
}

/// `app` with four images, then broken as another tool would break them:
/// every child of `ghost` deleted, one platform of `partial`, and `gone`
/// itself (its signature and referrers index stay behind); `whole` is
/// untouched.
async fn broken_registry() -> (Fake, Broken) {
    let app = PackageSeed::new("acme", "container", "app")
        .image(
            ImageSeed::new(["ghost"])
                .platforms(["linux/amd64", "linux/arm64"])
                .attestations()
                .created(days_ago(50)),
        )
        .image(
            ImageSeed::new(["partial"])
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(40)),
        )
        .image(
            ImageSeed::new(["gone"])
                .signed()
                .with_referrers_tag()
                .created(days_ago(30)),
        )
        .image(
            ImageSeed::new(["whole"])
                .platforms(["linux/amd64", "linux/arm64"])
                .signed()
                .created(days_ago(20)),
        );
    let fake = fake_with([app]).await;
    // A policy that reads every manifest and, here, deletes nothing.
    let mut reader = Policy::new(PackageType::Container);
    reader.delete_orphans = true;
    let before = plan_one(&fake, &reader).await;
    assert_eq!(before.counts().delete, 0, "{before:#?}");
    let digest = |tag: &str| tagged(&before, tag).name.clone();
    let broken = Broken {
        ghost: digest("ghost"),
        partial: digest("partial"),
        gone: digest("gone"),
    };
    let mut doomed: Vec<String> = before
        .children_of(&broken.ghost)
        .map(str::to_owned)
        .collect();
    doomed.extend(
        before
            .children_of(&broken.partial)
            .take(1)
            .map(str::to_owned),
    );
    doomed.push(broken.gone.clone());
    fake.change(|world| {
        for digest in &doomed {
            world
                .delete_version("acme", "container", "app", digest)
                .unwrap();
        }
    });
    (fake, broken)
}

async fn check(fake: &Fake) -> Vec<PackageCheck> {
    retention(fake)
        .check(Owner::org("acme"), &Policy::new(PackageType::Container))
        .await
        .unwrap()
}

#[tokio::test]
async fn check_finds_ghosts_partial_images_and_orphans() {
    let (fake, broken) = broken_registry().await;
    let checks = check(&fake).await;
    assert_eq!(checks.len(), 1);
    let app = &checks[0];
    assert_eq!(app.blocked, None);
    assert!(!app.is_sound());
    let found: Vec<(&str, &Reason)> = app
        .findings
        .iter()
        .map(|v| (v.tags.first().map_or("-", String::as_str), &v.reason))
        .collect();
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(found.contains(&("ghost", &Reason::Ghost { platforms: 2 })));
    assert!(found.contains(&(
        "partial",
        &Reason::Partial {
            missing: 1,
            platforms: 2
        }
    )));
    let orphans = found
        .iter()
        .filter(|(_, r)| {
            **r == Reason::Orphan {
                of: broken.gone.clone(),
            }
        })
        .count();
    assert_eq!(
        orphans, 3,
        "the signature, the referrers index and the referrer it lists"
    );
    let ghost = app
        .findings
        .iter()
        .find(|v| v.name == broken.ghost)
        .unwrap();
    assert_eq!(
        ghost.reason.to_string(),
        "an index none of whose 2 platform manifests is listed; it does not pull"
    );
    let json = serde_json::to_value(app).unwrap();
    let partial = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == broken.partial.as_str())
        .unwrap();
    assert_eq!(partial["rule"], "partial");
    assert_eq!(partial["missing"], 1);
    assert!(partial.get("action").is_none(), "{partial}");

    // Only reads were sent.
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.method == "GET" || r.method == "HEAD")
    );
    let error = retention(&fake)
        .check(Owner::org("acme"), &Policy::new(PackageType::Npm))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("only container packages"),
        "{error}"
    );
}

#[tokio::test]
async fn broken_images_are_deleted_whole_when_a_rule_says_so() {
    let (fake, broken) = broken_registry().await;
    let mut policy = Policy::new(PackageType::Container);
    policy.delete_ghost_images = true;
    policy.delete_partial_images = true;
    policy.delete_orphans = true;
    let plan = plan_one(&fake, &policy).await;
    let reason_of = |digest: &str| {
        &plan
            .versions
            .iter()
            .find(|v| v.name == digest)
            .unwrap()
            .reason
    };
    assert_eq!(*reason_of(&broken.ghost), Reason::Ghost { platforms: 2 });
    assert!(matches!(reason_of(&broken.partial), Reason::Partial { .. }));
    // The partial image's remaining platform goes with it.
    let partial_rest = plan
        .versions
        .iter()
        .filter(
            |v| matches!(&v.reason, Reason::WithImage { image, .. } if *image == broken.partial),
        )
        .count();
    assert_eq!(partial_rest, 1, "{plan:#?}");
    assert_eq!(tagged(&plan, "whole").action(), Action::Keep);
    assert_eq!(
        plan.counts().protected,
        3,
        "whole's platforms and signature"
    );

    let done = execute(&fake, &plan).await;
    assert!(done.is_success(), "{}", done.summary());
    let after = check(&fake).await;
    assert!(after[0].is_sound(), "{after:#?}");

    // Only what a rule names: ghosts alone leave the rest.
    let (fake, broken) = broken_registry().await;
    let mut ghosts = Policy::new(PackageType::Container);
    ghosts.delete_ghost_images = true;
    let plan = plan_one(&fake, &ghosts).await;
    let deleted: Vec<&str> = plan.deletions().map(|v| v.name.as_str()).collect();
    assert_eq!(deleted, [broken.ghost.as_str()]);
    let refused = Policy::from_toml("package_type = \"npm\"\ndelete_orphans = true").unwrap_err();
    assert!(
        refused.to_string().contains("only container packages"),
        "{refused}"
    );
}
