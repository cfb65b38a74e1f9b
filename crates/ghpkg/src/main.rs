//! `ghpkg`: list, plan, prune, delete and restore GitHub packages from the
//! command line. Destructive commands are dry runs unless `--execute`.

mod actions;
mod demo;
mod output;
mod policy_args;
mod undo;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use futures::TryStreamExt;
use github_packages::{Client, ClientBuilder, Owner, PackageType, VersionId, VersionState};
use github_packages_retention::{
    Age, DEFAULT_MAX_PLAN_AGE, ExecuteOptions, Journal, PackageCheck, Pattern, Plan, PlanProgress,
    Policy, Retention,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::actions::Files;
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
  ghpkg check org:acme --package 'team/*'         images that do not pull completely, and orphans
  ghpkg delete me npm my-lib 123 456 --execute    delete two versions
  ghpkg restore me npm my-lib 123 --execute       restore one (by id or name)
  ghpkg restore --journal ghpkg-journal-….jsonl   what a run deleted; add --execute to restore

Owners are org:NAME, user:NAME or me. GITHUB_TOKEN and GITHUB_API_URL are
read from the environment, as GitHub Actions sets them. Exit status: 0 when
everything asked for was done (a version kept because it changed since the
plan counts as done), 1 on an error or when a deletion failed, was refused
or was not attempted, 2 on a usage error (a flag, a policy file, a missing
token).";

/// Said after a dry run.
pub(crate) const DRY_RUN: &str = "dry run: nothing was deleted; add --execute to delete";

/// Clean up GitHub Packages: list, plan, prune, check, delete, restore.
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
    /// Accept plain-http API and registry URLs on other machines than this
    /// one (the token then crosses the network unencrypted); without it
    /// http is accepted only for localhost.
    #[arg(long, global = true)]
    allow_insecure_http: bool,
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
        /// Refuse to delete once the plan is older than AGE (planning a
        /// large organization takes time); 1h by default.
        #[arg(long, value_name = "AGE")]
        max_plan_age: Option<Age>,
        /// Record what the run does here (JSON lines, for `restore
        /// --journal`); ghpkg-journal-TIME.jsonl here by default.
        #[arg(long, value_name = "FILE", requires = "execute")]
        journal: Option<PathBuf>,
    },
    /// Report container images that do not pull completely (an index
    /// whose platform manifests GitHub does not all list) and signatures,
    /// attestations and referrers whose image is gone; exit status 1 if
    /// any is found or a package cannot be checked. Deletes nothing.
    Check {
        /// org:NAME, user:NAME or me.
        owner: Owner,
        /// Package names to check (wildcards `*` `?`, or `re:…`, `not:…`);
        /// all by default.
        #[arg(long = "package", value_name = "PATTERN")]
        packages: Vec<String>,
    },
    /// Delete versions by id; a dry run unless --execute.
    Delete {
        #[command(flatten)]
        versions: VersionArgs,
        /// Delete; without it this only shows the requests it would send.
        #[arg(long)]
        execute: bool,
        /// Record what the run does here (JSON lines, for `restore
        /// --journal`); ghpkg-journal-TIME.jsonl here by default.
        #[arg(long, value_name = "FILE", requires = "execute")]
        journal: Option<PathBuf>,
    },
    /// Restore deleted versions (within GitHub's 30 days), by id or name,
    /// or what a run's journal says it deleted; a dry run unless --execute.
    Restore(RestoreArgs),
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
    /// Also write the plan, as `plan --json` prints it, to FILE (before
    /// anything is deleted).
    #[arg(long, value_name = "FILE")]
    save_plan: Option<PathBuf>,
}

impl PlanArgs {
    /// The plan of `policy` (read from these arguments), written to
    /// `--save-plan`'s file when given; its progress shown on a terminal.
    async fn plan(
        &self,
        retention: &Retention,
        policy: &Policy,
        out: &Out,
    ) -> Result<Plan, Failure> {
        let progress = PlanProgress::new();
        let planning = retention.plan_with_progress(self.owner.clone(), policy, &progress);
        let plan = match planning_bar(out) {
            None => planning.await?,
            Some(bar) => {
                tokio::pin!(planning);
                let plan = loop {
                    tokio::select! {
                        plan = &mut planning => break plan,
                        () = tokio::time::sleep(Duration::from_millis(100)) => {
                            let (packages, selected) = progress.packages();
                            let (read, wanted) = progress.manifests();
                            bar.set_message(format!(
                                "planning: {packages}/{selected} packages, {read}/{wanted} manifests"
                            ));
                        }
                    }
                };
                bar.finish_and_clear();
                plan?
            }
        };
        if let Some(path) = &self.save_plan {
            let written = output::json_text(&plan)
                .map_err(std::io::Error::other)
                .and_then(|text| std::fs::write(path, text + "\n"));
            if let Err(error) = written {
                return Err(Failure::Failed(format!(
                    "cannot write the plan to {} ({error}); nothing was deleted",
                    path.display()
                )));
            }
        }
        Ok(plan)
    }
}

#[derive(Args)]
struct RestoreArgs {
    /// org:NAME, user:NAME or me.
    #[arg(required_unless_present = "journal")]
    owner: Option<Owner>,
    /// container, npm, maven, rubygems, docker or nuget.
    #[arg(required_unless_present = "journal")]
    package_type: Option<PackageType>,
    /// The package's name, e.g. team/app.
    #[arg(required_unless_present = "journal")]
    name: Option<String>,
    /// Version ids, or names of deleted versions (a digest, 1.2.3).
    #[arg(required_unless_present = "journal")]
    versions: Vec<String>,
    /// Restore what the run that wrote this journal deleted, what an
    /// index lists before the index.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["owner", "package_type", "name", "versions"])]
    journal: Option<PathBuf>,
    /// Restore; without it this only shows the requests it would send.
    #[arg(long)]
    execute: bool,
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

/// Why a command ended early, in one sentence: a mistake in how it was
/// called (a flag, a policy file, the environment: exit status 2), or a
/// failure while it ran (1).
#[derive(Debug)]
pub(crate) enum Failure {
    Usage(String),
    Failed(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

/// A client error in the CLI's words: here the token comes from
/// `GITHUB_TOKEN`, and a workflow token that may not list packages is
/// told what works instead (docs/github-behaviour.md, "Names and tokens").
impl From<github_packages::Error> for Failure {
    fn from(error: github_packages::Error) -> Self {
        use github_packages::Error;
        Self::Failed(match &error {
            Error::TokenRequired { operation, target } => {
                format!("{operation} ({target}): this needs a token; set GITHUB_TOKEN")
            }
            Error::Unauthorized {
                operation,
                target,
                anonymous: true,
                ..
            } => format!(
                "{operation} ({target}): GitHub requires authentication (401); set GITHUB_TOKEN"
            ),
            Error::Forbidden {
                operation,
                message: Some(message),
                ..
            } if operation.contains("list-packages")
                && message.contains("Resource not accessible by integration") =>
            {
                format!(
                    "{error}; a workflow's GITHUB_TOKEN cannot list packages: name them \
                     literally in the policy (`packages`, or --package NAME; no wildcards), or \
                     use a personal access token with read:packages"
                )
            }
            _ => error.to_string(),
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.json);
    if let Some(actions) = &out.actions {
        actions.stop_commands();
    }
    let result = run(cli, &out).await;
    if let Some(actions) = &out.actions {
        actions.resume_commands();
    }
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {}", output::line(&message));
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {}", output::line(&message));
            ExitCode::FAILURE
        }
    }
}

/// Where the API and registry are, as the global flags say.
struct Endpoints<'a> {
    api_url: Option<&'a str>,
    registry: Option<&'a str>,
    allow_insecure_http: bool,
}

async fn run(cli: Cli, out: &Out) -> Result<ExitCode, Failure> {
    let endpoints = Endpoints {
        api_url: cli.api_url.as_deref(),
        registry: cli.registry.as_deref(),
        allow_insecure_http: cli.allow_insecure_http,
    };
    match cli.command {
        Command::Demo { execute } => demo::run(out, execute).await,
        Command::Packages {
            owner,
            package_type,
        } => {
            let client = client(&endpoints)?;
            let packages: Vec<_> = client
                .packages(owner)
                .list(package_type)
                .stream()
                .try_collect()
                .await?;
            out.packages(&packages);
            Ok(ExitCode::SUCCESS)
        }
        Command::Versions {
            owner,
            package_type,
            name,
            deleted,
        } => {
            let client = client(&endpoints)?;
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
                .await?;
            out.versions(&versions);
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan(args) => {
            let policy = args.policy.policy().map_err(Failure::Usage)?;
            let plan = args.plan(&retention(&endpoints)?, &policy, out).await?;
            out.plan(&plan);
            if let Some(actions) = &out.actions {
                let files = Files::new(args.save_plan.as_deref(), None);
                actions.report_plan("plan", &plan, None, &files);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Prune {
            plan,
            execute,
            stop_on_failure,
            max_plan_age,
            journal,
        } => {
            let policy = plan.policy.policy().map_err(Failure::Usage)?;
            let retention = retention(&endpoints)?;
            if execute {
                need_token(retention.client())?;
            }
            let saved = plan.save_plan.clone();
            let plan = plan.plan(&retention, &policy, out).await?;
            let mut options = ExecuteOptions {
                stop_on_failure,
                stop: Some(Box::pin(ctrl_c())),
                max_plan_age: max_plan_age.map_or(DEFAULT_MAX_PLAN_AGE, Age::duration),
                journal: None,
            };
            if execute {
                options.journal = Some(undo::open(journal)?);
            }
            prune(
                &retention,
                &plan,
                out,
                execute.then_some(options),
                saved.as_deref(),
            )
            .await
        }
        Command::Check { owner, packages } => {
            let mut policy = Policy::new(PackageType::Container);
            if !packages.is_empty() {
                policy.packages = packages.iter().map(|p| Pattern::new(p)).collect();
            }
            policy
                .check()
                .map_err(|e| Failure::Usage(format!("--package: {e}")))?;
            let checks = retention(&endpoints)?.check(owner, &policy).await?;
            out.checks(&checks);
            if let Some(actions) = &out.actions {
                actions.report_checks(&checks);
            }
            Ok(exit_code(checks.iter().all(PackageCheck::is_sound)))
        }
        Command::Delete {
            versions,
            execute,
            journal,
        } => {
            let client = client(&endpoints)?;
            let journal = if execute {
                need_token(&client)?;
                Some(undo::open(journal)?)
            } else {
                None
            };
            delete(&client, versions, out, journal).await
        }
        Command::Restore(args) => {
            let retention = retention(&endpoints)?;
            let what = match (args.journal, args.owner, args.package_type, args.name) {
                (Some(journal), ..) => undo::Restore::Journal(journal),
                (None, Some(owner), Some(package_type), Some(name)) => undo::Restore::Versions {
                    owner,
                    package_type,
                    name,
                    versions: args.versions,
                },
                _ => {
                    return Err(Failure::Usage(
                        "restore needs OWNER TYPE NAME VERSION…, or --journal FILE".to_owned(),
                    ));
                }
            };
            undo::restore(&retention, what, out, args.execute).await
        }
    }
}

/// The client: `GITHUB_TOKEN`, and `--api-url` or `GITHUB_API_URL`.
fn client(endpoints: &Endpoints<'_>) -> Result<Client, Failure> {
    let mut builder = ClientBuilder::from_env()
        .user_agent(concat!("ghpkg/", env!("CARGO_PKG_VERSION")))
        .allow_insecure_http(endpoints.allow_insecure_http);
    if let Some(url) = endpoints.api_url {
        builder = builder.base_url(url);
    }
    builder.build().map_err(|e| Failure::Usage(e.to_string()))
}

fn retention(endpoints: &Endpoints<'_>) -> Result<Retention, Failure> {
    Retention::with_env_registry(
        client(endpoints)?,
        endpoints.registry,
        endpoints.allow_insecure_http,
    )
    .map_err(|e| Failure::Usage(e.to_string()))
}

/// Refuses, before anything is sent, a command that changes something
/// when there is no token to do it with.
pub(crate) fn need_token(client: &Client) -> Result<(), Failure> {
    if client.has_token() {
        Ok(())
    } else {
        Err(Failure::Usage(
            "deleting or restoring needs a token; set GITHUB_TOKEN".to_owned(),
        ))
    }
}

/// Shows the plan and, given `execute`'s options, carries it out with a
/// progress bar; `saved_plan` is where `--save-plan` wrote it.
pub(crate) async fn prune(
    retention: &Retention,
    plan: &Plan,
    out: &Out,
    execute: Option<ExecuteOptions>,
    saved_plan: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let Some(options) = execute else {
        out.plan(plan);
        out.note(DRY_RUN);
        if let Some(actions) = &out.actions {
            actions.report_plan("prune", plan, None, &Files::new(saved_plan, None));
        }
        return Ok(ExitCode::SUCCESS);
    };
    if !out.json {
        out.plan(plan);
    }
    let journal = options.journal.as_ref().map(|j| j.path().to_path_buf());
    let total = plan.counts().delete as u64;
    let bar = progress(total, out);
    // Failures are reported once, in the execution report below.
    let execution = retention
        .execute(plan, options, |_, _| bar.inc(1))
        .await
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    out.execution(plan, &execution);
    if let Some(actions) = &out.actions {
        actions.report_plan(
            "prune --execute",
            plan,
            Some(&execution),
            &Files::new(saved_plan, journal.as_deref()),
        );
    }
    Ok(exit_code(execution.is_success()))
}

/// Deletes versions by id (a dry run without a `journal`, which an
/// executed run writes to as it goes).
async fn delete(
    client: &Client,
    args: VersionArgs,
    out: &Out,
    journal: Option<Journal>,
) -> Result<ExitCode, Failure> {
    let package = client
        .packages(args.owner)
        .package(args.package_type, args.name);
    let total = args.ids.len() as u64;
    let bar = progress(total, out);
    let mut unrecorded = None;
    let report = package
        .delete_versions(args.ids)
        .dry_run(journal.is_none())
        .stop_when(ctrl_c())
        .send_with(|item| {
            bar.inc(1);
            if let Some(journal) = &journal
                && let Err(e) = journal.record(&undo::entry(&package, item))
            {
                unrecorded.get_or_insert(e);
            }
        })
        .await;
    bar.finish_and_clear();
    out.bulk(&report);
    if report.planned() > 0 {
        out.note(DRY_RUN);
    }
    if let Some(error) = unrecorded {
        return Err(Failure::Failed(format!(
            "the journal could not be written ({error})"
        )));
    }
    Ok(exit_code(report.is_success()))
}

/// Completes on Ctrl-C, which stops a run cleanly: requests in flight
/// finish and are reported, the rest are not attempted.
pub(crate) async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Whether progress is drawn: standard error is a terminal and the output
/// is for people.
fn shows_progress(out: &Out) -> bool {
    !out.json && std::io::stderr().is_terminal()
}

/// A spinner for planning on standard error, when it is a terminal and
/// the output is for people.
fn planning_bar(out: &Out) -> Option<ProgressBar> {
    if !shows_progress(out) {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message("planning");
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// A progress bar on standard error, when it is a terminal and the output
/// is for people.
pub(crate) fn progress(total: u64, out: &Out) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if !shows_progress(out) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} (eta {eta})") {
        bar.set_style(style);
    }
    bar
}
