//! Deletes untagged container image versions older than N days. A dry run
//! unless `--execute` is given.
//!
//! Untagged is not unused: the platform manifests of a multi-arch image,
//! and its attestations, are listed as untagged versions, and deleting them
//! breaks `docker pull` of the tag. This example does not look into the
//! registry; use it for single-platform images, or use the retention
//! library, which protects what kept images reference.
//!
//! ```sh
//! export GITHUB_TOKEN=…            # read:packages, plus delete:packages to execute
//! cargo run -p github-packages --example prune_untagged -- org:acme team/app --older-than-days 30
//! cargo run -p github-packages --example prune_untagged -- org:acme team/app --older-than-days 30 --execute
//! ```

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use github_packages::{Client, OptionalExt, Owner, PackageType, PackageVersion};

const USAGE: &str = "usage: prune_untagged <org:NAME|user:NAME|me> <image-name> [--older-than-days N (default 30)] [--execute]";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    owner: Owner,
    image: String,
    older_than_days: u64,
    execute: bool,
}

fn options() -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut older_than_days = 30;
    let mut execute = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--execute" => execute = true,
            "--older-than-days" => {
                let days = args
                    .next()
                    .ok_or_else(|| format!("--older-than-days needs a number\n{USAGE}"))?;
                older_than_days = days
                    .parse()
                    .map_err(|_| format!("`{days}` is not a number of days\n{USAGE}"))?;
            }
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            _ => positional.push(arg),
        }
    }
    let [owner, image] = <[String; 2]>::try_from(positional).map_err(|_| USAGE.to_owned())?;
    Ok(Options {
        owner: owner.parse().map_err(|e| format!("{e}\n{USAGE}"))?,
        image,
        older_than_days,
        execute,
    })
}

async fn run() -> Result<(), String> {
    let options = options()?;
    let client = Client::from_env().map_err(|e| e.to_string())?;
    let cutoff: DateTime<Utc> =
        (SystemTime::now() - Duration::from_secs(options.older_than_days * 86_400)).into();
    let image = client
        .packages(options.owner)
        .package(PackageType::Container, options.image.as_str());

    // Collect first: deleting while paging would shift the pages.
    let versions: Vec<PackageVersion> = image
        .versions()
        .stream()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let doomed: Vec<&PackageVersion> = versions
        .iter()
        .filter(|v| !v.is_tagged() && v.created_at() < cutoff)
        .collect();
    println!(
        "{} of {} versions of {} are untagged and older than {} days",
        doomed.len(),
        versions.len(),
        options.image,
        options.older_than_days
    );

    for version in &doomed {
        let created = version.created_at().format("%Y-%m-%d");
        if options.execute {
            // Already gone (deleted by someone else meanwhile) is fine.
            version
                .handle(&image)
                .delete()
                .await
                .optional()
                .map_err(|e| e.to_string())?;
            println!(
                "deleted {} ({}, created {created})",
                version.name(),
                version.id()
            );
        } else {
            println!(
                "would delete {} ({}, created {created})",
                version.name(),
                version.id()
            );
        }
    }
    if !options.execute && !doomed.is_empty() {
        println!("dry run: nothing was deleted; add --execute to delete");
    }
    Ok(())
}
