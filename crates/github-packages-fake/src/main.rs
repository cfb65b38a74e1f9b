//! `cargo run -p github-packages-fake -- --seed FILE [--port N]`: serves a
//! fake GitHub Packages API (and registry) until stopped, for testing
//! scripts in any language. Prints the base URL on the first line, and the
//! admin API's address (`/_fake/`, see `admin.rs`) on standard error.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use github_packages_fake::{Fake, Seed};

/// A fake GitHub Packages server with GitHub's semantics.
#[derive(Parser)]
#[command(
    name = "github-packages-fake",
    after_help = "Seed (TOML, or JSON by a .json name; see seed.example.toml and the README's table):\n  [clock] start, speed    [limits] primary, points_per_minute, concurrency\n  [faults] seed, latency_ms, jitter_ms, server_errors, dropped, slow_body_ms,\n           registry_busy\n  [[orgs]] login, members    [[users]] login\n  [[tokens]] token, user, kind (classic|actions), scopes, repository\n  [[packages]] owner, type, name, visibility, repository, created, deleted, docker_conflict\n  [[packages.versions]] name, tags, created, downloads, deleted, license, description\n  [[packages.images]] tags, platforms, attestations, signature, attestation, sbom,\n                      referrer, referrers_tag, docker, created, downloads,\n                      same_as (a re-tag), shares_platforms_of (shared children)\n\nAdmin API at /_fake/: log, limits, clock, faults, reset, world (see the README).\n\nExample:\n  cargo run -p github-packages-fake -- --seed crates/github-packages-fake/seed.example.toml --port 8080\n  curl -H 'Authorization: Bearer ghp_alice_demo' 'http://127.0.0.1:8080/orgs/acme/packages?package_type=container'\n  curl http://127.0.0.1:8080/_fake/log"
)]
struct Args {
    /// The seed: owners, tokens, packages (TOML, or JSON by the .json extension).
    #[arg(long, value_name = "FILE")]
    seed: PathBuf,
    /// The port to listen on; a free one by default.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let shown = args.seed.display();
    let text =
        std::fs::read_to_string(&args.seed).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let seed = if args.seed.extension().is_some_and(|e| e == "json") {
        Seed::from_json(&text)
    } else {
        Seed::from_toml(&text)
    }
    .map_err(|e| format!("{shown}: {e}"))?;
    let fake = Fake::start_on(seed, SocketAddr::new(args.host, args.port)).await?;
    println!("{}", fake.url());
    eprintln!(
        "serving the GitHub Packages API and registry; admin API at {}{}; Ctrl-C stops",
        fake.url(),
        github_packages_fake::admin::PREFIX
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    Ok(())
}
