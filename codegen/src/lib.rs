//! Turns the vendored GitHub Packages description (`spec/`) into the source of
//! the generated client crate (`generated/`).
//!
//! Import: [`fragment::import`] cuts the packages fragment out of GitHub's
//! full description, keeps its [`facts`] and records its [`source`].
//! Generation: [`Spec::from_json`] (parse and validate) → [`fixups`]
//! (correct upstream quirks) → [`overlay`] (merge the project's words from
//! `spec/docs.toml`) → progenitor → prettyplease → one file ([`generate`]),
//! which ends with the operation [`table`] the client and the fake are held
//! against. Upkeep: [`tidy`] keeps the overlay in step with the flavour of
//! GitHub's description vendored. Review: [`surface`] summarises an API
//! surface line per fact, and [`changes`] compares two surfaces for the
//! import summary.

pub mod changes;
pub mod diff;
pub mod facts;
pub mod fixups;
pub mod fragment;
mod hooks;
pub mod json;
pub mod overlay;
mod render;
pub mod source;
mod spec;
pub mod surface;
pub mod table;
pub mod tidy;

pub use overlay::Docs;
pub use render::generate;
pub use spec::{Operation, Spec, operations};

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

/// Every file derived from `spec` and `docs`: the generated client, and the
/// surface snapshots of the spec as vendored and as fixed (so a reviewer
/// sees both an upstream change and what the fixups make of it).
///
/// `cargo xtask codegen` writes exactly these; `--check` and the freshness
/// test compare exactly these.
pub fn outputs(spec: &Spec, docs: &Docs) -> Result<Vec<Output>, Error> {
    let fixed = fixups::apply_all(spec)?;
    let (documented, _) = documented(&fixed, docs);
    Ok(vec![
        Output {
            path: GENERATED_PATH,
            contents: render::render(&documented)?,
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

/// A fixed description with the overlay's text merged in, and the overlay's
/// entries that documented nothing.
pub fn documented(
    fixed: &serde_json::Value,
    docs: &Docs,
) -> (serde_json::Value, Vec<overlay::Entry>) {
    let mut document = fixed.clone();
    let stale = overlay::merge(&mut document, docs);
    (document, stale)
}

/// Everything that can go wrong between reading a description and writing code.
///
/// Each message is one sentence so that tools can print it on one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file holds nothing.
    #[error("the file is empty")]
    Empty,
    /// The text is not JSON at all.
    #[error("not valid JSON ({0})")]
    Json(serde_json::Error),
    /// The text looks like YAML.
    #[error("this looks like YAML; use GitHub's .json file instead")]
    Yaml,
    /// A dereferenced bundle: it has no `$ref` into itself.
    #[error(
        "this is a dereferenced description (it has no `$ref` into itself); import the bundled \
         file instead, e.g. api.github.com.json rather than api.github.com.deref.json"
    )]
    Dereferenced,
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
    /// The docs overlay cannot be read.
    #[error("{path}: {0}", path = overlay::DOCS_PATH)]
    Docs(String),
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
