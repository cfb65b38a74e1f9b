//! What a new user reads: messages that say what to do, counts in good
//! English, columns that carry something, and each failure said once.

use github_packages_fake::{Fake, ImageSeed, PackageSeed, TokenSeed};
use serde_json::Value;

mod support {
    pub mod run;
}
use support::run::*;

/// A workflow token of `acme/app`'s workflows.
const WORKFLOW_TOKEN: &str = "ghs_cli_workflow";

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_token_is_asked_for_as_github_token() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg_with(
        None,
        &["packages", "org:acme", "container"],
        &[("GITHUB_API_URL", fake.url())],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let error = stderr(&output);
    assert!(error.contains("; set GITHUB_TOKEN"), "{error}");
    assert!(!error.contains("ClientBuilder"), "{error}");
    assert_eq!(error.trim_end().lines().count(), 1, "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_token_that_may_not_list_is_told_to_name_packages() {
    let fake = Fake::start(seed().token(TokenSeed::actions(WORKFLOW_TOKEN, "acme/app")))
        .await
        .unwrap();
    let env = [("GITHUB_TOKEN", WORKFLOW_TOKEN)];
    let output = ghpkg_with(
        Some(&fake),
        &["plan", "org:acme", "--type", "npm", "--keep-latest", "1"],
        &env,
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let error = stderr(&output);
    assert!(
        error.contains("Resource not accessible by integration")
            && error.contains("name them literally"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_are_singular_for_one_and_listings_show_no_empty_column() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg(Some(&fake), &["packages", "org:acme", "npm"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "1 package\n");
    let header = stdout(&output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        header.starts_with("NAME") && !header.contains("VERSIONS"),
        "GitHub's listings carry no version count: {header}"
    );

    let output = ghpkg(
        Some(&fake),
        &["plan", "org:acme", "--type", "npm", "--keep-latest", "1"],
    )
    .await;
    assert!(
        stdout(&output).contains("\n1 package: keep 3, delete 0;"),
        "{}",
        stdout(&output)
    );
}

/// The id of the newest version of the npm package `lib`.
async fn newest_lib_version(fake: &Fake) -> String {
    let listed = ghpkg(
        Some(fake),
        &["versions", "org:acme", "npm", "lib", "--json"],
    )
    .await;
    json(&listed)[0]["id"].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_versions_say_when_and_until_when_they_can_be_restored() {
    let fake = Fake::start(seed()).await.unwrap();
    let id = newest_lib_version(&fake).await;
    let deleted = ghpkg(
        Some(&fake),
        &["delete", "org:acme", "npm", "lib", &id, "--execute"],
    )
    .await;
    assert!(deleted.status.success(), "{}", stderr(&deleted));

    let output = ghpkg(
        Some(&fake),
        &["versions", "org:acme", "npm", "lib", "--deleted"],
    )
    .await;
    let text = stdout(&output);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("DELETED  RESTORABLE UNTIL"),
        "{text}"
    );
    let row = text.lines().nth(1).unwrap_or_default();
    assert!(
        row.contains(" ago ") && row.ends_with(" UTC"),
        "when, and a date to restore by: {text}"
    );

    let output = ghpkg(
        Some(&fake),
        &["versions", "org:acme", "npm", "lib", "--deleted", "--json"],
    )
    .await;
    let row = &json(&output)[0];
    let at = |field: &str| -> chrono::DateTime<chrono::Utc> {
        row[field].as_str().unwrap().parse().unwrap()
    };
    assert_eq!(
        at("restorable_until") - at("deleted_at"),
        chrono::Duration::days(30)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn restoring_an_active_version_says_it_is_not_deleted() {
    let fake = Fake::start(seed()).await.unwrap();
    let id = newest_lib_version(&fake).await;
    let output = ghpkg(
        Some(&fake),
        &["restore", "org:acme", "npm", "lib", &id, "--execute"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!(
            "{id}: not deleted (it is active); nothing to restore"
        )),
        "{}",
        stdout(&output)
    );
    assert!(
        !fake.requests().iter().any(|r| r.method == "POST"),
        "nothing to restore, nothing sent"
    );
    let output = ghpkg(
        Some(&fake),
        &["restore", "org:acme", "npm", "lib", &id, "--json"],
    )
    .await;
    assert_eq!(json(&output)[0]["outcome"], "not_deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_deletion_is_reported_once() {
    let popular = PackageSeed::new("acme", "container", "popular")
        .visibility("public")
        .image(ImageSeed::new(["v1"]).created(days_ago(90)))
        .image(ImageSeed::untagged().created(days_ago(80)).downloads(6_000));
    let fake = Fake::start(seed().package(popular)).await.unwrap();
    let output = ghpkg(
        Some(&fake),
        &[
            "prune",
            "org:acme",
            "--type",
            "container",
            "--package",
            "popular",
            "--delete-untagged-older-than",
            "30d",
            "--execute",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let everything = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(
        everything.matches("more than 5000").count(),
        1,
        "{everything}"
    );
    let report: Vec<&str> = everything
        .lines()
        .filter(|l| l.trim_start().starts_with("refused"))
        .collect();
    assert_eq!(report.len(), 1, "{everything}");
}

/// The JSON of `versions` keeps its keys for active versions too.
#[tokio::test(flavor = "multi_thread")]
async fn active_versions_have_no_restore_date() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg(
        Some(&fake),
        &["versions", "org:acme", "npm", "lib", "--json"],
    )
    .await;
    let rows = json(&output);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["restorable_until"] == Value::Null)
    );
    assert!(
        !stdout(&ghpkg(Some(&fake), &["versions", "org:acme", "npm", "lib"]).await)
            .contains("RESTORABLE")
    );
}
