//! Deletes up to a thousand old versions of one package, safely:
//!
//! - nothing is deleted without `--execute`; the default dry run prints the
//!   requests it would send;
//! - the newest `--keep` versions (50 by default) always stay;
//! - container images are refused: an untagged manifest may be a platform
//!   of a multi-arch image or its signature, which this sketch cannot
//!   tell (the retention crate checks the registry);
//! - the client's throttle paces the deletions at GitHub's budget (180 a
//!   minute), so a thousand take about six minutes; Ctrl-C stops cleanly
//!   and reports what was done.
//!
//! ```text
//! GITHUB_TOKEN=… cargo run -p github-packages --example prune_versions -- org:acme npm @acme/tool
//! GITHUB_TOKEN=… cargo run -p github-packages --example prune_versions -- org:acme npm @acme/tool --keep 20 --execute
//! ```
//!
//! `GITHUB_API_URL` points it elsewhere (GitHub Enterprise Server, or the
//! fake: `cargo run -p github-packages-fake -- --seed crates/github-packages-fake/seed.example.toml`).

use std::process::ExitCode;

use futures::{StreamExt, TryStreamExt};
use github_packages::{BulkAction, BulkOutcome, BulkReport, Client, Owner, PackageType};

const MOST_PER_RUN: usize = 1_000;

struct Args {
    owner: Owner,
    package_type: PackageType,
    name: String,
    keep: usize,
    execute: bool,
}

fn parse() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut keep = 50;
    let mut execute = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--execute" => execute = true,
            "--keep" => {
                let value = args.next().ok_or("--keep needs a number")?;
                keep = value
                    .parse()
                    .map_err(|_| format!("--keep takes a number, not `{value}`"))?;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => positional.push(arg),
        }
    }
    let [owner, package_type, name] = <[String; 3]>::try_from(positional)
        .map_err(|_| "usage: prune_versions OWNER TYPE NAME [--keep N] [--execute]".to_owned())?;
    let package_type: PackageType = package_type.parse().map_err(|e| format!("{e}"))?;
    if package_type == PackageType::Container || package_type == PackageType::Docker {
        return Err(
            "container images need the registry checked before deleting untagged manifests; \
             use the retention crate or the CLI"
                .to_owned(),
        );
    }
    Ok(Args {
        owner: owner.parse().map_err(|e| format!("{e}"))?,
        package_type,
        name,
        keep,
        execute,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> github_packages::Result<bool> {
    let client = Client::from_env()?;
    let package = client
        .packages(args.owner)
        .package(args.package_type, args.name);

    // Collect first: deleting while paging would shift the pages. GitHub
    // lists newest first.
    let versions: Vec<_> = package.versions().stream().try_collect().await?;
    let doomed: Vec<_> = versions
        .iter()
        .skip(args.keep)
        .take(MOST_PER_RUN)
        .map(|v| v.id())
        .collect();
    println!(
        "{} has {} versions; keeping the newest {}, {} {}",
        package.target(),
        versions.len(),
        args.keep.min(versions.len()),
        if args.execute {
            "deleting"
        } else {
            "would delete"
        },
        doomed.len()
    );

    let mut outcomes = package
        .delete_versions(doomed)
        .dry_run(!args.execute)
        .stop_when(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .stream();
    let mut items = Vec::new();
    while let Some(item) = outcomes.next().await {
        let id = item
            .target
            .version_id()
            .map(|id| id.get())
            .unwrap_or_default();
        match &item.outcome {
            BulkOutcome::DryRun { method, url } => println!("would send {method} {url}"),
            BulkOutcome::Done => println!("deleted {id}"),
            BulkOutcome::AlreadyGone => println!("{id} was already gone"),
            BulkOutcome::NotAttempted => println!("stopped before {id}"),
            BulkOutcome::Refused(error) | BulkOutcome::Failed(error) => {
                eprintln!("kept {id}: {error}");
            }
        }
        items.push(item);
    }
    let report = BulkReport {
        action: BulkAction::Delete,
        items,
    };
    println!("{report}");
    if !args.execute {
        println!("nothing was deleted; add --execute to delete");
    }
    Ok(report.is_success() && report.not_attempted() == 0)
}
