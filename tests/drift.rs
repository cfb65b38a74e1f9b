//! Drift is noticed: a copy of the spec with a field added and an operation
//! dropped no longer matches the surface snapshot, and no longer matches the
//! checked-in generated crate; each difference reads as a diff naming it.

use std::path::Path;

use serde_json::{Value, json};
use spec_tests::{bounded, read, vendored_docs, vendored_spec};

/// Where failing tests leave the whole of a long diff.
fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

const DROPPED: &str =
    "/user/packages/{package_type}/{package_name}/versions/{package_version_id}/restore";

/// A field the spec does not have, so the drift is real whatever the spec holds.
const ADDED: &str = "drift_probe_count";

fn drifted() -> codegen::Spec {
    let mut document = vendored_spec().into_value();
    let properties = &mut document["components"]["schemas"]["package"]["properties"];
    assert!(
        properties.get(ADDED).is_none(),
        "the probe field already exists"
    );
    properties[ADDED] = json!({"type": "integer", "description": "A field GitHub might add."});
    document["paths"].as_object_mut().unwrap().remove(DROPPED);
    codegen::Spec::from_value(document).expect("the drifted copy is still a valid description")
}

/// The stored snapshot's body, without insta's header.
fn stored_surface() -> String {
    let snapshot = read(codegen::surface::SPEC_SNAPSHOT);
    let body = snapshot
        .splitn(3, "---\n")
        .nth(2)
        .expect("insta snapshot header");
    body.to_owned()
}

#[test]
fn the_surface_snapshot_notices() {
    let stored = stored_surface();
    assert_eq!(
        codegen::surface::summarize(vendored_spec().value()),
        stored,
        "baseline matches the snapshot"
    );

    let drifted = codegen::surface::summarize(drifted().value());
    let diff = codegen::diff::unified(&stored, &drifted, "snapshot", "drifted spec");
    assert!(diff.contains(&format!("\n+  {ADDED}: integer\n")), "{diff}");
    assert!(
        diff.contains(&format!(
            "\n-POST {DROPPED}  packages/restore-package-version-for-authenticated-user\n"
        )),
        "{diff}"
    );
    assert!(
        diff.contains("\n-operations (27)\n+operations (26)\n"),
        "{diff}"
    );
}

#[test]
fn the_freshness_check_notices() {
    let outputs = codegen::outputs(&drifted(), &vendored_docs()).unwrap();
    let generated = outputs
        .iter()
        .find(|o| o.path == codegen::GENERATED_PATH)
        .unwrap();
    let checked_in = read(codegen::GENERATED_PATH);
    let diff = codegen::diff::unified(
        &checked_in,
        &generated.contents,
        "checked in",
        "regenerated",
    );
    let shown = || bounded(&diff, scratch(), "drift-generated.diff");
    assert!(
        diff.contains(&format!(
            "+        pub {ADDED}: ::std::option::Option<i64>,"
        )),
        "{}",
        shown()
    );
    assert!(
        diff.contains("-    pub fn packages_restore_package_version_for_authenticated_user("),
        "{}",
        shown()
    );
    for output in &outputs {
        let outcome = std::panic::catch_unwind(|| spec_tests::assert_fresh(output, scratch()));
        assert!(
            outcome.is_err(),
            "assert_fresh accepted a stale {}",
            output.path
        );
    }
}

#[test]
fn an_unchanged_copy_is_not_drift() {
    let same: Value = vendored_spec().into_value();
    let spec = codegen::Spec::from_value(same).unwrap();
    for output in codegen::outputs(&spec, &vendored_docs()).unwrap() {
        spec_tests::assert_fresh(&output, scratch());
    }
}
