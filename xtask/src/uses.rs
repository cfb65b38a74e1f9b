//! What the crates in `crates/` use of the generated client: every row of
//! the operation table (`generated::OPERATIONS`, as checked in when this
//! xtask was built). The client's dispatch serves each row and the fake is
//! built from the table, both under test, so a description that drops an
//! operation or a parameter of a row is reported here in words, before
//! rustc reports it in E0599s.

use codegen::GENERATED_PATH;
use serde_json::Value;

/// One line per operation of the table that `document` does not have.
pub fn missing_operations(document: &Value, spec_path: &str) -> Vec<String> {
    let operations = codegen::operations(document);
    generated::OPERATIONS
        .iter()
        .filter(|row| !operations.iter().any(|op| op.id() == row.id))
        .map(|row| {
            format!(
                "{GENERATED_PATH} lists operation {}, which crates/ use and {spec_path} no \
                 longer has",
                row.id
            )
        })
        .collect()
}

/// One line per parameter of a row that `document` (the fixed spec: the
/// fixups add some) no longer gives that operation.
pub fn missing_parameters(document: &Value, spec_path: &str) -> Vec<String> {
    let Ok(rows) = codegen::table::rows(document) else {
        // Codegen itself says why the new description cannot be tabled.
        return Vec::new();
    };
    let mut lines = Vec::new();
    for wanted in generated::OPERATIONS {
        let Some(row) = rows.iter().find(|row| row.id == wanted.id) else {
            continue;
        };
        for parameter in wanted.parameters {
            if !row.parameters.iter().any(|p| p == parameter) {
                lines.push(format!(
                    "{GENERATED_PATH} lists parameter `{parameter}` of {}, which crates/ use and \
                     {spec_path} no longer has",
                    wanted.id
                ));
            }
        }
    }
    lines
}
