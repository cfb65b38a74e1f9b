//! Carrying a plan out, package by package: the deletions in waves,
//! outermost first (`container::order`), each wave checked against the
//! package as it is right then (`verify.rs`), then deleted through the
//! client's bulk path and throttle.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::time::Duration;

use chrono::Utc;
use futures::future::{BoxFuture, FutureExt, Shared};
use github_packages::{BulkOutcome, VersionId};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::container::order;
use crate::journal::{Entry, Journal};
use crate::plan::{PackagePlan, Plan, Reason, VersionPlan, short, shown};
use crate::retention::Retention;
use crate::untag;
use crate::verify::{self, Standing, Verdict};

/// How old a plan [`Retention::execute`] accepts by default: long enough to
/// review a plan, short enough that the registry has not moved far.
pub const DEFAULT_MAX_PLAN_AGE: Duration = Duration::from_secs(60 * 60);

/// How to carry out a plan.
pub struct ExecuteOptions {
    /// Stop starting deletions after the first that fails or is refused.
    pub stop_on_failure: bool,
    /// Stop cleanly when this completes (Ctrl-C): from then on no request
    /// that deletes is sent (not even one waiting for the throttle), those
    /// already sent finish and are reported, the rest are reported as not
    /// attempted. A signal that completed before the run sends nothing.
    pub stop: Option<BoxFuture<'static, ()>>,
    /// The oldest plan accepted ([`DEFAULT_MAX_PLAN_AGE`]); an older one
    /// is refused, to be planned again.
    pub max_plan_age: Duration,
    /// Where each settled version is recorded as it is settled (what a
    /// later restore reads). If it cannot be written, no deletion or untag
    /// starts after that.
    pub journal: Option<Journal>,
}

impl Default for ExecuteOptions {
    fn default() -> Self {
        Self {
            stop_on_failure: false,
            stop: None,
            max_plan_age: DEFAULT_MAX_PLAN_AGE,
            journal: None,
        }
    }
}

impl fmt::Debug for ExecuteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecuteOptions")
            .field("stop_on_failure", &self.stop_on_failure)
            .field("stop", &self.stop.is_some())
            .field("max_plan_age", &self.max_plan_age)
            .field("journal", &self.journal.as_ref().map(Journal::path))
            .finish()
    }
}

/// A plan [`Retention::execute`] refuses to carry out, in one sentence;
/// nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecuteError {
    /// The plan is older than [`ExecuteOptions::max_plan_age`].
    #[error(
        "the plan was made {} ago, longer than the {} a plan may wait before it is carried out; plan again",
        minutes(*age),
        minutes(*limit)
    )]
    StalePlan {
        /// How old it is.
        age: Duration,
        /// The limit.
        limit: Duration,
    },
    /// The plan deletes something and the client has no token.
    #[error("deleting needs a token and the client has none; set GITHUB_TOKEN")]
    TokenRequired,
}

/// A duration in words, to the minute (`1h 5m`), or seconds under one.
fn minutes(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let rounded = if seconds < 60 {
        seconds
    } else {
        seconds / 60 * 60
    };
    humantime::format_duration(Duration::from_secs(rounded)).to_string()
}

/// What became of one planned deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Deleted (restorable for 30 days).
    Deleted,
    /// Already gone: no longer listed, or GitHub answered 404.
    AlreadyGone,
    /// Kept: it, or something that needs it, changed since the plan
    /// (pushed, restored or re-tagged); planning again decides anew.
    Changed,
    /// GitHub refused to delete it.
    Refused,
    /// The deletion failed.
    Failed,
    /// Not attempted: the run stopped first, the package's current state
    /// could not be read, or what it belongs to was not deleted.
    NotAttempted,
    /// Planned to lose tags (`delete_tags_untag`): they were removed, and
    /// the image stays.
    Untagged,
}

/// A unit variant's name as its JSON form spells it (`already_gone`).
fn json_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Outcome {
    /// Its name as JSON spells it: `deleted`, `already_gone`, ….
    pub fn json_name(self) -> String {
        json_name(self)
    }

    /// What a deletion through the client's bulk path came to, and
    /// GitHub's answer when it was not done.
    pub fn of_deletion(bulk: &BulkOutcome) -> (Self, Option<String>) {
        match bulk {
            BulkOutcome::Done => (Self::Deleted, None),
            BulkOutcome::AlreadyGone => (Self::AlreadyGone, None),
            BulkOutcome::Refused(error) => (Self::Refused, Some(error.to_string())),
            BulkOutcome::Failed(error) => (Self::Failed, Some(error.to_string())),
            BulkOutcome::NotAttempted => (Self::NotAttempted, None),
            // Never asked for; never counted as done.
            BulkOutcome::DryRun { .. } => (Self::Failed, Some("a dry run sent nothing".to_owned())),
        }
    }

    /// Every outcome, in the order reports list them.
    pub const ALL: [Self; 7] = [
        Self::Deleted,
        Self::AlreadyGone,
        Self::Changed,
        Self::Refused,
        Self::Failed,
        Self::NotAttempted,
        Self::Untagged,
    ];
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Deleted => "deleted",
            Self::AlreadyGone => "already gone",
            Self::Changed => "changed since the plan",
            Self::Refused => "refused",
            Self::Failed => "failed",
            Self::NotAttempted => "not attempted",
            Self::Untagged => "untagged",
        })
    }
}

/// One planned deletion and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct VersionOutcome {
    /// The version's id.
    pub id: VersionId,
    /// Its name (a digest, for images).
    pub name: String,
    /// Its tags, as the plan saw them.
    pub tags: Vec<String>,
    /// What became of it.
    pub outcome: Outcome,
    /// Why, when it was not deleted: GitHub's answer, or what changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `version 42 (sha256:0123456789ab): changed since the plan: …`.
impl fmt::Display for VersionOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "version {} ({}): {}",
            self.id,
            short(&self.name),
            self.outcome
        )?;
        match &self.detail {
            Some(detail) => write!(f, ": {}", shown(detail)),
            None => Ok(()),
        }
    }
}

/// What happened to one package's deletions.
#[derive(Clone, Debug)]
pub struct PackageOutcome {
    /// `org:acme`, `user:octocat` or `me`.
    pub owner: String,
    /// The package's name.
    pub name: String,
    /// Why nothing (more) was deleted: the plan blocked the package, or
    /// its current state could not be read or trusted before a wave.
    pub blocked: Option<String>,
    /// Every planned deletion, in the order it was settled.
    pub versions: Vec<VersionOutcome>,
}

impl PackageOutcome {
    /// How many planned deletions ended `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.versions
            .iter()
            .filter(|v| v.outcome == outcome)
            .count()
    }

    /// The deletions that were refused, failed, or not attempted for a
    /// reason other than a stop.
    pub fn errors(&self) -> impl Iterator<Item = &VersionOutcome> {
        self.versions.iter().filter(|v| {
            matches!(
                v.outcome,
                Outcome::Refused | Outcome::Failed | Outcome::NotAttempted
            ) && v.detail.is_some()
        })
    }
}

/// `{owner, name, blocked, deleted, already_gone, changed, refused,
/// failed, not_attempted, errors: [{id, error}], versions: [{id, name,
/// outcome, detail}]}`.
impl Serialize for PackageOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Error<'a> {
            id: VersionId,
            error: &'a str,
        }
        let errors: Vec<Error<'_>> = self
            .errors()
            .map(|v| Error {
                id: v.id,
                error: v.detail.as_deref().unwrap_or_default(),
            })
            .collect();
        let mut out = serializer.serialize_struct("PackageOutcome", 12)?;
        out.serialize_field("owner", &self.owner)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("blocked", &self.blocked)?;
        out.serialize_field("deleted", &self.count(Outcome::Deleted))?;
        out.serialize_field("already_gone", &self.count(Outcome::AlreadyGone))?;
        out.serialize_field("changed", &self.count(Outcome::Changed))?;
        out.serialize_field("refused", &self.count(Outcome::Refused))?;
        out.serialize_field("failed", &self.count(Outcome::Failed))?;
        out.serialize_field("not_attempted", &self.count(Outcome::NotAttempted))?;
        out.serialize_field("untagged", &self.count(Outcome::Untagged))?;
        out.serialize_field("errors", &errors)?;
        out.serialize_field("versions", &self.versions)?;
        out.end()
    }
}

/// What a run did, package by package.
#[derive(Clone, Debug, Serialize)]
pub struct Execution {
    /// Each package of the plan.
    pub packages: Vec<PackageOutcome>,
}

impl Execution {
    /// Whether every planned deletion is done, was already, or was kept
    /// because the registry changed since the plan.
    pub fn is_success(&self) -> bool {
        self.packages.iter().all(|p| {
            p.versions.iter().all(|v| {
                matches!(
                    v.outcome,
                    Outcome::Deleted | Outcome::AlreadyGone | Outcome::Changed | Outcome::Untagged
                )
            })
        })
    }

    /// How many planned deletions ended `outcome`, over all packages.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.packages.iter().map(|p| p.count(outcome)).sum()
    }

    /// One line: `deleted 41, already gone 2, changed since the plan 1,
    /// refused 1, failed 0, not attempted 0`, and `, untagged 3` when the
    /// plan untags.
    pub fn summary(&self) -> String {
        Outcome::ALL
            .iter()
            .map(|&outcome| (outcome, self.count(outcome)))
            .filter(|&(outcome, count)| outcome != Outcome::Untagged || count > 0)
            .map(|(outcome, count)| format!("{outcome} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The stop signal, shared by every wave.
type Stop = Option<Shared<BoxFuture<'static, ()>>>;

fn has_stopped(stop: &Stop) -> bool {
    stop.as_ref()
        .is_some_and(|stop| stop.clone().now_or_never().is_some())
}

impl Retention {
    /// Deletes what `plan` deletes, package by package, reporting each
    /// planned deletion's outcome to `progress` as it is settled. Blocked
    /// packages are skipped. A version already gone counts as done, so
    /// running a plan again, or planning again after an interrupted run,
    /// is safe.
    ///
    /// Nothing is deleted on the plan's word alone. In each package the
    /// deletions go in waves, outermost first (an index before what it
    /// lists, an image before its signatures and referrers), and right
    /// before each wave the package's versions are listed again (and
    /// checked like a plan's listing): a version is deleted only if it is
    /// still listed with the tags the plan saw and no version kept now —
    /// pushed, restored or re-tagged since the plan, or a planned deletion
    /// that did not happen — needs it; for images the manifests of new
    /// versions are read to know. Versions that changed are kept and
    /// reported as [`Outcome::Changed`]; if the package's state cannot be
    /// read or trusted, nothing more in it is deleted. What can still
    /// happen is a change between a wave's check and its last deletion
    /// (at most a wave of one package; at GitHub's pace, a wave of 180
    /// deletions takes a minute).
    ///
    /// Refused before anything is sent: a plan older than
    /// [`ExecuteOptions::max_plan_age`], and a plan that deletes something
    /// when the client has no token.
    pub async fn execute(
        &self,
        plan: &Plan,
        options: ExecuteOptions,
        mut progress: impl FnMut(&PackagePlan, &VersionOutcome),
    ) -> Result<Execution, ExecuteError> {
        let age = (Utc::now() - plan.made_at).to_std().unwrap_or_default();
        if age > options.max_plan_age {
            return Err(ExecuteError::StalePlan {
                age,
                limit: options.max_plan_age,
            });
        }
        let counts = plan.counts();
        if counts.delete + counts.untag > 0 && !self.client.has_token() {
            return Err(ExecuteError::TokenRequired);
        }
        let stop: Stop = options.stop.map(FutureExt::shared);
        let mut halted = false;
        let mut packages = Vec::with_capacity(plan.packages.len());
        for package in &plan.packages {
            let mut outcome = PackageOutcome {
                owner: package.owner.to_string(),
                name: package.name.clone(),
                blocked: package.blocked.clone(),
                versions: Vec::new(),
            };
            if package.blocked.is_none() {
                let mut run = PackageRun {
                    package,
                    outcome: &mut outcome,
                    progress: &mut progress,
                    journal: options.journal.as_ref(),
                    journal_failed: None,
                };
                halted = run
                    .execute(self, &stop, options.stop_on_failure, halted)
                    .await;
            }
            packages.push(outcome);
        }
        Ok(Execution { packages })
    }
}

/// One package's deletions under way.
struct PackageRun<'a, P> {
    package: &'a PackagePlan,
    outcome: &'a mut PackageOutcome,
    progress: &'a mut P,
    journal: Option<&'a Journal>,
    /// Why the journal could not be written, once it could not: nothing
    /// destructive starts after that.
    journal_failed: Option<String>,
}

impl<P: FnMut(&PackagePlan, &VersionOutcome)> PackageRun<'_, P> {
    fn settle(&mut self, version: &VersionPlan, outcome: Outcome, detail: Option<String>) {
        self.settle_with(version, outcome, detail, Vec::new());
    }

    /// [`settle`](Self::settle), with the tags an untag moved off.
    fn settle_with(
        &mut self,
        version: &VersionPlan,
        outcome: Outcome,
        detail: Option<String>,
        removed_tags: Vec<String>,
    ) {
        let settled = VersionOutcome {
            id: version.id,
            name: version.name.clone(),
            tags: version.tags.clone(),
            outcome,
            detail,
        };
        if let Some(journal) = self.journal {
            let entry = Entry {
                time: Utc::now(),
                owner: self.package.owner.to_string(),
                package_type: self.package.package_type.to_string(),
                package: self.package.name.clone(),
                id: version.id.get(),
                name: Some(version.name.clone()),
                tags: settled.tags.clone(),
                action: json_name(version.action()),
                outcome: outcome.json_name(),
                detail: settled.detail.clone(),
                removed_tags,
            };
            if let Err(error) = journal.record(&entry) {
                self.journal_failed.get_or_insert_with(|| {
                    format!(
                        "the journal {} could not be written ({error})",
                        journal.path().display()
                    )
                });
            }
        }
        (self.progress)(self.package, &settled);
        self.outcome.versions.push(settled);
    }

    /// Runs the package's deletions, then its untags; `halted` says an
    /// earlier package stopped the run on a failure. Returns whether the
    /// run is halted now.
    async fn execute(
        &mut self,
        retention: &Retention,
        stop: &Stop,
        stop_on_failure: bool,
        halted: bool,
    ) -> bool {
        let mut halted = self
            .delete_waves(retention, stop, stop_on_failure, halted)
            .await;
        let package = self.package;
        let handle = retention
            .client
            .packages(package.owner.clone())
            .package(package.package_type.clone(), package.name.clone());
        for version in package.untags() {
            if let Some(why) = self.outcome.blocked.clone() {
                self.settle(version, Outcome::NotAttempted, Some(why));
                continue;
            }
            if halted || has_stopped(stop) || self.journal_failed.is_some() {
                let why = self.journal_failed.clone();
                self.settle(version, Outcome::NotAttempted, why);
                continue;
            }
            let Reason::Untag { tags, .. } = &version.reason else {
                continue;
            };
            let untagged =
                untag::untag(retention, &handle, version, tags, || has_stopped(stop)).await;
            if stop_on_failure && untagged.outcome == Outcome::Failed {
                halted = true;
            }
            self.settle_with(
                version,
                untagged.outcome,
                Some(untagged.detail),
                untagged.removed,
            );
        }
        halted || self.journal_failed.is_some()
    }

    /// Runs the package's deletion waves.
    async fn delete_waves(
        &mut self,
        retention: &Retention,
        stop: &Stop,
        stop_on_failure: bool,
        mut halted: bool,
    ) -> bool {
        let package = self.package;
        let handle = retention
            .client
            .packages(package.owner.clone())
            .package(package.package_type.clone(), package.name.clone());
        let mut manifests: BTreeMap<String, _> = package.manifests.clone();
        let mut deleted: HashSet<VersionId> = HashSet::new();
        let mut not_done: Vec<&VersionPlan> = Vec::new();
        let mut changed: Vec<&VersionPlan> = Vec::new();
        let mut pending: Vec<&VersionPlan> = package.deletions().collect();
        while !pending.is_empty() {
            if halted || has_stopped(stop) || self.journal_failed.is_some() {
                let why = self.journal_failed.clone();
                for version in std::mem::take(&mut pending) {
                    self.settle(version, Outcome::NotAttempted, why.clone());
                }
                break;
            }
            let standing = Standing {
                plan: package,
                pending: &pending,
                deleted: &deleted,
                not_done: &not_done,
                changed: &changed,
            };
            let verdicts = match verify::verify(
                &handle,
                retention.registry.as_ref(),
                &standing,
                &mut manifests,
            )
            .await
            {
                Ok(verdicts) => verdicts,
                Err(why) => {
                    let why = format!("nothing more is deleted here: {why}");
                    for version in pending {
                        self.settle(version, Outcome::NotAttempted, Some(why.clone()));
                    }
                    self.outcome.blocked = Some(why);
                    return halted;
                }
            };
            // The outermost of what is left, ordered by every manifest
            // read so far (a plan made by hand knows none before the
            // first check).
            let wave = order::outermost(&pending, &manifests);
            pending.retain(|v| !wave.iter().any(|w| w.id == v.id));
            let mut to_delete: Vec<&VersionPlan> = Vec::new();
            for version in wave {
                // Every pending version has a verdict; were one missing,
                // it would stay.
                let verdict = verdicts.get(&version.id).cloned().unwrap_or_else(|| {
                    Verdict::Held("not deleted: its current state was not checked".to_owned())
                });
                match verdict {
                    Verdict::Delete => to_delete.push(version),
                    Verdict::Gone => {
                        deleted.insert(version.id);
                        self.settle(
                            version,
                            Outcome::AlreadyGone,
                            Some("GitHub no longer lists it".to_owned()),
                        );
                    }
                    Verdict::Changed(what) => {
                        changed.push(version);
                        self.settle(version, Outcome::Changed, Some(what));
                    }
                    Verdict::Held(why) => {
                        not_done.push(version);
                        self.settle(version, Outcome::NotAttempted, Some(why));
                    }
                }
            }
            if to_delete.is_empty() {
                continue;
            }
            let mut bulk = handle.delete_versions(to_delete.iter().map(|v| v.id));
            if stop_on_failure {
                bulk = bulk.stop_on_failure();
            }
            if let Some(stop) = stop {
                bulk = bulk.stop_when(stop.clone());
            }
            let report = bulk
                .send_with(|item| {
                    let version = to_delete[item.index];
                    let (outcome, detail) = Outcome::of_deletion(&item.outcome);
                    if outcome == Outcome::Deleted || outcome == Outcome::AlreadyGone {
                        deleted.insert(version.id);
                    } else {
                        not_done.push(version);
                    }
                    self.settle(version, outcome, detail);
                })
                .await;
            if stop_on_failure && !report.is_success() {
                halted = true;
            }
        }
        halted
    }
}
