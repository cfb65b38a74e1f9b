//! Corrections applied to the description before progenitor sees it.
//!
//! `spec/` holds GitHub's description as published, oddities included, so
//! that the next upstream import diffs cleanly. Every deviation the generated
//! client needs lives here instead: one function per upstream fact, each
//! documented with what it corrects and why, each tested on the vendored spec.

use serde_json::Value;

use crate::{Error, Spec};

mod error_bodies;
mod nullable;
mod omitted_fields;
mod parameter_enums;
mod response_enums;
mod undeclared_required;
mod user_version_paging;

pub use error_bodies::uniform_error_bodies;
pub use nullable::nullable_schemas_as_option;
pub use omitted_fields::{OMITTED, Omitted, OmittedRow, relax_omitted_required};
pub use parameter_enums::{CONCEPTS, hoist_parameter_enums};
pub use response_enums::open_response_enums;
pub use undeclared_required::drop_undeclared_required;
pub use user_version_paging::page_user_package_versions;

/// A named correction of the description.
#[derive(Clone, Copy)]
pub struct Fixup {
    /// The function's name, used in error messages.
    pub name: &'static str,
    /// Rewrites the document in place, or says why it cannot.
    pub apply: fn(&mut Value) -> Result<(), String>,
}

/// Every fixup, in the order they run.
///
/// The order matters: parameters are added before enums are hoisted (so an
/// added `state` shares the hoisted enum); omitted fields are relaxed after
/// nullable twins are merged (the table uses the merged names); response
/// enums are opened after parameter enums are hoisted, so the hoisted
/// (request-side) schemas stay closed.
pub const ALL: &[Fixup] = &[
    Fixup {
        name: "page_user_package_versions",
        apply: page_user_package_versions,
    },
    Fixup {
        name: "drop_undeclared_required",
        apply: drop_undeclared_required,
    },
    Fixup {
        name: "nullable_schemas_as_option",
        apply: nullable_schemas_as_option,
    },
    Fixup {
        name: "relax_omitted_required",
        apply: relax_omitted_required,
    },
    Fixup {
        name: "hoist_parameter_enums",
        apply: hoist_parameter_enums,
    },
    Fixup {
        name: "open_response_enums",
        apply: open_response_enums,
    },
    Fixup {
        name: "uniform_error_bodies",
        apply: uniform_error_bodies,
    },
];

/// Applies every fixup to a copy of `spec` and returns the corrected document.
pub fn apply_all(spec: &Spec) -> Result<Value, Error> {
    apply(spec, ALL.iter())
}

/// Applies the given fixups, in order, to a copy of `spec`.
pub fn apply<'a>(spec: &Spec, fixups: impl IntoIterator<Item = &'a Fixup>) -> Result<Value, Error> {
    let mut document = spec.value().clone();
    for fixup in fixups {
        (fixup.apply)(&mut document).map_err(|message| Error::Fixup {
            name: fixup.name,
            message,
        })?;
    }
    Ok(document)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers that let each fixup's tests show the problem on the vendored
    //! spec and its absence once the fixup runs.

    use std::sync::OnceLock;

    use serde_json::Value;

    use super::{ALL, apply};
    use crate::Spec;

    /// The vendored spec, as checked in.
    pub fn vendored() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let text = include_str!("../../../spec/packages.json");
            Spec::from_json(text).expect("the vendored spec is valid")
        })
    }

    /// The vendored spec with every fixup but `skipped` applied.
    pub fn fixed_except(skipped: &str) -> Value {
        fixed_except_all(&[skipped])
    }

    /// The vendored spec with every fixup but those `skipped` applied (for
    /// a fixup another one depends on).
    pub fn fixed_except_all(skipped: &[&str]) -> Value {
        for name in skipped {
            assert!(ALL.iter().any(|f| f.name == *name), "no fixup named {name}");
        }
        apply(
            vendored(),
            ALL.iter().filter(|f| !skipped.contains(&f.name)),
        )
        .expect("fixups apply")
    }

    /// The vendored spec with every fixup applied.
    pub fn fixed() -> Value {
        apply(vendored(), ALL.iter()).expect("fixups apply")
    }

    /// progenitor's output for `document`, or its error/panic message.
    pub fn generate(document: &Value) -> Result<String, String> {
        crate::render::render(document).map_err(|e| e.to_string())
    }

    /// progenitor's error for `document`; a success fails the test with a
    /// short message, not the whole generated crate.
    pub fn generate_err(document: &Value) -> String {
        match crate::render::render(document) {
            Ok(code) => panic!("generation succeeded ({} bytes of code)", code.len()),
            Err(error) => error.to_string(),
        }
    }

    /// The body of the generated `types` item named `name` (struct or enum),
    /// up to its closing brace.
    pub fn type_source<'a>(code: &'a str, name: &str) -> Option<&'a str> {
        let start = [
            format!("pub struct {name} "),
            format!("pub struct {name}("),
            format!("pub enum {name} "),
        ]
        .iter()
        .find_map(|needle| code.find(needle.as_str()))?;
        let end = code[start..]
            .find("\n    }\n")
            .map_or(code.len(), |e| start + e + 6);
        Some(&code[start..end])
    }
}
