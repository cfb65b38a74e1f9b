//! Running the `ghpkg` binary against the fake GitHub, as a user runs it:
//! with `GITHUB_API_URL` and `GITHUB_TOKEN` in its environment (set for
//! the child process only, which inherits nothing of Actions' own).
//! Each test file uses some of these, so the rest is dead code there.

#![allow(dead_code)]

use std::process::Output;

use chrono::{Duration, Utc};
use github_packages_fake::{Fake, ImageSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use serde_json::Value;

pub const TOKEN: &str = "ghp_cli_alice";

pub fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

pub fn seed() -> Seed {
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
pub async fn ghpkg(fake: Option<&Fake>, args: &[&str]) -> Output {
    ghpkg_with(fake, args, &[]).await
}

/// [`ghpkg`] with `env` set too.
pub async fn ghpkg_with(fake: Option<&Fake>, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ghpkg"));
    command
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT");
    if let Some(fake) = fake {
        command
            .env("GITHUB_API_URL", fake.url())
            .env("GITHUB_TOKEN", TOKEN);
    }
    command.envs(env.iter().copied());
    // In a directory of its own: an executed run leaves its journal there.
    let here = tempfile::tempdir().unwrap();
    command.current_dir(here.path());
    tokio::task::spawn_blocking(move || command.output().expect("ghpkg runs"))
        .await
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)))
}

pub fn deletes(fake: &Fake) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
}

/// A dry-run prune of `acme`'s container packages.
pub const PRUNE: [&str; 8] = [
    "prune",
    "org:acme",
    "--type",
    "container",
    "--keep-tag",
    "v*",
    "--delete-untagged-older-than",
    "30d",
];
