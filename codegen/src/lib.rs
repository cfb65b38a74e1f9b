//! Turns the vendored GitHub Packages description (`spec/`) into the source of
//! the generated client crate (`generated/`).
//!
//! The pipeline is: [`Spec::from_json`] (parse and validate) → [`fixups`]
//! (correct upstream quirks progenitor cannot cope with) → progenitor →
//! prettyplease → one file ([`generate`]). The same crate cuts the packages
//! fragment out of GitHub's full description ([`fragment`]) and summarises an
//! API surface for review ([`surface`]).

pub mod diff;
pub mod fixups;
pub mod fragment;
mod hooks;
pub mod json;
mod render;
mod spec;
pub mod surface;

pub use render::generate;
pub use spec::{Operation, Spec};

/// Where the vendored description lives, relative to the workspace root.
pub const SPEC_PATH: &str = "spec/packages.json";
/// Where the generated client's source lives, relative to the workspace root.
pub const GENERATED_PATH: &str = "generated/src/lib.rs";

/// A file derived from the spec: where it lives and what it must contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// The file's exact contents.
    pub contents: String,
}

/// Every file derived from `spec`: the generated client, and the surface
/// snapshots of the spec as vendored and as fixed (so a reviewer sees both
/// an upstream change and what the fixups make of it).
///
/// `cargo xtask codegen` writes exactly these; `--check` and the freshness
/// test compare exactly these.
pub fn outputs(spec: &Spec) -> Result<Vec<Output>, Error> {
    let fixed = fixups::apply_all(spec)?;
    Ok(vec![
        Output {
            path: GENERATED_PATH,
            contents: render::render(&fixed)?,
        },
        Output {
            path: surface::SPEC_SNAPSHOT,
            contents: surface::snapshot_file(&surface::summarize(spec.value())),
        },
        Output {
            path: surface::FIXED_SNAPSHOT,
            contents: surface::snapshot_file(&surface::summarize(&fixed)),
        },
    ])
}

/// Everything that can go wrong between reading a description and writing code.
///
/// Each message is one sentence so that tools can print it on one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not JSON at all.
    #[error("not valid JSON ({0}){hint}", hint = yaml_hint(.0))]
    Json(serde_json::Error),
    /// The document has no `openapi` version field.
    #[error("not an OpenAPI document: there is no `openapi` version field")]
    NotOpenApi,
    /// The document is OpenAPI, but not a version progenitor reads.
    #[error("OpenAPI {0} is not supported: progenitor reads OpenAPI 3.0.x only")]
    Version(String),
    /// The document does not have the shape of an OpenAPI 3.0 description.
    #[error("not a valid OpenAPI 3.0 description: {0}")]
    Structure(String),
    /// A `$ref` points at nothing.
    #[error("`$ref` {0} points at nothing in the document")]
    DanglingRef(String),
    /// The description has no operation tagged `packages`.
    #[error("the description has no operation tagged `packages`")]
    NoPackagesOperations,
    /// A fixup found something it does not know how to correct.
    #[error("fixup `{name}` cannot proceed: {message}")]
    Fixup {
        /// The fixup's function name.
        name: &'static str,
        /// What it found.
        message: String,
    },
    /// progenitor refused the (fixed) description or panicked on it.
    #[error("progenitor could not generate the client: {0}")]
    Generate(String),
    /// progenitor's output did not parse as a Rust file.
    #[error("progenitor's output is not valid Rust: {0}")]
    Syntax(String),
}

fn yaml_hint(error: &serde_json::Error) -> &'static str {
    if error.line() == 1 && error.column() <= 1 {
        "; YAML descriptions are not supported, use GitHub's .json file"
    } else {
        ""
    }
}
