//! The checked-in generated crate matches what codegen makes of `spec/`
//! today, and codegen makes the same bytes every time.

use std::path::Path;

use spec_tests::{assert_fresh, bounded, vendored_docs, vendored_spec};

/// Where failing tests leave the whole of a long diff.
fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

#[test]
fn derived_files_are_fresh() {
    let outputs =
        codegen::outputs(&vendored_spec(), &vendored_docs()).expect("the vendored spec generates");
    for output in outputs {
        assert_fresh(&output, scratch());
    }
}

#[test]
fn generation_is_deterministic() {
    let (spec, docs) = (vendored_spec(), vendored_docs());
    let first = codegen::generate(&spec, &docs).unwrap();
    let second = codegen::generate(&spec, &docs).unwrap();
    assert!(
        first == second,
        "two generations differ:\n{}",
        bounded(
            &codegen::diff::unified(&first, &second, "first", "second"),
            scratch(),
            "determinism.diff"
        )
    );
}

#[test]
fn generated_client_has_one_method_per_operation() {
    let code = spec_tests::read(codegen::GENERATED_PATH);
    for operation in vendored_spec().operations() {
        let method = operation.id().replace(['/', '-'], "_");
        assert!(
            code.contains(&format!("pub fn {method}(")),
            "no client method {method} for {} {}",
            operation.method,
            operation.path
        );
    }
}

#[test]
fn generated_crate_has_one_enum_per_concept() {
    let code = spec_tests::read(codegen::GENERATED_PATH);
    let mut enums: Vec<&str> = code
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("pub enum "))
        .map(|rest| rest.split([' ', '<']).next().unwrap())
        .collect();
    enums.sort_unstable();
    // One per parameter concept, and the operation table's owner scope.
    assert_eq!(
        enums,
        [
            "OwnerScope",
            "PackageType",
            "PackageVersionState",
            "PackageVisibility"
        ]
    );
}
