//! Shared helpers for the guards in this folder.

use std::path::{Path, PathBuf};

use codegen::Spec;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives one level below the workspace root")
        .to_path_buf()
}

/// Reads a file relative to the workspace root.
pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The vendored spec, parsed and validated.
pub fn vendored_spec() -> Spec {
    Spec::from_json(&read(codegen::SPEC_PATH)).expect("spec/packages.json is valid")
}

/// The project's docs overlay.
pub fn vendored_docs() -> codegen::Docs {
    codegen::Docs::from_toml(&read(codegen::overlay::DOCS_PATH)).expect("spec/docs.toml is valid")
}

/// How many lines of a long text a failing assertion shows.
pub const SHOWN_LINES: usize = 40;

/// `text` if short; else its first lines, with the whole text saved as
/// `name` in `dir` (a test's `CARGO_TARGET_TMPDIR`) and named.
pub fn bounded(text: &str, dir: &Path, name: &str) -> String {
    if text.lines().count() <= SHOWN_LINES {
        return text.to_owned();
    }
    let file = dir.join(name);
    let saved = std::fs::write(&file, text).map_or_else(
        |e| format!("(could not save the rest to {}: {e})", file.display()),
        |()| format!("the whole text is in {}", file.display()),
    );
    codegen::diff::excerpt(text, SHOWN_LINES, &saved)
}

/// Fails with a readable, bounded diff when the checked-in file differs
/// from what codegen derives from the spec today.
pub fn assert_fresh(output: &codegen::Output, dir: &Path) {
    let checked_in = read(output.path);
    let diff = codegen::diff::unified(
        &checked_in,
        &output.contents,
        &format!("{} (checked in)", output.path),
        &format!("{} (regenerated)", output.path),
    );
    let name = format!("{}.diff", output.path.replace('/', "-"));
    assert!(
        diff.is_empty(),
        "{} is stale; run `cargo xtask codegen` and commit the result:\n{}",
        output.path,
        bounded(&diff, dir, &name)
    );
}
