//! The `ghpkg` binary against the fake GitHub, run as a user runs it
//! (`support/run.rs`).

use std::process::Output;

use github_packages_fake::{Fake, ImageSeed, PackageSeed};
use serde_json::json;

mod support {
    pub mod run;
}
use support::run::*;

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

/// `--save-plan` writes what `plan --json` prints, before anything is
/// deleted; a plan that cannot be written deletes nothing. `--type` and
/// `--package` replace a policy file's `package_type` and `packages`.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_the_json_plan_and_flags_narrow_a_policy_file() {
    let fake = Fake::start(seed()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("retention.toml");
    std::fs::write(
        &policy,
        "package_type = \"npm\"\npackages = [\"nothing-*\"]\nkeep_tags = [\"v*\"]\ndelete_untagged_older_than = \"30d\"\n",
    )
    .unwrap();
    let saved = dir.path().join("plan.json");
    let args = |save: &std::path::Path| {
        vec![
            "plan".to_owned(),
            "org:acme".to_owned(),
            "--policy".to_owned(),
            policy.display().to_string(),
            "--type".to_owned(),
            "container".to_owned(),
            "--package".to_owned(),
            "app".to_owned(),
            "--save-plan".to_owned(),
            save.display().to_string(),
        ]
    };
    let planned = args(&saved);
    let planned: Vec<&str> = planned.iter().map(String::as_str).collect();
    let mut with_json = planned.clone();
    with_json.push("--json");
    let output = ghpkg(Some(&fake), &with_json).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = json(&output);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(written, printed);
    assert_eq!(printed["packages"][0]["name"], "app");
    assert_eq!(printed["packages"].as_array().unwrap().len(), 1);

    let nowhere = dir.path().join("missing").join("plan.json");
    let mut execute = args(&nowhere);
    execute[0] = "prune".to_owned();
    execute.push("--execute".to_owned());
    let execute: Vec<&str> = execute.iter().map(String::as_str).collect();
    let output = ghpkg(Some(&fake), &execute).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot write the plan to")
            && stderr(&output).contains("nothing was deleted"),
        "{}",
        stderr(&output)
    );
    assert_eq!(deletes(&fake), 0);
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

    // Restoring is a dry run too, until told to execute.
    let output = ghpkg(Some(&fake), &["restore", "org:acme", "npm", "lib", &id]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("would send POST"),
        "{}",
        stdout(&output)
    );
    assert_eq!(fake.active_versions("acme", "npm", "lib").unwrap().len(), 2);
    let output = ghpkg(
        Some(&fake),
        &["restore", "org:acme", "npm", "lib", &id, "--execute"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.active_versions("acme", "npm", "lib").unwrap().len(), 3);

    // A version that is not there: the exit status says so.
    let output = ghpkg(
        Some(&fake),
        &["restore", "org:acme", "npm", "lib", "999999", "--execute"],
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

/// Characters that must never reach a terminal raw from a server.
fn raw_hostile(text: &str) -> Option<char> {
    text.chars()
        .find(|c| *c != '\n' && github_packages::text::needs_escape(*c))
}

#[tokio::test(flavor = "multi_thread")]
async fn server_text_is_inert_in_tables_and_escaped_in_json() {
    let name = "évil\u{1b}[2J\u{202e}ppa";
    let tags = ["v1\u{7}\r\n::error::forged", "ünï\u{202e}code-ß"];
    let fake = Fake::start(
        seed()
            .package(
                PackageSeed::new("acme", "container", name)
                    .image(ImageSeed::new(tags).created(days_ago(60)))
                    .image(ImageSeed::untagged().created(days_ago(50))),
            )
            .package(
                PackageSeed::new("acme", "container", "tagged")
                    .image(ImageSeed::new(["v2"]).created(days_ago(60)))
                    .image(ImageSeed::new([tags[1]]).created(days_ago(40))),
            ),
    )
    .await
    .unwrap();
    let runs: [&[&str]; 3] = [
        &["packages", "org:acme", "container"],
        &["versions", "org:acme", "container", name],
        &PRUNE,
    ];
    for args in runs {
        let output = ghpkg(Some(&fake), args).await;
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let (out, err) = (stdout(&output), stderr(&output));
        assert_eq!(raw_hostile(&out), None, "{args:?}:\n{out}");
        assert_eq!(raw_hostile(&err), None, "{args:?}:\n{err}");
        assert!(
            out.lines()
                .all(|l| !l.trim_start().starts_with("::error::")),
            "{out}"
        );
        if args[0] != "versions" {
            assert!(
                out.contains("évil\\u{1b}[2J\\u{202e}ppa"),
                "{args:?}:\n{out}"
            );
        }
        if args[0] != "packages" {
            assert!(out.contains("ünï\\u{202e}code-ß"), "{args:?}:\n{out}");
        }

        // JSON: escaped as JSON escapes, and the values come back whole.
        let output = ghpkg(Some(&fake), &[args, &["--json"]].concat()).await;
        let out = stdout(&output);
        assert_eq!(raw_hostile(&out), None, "{args:?}:\n{out}");
        assert!(out.contains("\\u202e"), "{out}");
        let value = json(&output);
        let text = value.to_string();
        match args[0] {
            "packages" => assert!(value.as_array().unwrap().iter().any(|p| p["name"] == name)),
            "versions" => assert!(
                value
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v["tags"] == json!(tags))
            ),
            _ => assert!(text.contains("ünï\u{202e}code-ß"), "{text}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_ages_are_usage_errors_from_a_flag_or_a_file() {
    let fake = Fake::start(seed()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    for (flag, value, key, expected) in [
        (
            "--keep-younger-than",
            "99999999999d",
            "keep_younger_than",
            "longer than the longest age accepted, 36500d",
        ),
        (
            "--delete-untagged-older-than",
            "0d",
            "delete_untagged_older_than",
            "is under an hour",
        ),
    ] {
        let by_flag = ghpkg(
            Some(&fake),
            &["plan", "org:acme", "--type", "container", flag, value],
        )
        .await;
        std::fs::write(
            &file,
            format!("package_type = \"container\"\n{key} = \"{value}\"\n"),
        )
        .unwrap();
        let by_file = ghpkg(
            Some(&fake),
            &["plan", "org:acme", "--policy", file.to_str().unwrap()],
        )
        .await;
        for output in [by_flag, by_file] {
            assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
            // One sentence (clap adds a line pointing at --help).
            let error = stderr(&output);
            let first = error.lines().next().unwrap_or_default();
            assert!(
                first.starts_with("error: ") && first.contains(expected),
                "{error}"
            );
        }
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());

    // Said explicitly, an untagged age under an hour is accepted.
    let output = ghpkg(
        Some(&fake),
        &[
            "plan",
            "org:acme",
            "--type",
            "container",
            "--delete-untagged-older-than",
            "0d",
            "--allow-untagged-under-an-hour",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_elsewhere_and_a_missing_token_stop_before_any_request() {
    let fake = Fake::start(seed()).await.unwrap();
    let cases: [(&[&str], &str); 2] = [
        (
            &[
                "--api-url",
                "http://ghe.example.com",
                "packages",
                "org:acme",
                "npm",
            ],
            "error: invalid client configuration: the API root `http://ghe.example.com` is plain http",
        ),
        (
            &[
                "--registry",
                "http://registry.example",
                "plan",
                "org:acme",
                "--type",
                "container",
            ],
            "error: the registry `http://registry.example` is plain http to another machine",
        ),
    ];
    for (args, expected) in cases {
        let output = ghpkg(Some(&fake), args).await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).starts_with(expected), "{}", stderr(&output));
    }
    fake.clear_requests();

    // Without a token, `prune --execute` stops before planning.
    let output = ghpkg(
        None,
        &[&["--api-url", fake.url()], &PRUNE[..], &["--execute"]].concat(),
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: deleting or restoring needs a token; set GITHUB_TOKEN\n"
    );
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

/// A fake where, after the plan and right before the prune deletes (when
/// the image's versions are listed a second time), the old untagged image
/// is tagged `latest`.
async fn retagged_during_the_run() -> Fake {
    let fake = Fake::start(seed()).await.unwrap();
    let untagged = fake.active_versions("acme", "container", "app").unwrap()[1].clone();
    let mut listings = 0;
    fake.on_request(move |request, world| {
        if request.path.ends_with("/app/versions") {
            listings += 1;
            if listings == 2 {
                world.move_tag("acme", "app", "latest", &untagged).unwrap();
            }
        }
    });
    fake
}

#[tokio::test(flavor = "multi_thread")]
async fn an_executed_prune_reports_what_changed_since_the_plan() {
    let fake = retagged_during_the_run().await;
    let output = ghpkg(
        Some(&fake),
        &[&PRUNE[..], &["--execute", "--json"]].concat(),
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let execution = &json(&output)["execution"]["packages"][0];
    assert_eq!(execution["changed"], 1, "{execution}");
    assert_eq!(execution["deleted"], 0, "{execution}");
    let version = &execution["versions"][0];
    assert_eq!(version["outcome"], "changed");
    assert_eq!(version["tags"], json!([]));
    let execution_id = version["id"].to_string();
    assert_eq!(
        version["detail"],
        "its tags were [] in the plan and are [latest] now"
    );
    assert_eq!(deletes(&fake), 0);

    // In words.
    let fake = retagged_during_the_run().await;
    let output = ghpkg(Some(&fake), &[&PRUNE[..], &["--execute"]].concat()).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // Every settled version, with its id, tags and outcome.
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("changed since the plan"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains(&execution_id)
            && row.ends_with("its tags were [] in the plan and are [latest] now"),
        "{row}"
    );
    assert!(
        text.ends_with(
            "deleted 0, already gone 0, changed since the plan 1, refused 0, failed 0, not attempted 0\n"
        ),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_regex_or_a_negation_written_as_a_wildcard_is_refused_with_the_explicit_form() {
    let fake = Fake::start(seed()).await.unwrap();
    for (value, explicit) in [("^v[0-9]+$", "re:^v[0-9]+$"), ("!latest", "not:latest")] {
        let output = ghpkg(
            Some(&fake),
            &[
                "plan",
                "org:acme",
                "--type",
                "container",
                "--keep-tag",
                value,
            ],
        )
        .await;
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let error = stderr(&output);
        assert!(
            error
                .lines()
                .next()
                .unwrap_or_default()
                .contains(&format!("`{explicit}`")),
            "{error}"
        );
        assert!(
            fake.requests().is_empty(),
            "nothing was sent: {:?}",
            fake.requests()
        );
    }
    let explicit = ghpkg(
        Some(&fake),
        &[
            "plan",
            "org:acme",
            "--type",
            "container",
            "--keep-tag",
            "re:^v[0-9]+$",
        ],
    )
    .await;
    assert_eq!(explicit.status.code(), Some(0), "{}", stderr(&explicit));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reports_orphans_and_prune_deletes_them_when_asked() {
    let fake = Fake::start(seed()).await.unwrap();
    let sound = ghpkg(Some(&fake), &["check", "org:acme"]).await;
    assert_eq!(sound.status.code(), Some(0), "{}", stderr(&sound));
    assert!(
        stdout(&sound).contains("org:acme container app: every image is whole"),
        "{}",
        stdout(&sound)
    );

    // Another tool deletes the signed release, and leaves its signature.
    let release = fake
        .change(|world| world.digest_tagged("acme", "container", "app", "v1.0.0"))
        .unwrap();
    fake.change(|world| world.delete_version("acme", "container", "app", &release))
        .unwrap();
    let broken = ghpkg(Some(&fake), &["check", "org:acme", "--json"]).await;
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    let report = json(&broken);
    let findings = report[0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["rule"], "orphan");
    assert_eq!(findings[0]["of"], release.as_str());
    let text = ghpkg(Some(&fake), &["check", "org:acme"]).await;
    assert!(stdout(&text).contains("app: 1 broken"), "{}", stdout(&text));
    assert_eq!(deletes(&fake), 0);

    let plan = ghpkg(
        Some(&fake),
        &[
            "plan",
            "org:acme",
            "--type",
            "container",
            "--delete-orphans",
        ],
    )
    .await;
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let short = &release[..19];
    assert!(
        stdout(&plan).contains(&format!("follows {short}, which is not listed")),
        "{}",
        stdout(&plan)
    );
    let wrong = ghpkg(Some(&fake), &["check", "org:acme", "--package", "^app$"]).await;
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_policy_key_has_a_flag_that_plans_the_same() {
    let fake = Fake::start(seed()).await.unwrap();
    let digest = format!("sha256:{}", "ab".repeat(32));
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("retention.toml");
    std::fs::write(
        &policy,
        format!(
            r#"package_type = "container"
packages = ["app"]
keep_younger_than = "1d"
keep_digests = ["{digest}"]
keep_tags = ["v*"]
keep_semver = true
keep_latest = 1
delete_digests = ["{digest}"]
delete_ghost_images = true
delete_partial_images = true
delete_orphans = true
delete_untagged_older_than = "30m"
delete_untagged_keep_latest = 1
delete_tags = ["pr-*"]
delete_tags_older_than = "1d"
delete_tags_keep_latest = 1
delete_tags_untag = true
delete_at_most = 5
allow_untagged_under_an_hour = true
age_from = "updated_at"
"#
        ),
    )
    .unwrap();
    let from_file = ghpkg(
        Some(&fake),
        &[
            "plan",
            "org:acme",
            "--json",
            "--policy",
            policy.to_str().unwrap(),
        ],
    )
    .await;
    let flags = [
        "plan",
        "org:acme",
        "--json",
        "--type",
        "container",
        "--package",
        "app",
        "--keep-younger-than",
        "1d",
        "--keep-digest",
        &digest,
        "--keep-tag",
        "v*",
        "--keep-semver",
        "--keep-latest",
        "1",
        "--delete-digest",
        &digest,
        "--delete-ghost-images",
        "--delete-partial-images",
        "--delete-orphans",
        "--delete-untagged-older-than",
        "30m",
        "--delete-untagged-keep-latest",
        "1",
        "--delete-tag",
        "pr-*",
        "--delete-tags-older-than",
        "1d",
        "--delete-tags-keep-latest",
        "1",
        "--delete-tags-untag",
        "--delete-at-most",
        "5",
        "--allow-untagged-under-an-hour",
        "--age-from",
        "updated_at",
    ];
    let from_flags = ghpkg(Some(&fake), &flags).await;
    let versions = |output: &Output| json(output)["packages"][0]["versions"].clone();
    assert_eq!(versions(&from_file), versions(&from_flags));
    assert!(versions(&from_file).as_array().unwrap().len() > 3);
}
