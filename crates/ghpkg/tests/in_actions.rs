//! `ghpkg` in a GitHub Actions step, simulated: `GITHUB_ACTIONS=true` and
//! temporary `GITHUB_STEP_SUMMARY` and `GITHUB_OUTPUT` files. Its standard
//! output is read as the runner reads it, so that only `ghpkg`'s own
//! workflow commands count, whatever the server's names say.

use std::path::Path;

use github_packages_fake::{Fake, ImageSeed, PackageSeed};

mod support {
    pub mod run;
}
use support::run::*;

/// A name meant to forge workflow commands if printed raw at a line's
/// start.
const FORGED: &str = "::error title=x::forged";

/// A package name that, printed raw at a line's start, is a command.
const HOSTILE_NAME: &str = "::warning::forged";

/// `seed()`, plus a public package whose popular untagged image GitHub
/// refuses to delete and whose tags and name try to forge commands.
async fn hostile_fake() -> Fake {
    let hostile = PackageSeed::new("acme", "container", HOSTILE_NAME)
        .visibility("public")
        .image(ImageSeed::new(["v1", FORGED]).created(days_ago(90)))
        .image(ImageSeed::untagged().created(days_ago(80)).downloads(6_000));
    Fake::start(seed().package(hostile)).await.unwrap()
}

/// The workflow commands the runner would act on in `stdout`, as it
/// reads them: none while stopped by `::stop-commands::TOKEN`, until
/// `::TOKEN::`.
fn commands_seen(stdout: &str) -> Vec<String> {
    let mut stopped_by: Option<String> = None;
    let mut seen = Vec::new();
    for line in stdout.lines() {
        let line = line.trim();
        match &stopped_by {
            Some(token) => {
                if line == format!("::{token}::") {
                    stopped_by = None;
                }
            }
            None => {
                if let Some(token) = line.strip_prefix("::stop-commands::") {
                    stopped_by = Some(token.to_owned());
                } else if line.starts_with("::") {
                    seen.push(line.to_owned());
                }
            }
        }
    }
    seen
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_in_actions_writes_a_summary_outputs_and_only_its_own_commands() {
    let fake = hostile_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
    ];
    let mut args = PRUNE.to_vec();
    args.push("--execute");
    let output = ghpkg_with(Some(&fake), &args, &env).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("forged"), "the tag is shown: {text}");

    let commands = commands_seen(&text);
    let kinds: Vec<&str> = commands
        .iter()
        .map(|c| c[2..].split([':', ' ']).next().unwrap_or_default())
        .collect();
    assert!(
        kinds
            .iter()
            .all(|k| matches!(*k, "group" | "endgroup" | "error" | "warning")),
        "{commands:#?}"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "group").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "endgroup").count(), 2);
    let errors: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 1, "the refused deletion: {commands:#?}");
    assert!(
        errors[0].starts_with("::error title=deletion failed::::warning::forged: version "),
        "{}",
        errors[0]
    );
    assert!(
        text.lines().any(|l| l.starts_with(HOSTILE_NAME)),
        "the name does start a line: {text}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("title=x")),
        "{commands:#?}"
    );
    assert!(
        text.lines().last().unwrap().starts_with("::ghpkg-"),
        "commands are resumed at the end"
    );

    let summary = read(&summary);
    assert!(
        summary.starts_with("## ghpkg prune --execute\n"),
        "{summary}"
    );
    assert!(summary.contains("| org:acme container app | "), "{summary}");
    assert!(summary.contains("### Not done"), "{summary}");
    let outputs = read(&outputs);
    for expected in [
        "kept=",
        "planned_deletions=",
        "deleted=",
        "refused=1\n",
        "blocked=0\n",
    ] {
        assert!(outputs.contains(expected), "{expected}: {outputs}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn json_stays_one_document_and_commands_go_to_standard_error() {
    let fake = hostile_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
    ];
    let output = ghpkg_with(Some(&fake), &["check", "org:acme", "--json"], &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report.as_array().unwrap().len(), 2);
    assert!(commands_seen(&stdout(&output)).is_empty());
    assert_eq!(read(&outputs), "broken=0\nunchecked=0\n");

    // Outside Actions, nothing of the kind.
    let plain = ghpkg(Some(&fake), &["check", "org:acme"]).await;
    assert!(
        !stdout(&plain).contains("::stop-commands::"),
        "{}",
        stdout(&plain)
    );
}
