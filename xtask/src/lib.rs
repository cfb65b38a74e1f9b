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

/// `cargo xtask codegen [--check]`: regenerates every file derived from
/// `spec/` (the generated crate and the surface snapshots), or with `check`,
/// writes nothing and fails with a diff when any of them is stale.
pub fn codegen(root: &Path, check: bool) -> Result<String, Failure> {
    let spec = load_spec(root)?;
    let outputs = codegen::outputs(&spec).map_err(|e| Failure::new(format!("{SPEC_PATH}: {e}")))?;

    let mut stale = Vec::new();
    for output in outputs {
        let current = read_optional(&root.join(output.path))?.unwrap_or_default();
        if current != output.contents {
            stale.push((output, current));
        }
    }
    if stale.is_empty() {
        return Ok(format!(
            "{GENERATED_PATH} and the surface snapshots are up to date\n"
        ));
    }
    let paths: Vec<&str> = stale.iter().map(|(output, _)| output.path).collect();
    if check {
        let details = stale
            .iter()
            .map(|(output, current)| {
                codegen::diff::unified(
                    current,
                    &output.contents,
                    &format!("{} (checked in)", output.path),
                    &format!("{} (regenerated from {SPEC_PATH})", output.path),
                )
            })
            .collect();
        return Err(Failure {
            message: format!(
                "{} out of date with {SPEC_PATH}; run `cargo xtask codegen` and commit the result",
                paths.join(", ")
            ),
            details,
        });
    }
    for (output, _) in &stale {
        write_atomically(&root.join(output.path), &output.contents)?;
    }
    Ok(format!("wrote {}\n", paths.join(", ")))
}

/// `cargo xtask spec import --from FILE`: cuts the packages fragment out of
/// GitHub's full description, writes it to `spec/` in canonical form and
/// reports what changed.
pub fn import_spec(root: &Path, from: &Path) -> Result<String, Failure> {
    let shown = from.display();
    let text =
        fs::read_to_string(from).map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let full = Spec::from_json(&text).map_err(|e| Failure::new(format!("{shown}: {e}")))?;
    let fragment = fragment::extract(&full).map_err(|e| Failure::new(format!("{shown}: {e}")))?;

    let path = root.join(SPEC_PATH);
    let previous = read_optional(&path)?;
    let previous_value = previous
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    let changes = fragment::compare(previous_value.as_ref(), fragment.value());
    let canonical = fragment.to_canonical();
    if previous.as_deref() == Some(canonical.as_str()) {
        return Ok(format!("{SPEC_PATH} is already up to date\n{changes}"));
    }
    write_atomically(&path, &canonical)?;

    let mut report = format!("wrote {SPEC_PATH}\n{changes}");
    match codegen::generate(&fragment) {
        Ok(_) => report.push_str("next: run `cargo xtask codegen`, review the snapshot diffs, commit\n"),
        Err(e) => report.push_str(&format!(
            "warning: codegen fails on the new spec ({e}); adjust the fixups in codegen/ before regenerating\n"
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
