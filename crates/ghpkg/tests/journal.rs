//! The journal of a destructive run and `restore --journal`, against the
//! fake: every settled version is on record as it is settled (so an
//! interrupted run's journal is whole up to the interruption), no token is,
//! and the record undoes the run, what an index lists before the index.

use std::time::{Duration, Instant};

use github_packages_fake::{Fake, FaultsSeed, ImageSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use github_packages_retention::{Entry, Journal};

mod support {
    pub mod run;
}
use support::run::*;

fn deleted_ids(entries: &[Entry]) -> Vec<i64> {
    entries
        .iter()
        .filter(|e| e.outcome == "deleted")
        .map(|e| e.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pruned_run_is_on_record_and_restored_from_it() {
    let fake = Fake::start(seed()).await.unwrap();
    let before = fake.active_versions("acme", "container", "app").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let journal = path.to_str().unwrap();
    let mut args = PRUNE.to_vec();
    args.extend(["--delete-tag", "pr-*", "--delete-tags-older-than", "1d"]);
    args.extend(["--execute", "--journal", journal]);
    let output = ghpkg(Some(&fake), &args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("journal: {journal}")));

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(TOKEN));
    let entries = Journal::read(&path).unwrap();
    let deleted = deleted_ids(&entries);
    assert_eq!(deleted.len(), 2, "the untagged image and pr-1: {text}");
    for entry in &entries {
        assert_eq!(
            (entry.owner.as_str(), entry.package.as_str()),
            ("org:acme", "app")
        );
        assert!(entry.name.as_deref().unwrap().starts_with("sha256:"));
    }
    assert_eq!(
        fake.active_versions("acme", "container", "app")
            .unwrap()
            .len(),
        before.len() - 2
    );

    // A dry run by default: the requests, and nothing restored.
    let dry = ghpkg(Some(&fake), &["restore", "--journal", journal]).await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert_eq!(stdout(&dry).matches("would send POST").count(), 2);
    assert_eq!(
        fake.active_versions("acme", "container", "app")
            .unwrap()
            .len(),
        before.len() - 2
    );

    fake.clear_requests();
    let restored = ghpkg(
        Some(&fake),
        &["restore", "--journal", journal, "--execute", "--json"],
    )
    .await;
    assert!(restored.status.success(), "{}", stderr(&restored));
    let rows = json(&restored);
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[0]["package"], "app");
    let mut after = fake.active_versions("acme", "container", "app").unwrap();
    let mut before = before;
    after.sort();
    before.sort();
    assert_eq!(after, before);
    // Latest deletion first: the reverse of the journal.
    let posts: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect();
    let mut expected: Vec<i64> = deleted.clone();
    expected.reverse();
    for (post, id) in posts.iter().zip(&expected) {
        assert!(
            post.ends_with(&format!("/versions/{id}/restore")),
            "{posts:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_run_is_on_record_up_to_the_interruption() {
    // After app's deletions, package multi is listed and read again
    // before its untagged multi-arch image goes (in two waves, index
    // first): at 120 ms an answer, the run is still going when the first
    // outcome is on record.
    let multi = PackageSeed::new("acme", "container", "multi")
        .image(ImageSeed::new(["v1"]).created(days_ago(60)))
        .image(
            ImageSeed::untagged()
                .platforms(["linux/amd64", "linux/arm64"])
                .created(days_ago(50)),
        );
    let fake = Fake::start(seed().package(multi).faults(FaultsSeed {
        latency_ms: 120,
        ..FaultsSeed::default()
    }))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ghpkg"));
    command
        .args(PRUNE)
        .args(["--delete-tag", "pr-*", "--delete-tags-older-than", "1d"])
        .args(["--execute", "--journal", path.to_str().unwrap()])
        .env_remove("GITHUB_ACTIONS")
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().unwrap();
    // Killed as soon as the first outcome is on record.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&path)
        .unwrap_or_default()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "nothing was recorded");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed mid-run, not finished");

    // Every line whole, and every deletion on record was answered.
    let entries = Journal::read(&path).unwrap();
    assert!(
        !entries.is_empty() && entries.len() <= 2,
        "app's, not multi's: {entries:?}"
    );
    let answered: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.status == Some(204))
        .map(|r| r.path)
        .collect();
    for id in deleted_ids(&entries) {
        assert!(
            answered.iter().any(|p| p.ends_with(&format!("/{id}"))),
            "{id}: {answered:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_version_is_restored_by_its_name() {
    let fake = Fake::start(seed()).await.unwrap();
    let digest = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "pr-1"))
        .unwrap();
    fake.change(|world| world.delete_version("acme", "container", "app", &digest))
        .unwrap();
    let upper = digest.to_uppercase().replace("SHA256", "sha256");
    let args = [
        "restore",
        "org:acme",
        "container",
        "app",
        &upper,
        "--execute",
    ];
    let output = ghpkg(Some(&fake), &args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let active = fake.active_versions("acme", "container", "app").unwrap();
    assert!(active.contains(&digest), "{active:?}");

    let unknown = ghpkg(
        Some(&fake),
        &[
            "restore",
            "org:acme",
            "container",
            "app",
            "sha256:00",
            "--execute",
        ],
    )
    .await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("app has no deleted version named sha256:00"),
        "{}",
        stderr(&unknown)
    );
}

/// An untag is on record with the tags it moved, and `restore --journal`
/// puts them back on the image (a dry run first).
#[tokio::test(flavor = "multi_thread")]
async fn an_untagging_run_is_undone_by_pushing_the_tags_back() {
    let app = PackageSeed::new("acme", "container", "app")
        .image(ImageSeed::new(["v1", "pr-1"]).created(days_ago(60)))
        .image(ImageSeed::new(["latest"]).created(days_ago(1)));
    let seed = Seed::new()
        .org("acme", ["alice"])
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .limits(LimitsSeed::off())
        .package(app);
    let fake = Fake::start(seed).await.unwrap();
    let image = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "v1"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let journal = path.to_str().unwrap();
    let args = [
        "prune",
        "org:acme",
        "--type",
        "container",
        "--package",
        "app",
        "--delete-tag",
        "pr-*",
        "--delete-tags-older-than",
        "1d",
        "--delete-tags-untag",
        "--execute",
        "--journal",
        journal,
    ];
    let output = ghpkg(Some(&fake), &args).await;
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let entries = Journal::read(&path).unwrap();
    let untag = entries.iter().find(|e| e.action == "untag").unwrap();
    assert_eq!(untag.removed_tags, ["pr-1"]);
    let tagged =
        |fake: &Fake| fake.change(|world| world.digest_tagged("acme", "container", "app", "pr-1"));
    assert_eq!(tagged(&fake), None, "pr-1 is gone");

    let dry = ghpkg(Some(&fake), &["restore", "--journal", journal]).await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("org:acme app:pr-1 on sha256:") && stdout(&dry).contains(": dry run"),
        "{}",
        stdout(&dry)
    );
    assert_eq!(tagged(&fake), None, "a dry run");

    let done = ghpkg(
        Some(&fake),
        &["restore", "--journal", journal, "--execute", "--json"],
    )
    .await;
    assert!(done.status.success(), "{}{}", stdout(&done), stderr(&done));
    let rows = json(&done);
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tag"] == "pr-1")
        .unwrap();
    assert_eq!(row["outcome"], "restored");
    assert_eq!(tagged(&fake), Some(image), "pr-1 names the image again");
}
