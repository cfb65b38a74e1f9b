//! Lists the versions of one package with their tags.
//!
//! ```sh
//! export GITHUB_TOKEN=…            # read:packages
//! cargo run -p github-packages --example list_versions -- org:acme container team/app
//! ```

use std::process::ExitCode;

use futures::TryStreamExt;
use github_packages::{Client, Owner, PackageType};

const USAGE: &str = "usage: list_versions <org:NAME|user:NAME|me> <package-type> <package-name>";

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
    let [owner, package_type, name] = args.as_slice() else {
        return Err(USAGE.to_owned());
    };
    let owner: Owner = owner.parse().map_err(|e| format!("{e}\n{USAGE}"))?;
    let package_type: PackageType = package_type.parse().map_err(|e| format!("{e}\n{USAGE}"))?;
    let client = Client::from_env().map_err(|e| e.to_string())?;

    let package = client.packages(owner).package(package_type, name.as_str());
    let mut versions = package.versions().stream();
    while let Some(version) = versions.try_next().await.map_err(|e| e.to_string())? {
        let tags = if version.is_tagged() {
            version.tags().join(", ")
        } else {
            "(untagged)".to_owned()
        };
        println!(
            "{:>12}  {}  {}  {tags}",
            version.id(),
            version.created_at().format("%Y-%m-%d %H:%M"),
            version.name(),
        );
    }
    Ok(())
}
