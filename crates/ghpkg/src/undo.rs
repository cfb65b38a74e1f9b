//! The journal of a destructive run, and undoing one: `restore` by id, by
//! name, or from a journal, a dry run unless `--execute`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use github_packages::{
    BulkItem, BulkReport, Client, Owner, PackageRef, PackageType, VersionId, VersionState,
};
use github_packages_retention::{Entry, Journal, Outcome, Retention, TagRestore};

use crate::output::{Out, RESTORABLE_DAYS, exit_code};
use crate::{Failure, ctrl_c, need_token, progress};

/// Said after a restore that only showed its requests.
const DRY_RUN_RESTORE: &str = "dry run: nothing was restored; add --execute to restore";

/// Opens the journal at `path`, or at `ghpkg-journal-<time>.jsonl` here,
/// and says where it is on standard error.
pub(crate) fn open(path: Option<PathBuf>) -> Result<Journal, Failure> {
    let path = path.unwrap_or_else(|| {
        PathBuf::from(format!(
            "ghpkg-journal-{}.jsonl",
            Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ))
    });
    let journal = Journal::create(&path)
        .map_err(|e| Failure::Usage(format!("cannot write the journal {}: {e}", path.display())))?;
    eprintln!("journal: {}", path.display());
    Ok(journal)
}

/// The journal entry for one item of a `delete` by id.
pub(crate) fn entry(package: &PackageRef, item: &BulkItem) -> Entry {
    let (outcome, detail) = Outcome::of_deletion(&item.outcome);
    Entry {
        time: Utc::now(),
        owner: package.owner().to_string(),
        package_type: package.package_type().to_string(),
        package: package.name().to_owned(),
        id: item.target.version_id().map_or(0, VersionId::get),
        name: None,
        tags: Vec::new(),
        action: "delete".to_owned(),
        outcome: outcome.json_name(),
        detail,
        removed_tags: Vec::new(),
    }
}

/// What `restore` is asked to bring back.
pub(crate) enum Restore {
    /// Versions of one package, by id or by name.
    Versions {
        owner: Owner,
        package_type: PackageType,
        name: String,
        versions: Vec<String>,
    },
    /// What the run that wrote this journal deleted.
    Journal(PathBuf),
}

/// Restores (`execute`) or shows what would be restored: versions, then
/// the tags untags moved off images.
pub(crate) async fn restore(
    retention: &Retention,
    what: Restore,
    out: &Out,
    execute: bool,
) -> Result<ExitCode, Failure> {
    let client = retention.client();
    if execute {
        need_token(client)?;
    }
    let mut skipped = 0;
    let mut retags: Vec<Retag> = Vec::new();
    let targets: Vec<(PackageRef, Vec<VersionId>)> = match what {
        Restore::Versions {
            owner,
            package_type,
            name,
            versions,
        } => {
            let package = client.packages(owner).package(package_type, name);
            let ids = resolve(&package, &versions).await?;
            vec![(package, ids)]
        }
        Restore::Journal(path) => {
            let entries = Journal::read(&path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
            for entry in entries.iter().filter(|e| e.action == "untag") {
                if let (Some(digest), false) = (&entry.name, entry.removed_tags.is_empty()) {
                    let about = (
                        entry.owner.as_str(),
                        entry.package_type.as_str(),
                        entry.package.as_str(),
                    );
                    let package = package_of(client, about, &path)?;
                    retags.push(Retag {
                        package,
                        digest: digest.clone(),
                        tags: entry.removed_tags.clone(),
                    });
                }
            }
            let oldest = Utc::now() - Duration::days(RESTORABLE_DAYS);
            // Per package, latest deletion first, so that what an index
            // lists comes back before the index (deletions went outermost
            // first).
            let mut order: Vec<(String, String, String)> = Vec::new();
            let mut ids: BTreeMap<(String, String, String), Vec<VersionId>> = BTreeMap::new();
            for entry in entries
                .iter()
                .rev()
                .filter(|e| e.action == "delete" && e.outcome == Outcome::Deleted.json_name())
            {
                if entry.time < oldest {
                    eprintln!(
                        "{} {} version {}: deleted more than {RESTORABLE_DAYS} days ago; GitHub no longer restores it",
                        crate::output::line(&entry.package_type),
                        crate::output::line(&entry.package),
                        entry.id
                    );
                    skipped += 1;
                    continue;
                }
                let key = (
                    entry.owner.clone(),
                    entry.package_type.clone(),
                    entry.package.clone(),
                );
                if !ids.contains_key(&key) {
                    order.push(key.clone());
                }
                ids.entry(key).or_default().push(VersionId::new(entry.id));
            }
            let mut targets = Vec::new();
            for key in order {
                let package = package_of(
                    client,
                    (key.0.as_str(), key.1.as_str(), key.2.as_str()),
                    &path,
                )?;
                let versions = ids.remove(&key).unwrap_or_default();
                targets.push((package, versions));
            }
            targets
        }
    };

    let total: usize = targets.iter().map(|(_, ids)| ids.len()).sum();
    let bar = progress(total as u64, out);
    let mut reports: Vec<Restored> = Vec::new();
    for (package, ids) in targets {
        let (active, ids) = split_active(&package, ids).await;
        bar.inc(active.len() as u64);
        let report = package
            .restore_versions(ids)
            .concurrency(1)
            .dry_run(!execute)
            .stop_when(ctrl_c())
            .send_with(|_| bar.inc(1))
            .await;
        reports.push(Restored {
            package,
            report,
            active,
        });
    }
    let mut retagged = Vec::new();
    for retag in retags {
        let outcomes = retention
            .restore_tags(&retag.package, &retag.digest, &retag.tags, execute)
            .await;
        retagged.push((retag, outcomes));
    }
    bar.finish_and_clear();
    out.restores(&reports, &retagged);
    if !execute {
        out.note(DRY_RUN_RESTORE);
    }
    let tags_failed = retagged
        .iter()
        .flat_map(|(_, outcomes)| outcomes)
        .any(|(_, outcome)| matches!(outcome, TagRestore::Failed(_)));
    Ok(exit_code(
        skipped == 0 && !tags_failed && reports.iter().all(|r| r.report.is_success()),
    ))
}

/// Tags an untag moved off an image, to put back.
pub(crate) struct Retag {
    pub(crate) package: PackageRef,
    /// The image's digest.
    pub(crate) digest: String,
    pub(crate) tags: Vec<String>,
}

/// The package a journal names by `(owner, package_type, name)`; a
/// journal at `path` that names them wrongly is a usage error.
fn package_of(
    client: &Client,
    (owner, package_type, name): (&str, &str, &str),
    path: &std::path::Path,
) -> Result<PackageRef, Failure> {
    let bad = |e: &dyn std::fmt::Display| Failure::Usage(format!("{}: {e}", path.display()));
    let owner: Owner = owner.parse().map_err(|e| bad(&e))?;
    let package_type: PackageType = package_type.parse().map_err(|e| bad(&e))?;
    Ok(client
        .packages(owner)
        .package(package_type, name.to_owned()))
}

/// What a restore did in one package.
pub(crate) struct Restored {
    pub(crate) package: PackageRef,
    pub(crate) report: BulkReport,
    /// Asked for, but not deleted: nothing to restore (not an error).
    pub(crate) active: Vec<VersionId>,
}

/// Splits `ids` into the versions GitHub lists as active (nothing to
/// restore; GitHub would answer 404, which reads as a failure) and the
/// rest, which are restored. A version that cannot be read is restored:
/// GitHub's answer then says what is wrong.
async fn split_active(
    package: &PackageRef,
    ids: Vec<VersionId>,
) -> (Vec<VersionId>, Vec<VersionId>) {
    let mut active = Vec::new();
    let mut rest = Vec::new();
    for id in ids {
        match package.version(id).get().await {
            Ok(version) if version.deleted_at().is_none() => active.push(id),
            _ => rest.push(id),
        }
    }
    (active, rest)
}

/// Version ids from `versions`: each an id, or the name of one of
/// `package`'s deleted versions (a digest, `1.2.3`).
async fn resolve(package: &PackageRef, versions: &[String]) -> Result<Vec<VersionId>, Failure> {
    let mut ids = Vec::new();
    let mut deleted = None;
    for version in versions {
        if let Ok(id) = version.parse::<i64>() {
            ids.push(VersionId::new(id));
            continue;
        }
        if deleted.is_none() {
            let listed: Vec<_> = package
                .versions()
                .state(VersionState::Deleted)
                .stream()
                .try_collect()
                .await?;
            deleted = Some(listed);
        }
        let found = deleted
            .iter()
            .flatten()
            .find(|v| v.name().eq_ignore_ascii_case(version))
            .ok_or_else(|| {
                Failure::Failed(format!(
                    "{} has no deleted version named {}",
                    crate::output::line(package.name()),
                    crate::output::line(version)
                ))
            })?;
        ids.push(found.id());
    }
    Ok(ids)
}
