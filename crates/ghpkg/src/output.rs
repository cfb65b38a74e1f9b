//! What the commands print: tables for people, JSON for scripts (its
//! shape is documented in the README and kept stable).
//!
//! Every string that came from GitHub or a registry is hostile until shown
//! safely: in tables and messages its control characters, escape
//! sequences and bidirectional overrides are made visible and long text is
//! cut at a character boundary (`github_packages::text`); in JSON they are
//! escaped as JSON escapes them (`\u001b`, `\u202e`), and the values stay
//! whole.

use std::fmt::Write as _;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use github_packages::text::{MAX_SHOWN, inert, needs_escape};
use github_packages::{BulkOutcome, BulkReport, Package, PackageVersion};
use github_packages_retention::{
    Action, Execution, PackageCheck, Plan, TagRestore, short, short_tag,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::actions::Actions;
use crate::undo::{Restored, Retag};

/// The most bytes of one table cell or name in a line.
const MAX_CELL: usize = 200;

/// Where output goes, and in which form.
pub(crate) struct Out {
    pub(crate) json: bool,
    /// GitHub Actions' summary, outputs and annotations, when run there.
    pub(crate) actions: Option<Actions>,
}

pub(crate) fn exit_code(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Columns padded to their widest cell.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        Self {
            rows: vec![header.iter().map(|h| (*h).to_owned()).collect()],
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn print(&self, indent: &str) {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &self.rows {
            let mut line = indent.to_owned();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<width$}  ", width = widths[c]));
                }
            }
            println!("{}", line.trim_end());
        }
    }
}

fn age(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = (now - at).num_days();
    if days > 0 {
        format!("{days}d")
    } else {
        format!("{}h", (now - at).num_hours().max(0))
    }
}

/// Until when GitHub restores a version deleted `at`
/// (docs/github-behaviour.md, "Refusals": 30 days).
pub(crate) fn restorable_until(at: DateTime<Utc>) -> DateTime<Utc> {
    at + chrono::Duration::days(RESTORABLE_DAYS)
}

/// How long GitHub keeps a deleted version restorable.
pub(crate) const RESTORABLE_DAYS: i64 = 30;

/// `n` and `noun`, plural unless `n` is 1: "1 package", "2 packages".
pub(crate) fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// Server text as one safe line of a message.
pub(crate) fn line(text: &str) -> String {
    inert(text, MAX_SHOWN)
}

/// Server text as one safe table cell.
fn cell(text: &str) -> String {
    inert(text, MAX_CELL)
}

/// Tags for a table, each safe, a digest in a tag shortened.
fn tags(tags: &[String]) -> String {
    let shown: Vec<String> = tags.iter().map(|tag| short_tag(tag)).collect();
    shown.join(", ")
}

fn print_json(value: &impl Serialize) {
    match json_text(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("error: cannot write JSON: {error}"),
    }
}

/// `value` as the pretty, escaped JSON that `--json` prints.
pub(crate) fn json_text(value: &impl Serialize) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value).map(|text| escape_json(&text))
}

/// JSON with the characters serde_json leaves raw inside strings (DEL, C1
/// controls, line separators, bidirectional overrides) escaped too, so
/// that the document is as safe on a terminal as the tables; a parser
/// reads the same strings. Outside strings pretty JSON has only spaces and
/// newlines, which stay.
fn escape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && needs_escape(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

impl Out {
    pub(crate) fn new(json: bool) -> Self {
        Self {
            json,
            actions: Actions::from_env(json),
        }
    }

    /// A remark for people, on standard error; none in JSON mode.
    pub(crate) fn note(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }

    pub(crate) fn packages(&self, packages: &[Package]) {
        if self.json {
            let rows: Vec<Value> = packages
                .iter()
                .map(|p| {
                    json!({
                        "id": p.id(),
                        "name": p.name(),
                        "package_type": p.package_type().to_string(),
                        "visibility": p.visibility().to_string(),
                        "version_count": p.version_count(),
                        "repository": p.repository_full_name(),
                        "created_at": p.created_at(),
                        "updated_at": p.updated_at(),
                        "html_url": p.html_url(),
                    })
                })
                .collect();
            return print_json(&rows);
        }
        let now = Utc::now();
        // GitHub leaves version_count out of listings (it is in a single
        // package's answer): a column of it only where there is one.
        let counts = packages.iter().any(|p| p.version_count().is_some());
        let mut header = vec!["NAME", "VISIBILITY"];
        if counts {
            header.push("VERSIONS");
        }
        header.extend(["UPDATED", "REPOSITORY"]);
        let mut table = Table::new(&header);
        for p in packages {
            let mut row = vec![cell(p.name()), cell(&p.visibility().to_string())];
            if counts {
                row.push(p.version_count().map_or("-".to_owned(), |n| n.to_string()));
            }
            row.push(format!("{} ago", age(p.updated_at(), now)));
            row.push(cell(p.repository_full_name().unwrap_or("-")));
            table.row(row);
        }
        table.print("");
        self.note(&counted(packages.len(), "package"));
    }

    /// Versions; deleted ones also say when they were deleted and until
    /// when GitHub restores them.
    pub(crate) fn versions(&self, versions: &[PackageVersion]) {
        if self.json {
            let rows: Vec<Value> = versions
                .iter()
                .map(|v| {
                    json!({
                        "id": v.id(),
                        "name": v.name(),
                        "tags": v.tags(),
                        "created_at": v.created_at(),
                        "updated_at": v.updated_at(),
                        "deleted_at": v.deleted_at(),
                        "restorable_until": v.deleted_at().map(restorable_until),
                    })
                })
                .collect();
            return print_json(&rows);
        }
        let now = Utc::now();
        let deleted = versions.iter().any(|v| v.deleted_at().is_some());
        let mut header = vec!["ID", "NAME", "AGE", "TAGS"];
        if deleted {
            header.extend(["DELETED", "RESTORABLE UNTIL"]);
        }
        let mut table = Table::new(&header);
        for v in versions {
            let mut row = vec![
                v.id().to_string(),
                short(v.name()),
                age(v.created_at(), now),
                tags(v.tags()),
            ];
            if let Some(at) = v.deleted_at() {
                let until = restorable_until(at);
                row.push(format!("{} ago", age(at, now)));
                row.push(if until > now {
                    until.format("%Y-%m-%d %H:%M UTC").to_string()
                } else {
                    "no longer".to_owned()
                });
            }
            table.row(row);
        }
        table.print("");
        self.note(&counted(versions.len(), "version"));
    }

    pub(crate) fn plan(&self, plan: &Plan) {
        if self.json {
            return print_json(plan);
        }
        for package in &plan.packages {
            if let Some(actions) = &self.actions {
                actions.group(&format!("{} {}", package.package_type, package.name));
            }
            let counts = package.counts();
            let untag = match counts.untag {
                0 => String::new(),
                n => format!(", untag {n}"),
            };
            println!(
                "{} {} {}: keep {}, delete {}{untag} ({} of the kept needed by kept images)",
                package.owner,
                cell(&package.package_type.to_string()),
                cell(&package.name),
                counts.keep,
                counts.delete,
                counts.protected
            );
            if let Some(why) = &package.blocked {
                println!("  nothing is deleted here: {}", line(why));
            }
            let mut table = Table::new(&["ACTION", "VERSION", "ID", "AGE", "TAGS", "WHY"]);
            for version in &package.versions {
                let action = match version.action() {
                    Action::Keep => "keep",
                    Action::Delete => "delete",
                    Action::Untag => "untag",
                };
                table.row(vec![
                    action.to_owned(),
                    short(&version.name),
                    version.id.to_string(),
                    age(version.created_at, plan.made_at),
                    tags(&version.tags),
                    version.reason.to_string(),
                ]);
            }
            table.print("  ");
            println!();
            if let Some(actions) = &self.actions {
                actions.end_group();
            }
        }
        let counts = plan.counts();
        println!(
            "{}: keep {}, delete {}; {} of the kept are needed by kept images",
            counted(plan.packages.len(), "package"),
            counts.keep,
            counts.delete,
            counts.protected
        );
    }

    pub(crate) fn checks(&self, checks: &[PackageCheck]) {
        if self.json {
            return print_json(&checks);
        }
        for check in checks {
            let name = format!("{} container {}", check.owner, cell(&check.name));
            if let Some(why) = &check.blocked {
                println!("{name}: not checked: {}", line(why));
                continue;
            }
            if check.findings.is_empty() {
                println!("{name}: every image is whole");
                continue;
            }
            println!("{name}: {} broken", check.findings.len());
            let mut table = Table::new(&["VERSION", "ID", "TAGS", "PROBLEM"]);
            for version in &check.findings {
                table.row(vec![
                    short(&version.name),
                    version.id.to_string(),
                    tags(&version.tags),
                    version.reason.to_string(),
                ]);
            }
            table.print("  ");
        }
        let broken: usize = checks.iter().map(|c| c.findings.len()).sum();
        let unchecked = checks.iter().filter(|c| c.blocked.is_some()).count();
        println!(
            "{}: {}, {} not checked",
            counted(checks.len(), "package"),
            counted(broken, "broken version"),
            counted(unchecked, "package")
        );
    }

    pub(crate) fn execution(&self, plan: &Plan, execution: &Execution) {
        if self.json {
            return print_json(&json!({"plan": plan, "execution": execution}));
        }
        for package in &execution.packages {
            let name = cell(&package.name);
            if let Some(why) = &package.blocked {
                println!("{name}: left alone: {}", line(why));
            }
            if package.versions.is_empty() {
                continue;
            }
            println!("{name}:");
            let mut table = Table::new(&["OUTCOME", "VERSION", "ID", "TAGS", "DETAIL"]);
            for version in &package.versions {
                table.row(vec![
                    version.outcome.to_string(),
                    short(&version.name),
                    version.id.to_string(),
                    tags(&version.tags),
                    version.detail.as_deref().map(cell).unwrap_or_default(),
                ]);
            }
            table.print("  ");
        }
        println!("{}", execution.summary());
    }

    pub(crate) fn bulk(&self, report: &BulkReport) {
        if self.json {
            return print_json(&bulk_rows(report));
        }
        print_bulk(report);
    }

    /// Restores, package by package; versions that were not deleted are
    /// said to be active.
    pub(crate) fn restores(&self, restores: &[Restored], retagged: &[Retagged]) {
        if self.json {
            let mut rows: Vec<Value> = restores
                .iter()
                .flat_map(|restored| {
                    let package = &restored.package;
                    let active = restored
                        .active
                        .iter()
                        .map(|id| json!({"id": id, "outcome": "not_deleted"}));
                    active
                        .chain(bulk_rows(&restored.report))
                        .map(move |mut row| {
                            row["owner"] = json!(package.owner().to_string());
                            row["package_type"] = json!(package.package_type().to_string());
                            row["package"] = json!(package.name());
                            row
                        })
                })
                .collect();
            rows.extend(retag_rows(retagged));
            return print_json(&rows);
        }
        for Restored {
            package,
            report,
            active,
        } in restores
        {
            println!(
                "{} {} {}:",
                package.owner(),
                cell(&package.package_type().to_string()),
                cell(package.name())
            );
            for id in active {
                println!("{id}: not deleted (it is active); nothing to restore");
            }
            print_bulk(report);
        }
        print_retags(retagged);
    }
}

/// Tags put back on images by a restore (undone untags), with what
/// became of each.
pub(crate) type Retagged = (Retag, Vec<(String, TagRestore)>);

/// Each tag put back: the image, the tag, the outcome's name and why.
fn retag_outcomes(
    retagged: &[Retagged],
) -> impl Iterator<Item = (&Retag, &String, &'static str, Option<&String>)> {
    retagged.iter().flat_map(|(retag, outcomes)| {
        outcomes.iter().map(move |(tag, outcome)| {
            let (name, detail) = match outcome {
                TagRestore::Restored => ("restored", None),
                TagRestore::WouldRestore => ("dry_run", None),
                TagRestore::AlreadyThere => ("already_there", None),
                TagRestore::Changed(why) => ("changed", Some(why)),
                TagRestore::Failed(why) => ("failed", Some(why)),
            };
            (retag, tag, name, detail)
        })
    })
}

/// JSON rows `{owner, package_type, package, name, tag, outcome, detail}`.
fn retag_rows(retagged: &[Retagged]) -> impl Iterator<Item = Value> + '_ {
    retag_outcomes(retagged).map(|(retag, tag, outcome, detail)| {
        json!({
            "owner": retag.package.owner().to_string(),
            "package_type": retag.package.package_type().to_string(),
            "package": retag.package.name(),
            "name": retag.digest,
            "tag": tag,
            "outcome": outcome,
            "detail": detail,
        })
    })
}

fn print_retags(retagged: &[Retagged]) {
    if retagged.is_empty() {
        return;
    }
    println!("tags put back:");
    for (retag, tag, outcome, detail) in retag_outcomes(retagged) {
        let detail = detail.map(|d| format!(": {}", line(d))).unwrap_or_default();
        println!(
            "{} {}:{} on {}: {}{detail}",
            retag.package.owner(),
            cell(retag.package.name()),
            cell(tag),
            short(&retag.digest),
            outcome.replace('_', " ")
        );
    }
}

/// A bulk report's items as JSON: `{id, outcome, …}`.
fn bulk_rows(report: &BulkReport) -> Vec<Value> {
    report
        .items
        .iter()
        .map(|item| {
            let id = item.target.version_id();
            match &item.outcome {
                BulkOutcome::Done => json!({"id": id, "outcome": "done"}),
                BulkOutcome::AlreadyGone => json!({"id": id, "outcome": "already_gone"}),
                BulkOutcome::NotAttempted => json!({"id": id, "outcome": "not_attempted"}),
                BulkOutcome::DryRun { method, url } => {
                    json!({"id": id, "outcome": "dry_run", "method": method.as_str(), "url": url})
                }
                BulkOutcome::Refused(error) => {
                    json!({"id": id, "outcome": "refused", "error": error.to_string()})
                }
                BulkOutcome::Failed(error) => {
                    json!({"id": id, "outcome": "failed", "error": error.to_string()})
                }
            }
        })
        .collect()
}

/// A bulk report's items for people, and its summary line.
fn print_bulk(report: &BulkReport) {
    for item in &report.items {
        let id = item
            .target
            .version_id()
            .map_or_else(String::new, |id| id.to_string());
        match &item.outcome {
            BulkOutcome::Done => println!("{id}: done"),
            BulkOutcome::AlreadyGone => println!("{id}: already gone"),
            BulkOutcome::NotAttempted => println!("{id}: not attempted"),
            BulkOutcome::DryRun { method, url } => {
                println!("{id}: would send {method} {}", line(url));
            }
            BulkOutcome::Refused(error) => {
                println!("{id}: refused: {}", line(&error.to_string()))
            }
            BulkOutcome::Failed(error) => {
                println!("{id}: failed: {}", line(&error.to_string()))
            }
        }
    }
    println!("{report}");
}
