//! What snok/container-retention-policy does, as a library user writes it:
//! keep the 10 most recent tagged images and those tagged `latest` or
//! `v*`, delete untagged ones older than 30 days, never breaking a kept
//! multi-arch image or its signatures. A dry run unless `--execute`.
//!
//! `GITHUB_TOKEN=… cargo run -p github-packages-retention --example keep_recent_images -- org:acme [--execute]`

use github_packages_retention::{Policy, Retention};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let owner = std::env::args().nth(1).ok_or("usage: OWNER [--execute]")?;
    let retention = Retention::from_env()?;
    let policy = Policy::from_toml(
        r#"
        package_type = "container"
        keep_latest = 10
        keep_tags = ["latest", "v*"]
        delete_untagged_older_than = "30d"
        "#,
    )?;
    let plan = retention.plan(owner.parse()?, &policy).await?;
    for package in &plan.packages {
        for version in &package.versions {
            println!(
                "{}: {version}",
                github_packages_retention::short(&package.name)
            );
        }
    }
    if std::env::args().any(|arg| arg == "--execute") {
        let done = retention
            .execute(&plan, Default::default(), |_, _| {})
            .await?;
        println!("{}", done.summary());
    }
    Ok(())
}
