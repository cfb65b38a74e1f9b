//! Lists an owner's packages of one type.
//!
//! ```sh
//! export GITHUB_TOKEN=…            # read:packages
//! cargo run -p github-packages --example list_packages -- org:acme container
//! ```
//!
//! The owner is `org:NAME`, `user:NAME` or `me`. `GITHUB_API_URL` selects a
//! GitHub Enterprise Server.

use std::process::ExitCode;

use futures::TryStreamExt;
use github_packages::{Client, Owner, PackageType};

const USAGE: &str =
    "usage: list_packages <org:NAME|user:NAME|me> <npm|maven|rubygems|docker|nuget|container>";

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

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [owner, package_type] = args.as_slice() else {
        return Err(USAGE.to_owned());
    };
    let owner: Owner = owner.parse().map_err(|e| format!("{e}\n{USAGE}"))?;
    let package_type: PackageType = package_type.parse().map_err(|e| format!("{e}\n{USAGE}"))?;
    let client = Client::from_env().map_err(|e| e.to_string())?;

    let mut packages = client.packages(owner).list(package_type).stream();
    while let Some(package) = packages.try_next().await.map_err(|e| e.to_string())? {
        // Listings carry no version count; `get()` one package for it.
        println!(
            "{:<40} {:<9} {:<30} updated {}",
            package.name(),
            package.visibility(),
            package.repository_full_name().unwrap_or("-"),
            package.updated_at().format("%Y-%m-%d"),
        );
    }
    if let Some(limit) = client.rate_limit() {
        eprintln!(
            "rate limit: {} of {} requests left",
            limit.remaining, limit.limit
        );
    }
    Ok(())
}
