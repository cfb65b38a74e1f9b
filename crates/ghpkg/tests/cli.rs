//! The `ghpkg` binary against the fake GitHub, run as a user runs it: with
//! `GITHUB_API_URL` and `GITHUB_TOKEN` in its environment (set for the
//! child process only).

use std::process::Output;

use chrono::{Duration, Utc};
use github_packages_fake::{Fake, ImageSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use serde_json::Value;

const TOKEN: &str = "ghp_cli_alice";

fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

fn seed() -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .limits(LimitsSeed::off())
        .package(
            PackageSeed::new("acme", "container", "app")
                .image(
                    ImageSeed::new(["v1.0.0"])
                        .platforms(["linux/amd64", "linux/arm64"])
                        .signed()
                        .created(days_ago(60)),
                )
                .image(ImageSeed::untagged().created(days_ago(50)))
                .image(ImageSeed::new(["pr-1"]).created(days_ago(40))),
        )
        .package(PackageSeed::new("acme", "npm", "lib").versions(3))
}

/// Runs `ghpkg args…` against `fake` (or against nothing, with no
/// environment, when `fake` is `None`).
async fn ghpkg(fake: Option<&Fake>, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ghpkg"));
    command
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL");
    if let Some(fake) = fake {
        command
            .env("GITHUB_API_URL", fake.url())
            .env("GITHUB_TOKEN", TOKEN);
    }
    tokio::task::spawn_blocking(move || command.output().expect("ghpkg runs"))
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)))
}

fn deletes(fake: &Fake) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
}

const PRUNE: [&str; 8] = [
    "prune",
    "org:acme",
    "--type",
    "container",
    "--keep-tag",
    "v*",
    "--delete-untagged-older-than",
    "30d",
];

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_needs_no_token_and_shows_what_it_protects() {
    let output = ghpkg(None, &["demo"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "child of kept index sha256:",
        "(linux/arm64)",
        "(attestation)",
        "cosign .sig of kept sha256:",
        "refers to kept sha256:",
        "untagged, ",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(stderr(&output).contains("dry run: nothing was deleted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_is_a_dry_run_until_told_to_execute() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg(Some(&fake), &[&PRUNE[..], &["--json"]].concat()).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = json(&output);
    let app = &plan["packages"][0];
    assert_eq!(app["name"], "app");
    assert_eq!(app["delete"], 1, "{app}");
    assert_eq!(app["protected"], 3, "two platforms and a signature: {app}");
    assert_eq!(deletes(&fake), 0);

    let output = ghpkg(
        Some(&fake),
        &[&PRUNE[..], &["--execute", "--json"]].concat(),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let result = json(&output);
    assert_eq!(result["execution"]["packages"][0]["deleted"], 1);
    assert_eq!(deletes(&fake), 1);

    // Again: nothing left to delete.
    let output = ghpkg(Some(&fake), &[&PRUNE[..], &["--execute"]].concat()).await;
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("deleted 0, already gone 0, changed since the plan 0"),
        "{}",
        stdout(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_file_works_like_flags() {
    let fake = Fake::start(seed()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("retention.toml");
    std::fs::write(
        &policy,
        "package_type = \"container\"\nkeep_tags = [\"v*\"]\ndelete_untagged_older_than = \"30d\"\n",
    )
    .unwrap();
    let output = ghpkg(
        Some(&fake),
        &["plan", "org:acme", "--policy", policy.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("org:acme container app: keep 5, delete 1"),
        "{text}"
    );
    assert!(text.contains("tag v1.0.0 matches `v*`"), "{text}");

    std::fs::write(&policy, "package_type = \"container\"\nkeep_lates = 1\n").unwrap();
    let output = ghpkg(
        Some(&fake),
        &["plan", "org:acme", "--policy", policy.to_str().unwrap()],
    )
    .await;
    // A mistake in a policy file is a usage error, as the same mistake in
    // a flag is.
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(
        error.starts_with("error: ") && error.contains("keep_lates"),
        "{error}"
    );
    assert_eq!(error.trim_end().lines().count(), 1, "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_and_restore_by_id() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg(
        Some(&fake),
        &["versions", "org:acme", "npm", "lib", "--json"],
    )
    .await;
    let versions = json(&output);
    let id = versions[2]["id"].to_string();
    assert_eq!(versions.as_array().unwrap().len(), 3);

    let output = ghpkg(Some(&fake), &["delete", "org:acme", "npm", "lib", &id]).await;
    assert!(output.status.success());
    assert!(stdout(&output).contains(&format!(
        "would send DELETE {}/orgs/acme/packages/npm/lib/versions/{id}",
        fake.url()
    )));
    assert_eq!(deletes(&fake), 0);

    let output = ghpkg(
        Some(&fake),
        &[
            "delete",
            "org:acme",
            "npm",
            "lib",
            &id,
            "--execute",
            "--json",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)[0]["outcome"], "done");
    assert_eq!(fake.active_versions("acme", "npm", "lib").unwrap().len(), 2);

    let output = ghpkg(Some(&fake), &["restore", "org:acme", "npm", "lib", &id]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.active_versions("acme", "npm", "lib").unwrap().len(), 3);

    // A version that is not there: the exit status says so.
    let output = ghpkg(
        Some(&fake),
        &["restore", "org:acme", "npm", "lib", "999999"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_print_tables_or_json() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg(Some(&fake), &["packages", "org:acme", "container"]).await;
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(text.contains("app"), "{text}");
    let output = ghpkg(
        Some(&fake),
        &["packages", "org:acme", "container", "--json"],
    )
    .await;
    let packages = json(&output);
    assert_eq!(packages[0]["name"], "app");
    for field in [
        "id",
        "package_type",
        "visibility",
        "version_count",
        "created_at",
        "updated_at",
        "html_url",
    ] {
        assert!(packages[0].get(field).is_some(), "{field}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mistakes_are_one_line_and_send_nothing() {
    let fake = Fake::start(seed()).await.unwrap();
    let output = ghpkg(Some(&fake), &["prune", "acme", "--type", "container"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`acme` is not an owner"),
        "{}",
        stderr(&output)
    );

    let output = ghpkg(Some(&fake), &["delete", "org:acme", "npm", "lib", "latest"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a package version id"),
        "{}",
        stderr(&output)
    );

    // Without a token, a deletion is refused before anything is sent.
    let output = ghpkg(
        None,
        &[
            "--api-url",
            fake.url(),
            "delete",
            "org:acme",
            "npm",
            "lib",
            "1",
            "--execute",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: deleting or restoring needs a token; set GITHUB_TOKEN\n"
    );
    assert_eq!(fake.requests().len(), 0);
}
