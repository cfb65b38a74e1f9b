//! `ghpkg`: list, plan, prune, delete and restore GitHub packages from the
//! command line. Destructive commands are dry runs unless `--execute`.

mod demo;
mod output;
mod policy_args;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use futures::TryStreamExt;
use github_packages::{Client, ClientBuilder, Owner, PackageType, VersionId, VersionState};
use github_packages_retention::{ExecuteOptions, Plan, Retention};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::{Out, exit_code};
use crate::policy_args::PolicyArgs;

const EXAMPLES: &str = "\
Examples:
  ghpkg demo                                      a plan on a built-in fake GitHub; no token needed
  ghpkg packages org:acme container               list an organization's container packages
  ghpkg versions org:acme container team/app      list an image's versions
  ghpkg plan org:acme --policy retention.toml     what a policy keeps and deletes, and why
  ghpkg prune org:acme --type container --keep-latest 10 --keep-tag 'v*' \\
        --delete-untagged-older-than 30d          the same from flags; add --execute to delete
  ghpkg delete me npm my-lib 123 456 --execute    delete two versions
  ghpkg restore me npm my-lib 123                 restore one

Owners are org:NAME, user:NAME or me. GITHUB_TOKEN and GITHUB_API_URL are
read from the environment, as GitHub Actions sets them. Exit status: 0 when
everything asked for was done, 1 on an error or when a deletion failed, was
refused or was not attempted, 2 on a usage error.";

/// Said after a dry run.
const DRY_RUN: &str = "dry run: nothing was deleted; add --execute to delete";

/// Clean up GitHub Packages: list, plan, prune, delete, restore.
#[derive(Parser)]
#[command(name = "ghpkg", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print JSON for scripts instead of tables (the README documents it).
    #[arg(long, global = true)]
    json: bool,
    /// The API root; GITHUB_API_URL, else https://api.github.com.
    #[arg(long, global = true, value_name = "URL")]
    api_url: Option<String>,
    /// The container registry; by default the one that goes with the API
    /// (ghcr.io, containers.HOST for GitHub Enterprise Server).
    #[arg(long, global = true, value_name = "URL")]
    registry: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// List an owner's packages of one type.
    Packages {
        /// org:NAME, user:NAME or me.
        owner: Owner,
        /// container, npm, maven, rubygems, docker or nuget.
        package_type: PackageType,
    },
    /// List a package's versions, newest first.
    Versions {
        /// org:NAME, user:NAME or me.
        owner: Owner,
        /// container, npm, maven, rubygems, docker or nuget.
        package_type: PackageType,
        /// The package's name, e.g. team/app.
        name: String,
        /// Deleted versions that can still be restored, instead.
        #[arg(long)]
        deleted: bool,
    },
    /// Show what a retention policy keeps and deletes, and why; sends no
    /// DELETE.
    Plan(PlanArgs),
    /// Plan, and with --execute delete what the plan deletes.
    Prune {
        #[command(flatten)]
        plan: PlanArgs,
        /// Delete; without it this is a dry run that only plans.
        #[arg(long)]
        execute: bool,
        /// Stop after the first deletion that fails or is refused.
        #[arg(long)]
        stop_on_failure: bool,
    },
    /// Delete versions by id; a dry run unless --execute.
    Delete {
        #[command(flatten)]
        versions: VersionArgs,
        /// Delete; without it this only shows the requests it would send.
        #[arg(long)]
        execute: bool,
    },
    /// Restore deleted versions by id (within GitHub's 30 days).
    Restore {
        #[command(flatten)]
        versions: VersionArgs,
    },
    /// Plan a typical policy against a built-in fake GitHub with multi-arch
    /// images, signatures and hundreds of versions; needs no token.
    Demo {
        /// Also carry the plan out, against the fake.
        #[arg(long)]
        execute: bool,
    },
}

#[derive(Args)]
struct PlanArgs {
    /// org:NAME, user:NAME or me.
    owner: Owner,
    #[command(flatten)]
    policy: PolicyArgs,
}

#[derive(Args)]
struct VersionArgs {
    /// org:NAME, user:NAME or me.
    owner: Owner,
    /// container, npm, maven, rubygems, docker or nuget.
    package_type: PackageType,
    /// The package's name, e.g. team/app.
    name: String,
    /// Version ids, as `ghpkg versions` shows them.
    #[arg(required = true)]
    ids: Vec<VersionId>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.json);
    match run(cli, &out).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, out: &Out) -> Result<ExitCode, String> {
    match cli.command {
        Command::Demo { execute } => demo::run(out, execute).await,
        Command::Packages {
            owner,
            package_type,
        } => {
            let client = client(cli.api_url.as_deref())?;
            let packages: Vec<_> = client
                .packages(owner)
                .list(package_type)
                .stream()
                .try_collect()
                .await
                .map_err(|e| e.to_string())?;
            out.packages(&packages);
            Ok(ExitCode::SUCCESS)
        }
        Command::Versions {
            owner,
            package_type,
            name,
            deleted,
        } => {
            let client = client(cli.api_url.as_deref())?;
            let state = if deleted {
                VersionState::Deleted
            } else {
                VersionState::Active
            };
            let versions: Vec<_> = client
                .packages(owner)
                .package(package_type, name)
                .versions()
                .state(state)
                .stream()
                .try_collect()
                .await
                .map_err(|e| e.to_string())?;
            out.versions(&versions);
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan(args) => {
            let retention = retention(cli.api_url.as_deref(), cli.registry.as_deref())?;
            let plan = make_plan(&retention, args).await?;
            out.plan(&plan);
            Ok(ExitCode::SUCCESS)
        }
        Command::Prune {
            plan,
            execute,
            stop_on_failure,
        } => {
            let retention = retention(cli.api_url.as_deref(), cli.registry.as_deref())?;
            let plan = make_plan(&retention, plan).await?;
            prune(&retention, &plan, out, execute, stop_on_failure).await
        }
        Command::Delete { versions, execute } => {
            let client = client(cli.api_url.as_deref())?;
            bulk(&client, versions, out, Some(execute)).await
        }
        Command::Restore { versions } => {
            let client = client(cli.api_url.as_deref())?;
            bulk(&client, versions, out, None).await
        }
    }
}

/// The client: `GITHUB_TOKEN`, and `--api-url` or `GITHUB_API_URL`.
fn client(api_url: Option<&str>) -> Result<Client, String> {
    let mut builder =
        ClientBuilder::from_env().user_agent(concat!("ghpkg/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = api_url {
        builder = builder.base_url(url);
    }
    builder.build().map_err(|e| e.to_string())
}

fn retention(api_url: Option<&str>, registry: Option<&str>) -> Result<Retention, String> {
    Retention::with_env_registry(client(api_url)?, registry).map_err(|e| e.to_string())
}

async fn make_plan(retention: &Retention, args: PlanArgs) -> Result<Plan, String> {
    let policy = args.policy.policy()?;
    retention
        .plan(args.owner, &policy)
        .await
        .map_err(|e| e.to_string())
}

/// Shows the plan and, with `execute`, carries it out with a progress bar.
pub(crate) async fn prune(
    retention: &Retention,
    plan: &Plan,
    out: &Out,
    execute: bool,
    stop_on_failure: bool,
) -> Result<ExitCode, String> {
    if !execute {
        out.plan(plan);
        out.note(DRY_RUN);
        return Ok(ExitCode::SUCCESS);
    }
    if !out.json {
        out.plan(plan);
    }
    let total = plan.counts().delete as u64;
    let bar = progress(total, out);
    let options = ExecuteOptions {
        stop_on_failure,
        stop: Some(Box::pin(ctrl_c())),
    };
    let execution = retention
        .execute(plan, options, |package, item| {
            bar.inc(1);
            if let Some(error) = item.outcome.error() {
                bar.suspend(|| eprintln!("{}: {error}", package.name));
            }
        })
        .await;
    bar.finish_and_clear();
    out.execution(plan, &execution);
    Ok(exit_code(execution.is_success()))
}

/// Deletes (`Some(execute)`) or restores (`None`) versions by id.
async fn bulk(
    client: &Client,
    args: VersionArgs,
    out: &Out,
    delete: Option<bool>,
) -> Result<ExitCode, String> {
    let package = client
        .packages(args.owner)
        .package(args.package_type, args.name);
    let total = args.ids.len() as u64;
    let bulk = match delete {
        Some(execute) => package.delete_versions(args.ids).dry_run(!execute),
        None => package.restore_versions(args.ids),
    };
    let bar = progress(total, out);
    let report = bulk.stop_when(ctrl_c()).send_with(|_| bar.inc(1)).await;
    bar.finish_and_clear();
    out.bulk(&report);
    if report.planned() > 0 {
        out.note(DRY_RUN);
    }
    Ok(exit_code(report.is_success()))
}

/// Completes on Ctrl-C, which stops a run cleanly: requests in flight
/// finish and are reported, the rest are not attempted.
async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// A progress bar on standard error, when it is a terminal and the output
/// is for people.
fn progress(total: u64, out: &Out) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if out.json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} (eta {eta})") {
        bar.set_style(style);
    }
    bar
}
