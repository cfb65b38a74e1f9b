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

/// Fails with a readable diff when the checked-in file differs from what
/// codegen derives from the spec today.
pub fn assert_fresh(output: &codegen::Output) {
    let checked_in = read(output.path);
    let diff = codegen::diff::unified(
        &checked_in,
        &output.contents,
        &format!("{} (checked in)", output.path),
        &format!("{} (regenerated)", output.path),
    );
    assert!(
        diff.is_empty(),
        "{} is stale; run `cargo xtask codegen` and commit the result:\n{diff}",
        output.path
    );
}
