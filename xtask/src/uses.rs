//! What the crates in `crates/` use of the generated client, read from
//! their sources, so that a spec that drops an operation or parameter is
//! reported in words before rustc reports it in E0599s.
//!
//! Operations are the operationId literals (`"packages/…"`) in any source
//! file. Parameters are read from the owner-scope table rows
//! (`by_owner!(…)` in `dispatch.rs`, the one module that names generated
//! methods): the builder setters its `fill:` calls, and the names given to
//! `paged!`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One use: the file (relative to the workspace root), the operationId,
/// and the parameter, if the use is of a parameter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use {
    /// Where, relative to the workspace root.
    pub file: String,
    /// The operationId.
    pub operation: String,
    /// The parameter, for a parameter use.
    pub parameter: Option<String>,
}

/// Every use in the Rust sources under `root/crates/*/src`.
pub fn scan(root: &Path) -> Result<Vec<Use>, String> {
    let mut uses = BTreeSet::new();
    for file in rust_files(&root.join("crates")) {
        let text = fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        // Unit tests at the bottom of a file may name made-up operations.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        for operation in operation_ids(text) {
            uses.insert(Use {
                file: shown.clone(),
                operation: operation.to_owned(),
                parameter: None,
            });
        }
        for row in table_rows(text) {
            let parameters = row_parameters(row);
            for operation in operation_ids(row) {
                for parameter in &parameters {
                    uses.insert(Use {
                        file: shown.clone(),
                        operation: operation.to_owned(),
                        parameter: Some(parameter.clone()),
                    });
                }
            }
        }
    }
    Ok(uses.into_iter().collect())
}

/// One line per operation used that `document` does not have.
pub fn missing_operations(uses: &[Use], document: &Value, spec_path: &str) -> Vec<String> {
    let operations = codegen::operations(document);
    uses.iter()
        .filter(|wanted| wanted.parameter.is_none())
        .filter(|wanted| !operations.iter().any(|op| op.id() == wanted.operation))
        .map(|wanted| {
            format!(
                "{} uses operation {}, which {spec_path} no longer has",
                wanted.file, wanted.operation
            )
        })
        .collect()
}

/// One line per parameter used that `document` (the fixed spec: the
/// fixups add some) does not have, for the operations it has.
pub fn missing_parameters(uses: &[Use], document: &Value, spec_path: &str) -> Vec<String> {
    let operations = codegen::operations(document);
    let mut lines = Vec::new();
    for wanted in uses {
        let Some(operation) = operations.iter().find(|op| op.id() == wanted.operation) else {
            continue;
        };
        if let Some(parameter) = &wanted.parameter {
            let known = operation.value["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| codegen::json::deref(document, p))
                .any(|p| p["name"].as_str() == Some(parameter.as_str()));
            if !known {
                lines.push(format!(
                    "{} uses parameter `{parameter}` of {}, which {spec_path} no longer has",
                    wanted.file, wanted.operation
                ));
            }
        }
    }
    lines
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            // Only sources: tests and examples may name operations freely.
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !matches!(name, "tests" | "examples" | "benches" | "target") {
                files.extend(rust_files(&path));
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.components().any(|c| c.as_os_str() == "src")
        {
            files.push(path);
        }
    }
    files
}

/// `"packages/…"` literals.
fn operation_ids(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2).filter(|literal| {
        literal.strip_prefix("packages/").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
    })
}

/// The text of each `by_owner!(…)` invocation (not the macro's definition).
fn table_rows(text: &str) -> Vec<&str> {
    let mut rows = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("by_owner!(") {
        let body = &rest[start + "by_owner!(".len()..];
        let mut depth = 1;
        let end = body
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .unwrap_or(body.len());
        rows.push(&body[..end]);
        rest = &body[end..];
    }
    rows
}

/// The parameters a row sets: `.name(` calls after `fill:`, and the names
/// given to `paged!`.
fn row_parameters(row: &str) -> BTreeSet<String> {
    let Some(fill) = row.split_once("fill:").map(|(_, fill)| fill) else {
        return BTreeSet::new();
    };
    let mut names = BTreeSet::new();
    for (i, _) in fill.match_indices('.') {
        let name: String = fill[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !name.is_empty() && fill[i + 1 + name.len()..].starts_with('(') {
            names.insert(name);
        }
    }
    if let Some((_, paged)) = fill.split_once("paged!(") {
        let paged = paged.split(')').next().unwrap_or("");
        for argument in paged.split(',').skip(1) {
            if let Some((name, _)) = argument.split_once(':') {
                names.insert(name.trim().to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = r#"
    let (operation, response) = by_owner!(shared, target, safe: true,
        org: packages_list_for_org = "packages/list-for-org",
        user: packages_list_for_user = "packages/list-for-user",
        me: packages_list_for_me = "packages/list-for-me",
        check: |op| (ty, page) = (checked(op)?, number(op, page)?),
        fill: |b| {
            let b = b.package_type(ty).package_name(name);
            paged!(b, state: state, page: page, per_page: per_page)
        },
    )?;
    "#;

    #[test]
    fn rows_give_their_operations_and_parameters() {
        let rows = table_rows(ROW);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            operation_ids(rows[0]).collect::<Vec<_>>(),
            [
                "packages/list-for-org",
                "packages/list-for-user",
                "packages/list-for-me"
            ]
        );
        assert_eq!(
            row_parameters(rows[0]).into_iter().collect::<Vec<_>>(),
            ["package_name", "package_type", "page", "per_page", "state"]
        );
    }

    #[test]
    fn only_operation_id_literals_count() {
        let text = r#"let a = "packages/get-x"; let b = "packages/"; let c = "packages/Bad"; "#;
        assert_eq!(operation_ids(text).collect::<Vec<_>>(), ["packages/get-x"]);
    }
}
