//! The checked-in generated crate matches what codegen makes of `spec/`
//! today, and codegen makes the same bytes every time.

use spec_tests::{assert_fresh, vendored_spec};

#[test]
fn derived_files_are_fresh() {
    for output in codegen::outputs(&vendored_spec()).expect("the vendored spec generates") {
        assert_fresh(&output);
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = vendored_spec();
    let first = codegen::generate(&spec).unwrap();
    let second = codegen::generate(&spec).unwrap();
    assert!(
        first == second,
        "two generations differ:\n{}",
        codegen::diff::unified(&first, &second, "first", "second")
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
    assert_eq!(
        enums,
        ["PackageType", "PackageVersionState", "PackageVisibility"]
    );
}
