//! Carrying a plan out: each package's deletions through the client's bulk
//! path (and so its throttle), image indexes first.

use std::collections::HashMap;
use std::fmt;

use futures::future::{BoxFuture, FutureExt, Shared};
use github_packages::{BulkItem, BulkReport};
use serde::Serialize;

use crate::{PackagePlan, Plan, Retention, VersionPlan};

/// How to carry out a plan.
#[derive(Default)]
pub struct ExecuteOptions {
    /// Stop starting deletions after the first that fails or is refused.
    pub stop_on_failure: bool,
    /// Stop cleanly when this completes (Ctrl-C): deletions in flight
    /// finish and are reported, the rest are reported as not attempted.
    pub stop: Option<BoxFuture<'static, ()>>,
}

impl fmt::Debug for ExecuteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecuteOptions")
            .field("stop_on_failure", &self.stop_on_failure)
            .field("stop", &self.stop.is_some())
            .finish()
    }
}

/// What happened to one package's deletions.
#[derive(Debug, Serialize)]
pub struct PackageOutcome {
    /// `org:acme`, `user:octocat` or `me`.
    pub owner: String,
    /// The package's name.
    pub name: String,
    /// Why nothing was attempted, when the plan blocked the package.
    pub blocked: Option<String>,
    /// Deleted.
    pub deleted: usize,
    /// Already gone (a 404: deleted before, by an earlier run say).
    pub already_gone: usize,
    /// Refused by GitHub.
    pub refused: usize,
    /// Failed otherwise.
    pub failed: usize,
    /// Not attempted: the run stopped first, or the version belongs to an
    /// image index whose deletion did not happen (which keeps it).
    pub not_attempted: usize,
    /// Each refused or failed version, with GitHub's answer, and each child
    /// kept because its index stayed.
    pub errors: Vec<VersionError>,
}

/// A deletion that was refused or failed.
#[derive(Debug, Serialize)]
pub struct VersionError {
    /// The version's id.
    pub id: i64,
    /// What went wrong.
    pub error: String,
}

/// What a run did, package by package.
#[derive(Debug, Serialize)]
pub struct Execution {
    /// Each package of the plan.
    pub packages: Vec<PackageOutcome>,
}

impl Execution {
    /// Whether every planned deletion is done (or was already).
    pub fn is_success(&self) -> bool {
        self.packages
            .iter()
            .all(|p| p.refused == 0 && p.failed == 0 && p.not_attempted == 0)
    }

    /// One line: `deleted 41, already gone 2, refused 1, failed 0, not attempted 0`.
    pub fn summary(&self) -> String {
        let sum = |f: fn(&PackageOutcome) -> usize| self.packages.iter().map(f).sum::<usize>();
        format!(
            "deleted {}, already gone {}, refused {}, failed {}, not attempted {}",
            sum(|p| p.deleted),
            sum(|p| p.already_gone),
            sum(|p| p.refused),
            sum(|p| p.failed),
            sum(|p| p.not_attempted),
        )
    }
}

impl Retention {
    /// Deletes what `plan` deletes, package by package, reporting each
    /// version's outcome to `progress` as it comes. Blocked packages are
    /// skipped. A version already gone counts as done, so running a plan
    /// again, or planning again after an interrupted run, is safe.
    ///
    /// In each package, image indexes go first and the rest after, and the
    /// children of an index whose deletion did not happen are kept: an
    /// interrupted or partly refused run never leaves an index whose
    /// platform manifests are gone.
    pub async fn execute(
        &self,
        plan: &Plan,
        options: ExecuteOptions,
        mut progress: impl FnMut(&PackagePlan, &BulkItem),
    ) -> Execution {
        let stop: Option<Shared<BoxFuture<'static, ()>>> = options.stop.map(FutureExt::shared);
        let mut packages = Vec::with_capacity(plan.packages.len());
        let mut stopped = false;
        for package in &plan.packages {
            let mut outcome = PackageOutcome {
                owner: package.owner.to_string(),
                name: package.name.clone(),
                blocked: package.blocked.clone(),
                deleted: 0,
                already_gone: 0,
                refused: 0,
                failed: 0,
                not_attempted: 0,
                errors: Vec::new(),
            };
            if package.blocked.is_none() {
                let handle = self
                    .client
                    .packages(package.owner.clone())
                    .package(package.package_type.clone(), package.name.clone());
                // The children of an index that is still there (its deletion
                // failed, was refused or never started) stay too: a tag on
                // it must still pull. Child digest → its index.
                let mut held: HashMap<&str, &str> = HashMap::new();
                for wave in package.deletion_waves() {
                    let (wave, kept): (Vec<&VersionPlan>, Vec<&VersionPlan>) = wave
                        .into_iter()
                        .partition(|v| !held.contains_key(v.name.as_str()));
                    for version in kept {
                        outcome.not_attempted += 1;
                        outcome.errors.push(VersionError {
                            id: version.id.get(),
                            error: format!(
                                "not deleted: its index {} is still there",
                                held[version.name.as_str()]
                            ),
                        });
                    }
                    if wave.is_empty() {
                        continue;
                    }
                    if stopped {
                        outcome.not_attempted += wave.len();
                        continue;
                    }
                    let mut bulk = handle.delete_versions(wave.iter().map(|v| v.id));
                    if options.stop_on_failure {
                        bulk = bulk.stop_on_failure();
                    }
                    if let Some(stop) = &stop {
                        bulk = bulk.stop_when(stop.clone());
                    }
                    let report = bulk
                        .send_with(|item| {
                            progress(package, item);
                            if !item.outcome.is_done()
                                && let Some(version) = wave.get(item.index)
                            {
                                for child in package.children_of(&version.name) {
                                    held.insert(child, &version.name);
                                }
                            }
                        })
                        .await;
                    tally(&mut outcome, &report);
                    stopped = report.not_attempted() > 0
                        || (options.stop_on_failure && !report.is_success());
                }
            }
            packages.push(outcome);
        }
        Execution { packages }
    }
}

fn tally(outcome: &mut PackageOutcome, report: &BulkReport) {
    outcome.deleted += report.done();
    outcome.already_gone += report.already_gone();
    outcome.refused += report.refused();
    outcome.failed += report.failed();
    outcome.not_attempted += report.not_attempted();
    for item in &report.items {
        if let (Some(error), Some(id)) = (item.outcome.error(), item.target.version_id()) {
            outcome.errors.push(VersionError {
                id: id.get(),
                error: error.to_string(),
            });
        }
    }
}
