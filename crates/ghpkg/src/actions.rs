//! Output for GitHub Actions, when `GITHUB_ACTIONS=true`: a Markdown job
//! summary appended to `$GITHUB_STEP_SUMMARY`, step outputs appended to
//! `$GITHUB_OUTPUT`, a log group per package, and `::warning::` and
//! `::error::` annotations for packages left alone and deletions that
//! failed (GitHub docs, "Workflow commands for GitHub Actions").
//!
//! Nothing a server sent may act as a workflow command. While `ghpkg`
//! prints, the runner's command processing is stopped
//! (`::stop-commands::` with a token no server can know, resumed only
//! around our own commands); the data of our commands is escaped as the
//! runner unescapes it; and in the job summary, server text is made inert
//! as Markdown and HTML.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use github_packages::text::{MAX_SHOWN, inert};
use github_packages_retention::{Execution, Outcome, PackageCheck, Plan};

/// What Actions gives a step to write to, and how our commands reach the
/// runner.
pub(crate) struct Actions {
    summary: Option<PathBuf>,
    output: Option<PathBuf>,
    /// Resumes command processing, which is stopped while `ghpkg` prints
    /// tables; `None` with `--json`, whose standard output is one JSON
    /// document (where no line starts with `::`) and whose commands go to
    /// standard error.
    token: Option<String>,
}

/// The files a run wrote that a later step may want (to upload, or to
/// undo the run with `restore --journal`).
pub(crate) struct Files<'a> {
    plan: Option<&'a Path>,
    journal: Option<&'a Path>,
}

impl<'a> Files<'a> {
    pub(crate) fn new(plan: Option<&'a Path>, journal: Option<&'a Path>) -> Self {
        Self { plan, journal }
    }
}

/// A workflow command's kind.
#[derive(Clone, Copy)]
pub(crate) enum Level {
    Warning,
    Error,
}

impl Actions {
    /// The Actions context, when running in a workflow; `json` says
    /// standard output is a JSON document.
    pub(crate) fn from_env(json: bool) -> Option<Self> {
        if std::env::var("GITHUB_ACTIONS").ok().as_deref() != Some("true") {
            return None;
        }
        let file = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        // Two 64-bit keys from the process's random hashing seed: nothing
        // a server sent before can contain them.
        let random = || RandomState::new().build_hasher().finish();
        Some(Self {
            summary: file("GITHUB_STEP_SUMMARY"),
            output: file("GITHUB_OUTPUT"),
            token: (!json).then(|| format!("ghpkg-{:016x}{:016x}", random(), random())),
        })
    }

    /// Stops the runner's command processing for what follows on
    /// standard output (tables, which hold server text).
    pub(crate) fn stop_commands(&self) {
        if let Some(token) = &self.token {
            println!("::stop-commands::{token}");
        }
    }

    /// Resumes the runner's command processing, at the end.
    pub(crate) fn resume_commands(&self) {
        if let Some(token) = &self.token {
            println!("::{token}::");
        }
    }

    /// Prints one of our commands, with command processing resumed for it
    /// alone.
    fn command(&self, command: &str) {
        match &self.token {
            Some(token) => {
                println!("::{token}::");
                println!("{command}");
                println!("::stop-commands::{token}");
            }
            None => eprintln!("{command}"),
        }
    }

    /// Opens a log group titled `title` (server text, escaped).
    pub(crate) fn group(&self, title: &str) {
        self.command(&format!("::group::{}", data(title)));
    }

    pub(crate) fn end_group(&self) {
        self.command("::endgroup::");
    }

    /// An annotation titled `title`, saying `message`.
    pub(crate) fn annotate(&self, level: Level, title: &str, message: &str) {
        let kind = match level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        self.command(&format!(
            "::{kind} title={}::{}",
            property(title),
            data(message)
        ));
    }

    /// The job summary and outputs of a plan, carried out or not, and an
    /// annotation for each package left alone and each failed deletion.
    /// Every outcome's count is an output, 0 in a dry run.
    pub(crate) fn report_plan(
        &self,
        command: &str,
        plan: &Plan,
        execution: Option<&Execution>,
        files: &Files<'_>,
    ) {
        let counts = plan.counts();
        let blocked = plan.packages.iter().filter(|p| p.blocked.is_some()).count();
        let mut outputs: Vec<(String, String)> = [
            ("kept", counts.keep),
            ("planned_deletions", counts.delete),
            ("planned_untags", counts.untag),
            ("blocked", blocked),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_string()))
        .to_vec();
        for (name, path) in [("plan", files.plan), ("journal", files.journal)] {
            if let Some(path) = path {
                // A path is one line only if it has no line break.
                let path = path.display().to_string().replace(['\r', '\n'], " ");
                outputs.push((name.to_owned(), path));
            }
        }
        for outcome in Outcome::ALL {
            let count = execution.map_or(0, |e| e.count(outcome));
            outputs.push((outcome.json_name(), count.to_string()));
        }
        let heading = match execution {
            Some(_) => format!("## ghpkg {command}"),
            None => format!("## ghpkg {command} (dry run: nothing was deleted)"),
        };
        let mut summary = vec![
            heading,
            String::new(),
            "| package | kept | deleted | untagged | kept for kept images | left alone because |"
                .to_owned(),
            "|---|---|---|---|---|---|".to_owned(),
        ];
        for package in &plan.packages {
            let c = package.counts();
            let name = format!("{} {}", package.package_type, package.name);
            let done = execution.and_then(|e| {
                e.packages
                    .iter()
                    .find(|p| p.owner == package.owner.to_string() && p.name == package.name)
            });
            let (deleted, untagged) = match done {
                Some(done) => (done.count(Outcome::Deleted), done.count(Outcome::Untagged)),
                None => (c.delete, c.untag),
            };
            let blocked = done
                .and_then(|d| d.blocked.as_deref())
                .or(package.blocked.as_deref());
            summary.push(format!(
                "| {} {} | {} | {deleted} | {untagged} | {} | {} |",
                package.owner,
                markdown(&name),
                c.keep,
                c.protected,
                blocked.map(markdown).unwrap_or_default()
            ));
            if let Some(why) = blocked {
                self.annotate(
                    Level::Warning,
                    &format!("{} left alone", name),
                    &format!("nothing in {name} was deleted: {why}"),
                );
            }
        }
        if let Some(execution) = execution {
            let failures: Vec<String> = execution
                .packages
                .iter()
                .flat_map(|p| p.errors().map(move |v| (p, v)))
                .map(|(package, version)| {
                    let line = format!("{}: {version}", package.name);
                    if matches!(version.outcome, Outcome::Refused | Outcome::Failed) {
                        self.annotate(Level::Error, "deletion failed", &line);
                    }
                    format!("- {}", markdown(&line))
                })
                .collect();
            summary.push(String::new());
            summary.push(markdown(&execution.summary()));
            if !failures.is_empty() {
                summary.push(String::new());
                summary.push("### Not done".to_owned());
                summary.push(String::new());
                summary.extend(failures);
            }
        }
        self.write_summary(&summary);
        self.write_outputs(&outputs);
    }

    /// The job summary and outputs of a check, and an annotation for each
    /// package with broken images or left unchecked.
    pub(crate) fn report_checks(&self, checks: &[PackageCheck]) {
        let mut summary = vec![
            "## ghpkg check".to_owned(),
            String::new(),
            "| package | broken versions | not checked because |".to_owned(),
            "|---|---|---|".to_owned(),
        ];
        for check in checks {
            let name = format!("container {}", check.name);
            summary.push(format!(
                "| {} {} | {} | {} |",
                check.owner,
                markdown(&name),
                check.findings.len(),
                check.blocked.as_deref().map(markdown).unwrap_or_default()
            ));
            if let Some(why) = &check.blocked {
                self.annotate(Level::Warning, &format!("{name} not checked"), why);
            }
            for finding in &check.findings {
                self.annotate(
                    Level::Error,
                    &format!("{name} has a broken image"),
                    &format!("{name}: {finding}"),
                );
            }
        }
        let broken: usize = checks.iter().map(|c| c.findings.len()).sum();
        let unchecked = checks.iter().filter(|c| c.blocked.is_some()).count();
        self.write_summary(&summary);
        self.write_outputs(&[
            ("broken".to_owned(), broken.to_string()),
            ("unchecked".to_owned(), unchecked.to_string()),
        ]);
    }

    fn write_summary(&self, lines: &[String]) {
        if let Some(path) = &self.summary {
            append(path, &format!("{}\n\n", lines.join("\n")));
        }
    }

    fn write_outputs(&self, outputs: &[(String, String)]) {
        if let Some(path) = &self.output {
            let text: String = outputs
                .iter()
                .map(|(name, value)| format!("{name}={value}\n"))
                .collect();
            append(path, &text);
        }
    }
}

/// Appends `text` to the file Actions named; a failure is said on standard
/// error, and the run goes on.
fn append(path: &PathBuf, text: &str) {
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(error) = written {
        eprintln!("warning: cannot write {}: {error}", path.display());
    }
}

/// Server text as a command's message: inert, then escaped as the runner
/// unescapes it (`%`, carriage return, line feed).
fn data(text: &str) -> String {
    inert(text, MAX_SHOWN)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Server text as a command's property: as [`data`], and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Server text in the Markdown summary: inert, with every character
/// Markdown or HTML could read as markup escaped.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::new();
    for c in inert(text, MAX_SHOWN).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '{' | '}'
            | '+' | '-' | '.' | ':' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_break_out() {
        assert_eq!(data("50%\r\n::error::x"), "50%25\\r\\n::error::x");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(
            markdown("<img src=x> | [a](b)"),
            "&lt;img src=x&gt; \\| \\[a\\]\\(b\\)"
        );
    }
}
