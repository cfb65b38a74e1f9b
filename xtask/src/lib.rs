//! The maintainer's commands, as functions over a workspace root so that the
//! tests can run them against a temporary copy.
//!
//! Every command validates everything before it writes anything, and writes
//! through a temporary file and a rename, so a failure leaves `spec/` and
//! `generated/` as they were.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{GENERATED_PATH, SPEC_PATH, Spec, fragment};

pub mod uses;

/// Why a command failed: a one-sentence message, and optional details (such
/// as a diff) printed before it.
#[derive(Debug)]
pub struct Failure {
    /// One sentence saying what is wrong.
    pub message: String,
    /// Longer output to show first, e.g. a unified diff; may be empty.
    pub details: String,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            details: String::new(),
        }
    }
}

/// The workspace this xtask was built from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// How many lines of one file's diff are printed; the rest is in a file.
const DIFF_LINES: usize = 40;

/// `cargo xtask codegen [--check]`: regenerates every file derived from
/// `spec/` and `spec/docs.toml` (the generated crate and the surface
/// snapshots) after bringing the overlay in line with the spec (see
/// [`codegen::tidy`]), or with `check`, writes nothing and fails with a diff
/// when any of this is due. Items without text are named one by one, as a
/// warning.
///
/// Before generating, it checks that every operation and parameter the
/// crates in `crates/` use is still in the spec, so a dropped operation is
/// one line here rather than rustc errors later.
pub fn codegen(root: &Path, check: bool) -> Result<String, Failure> {
    let spec = load_spec(root)?;
    guard_uses(&spec)?;
    let tidy = tidy_docs(root, &spec, check)?;
    let outputs = codegen::outputs(&spec, &tidy.docs)
        .map_err(|e| Failure::new(format!("{SPEC_PATH}: {e}")))?;
    let mut report = tidy.report;

    let mut stale = Vec::new();
    for output in outputs {
        let current = read_optional(&root.join(output.path))?.unwrap_or_default();
        if current != output.contents {
            stale.push((output, current));
        }
    }
    let mut paths: Vec<&str> = stale.iter().map(|(output, _)| output.path).collect();
    if tidy.changed.is_some() {
        paths.insert(0, codegen::overlay::DOCS_PATH);
    }
    if paths.is_empty() {
        report.push_str(&format!(
            "{GENERATED_PATH} and the surface snapshots are up to date\n"
        ));
        return Ok(report);
    }
    if check {
        let mut details = report;
        for (output, current) in &stale {
            let diff = codegen::diff::unified(
                current,
                &output.contents,
                &format!("{} (checked in)", output.path),
                &format!("{} (regenerated from {SPEC_PATH})", output.path),
            );
            details.push_str(&excerpt(root, output.path, &diff)?);
        }
        return Err(Failure {
            message: format!(
                "{} out of date with {SPEC_PATH}; run `cargo xtask codegen` and commit the result",
                paths.join(", ")
            ),
            details,
        });
    }
    if let Some(text) = &tidy.changed {
        write_atomically(&root.join(codegen::overlay::DOCS_PATH), text)?;
    }
    for (output, _) in &stale {
        write_atomically(&root.join(output.path), &output.contents)?;
    }
    report.push_str(&format!("wrote {}\n", paths.join(", ")));
    Ok(report)
}

/// The first [`DIFF_LINES`] lines of a diff; the whole diff goes to a file
/// under `target/xtask/`, which the excerpt names.
fn excerpt(root: &Path, path: &str, diff: &str) -> Result<String, Failure> {
    if diff.lines().count() <= DIFF_LINES {
        return Ok(diff.to_owned());
    }
    let file = root
        .join("target/xtask")
        .join(format!("{}.diff", path.replace('/', "-")));
    write_atomically(&file, diff)?;
    let where_ = format!("the whole diff is in {}", file.display());
    Ok(codegen::diff::excerpt(diff, DIFF_LINES, &where_))
}

/// Fails, one line per item, when an operation or parameter that the
/// crates in `crates/` use (every row of the checked-in operation table)
/// is gone from the spec.
fn guard_uses(spec: &Spec) -> Result<(), Failure> {
    // Operations are checked on the spec as vendored (a fixup may need a
    // missing one), parameters on what the fixups make of it (they add some).
    // A fixup that cannot apply is reported by code generation itself.
    let mut gone = uses::missing_operations(spec.value(), SPEC_PATH);
    if gone.is_empty()
        && let Ok(fixed) = codegen::fixups::apply_all(spec)
    {
        gone = uses::missing_parameters(&fixed, SPEC_PATH);
    }
    if gone.is_empty() {
        return Ok(());
    }
    Err(Failure {
        message: format!(
            "{} of what crates/ uses is gone from {SPEC_PATH}; adapt crates/ or the fixups \
             before regenerating",
            plural(gone.len(), "use")
        ),
        details: gone.iter().map(|line| format!("{line}\n")).collect(),
    })
}

/// The docs overlay brought in line with `spec`, not written yet: entries
/// that document nothing in it are set aside under `[unused]`, those it
/// needs again restored (`codegen::tidy`), and every item without text named. The
/// report says what `check` would change, or what changes.
fn tidy_docs(root: &Path, spec: &Spec, check: bool) -> Result<Tidy, Failure> {
    let docs_path = codegen::overlay::DOCS_PATH;
    let text = fs::read_to_string(root.join(docs_path))
        .map_err(|e| Failure::new(format!("cannot read {docs_path}: {e}")))?;
    let fixed =
        codegen::fixups::apply_all(spec).map_err(|e| Failure::new(format!("{SPEC_PATH}: {e}")))?;
    let tidied = codegen::tidy::tidy(&text, &fixed).map_err(|e| Failure::new(e.to_string()))?;
    let docs = codegen::Docs::from_toml(&tidied.text).map_err(|e| Failure::new(e.to_string()))?;
    let (documented, _) = codegen::documented(&fixed, &docs);
    let undocumented = codegen::overlay::undocumented(&documented);
    let mut report = String::new();
    let unused = codegen::tidy::UNUSED;
    let (set_aside, restore) = if check {
        ("to set aside", "to restore")
    } else {
        ("set aside", "restored")
    };
    for (entries, what) in [
        (
            &tidied.set_aside,
            format!("{set_aside} under [{unused}], documenting nothing in {SPEC_PATH}"),
        ),
        (
            &tidied.restored,
            format!("{restore} from [{unused}], documenting something again"),
        ),
    ] {
        if !entries.is_empty() {
            let names: Vec<String> = entries.iter().map(ToString::to_string).collect();
            report.push_str(&format!("{docs_path}: {what}: {}\n", names.join(", ")));
        }
    }
    if !undocumented.is_empty() {
        report.push_str(&format!(
            "warning: {} no text in {docs_path}; add it:\n{}",
            match undocumented.len() {
                1 => "1 item has".to_owned(),
                n => format!("{n} items have"),
            },
            grouped(&undocumented)
        ));
    }
    Ok(Tidy {
        changed: (tidied.text != text).then_some(tidied.text),
        docs,
        report,
        missing: undocumented.len(),
    })
}

/// The docs overlay as [`codegen::tidy`] leaves it.
struct Tidy {
    /// The overlay's new text, if it changed.
    changed: Option<String>,
    /// The overlay, as it reads now.
    docs: codegen::Docs,
    /// Lines for the command's report; empty when all is well.
    report: String,
    /// How many items have no text.
    missing: usize,
}

/// `field package.a`, `field package.b` → `  fields of package: a, b`.
fn grouped(items: &[String]) -> String {
    let mut groups: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for item in items {
        let (kind, name) = item.split_once(' ').unwrap_or(("", item));
        let (group, member) = match (kind, name.split_once('.')) {
            ("field", Some((schema, field))) => (format!("fields of {schema}"), field),
            ("info", _) => ("info".to_owned(), name),
            _ => (format!("{kind}s"), name),
        };
        groups.entry(group).or_default().push(member);
    }
    groups
        .iter()
        .map(|(group, members)| format!("  {group}: {}\n", members.join(", ")))
        .collect()
}

fn plural(count: usize, word: &str) -> String {
    match (count, word.strip_suffix('y')) {
        (1, _) => format!("1 {word}"),
        (n, Some(stem)) => format!("{n} {stem}ies"),
        (n, None) => format!("{n} {word}s"),
    }
}

/// `cargo xtask spec import --from FILE`: cuts the packages fragment out of
/// GitHub's full description, keeps its facts (see `codegen::facts`),
/// writes it to `spec/` in canonical form, brings the docs overlay in line
/// with it (see [`codegen::tidy`]), and reports which facts changed, what
/// `crates/` uses that is gone, which entries moved and what has no text.
pub fn import_spec(root: &Path, from: &Path) -> Result<String, Failure> {
    let shown = from.display();
    let text =
        fs::read_to_string(from).map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let file_name = from.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let fragment =
        fragment::import(&text, file_name).map_err(|e| Failure::new(format!("{shown}: {e}")))?;

    let path = root.join(SPEC_PATH);
    let previous = read_optional(&path)?;
    let previous_value = previous
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    let changes = codegen::changes::compare(previous_value.as_ref(), fragment.value());
    let canonical = fragment.to_canonical();
    let mut report = if previous.as_deref() == Some(canonical.as_str()) {
        format!("{SPEC_PATH} is already up to date\n{changes}")
    } else {
        write_atomically(&path, &canonical)?;
        format!("wrote {SPEC_PATH}\n{changes}")
    };

    if let Err(gone) = guard_uses(&fragment) {
        report.push_str(&gone.details);
        report.push_str(&format!("warning: {}\n", gone.message));
    }
    // Without fixups that apply there is nothing to document yet; the
    // codegen warning below says why.
    let (docs, missing_words) = match codegen::fixups::apply_all(&fragment) {
        Ok(_) => {
            let tidy = tidy_docs(root, &fragment, false)?;
            if let Some(text) = &tidy.changed {
                write_atomically(&root.join(codegen::overlay::DOCS_PATH), text)?;
            }
            report.push_str(&tidy.report);
            (tidy.docs, tidy.missing > 0)
        }
        Err(_) => (load_docs(root)?, false),
    };
    match codegen::generate(&fragment, &docs) {
        Ok(_) => report.push_str(&format!(
            "next: {}run `cargo xtask codegen`, review the snapshot diffs, commit\n",
            if missing_words {
                "write the missing text in spec/docs.toml, "
            } else {
                ""
            }
        )),
        Err(e) => report.push_str(&format!(
            "warning: codegen fails on the new spec ({e}); adjust the fixups in codegen/ before \
             regenerating\n"
        )),
    }
    Ok(report)
}

fn load_spec(root: &Path) -> Result<Spec, Failure> {
    let path = root.join(SPEC_PATH);
    let text = fs::read_to_string(&path)
        .map_err(|e| Failure::new(format!("cannot read {SPEC_PATH}: {e}")))?;
    Spec::from_json(&text).map_err(|e| Failure::new(format!("{SPEC_PATH}: {e}")))
}

fn load_docs(root: &Path) -> Result<codegen::Docs, Failure> {
    let path = codegen::overlay::DOCS_PATH;
    let text = fs::read_to_string(root.join(path))
        .map_err(|e| Failure::new(format!("cannot read {path}: {e}")))?;
    codegen::Docs::from_toml(&text).map_err(|e| Failure::new(e.to_string()))
}

fn read_optional(path: &Path) -> Result<Option<String>, Failure> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::new(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Writes through a sibling temporary file and a rename, so a reader (or a
/// crash) never sees half a file.
fn write_atomically(path: &Path, contents: &str) -> Result<(), Failure> {
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let temporary = path.with_file_name(format!(".{file_name}.tmp"));
    let result = fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .and_then(|()| fs::write(&temporary, contents))
        .and_then(|()| fs::rename(&temporary, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&temporary);
        Failure::new(format!("cannot write {}: {e}", path.display()))
    })
}
