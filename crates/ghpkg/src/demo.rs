//! `ghpkg demo`: the fake GitHub, in this process, with an organization
//! such as a clean-up tool meets, and the plan of a typical policy for it.

use std::process::ExitCode;

use chrono::{Duration, Utc};
use github_packages::{Client, Owner, Throttle};
use github_packages_fake::{Fake, ImageSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use github_packages_retention::{ExecuteOptions, Policy, Registry, Retention};

use crate::Failure;
use crate::output::Out;

/// The token the demo seeds and uses; it exists only in the fake.
const TOKEN: &str = "ghp_demo_alice";

/// A typical policy: releases, recent builds and everything young stay;
/// old untagged images and old pull-request builds go.
pub(crate) const POLICY: &str = r#"package_type = "container"
keep_latest = 3
keep_tags = ["latest", "v*"]
keep_semver = true
keep_younger_than = "7d"
delete_untagged_older_than = "14d"
delete_tags = ["pr-*", "sha-*"]
delete_tags_older_than = "14d"
"#;

fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

/// Organization `acme`: multi-arch releases with attestations and cosign
/// signatures, pull-request builds, stray untagged images, a Docker-format
/// image, an image with an OCI 1.1 SBOM; npm and Maven packages with
/// hundreds of versions; and a package of user `alice`.
pub(crate) fn seed() -> Seed {
    let mut web = PackageSeed::new("acme", "container", "web").repository("acme/web");
    for (i, minor) in (0..6).enumerate() {
        let mut tags = vec![format!("v1.{minor}.0")];
        if minor == 5 {
            tags.push("latest".to_owned());
        }
        web = web.image(
            ImageSeed::new(tags)
                .platforms(["linux/amd64", "linux/arm64"])
                .attestations()
                .signed()
                .created(days_ago(110 - 20 * i as i64)),
        );
    }
    for pr in 0..30 {
        let mut image = ImageSeed::new([format!("pr-{}", 101 + pr)]).created(days_ago(60 - 2 * pr));
        if pr % 3 == 0 {
            image = image.signed();
        }
        web = web.image(image);
    }
    for stray in 0..25 {
        web = web.image(ImageSeed::untagged().created(days_ago(100 - 2 * stray)));
    }

    let mut api = PackageSeed::new("acme", "container", "api");
    for (i, minor) in (0..4).enumerate() {
        let mut image = ImageSeed::new([format!("2.{minor}.0")])
            .platforms(["linux/amd64", "linux/arm64", "linux/arm/v7"])
            .created(days_ago(80 - 20 * i as i64));
        image.docker = true;
        api = api.image(image);
    }
    for build in 0..12 {
        api = api.image(
            ImageSeed::new([format!("sha-{:07x}", 0x5eed00 + build)])
                .created(days_ago(45 - 3 * build as i64)),
        );
    }

    let scanner = PackageSeed::new("acme", "container", "tools/scanner")
        .image(
            ImageSeed::new(["v3.1.0"])
                .with_referrer()
                .created(days_ago(40)),
        )
        .image(ImageSeed::untagged().with_referrer().created(days_ago(35)));

    let sandbox = PackageSeed::new("alice", "container", "sandbox")
        .image(ImageSeed::new(["latest"]).created(days_ago(5)))
        .image(ImageSeed::untagged().created(days_ago(50)));

    Seed::new()
        .org("acme", ["alice"])
        .user("alice")
        .token(TokenSeed::all_scopes(TOKEN, "alice"))
        .limits(LimitsSeed::off())
        .package(web)
        .package(api)
        .package(scanner)
        .package(PackageSeed::new("acme", "npm", "ui").versions(150))
        .package(PackageSeed::new("acme", "maven", "com.acme.core").versions(80))
        .package(sandbox)
}

pub(crate) async fn run(out: &Out, execute: bool) -> Result<ExitCode, Failure> {
    let fake = Fake::start(seed()).await?;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .user_agent(concat!("ghpkg/", env!("CARGO_PKG_VERSION")))
        // The fake has no rate limits; GitHub's would pace this.
        .throttle(Throttle::off())
        .build()
        .map_err(|e| e.to_string())?;
    let registry = Registry::for_api(fake.url(), Some(TOKEN.to_owned()))
        .ok_or_else(|| "the fake's registry is not known".to_owned())?
        .map_err(|e| e.to_string())?;
    let retention = Retention::new(client).registry(registry);
    let policy = Policy::from_toml(POLICY).map_err(|e| e.to_string())?;

    out.note(&format!(
        "A fake GitHub at {} with organization acme: multi-arch images with attestations and\n\
         signatures, pull-request builds, stray untagged images, npm and Maven packages.\n\
         The plan for its container packages under this policy:\n\n{POLICY}",
        fake.url()
    ));
    let plan = retention
        .plan(Owner::org("acme"), &policy)
        .await
        .map_err(|e| e.to_string())?;
    let options = execute.then(|| ExecuteOptions {
        stop: Some(Box::pin(crate::ctrl_c())),
        ..ExecuteOptions::default()
    });
    crate::prune(&retention, &plan, out, options, None).await
}
