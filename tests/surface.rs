//! The API surface of `spec/` as insta snapshots: a spec change shows up
//! as a readable diff of `snapshots/spec_surface.snap`, and what the fixups
//! make of it as a diff of `snapshots/fixed_spec_surface.snap`.
//!
//! `cargo xtask codegen` writes both files (see `codegen::outputs`); these
//! tests fail, with insta's diff, until it has run.

use spec_tests::vendored_spec;

fn assert_surface(name: &str, summary: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, summary));
}

#[test]
fn spec_surface() {
    assert_surface(
        "spec_surface",
        codegen::surface::summarize(vendored_spec().value()),
    );
}

#[test]
fn fixed_spec_surface() {
    let fixed = codegen::fixups::apply_all(&vendored_spec()).expect("the fixups apply");
    assert_surface("fixed_spec_surface", codegen::surface::summarize(&fixed));
}

#[test]
fn spec_has_the_27_packages_operations() {
    let spec = vendored_spec();
    let mut ids: Vec<&str> = spec.operations().iter().map(|op| op.id()).collect();
    ids.sort_unstable();
    let scopes = ["org", "authenticated-user", "user"];
    let expected: Vec<String> = scopes
        .iter()
        .flat_map(|scope| {
            let long = match *scope {
                "org" => "organization",
                other => other,
            };
            [
                format!("packages/list-docker-migration-conflicting-packages-for-{long}"),
                format!("packages/list-packages-for-{long}"),
                format!("packages/get-package-for-{long}"),
                format!("packages/delete-package-for-{scope}"),
                format!("packages/restore-package-for-{scope}"),
                format!("packages/get-all-package-versions-for-package-owned-by-{scope}"),
                format!("packages/get-package-version-for-{long}"),
                format!("packages/delete-package-version-for-{scope}"),
                format!("packages/restore-package-version-for-{scope}"),
            ]
        })
        .collect();
    let mut expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);
}

#[test]
fn spec_is_in_canonical_form() {
    let text = spec_tests::read(codegen::SPEC_PATH);
    assert!(
        vendored_spec().to_canonical() == text,
        "spec/packages.json is not in canonical form; write it with `cargo xtask spec import`"
    );
}
