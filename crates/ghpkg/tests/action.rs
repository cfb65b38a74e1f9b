//! The GitHub Action (`action.yml` and its scripts in `action/`), run as
//! the runner runs them: `bash` with the `INPUT_*` variables action.yml
//! maps, the `RUNNER_*` and `GITHUB_*` variables a runner sets, and
//! temporary files for `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, against
//! the fake GitHub. Releases are a directory reached by a `file://` URL,
//! and `cargo` a stub that says how it was called.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use github_packages_fake::Fake;
use regex::Regex;

mod support {
    pub mod run;
}
use support::run::*;

/// The repository's root, where `action.yml` is.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `name=value` lines of a `GITHUB_OUTPUT` file, as the runner reads them.
fn outputs(path: &Path) -> Vec<(String, String)> {
    read(path)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn output<'a>(outputs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    outputs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A runner's temporary directory and files for one step.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `action/SCRIPT` with only `env` and what every runner sets.
    async fn script(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let temp = self.path("temp");
        std::fs::create_dir_all(&temp).unwrap();
        let mut command = std::process::Command::new("bash");
        command
            .arg(root().join("action").join(script))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_RUN_ID", "77")
            .env("GITHUB_RUN_ATTEMPT", "1")
            .envs(env.iter().copied())
            .current_dir(self.dir.path());
        tokio::task::spawn_blocking(move || command.output().expect("bash runs"))
            .await
            .unwrap()
    }

    fn outputs(&self) -> Vec<(String, String)> {
        outputs(&self.path("output"))
    }
}

/// A release directory holding `ghpkg-TARGET` (this build of ghpkg) and a
/// SHA256SUMS whose line for it is `checksum`, or the right one.
fn release(dir: &Path, tag: &str, target: &str, checksum: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let assets = dir.join(tag);
    std::fs::create_dir_all(&assets).unwrap();
    let binary = std::fs::read(env!("CARGO_BIN_EXE_ghpkg")).unwrap();
    let asset = format!("ghpkg-{target}");
    std::fs::write(assets.join(&asset), &binary).unwrap();
    let right = format!("{:x}", Sha256::digest(&binary));
    std::fs::write(
        assets.join("SHA256SUMS"),
        format!(
            "{}  {asset}\n{}  ghpkg-other\n",
            checksum.unwrap_or(&right),
            "0".repeat(64)
        ),
    )
    .unwrap();
    format!("file://{}", dir.display())
}

/// A directory with a `cargo` that records its arguments in
/// `cargo-args` and installs this build of ghpkg where `--root` says.
fn stub_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("stub-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let cargo = bin.join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > {args}\n\
             while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\n\
             mkdir -p \"$root/bin\" && cp {ghpkg} \"$root/bin/ghpkg\"\n",
            args = dir.join("cargo-args").display(),
            ghpkg = env!("CARGO_BIN_EXE_ghpkg"),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// PATH with `first` before the system's tools and without any real
/// `cargo` (rustup's lives in `~/.cargo/bin`).
fn path_with(first: Option<&Path>) -> String {
    let system = std::env::var("PATH").unwrap_or_default();
    let kept = system
        .split(':')
        .filter(|dir| !Path::new(dir).join("cargo").exists());
    first
        .map(|p| p.display().to_string())
        .into_iter()
        .chain(kept.map(str::to_owned))
        .collect::<Vec<_>>()
        .join(":")
}

/// Runs `install.sh` as a runner on `os` (X64) runs it for the action at
/// `reference`, checked out at the repository's root, with a release
/// `release_tag` whose SHA256SUMS gives `checksum` (or the right one), and
/// a stub `cargo` if `cargo`, no `cargo` at all otherwise.
async fn install(
    runner: &Runner,
    reference: &str,
    os: &str,
    release_tag: &str,
    checksum: Option<&str>,
    cargo: bool,
) -> Output {
    let action = root().display().to_string();
    let target = "x86_64-unknown-linux-musl";
    let releases = release(&runner.path("releases"), release_tag, target, checksum);
    let stub = cargo.then(|| stub_cargo(runner.dir.path()));
    let path = path_with(stub.as_deref());
    let env = [
        ("RUNNER_OS", os),
        ("RUNNER_ARCH", "X64"),
        ("GHPKG_ACTION_PATH", action.as_str()),
        ("GHPKG_ACTION_REPOSITORY", "owner/ghpkg"),
        ("GHPKG_ACTION_REF", reference),
        ("GHPKG_RELEASES", releases.as_str()),
        ("PATH", path.as_str()),
    ];
    runner.script("install.sh", &env).await
}

fn shown(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

#[tokio::test(flavor = "multi_thread")]
async fn install_takes_the_release_asset_whose_checksum_matches() {
    let runner = Runner::new();
    let done = install(&runner, "v9.9.9", "Linux", "v9.9.9", None, false).await;
    assert_eq!(done.status.code(), Some(0), "{}", shown(&done));
    assert!(stdout(&done).contains("verified"), "{}", stdout(&done));
    let outputs = runner.outputs();
    assert_eq!(output(&outputs, "source"), Some("release"));
    let binary = output(&outputs, "path").expect("a path output");
    let version = std::process::Command::new(binary)
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        stdout(&version).starts_with("ghpkg "),
        "{}",
        stdout(&version)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn install_refuses_an_asset_whose_checksum_does_not_match() {
    let runner = Runner::new();
    let wrong = "a".repeat(64);
    let done = install(&runner, "v9.9.9", "Linux", "v9.9.9", Some(&wrong), true).await;
    assert_eq!(done.status.code(), Some(1));
    assert!(
        stdout(&done).contains(
            "::error title=ghpkg install::ghpkg-x86_64-unknown-linux-musl of release v9.9.9 \
             does not match its SHA-256"
        ),
        "{}",
        stdout(&done)
    );
    assert_eq!(
        output(&runner.outputs(), "path"),
        None,
        "no binary is named"
    );
    assert!(
        !runner.path("cargo-args").exists(),
        "a tampered asset is not papered over by a build"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn install_builds_from_the_actions_source_without_a_release_asset() {
    // A branch has no release; nor has a runner without a prebuilt target;
    // nor a tag whose release lacks the asset.
    for (reference, os, release_tag) in [
        ("main", "Linux", "v9.9.9"),
        ("v9.9.9", "FreeBSD", "v9.9.9"),
        ("v1.0.0", "Linux", "v9.9.9"),
    ] {
        let runner = Runner::new();
        let done = install(&runner, reference, os, release_tag, None, true).await;
        assert_eq!(
            done.status.code(),
            Some(0),
            "{reference} {os}: {}",
            shown(&done)
        );
        let outputs = runner.outputs();
        assert_eq!(
            output(&outputs, "source"),
            Some("build"),
            "{reference} {os}"
        );
        let args: Vec<String> = read(&runner.path("cargo-args"))
            .lines()
            .map(str::to_owned)
            .collect();
        let temp = runner.path("temp").join("ghpkg-install");
        let expected = [
            "install",
            "--locked",
            "--quiet",
            "--path",
            &format!("{}/crates/ghpkg", root().display()),
            "--root",
            temp.to_str().unwrap(),
        ];
        assert_eq!(args, expected, "{reference} {os}");
        assert_eq!(
            output(&outputs, "path"),
            Some(temp.join("bin/ghpkg").to_str().unwrap())
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn install_without_an_asset_or_cargo_says_what_to_add() {
    let runner = Runner::new();
    let done = install(&runner, "main", "Linux", "v9.9.9", None, false).await;
    assert_eq!(done.status.code(), Some(1));
    assert!(
        stdout(&done).contains("cargo is not installed to build one; add a Rust toolchain step"),
        "{}",
        stdout(&done)
    );
}

/// Runs `action/run.sh` against `fake` with this build of ghpkg and the
/// inputs `inputs` (besides the token and API URL).
async fn run_action(runner: &Runner, fake: &Fake, inputs: &[(&str, &str)]) -> Output {
    let mut env = vec![
        ("GHPKG", env!("CARGO_BIN_EXE_ghpkg")),
        ("INPUT_TOKEN", TOKEN),
        ("INPUT_API_URL", fake.url()),
        ("GITHUB_REPOSITORY_OWNER", "acme"),
    ];
    env.extend_from_slice(inputs);
    runner.script("run.sh", &env).await
}

const POLICY: &str =
    "package_type = \"container\"\nkeep_tags = [\"v*\"]\ndelete_untagged_older_than = \"30d\"\n";

/// Everything a run left where a workflow or its log could show it.
fn everything_shown(runner: &Runner, done: &Output) -> String {
    [
        stdout(done),
        stderr(done),
        read(&runner.path("output")),
        read(&runner.path("summary.md")),
    ]
    .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_action_plans_by_default_with_the_repository_owner_looked_up() {
    let fake = Fake::start(seed()).await.unwrap();
    let runner = Runner::new();
    let done = run_action(&runner, &fake, &[("INPUT_POLICY_TOML", POLICY)]).await;
    assert_eq!(done.status.code(), Some(0), "{}", shown(&done));
    assert!(
        stdout(&done).contains("ghpkg prune org:acme --policy "),
        "{}",
        stdout(&done)
    );
    assert_eq!(deletes(&fake), 0, "a dry run");
    let outputs = runner.outputs();
    assert_eq!(output(&outputs, "deleted"), Some("0"));
    let planned: usize = output(&outputs, "planned_deletions")
        .unwrap()
        .parse()
        .unwrap();
    assert!(planned > 0, "{outputs:?}");
    let plan: serde_json::Value =
        serde_json::from_str(&read(Path::new(output(&outputs, "plan").unwrap()))).unwrap();
    assert_eq!(plan["packages"][0]["name"], "app");
    assert_eq!(
        output(&outputs, "journal"),
        None,
        "no journal without deleting"
    );
    assert!(read(&runner.path("summary.md")).contains("dry run: nothing was deleted"));
    assert!(!everything_shown(&runner, &done).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_action_deletes_with_execute_and_leaves_a_journal() {
    let fake = Fake::start(seed()).await.unwrap();
    let runner = Runner::new();
    let policy = runner.path("retention.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let done = run_action(
        &runner,
        &fake,
        &[
            ("INPUT_POLICY", policy.to_str().unwrap()),
            ("INPUT_OWNER", "org:acme"),
            ("INPUT_PACKAGES", " app ,\n"),
            ("INPUT_EXECUTE", "true"),
        ],
    )
    .await;
    assert_eq!(done.status.code(), Some(0), "{}", shown(&done));
    let outputs = runner.outputs();
    let deleted: usize = output(&outputs, "deleted").unwrap().parse().unwrap();
    assert!(deleted > 0);
    assert_eq!(
        output(&outputs, "planned_deletions"),
        Some(deleted.to_string().as_str())
    );
    assert_eq!(output(&outputs, "failed"), Some("0"));
    assert_eq!(deletes(&fake), deleted);
    let journal = read(Path::new(output(&outputs, "journal").unwrap()));
    assert_eq!(journal.lines().count(), deleted, "{journal}");
    assert!(!everything_shown(&runner, &done).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_actions_package_inputs_replace_the_policys() {
    let fake = Fake::start(seed()).await.unwrap();
    let runner = Runner::new();
    let done = run_action(
        &runner,
        &fake,
        &[
            ("INPUT_POLICY_TOML", POLICY),
            ("INPUT_PACKAGE_TYPE", "npm"),
            ("INPUT_PACKAGES", "lib, oth*\n\n"),
        ],
    )
    .await;
    assert_eq!(done.status.code(), Some(0), "{}", shown(&done));
    assert!(
        stdout(&done).contains("--type npm --package lib --package oth*"),
        "{}",
        stdout(&done)
    );
    let plan: serde_json::Value =
        serde_json::from_str(&read(Path::new(output(&runner.outputs(), "plan").unwrap()))).unwrap();
    let names: Vec<&str> = plan["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lib"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_action_inputs_are_refused_in_one_sentence_before_any_request() {
    let fake = Fake::start(seed()).await.unwrap();
    for (inputs, says) in [
        (
            vec![("INPUT_POLICY_TOML", POLICY), ("INPUT_EXECUTE", "yes")],
            "execute must be true or false, not 'yes'",
        ),
        (
            vec![("INPUT_POLICY_TOML", POLICY), ("INPUT_POLICY", "p.toml")],
            "give policy or policy-toml, not both",
        ),
        (vec![], "a policy is needed"),
        (
            vec![("INPUT_POLICY_TOML", POLICY), ("INPUT_OWNER", "acme/x")],
            "owner 'acme/x' is not a GitHub login",
        ),
    ] {
        let runner = Runner::new();
        let done = run_action(&runner, &fake, &inputs).await;
        assert_eq!(done.status.code(), Some(2), "{says}");
        assert!(
            stdout(&done).starts_with("::error title=ghpkg::"),
            "{}",
            stdout(&done)
        );
        assert!(stdout(&done).contains(says), "{says}: {}", stdout(&done));
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

/// The scripts read exactly the `INPUT_*` variables action.yml sets, and
/// every input of action.yml reaches a script.
#[test]
fn action_yml_and_its_scripts_agree_on_the_inputs() {
    let action = read(&root().join("action.yml"));
    let scripts = ["install.sh", "run.sh"].map(|s| read(&root().join("action").join(s)));
    let variable = Regex::new(r"\bINPUT_[A-Z_]+\b").unwrap();
    let mapped: BTreeSet<&str> = variable.find_iter(&action).map(|m| m.as_str()).collect();
    let read_by_scripts: BTreeSet<&str> = scripts
        .iter()
        .flat_map(|s| variable.find_iter(s).map(|m| m.as_str()))
        .collect();
    assert_eq!(mapped, read_by_scripts);
    let input = Regex::new(r"\$\{\{ inputs\.([a-z-]+) \}\}").unwrap();
    let used: BTreeSet<String> = input
        .captures_iter(&action)
        .map(|c| c[1].replace('-', "_").to_uppercase())
        .collect();
    let declared = Regex::new(r"(?m)^  ([a-z-]+):\n    description:").unwrap();
    let inputs_section = action.split("\noutputs:").next().unwrap();
    let declared: BTreeSet<String> = declared
        .captures_iter(inputs_section)
        .map(|c| c[1].replace('-', "_").to_uppercase())
        .collect();
    assert_eq!(used, declared, "every declared input is passed on");
    let as_variables: BTreeSet<String> = mapped.iter().map(|v| v[6..].to_owned()).collect();
    assert_eq!(as_variables, declared);
}
