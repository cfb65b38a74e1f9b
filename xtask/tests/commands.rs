//! The maintainer's commands, run against a temporary copy of the workspace.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use tempfile::TempDir;

const SPEC: &str = "spec/packages.json";
const DOCS: &str = "spec/docs.toml";
const GENERATED: &str = "generated/src/lib.rs";
const SNAPSHOTS: [&str; 2] = [
    "tests/snapshots/spec_surface.snap",
    "tests/snapshots/fixed_spec_surface.snap",
];

/// A temporary workspace holding copies of the real spec and generated crate.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for relative in [SPEC, DOCS, GENERATED].into_iter().chain(SNAPSHOTS) {
            let target = dir.path().join(relative);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(xtask::workspace_root().join(relative), target).unwrap();
        }
        Self { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.root().join(relative)).unwrap()
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.root().join(name);
        fs::write(&path, contents).unwrap();
        path
    }

    /// Every tracked file, to show that a failed command changed nothing.
    fn outputs(&self) -> Vec<String> {
        [SPEC, GENERATED]
            .into_iter()
            .chain(SNAPSHOTS)
            .map(|path| self.read(path))
            .collect()
    }
}

/// A small "full" description: packages operations next to other tags,
/// components shared with them, `$ref` chains, and components nobody uses.
fn synthetic_full() -> Value {
    let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    json!({
        "openapi": "3.0.3",
        "info": {"title": "GitHub v3 REST API", "version": "1.1.4", "description": "GitHub's words",
                 "x-github-plan": "api.github.com"},
        "servers": [{"url": "https://api.github.com"}],
        "tags": [
            {"name": "packages", "description": "p"},
            {"name": "repos", "description": "r"},
            {"name": "users", "description": "u"}
        ],
        "paths": {
            "/orgs/{org}/packages": {"get": {
                "operationId": "packages/list-packages-for-organization",
                "summary": "List packages", "description": "GitHub's words",
                "externalDocs": {"url": "https://docs.github.com/x"},
                "x-github": {"category": "packages"},
                "tags": ["packages"],
                "parameters": [{"$ref": "#/components/parameters/org"}, {"$ref": "#/components/parameters/per-page"}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {
                        "schema": {"type": "array", "items": schema("package")},
                        "examples": {"default": {"$ref": "#/components/examples/packages"}}
                    }}},
                    "403": {"$ref": "#/components/responses/forbidden"}
                }
            }},
            "/user/packages/{package_name}": {
                "parameters": [{"$ref": "#/components/parameters/package-name"}],
                "get": {
                    "operationId": "packages/get-package-for-authenticated-user",
                    "tags": ["packages"],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema("package")}}}}
                },
                "put": {
                    "operationId": "users/not-a-packages-operation",
                    "tags": ["users"],
                    "responses": {"204": {"description": "done"}}
                }
            },
            "/repos/{owner}/{repo}": {"get": {
                "operationId": "repos/get",
                "tags": ["repos"],
                "parameters": [{"$ref": "#/components/parameters/owner"}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": schema("full-repository")}}},
                    "403": {"$ref": "#/components/responses/forbidden"}
                }
            }}
        },
        "components": {
            "schemas": {
                "package": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "owner": schema("nullable-simple-user"),
                    "repository": schema("minimal-repository")
                }},
                "nullable-simple-user": {"type": "object", "nullable": true, "properties": {"login": {"type": "string"}}},
                "minimal-repository": {"type": "object", "properties": {"owner": schema("simple-user")}},
                "simple-user": {"type": "object", "properties": {"plan": schema("plan")}},
                "plan": {"type": "object", "properties": {"name": {"type": "string"}}},
                "full-repository": {"type": "object", "properties": {"owner": schema("simple-user"), "extra": schema("unused-by-packages")}},
                "unused-by-packages": {"type": "string"},
                "unused": {"type": "integer"},
                "basic-error": {"type": "object", "properties": {"message": {"type": "string"}}}
            },
            "parameters": {
                "org": {"name": "org", "in": "path", "required": true, "schema": {"type": "string"}},
                "per-page": {"name": "per_page", "in": "query", "schema": {"type": "integer"}},
                "package-name": {"name": "package_name", "in": "path", "required": true, "schema": {"type": "string"}},
                "owner": {"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}}
            },
            "responses": {
                "forbidden": {"description": "Forbidden", "content": {"application/json": {"schema": schema("basic-error")}}},
                "gone": {"description": "Gone"}
            },
            "examples": {
                "packages": {"value": [{"name": "a"}]},
                "unused": {"value": 1}
            }
        }
    })
}

/// A dereferenced bundle: every `$ref` replaced by what it points at.
fn dereferenced() -> Value {
    fn inline(value: &Value, document: &Value) -> Value {
        match value {
            Value::Object(map) => match map.get("$ref").and_then(Value::as_str) {
                Some(reference) => inline(
                    document.pointer(reference.trim_start_matches('#')).unwrap(),
                    document,
                ),
                None => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), inline(v, document)))
                        .collect(),
                ),
            },
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| inline(v, document)).collect())
            }
            other => other.clone(),
        }
    }
    let full = synthetic_full();
    inline(&full, &full)
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn import_cuts_the_packages_operations_and_what_they_reach() {
    let workspace = Workspace::new();
    fs::remove_file(workspace.root().join(SPEC)).unwrap();
    let full = workspace.write("full.json", &synthetic_full().to_string());

    let report = xtask::import_spec(workspace.root(), &full).unwrap();
    assert!(
        report.starts_with(
            "wrote spec/packages.json\nsource: api.github.com, REST API 2022-11-28, info.version 1.1.4\n\
             operations: 2 (added 2, removed 0, changed 0)\n"
        ),
        "{report}"
    );

    let fragment: Value = serde_json::from_str(&workspace.read(SPEC)).unwrap();
    let mut paths = keys(&fragment["paths"]);
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["/orgs/{org}/packages", "/user/packages/{package_name}"]
    );
    assert_eq!(
        keys(&fragment["paths"]["/user/packages/{package_name}"]),
        ["get", "parameters"]
    );
    assert_eq!(
        fragment["tags"],
        json!([{"name": "packages"}]),
        "prose is dropped"
    );
    let list = &fragment["paths"]["/orgs/{org}/packages"]["get"];
    for prose in ["summary", "description", "externalDocs", "x-github"] {
        assert!(list.get(prose).is_none(), "{prose} kept: {list}");
    }
    assert_eq!(fragment["info"]["x-rest-api-version"], "2022-11-28");
    assert_eq!(
        fragment["servers"],
        json!([{"url": "https://api.github.com"}])
    );

    let components = &fragment["components"];
    assert_eq!(
        keys(&components["schemas"]),
        [
            "basic-error",
            "minimal-repository",
            "nullable-simple-user",
            "package",
            "plan",
            "simple-user"
        ],
        "the whole chain package → minimal-repository → simple-user → plan, and nothing only repos uses"
    );
    assert_eq!(
        keys(&components["parameters"]),
        ["org", "package-name", "per-page"]
    );
    assert_eq!(keys(&components["responses"]), ["forbidden"]);
    assert_eq!(keys(&components["examples"]), ["packages"]);
}

#[test]
fn import_is_deterministic_and_idempotent() {
    let workspace = Workspace::new();
    let mut full = synthetic_full();
    let full_path = workspace.write("full.json", &full.to_string());
    xtask::import_spec(workspace.root(), &full_path).unwrap();
    let first = workspace.read(SPEC);

    // The same content in another key order imports to the same bytes.
    let paths = full["paths"].as_object_mut().unwrap();
    let reordered: serde_json::Map<String, Value> = paths
        .iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    *paths = reordered;
    let reordered_path = workspace.write(
        "reordered.json",
        &serde_json::to_string_pretty(&full).unwrap(),
    );
    let report = xtask::import_spec(workspace.root(), &reordered_path).unwrap();
    assert!(
        report.starts_with("spec/packages.json is already up to date\n"),
        "{report}"
    );
    assert_eq!(workspace.read(SPEC), first);
}

#[test]
fn import_reports_what_changed() {
    let workspace = Workspace::new();
    let mut full = synthetic_full();
    let path = workspace.write("full.json", &full.to_string());
    xtask::import_spec(workspace.root(), &path).unwrap();

    full["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/orgs/{org}/packages");
    full["paths"]["/users/{username}/packages"] = json!({"get": {
        "operationId": "packages/list-packages-for-user",
        "tags": ["packages"],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/package"}}}}}
    }});
    full["components"]["schemas"]["package"]["properties"]["version_count"] =
        json!({"type": "integer"});
    let path = workspace.write("full.json", &full.to_string());

    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    let expected = "\
wrote spec/packages.json
source: api.github.com, REST API 2022-11-28, info.version 1.1.4
operations: 2 (added 1, removed 1, changed 0)
  + GET /users/{username}/packages  packages/list-packages-for-user
  - GET /orgs/{org}/packages  packages/list-packages-for-organization
schemas: 5 (added 0, removed 1, changed 1)
  - basic-error: object
  ~ package: object
      + version_count: integer
";
    assert!(report.starts_with(expected), "{report}");
}

#[test]
fn import_refuses_bad_input_and_changes_nothing() {
    let workspace = Workspace::new();
    let before = workspace.outputs();
    let mut version_3_1 = synthetic_full();
    version_3_1["openapi"] = json!("3.1.0");
    let mut no_packages = synthetic_full();
    for item in no_packages["paths"].as_object_mut().unwrap().values_mut() {
        for operation in item.as_object_mut().unwrap().values_mut() {
            if operation.get("tags").is_some() {
                operation["tags"] = json!(["repos"]);
            }
        }
    }

    let cases = [
        ("missing.json", None, "cannot read "),
        (
            "truncated.json",
            Some(r#"{"openapi": "3.0.3", "paths": {"#.to_owned()),
            "not valid JSON (EOF while parsing",
        ),
        (
            "description.yaml",
            Some("openapi: 3.0.3\ninfo: {}\n".to_owned()),
            "this looks like YAML; use GitHub's .json file instead",
        ),
        ("empty.json", Some(" \n".to_owned()), "the file is empty"),
        (
            "api.github.com.deref.json",
            Some(dereferenced().to_string()),
            "this is a dereferenced description (it has no `$ref` into itself); import the \
             bundled file instead, e.g. api.github.com.json rather than api.github.com.deref.json",
        ),
        (
            "v31.json",
            Some(version_3_1.to_string()),
            "OpenAPI 3.1.0 is not supported",
        ),
        (
            "none.json",
            Some(no_packages.to_string()),
            "the description has no operation tagged `packages`",
        ),
    ];
    for (name, contents, expected) in cases {
        let path = match contents {
            Some(text) => workspace.write(name, &text),
            None => workspace.root().join(name),
        };
        let failure = xtask::import_spec(workspace.root(), &path).unwrap_err();
        assert!(
            failure.message.contains(expected),
            "{name}: {}",
            failure.message
        );
        assert!(
            !failure.message.contains('\n'),
            "{name}: one line, got {:?}",
            failure.message
        );
        assert!(
            failure.message.contains(name),
            "{name}: the message names the file: {}",
            failure.message
        );
        assert_eq!(
            workspace.outputs(),
            before,
            "{name} changed spec/ or generated/"
        );
    }
}

#[test]
fn codegen_check_passes_on_a_fresh_copy() {
    let workspace = Workspace::new();
    assert_eq!(
        xtask::codegen(workspace.root(), true).unwrap(),
        "generated/src/lib.rs and the surface snapshots are up to date\n"
    );
}

#[test]
fn codegen_check_shows_a_diff_for_a_stale_crate_and_codegen_fixes_it() {
    let workspace = Workspace::new();
    let mut spec: Value = serde_json::from_str(&workspace.read(SPEC)).unwrap();
    spec["components"]["schemas"]["package-version"]["properties"]["size"] =
        json!({"type": "integer"});
    workspace.write(SPEC, &serde_json::to_string_pretty(&spec).unwrap());
    let before = workspace.outputs();

    let failure = xtask::codegen(workspace.root(), true).unwrap_err();
    assert_eq!(
        failure.message,
        "generated/src/lib.rs, tests/snapshots/spec_surface.snap, tests/snapshots/fixed_spec_surface.snap \
         out of date with spec/packages.json; run `cargo xtask codegen` and commit the result"
    );
    let generated_diff = "--- generated/src/lib.rs (checked in)\n+++ generated/src/lib.rs (regenerated from spec/packages.json)\n";
    assert!(
        failure.details.starts_with(
            "warning: 1 item has no text in spec/docs.toml; add it:\n  fields of package-version: size\n"
        ),
        "{}",
        failure.details
    );
    assert!(
        failure.details.contains(generated_diff),
        "{}",
        failure.details
    );
    assert!(
        failure
            .details
            .contains("\n+        pub size: ::std::option::Option<i64>,\n"),
        "{}",
        failure.details
    );
    assert!(
        failure.details.contains("\n+  size: integer\n"),
        "{}",
        failure.details
    );
    assert_eq!(workspace.outputs(), before, "--check wrote something");

    let report = xtask::codegen(workspace.root(), false).unwrap();
    assert!(
        report.contains("\nwrote generated/src/lib.rs, tests/snapshots/spec_surface.snap"),
        "{report}"
    );
    assert!(
        workspace
            .read(GENERATED)
            .contains("pub size: ::std::option::Option<i64>,")
    );
    assert!(workspace.read(SNAPSHOTS[0]).contains("\n  size: integer\n"));
    assert!(xtask::codegen(workspace.root(), true).is_ok());
}

#[test]
fn codegen_refuses_a_bad_spec_and_leaves_generated_alone() {
    let workspace = Workspace::new();
    let original = workspace.read(SPEC);
    let mut unhoistable: Value = serde_json::from_str(&original).unwrap();
    unhoistable["paths"]["/orgs/{org}/packages"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["created", "updated"]}}));

    let cases = [
        (
            original[..original.len() / 2].to_owned(),
            "spec/packages.json: not valid JSON (",
        ),
        (
            unhoistable.to_string(),
            "spec/packages.json: fixup `hoist_parameter_enums` cannot proceed: parameter `sort` of get /orgs/{org}/packages",
        ),
    ];
    for (text, expected) in cases {
        workspace.write(SPEC, &text);
        let generated = workspace.read(GENERATED);
        let failure = xtask::codegen(workspace.root(), false).unwrap_err();
        assert!(failure.message.starts_with(expected), "{}", failure.message);
        assert!(!failure.message.contains('\n'));
        assert_eq!(workspace.read(GENERATED), generated);
    }
}

#[test]
fn the_binary_prints_one_error_line_and_exits_non_zero() {
    let workspace = Workspace::new();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "--root",
            workspace.root().to_str().unwrap(),
            "spec",
            "import",
            "--from",
            "nowhere.json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read nowhere.json: "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// The synthetic description as GitHub Enterprise Cloud's file has it:
/// another plan marker, and a `$ref` to a file outside the document in an
/// example nothing in the packages fragment uses.
fn ghec_shaped() -> Value {
    let mut full = synthetic_full();
    full["info"]["x-github-plan"] = json!("ghec");
    full["components"]["examples"]["server-statistics"] =
        json!({"$ref": "server-statistics-actions.yaml"});
    full["paths"]["/repos/{owner}/{repo}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"] = json!({"default": {"$ref": "#/components/examples/server-statistics"}});
    full
}

#[test]
fn import_checks_refs_within_the_fragment_only() {
    let workspace = Workspace::new();
    let path = workspace.write("ghec.json", &ghec_shaped().to_string());
    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    assert!(
        report.starts_with("wrote spec/packages.json\nsource: GHEC, REST API 2022-11-28"),
        "{report}"
    );
    let fragment = workspace.read(SPEC);
    assert!(!fragment.contains("server-statistics"));
}

#[test]
fn a_prose_only_change_changes_nothing() {
    let workspace = Workspace::new();
    let mut full = synthetic_full();
    let path = workspace.write("full.json", &full.to_string());
    xtask::import_spec(workspace.root(), &path).unwrap();
    let first = workspace.read(SPEC);

    let list = &mut full["paths"]["/orgs/{org}/packages"]["get"];
    list["description"] = json!("Reworded by GitHub.");
    list["externalDocs"]["url"] = json!("https://docs.github.com/moved");
    list["x-github"]["enabledForGitHubApps"] = json!(true);
    full["components"]["parameters"]["org"]["description"] = json!("New words.");
    let path = workspace.write("full.json", &full.to_string());
    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    assert!(
        report.starts_with(
            "spec/packages.json is already up to date\n\
             source: api.github.com, REST API 2022-11-28, info.version 1.1.4\n\
             operations: 2 (added 0, removed 0, changed 0)\n\
             schemas: 6 (added 0, removed 0, changed 0)\n"
        ),
        "{report}"
    );
    assert!(!report.contains("differ only"), "{report}");
    assert_eq!(workspace.read(SPEC), first);
}

#[test]
fn a_flavour_change_shows_in_the_summary() {
    let workspace = Workspace::new();
    let mut full = synthetic_full();
    let path = workspace.write("api.github.com.json", &full.to_string());
    xtask::import_spec(workspace.root(), &path).unwrap();

    full["info"]["x-github-plan"] = json!("ghes");
    full["info"]["x-github-release"] = json!(3.17);
    full["servers"] = json!([{"url": "{protocol}://{hostname}/api/v3",
        "variables": {"hostname": {"default": "HOSTNAME"}, "protocol": {"default": "http"}}}]);
    let path = workspace.write("ghes-3.17.json", &full.to_string());
    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    assert!(
        report.starts_with(
            "wrote spec/packages.json\n\
             source: GHES 3.17, REST API 2022-11-28, info.version 1.1.4 \
             (was source: api.github.com, REST API 2022-11-28, info.version 1.1.4)\n"
        ),
        "{report}"
    );
}

#[test]
fn a_dated_file_names_its_api_version_and_notices_are_reported() {
    let workspace = Workspace::new();
    let mut full = synthetic_full();
    let path = workspace.write("api.github.com.2026-03-10.json", &full.to_string());
    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    assert!(report.contains("REST API 2026-03-10"), "{report}");

    full["components"]["schemas"]["minimal-repository"]["x-github-breaking-changes"] = json!([
        {"changeset": "remove_has_downloads", "patch": {"properties": {"has_downloads": null}}, "version": "2026-03-10"}
    ]);
    let path = workspace.write("api.github.com.json", &full.to_string());
    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    assert!(
        report.contains(
            "REST API 2022-11-28, info.version 1.1.4 (was source: api.github.com, REST API 2026-03-10"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "breaking changes announced: 1 new, 0 gone\n  + 2026-03-10 remove_has_downloads: \
             schema minimal-repository removes properties.has_downloads\n"
        ),
        "{report}"
    );
}

#[test]
fn codegen_names_what_crates_use_that_is_gone_before_compiling() {
    let workspace = Workspace::new();
    assert!(xtask::codegen(workspace.root(), true).is_ok(), "all there");

    let mut spec: Value = serde_json::from_str(&workspace.read(SPEC)).unwrap();
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/user/packages/{package_type}/{package_name}/versions");
    workspace.write(SPEC, &serde_json::to_string_pretty(&spec).unwrap());
    let before = workspace.outputs();
    for check in [true, false] {
        let failure = xtask::codegen(workspace.root(), check).unwrap_err();
        assert_eq!(
            failure.details,
            "generated/src/lib.rs lists operation \
             packages/get-all-package-versions-for-package-owned-by-authenticated-user, \
             which crates/ use and spec/packages.json no longer has\n"
        );
        assert_eq!(
            failure.message,
            "1 use of what crates/ uses is gone from spec/packages.json; adapt crates/ or the \
             fixups before regenerating"
        );
        assert_eq!(workspace.outputs(), before, "nothing written");
    }

    // A parameter that disappears (from the authenticated user's listing;
    // the organization's is what a fixup copies to the user listing).
    let mut spec: Value =
        serde_json::from_str(&fs::read_to_string(xtask::workspace_root().join(SPEC)).unwrap())
            .unwrap();
    let parameters = spec["paths"]["/user/packages/{package_type}/{package_name}/versions"]["get"]
        ["parameters"]
        .as_array_mut()
        .unwrap();
    parameters.retain(|p| p["name"] != "state");
    workspace.write(SPEC, &serde_json::to_string_pretty(&spec).unwrap());
    let failure = xtask::codegen(workspace.root(), true).unwrap_err();
    assert_eq!(
        failure.details,
        "generated/src/lib.rs lists parameter `state` of \
         packages/get-all-package-versions-for-package-owned-by-authenticated-user, which \
         crates/ use and spec/packages.json no longer has\n"
    );
}

#[test]
fn import_warns_about_what_crates_use_that_is_gone() {
    let workspace = Workspace::new();
    let path = workspace.write("full.json", &synthetic_full().to_string());
    let report = xtask::import_spec(workspace.root(), &path).unwrap();
    assert!(
        report.contains(
            "generated/src/lib.rs lists operation \
             packages/get-all-package-versions-for-package-owned-by-org, which crates/ use and \
             spec/packages.json no longer has\n"
        ),
        "{report}"
    );
    assert!(
        report.contains("warning: 25 uses of what crates/ uses is gone"),
        "{report}"
    );
}

#[test]
fn a_long_diff_is_cut_to_a_screenful_and_kept_whole_in_a_file() {
    let workspace = Workspace::new();
    let mut spec: Value = serde_json::from_str(&workspace.read(SPEC)).unwrap();
    let fields = spec["components"]["schemas"]["package-version"]["properties"]
        .as_object_mut()
        .unwrap();
    for n in 0..60 {
        fields.insert(format!("new_field_{n}"), json!({"type": "string"}));
    }
    workspace.write(SPEC, &serde_json::to_string_pretty(&spec).unwrap());
    let failure = xtask::codegen(workspace.root(), true).unwrap_err();
    let lines = failure.details.lines().count();
    assert!(lines <= 3 * 41 + 5, "{lines} lines");
    let saved = workspace
        .root()
        .join("target/xtask/generated-src-lib.rs.diff");
    assert!(
        failure.details.contains(&format!(
            "more lines; the whole diff is in {}",
            saved.display()
        )),
        "{}",
        failure.details
    );
    assert!(fs::read_to_string(saved).unwrap().lines().count() > 100);
}

/// The vendored fragment as another flavour of GitHub's description would
/// give it: `plan` and `release` in `info`, GHES's server template, and
/// `edit` applied to its `security-and-analysis` schema's properties (where
/// the real flavours differ: GHES 3.18 lacks the newest secret-scanning
/// fields, GHEC has one more).
fn flavour(
    workspace: &Workspace,
    plan: &str,
    release: Option<f64>,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Value {
    let mut full: Value = serde_json::from_str(&workspace.read(SPEC)).unwrap();
    full["info"]["x-github-plan"] = json!(plan);
    if let Some(release) = release {
        full["info"]["x-github-release"] = json!(release);
        full["servers"] = json!([{"url": "{protocol}://{hostname}/api/v3",
            "variables": {"hostname": {"default": "HOSTNAME"}, "protocol": {"default": "http"}}}]);
    }
    let properties = full["components"]["schemas"]["security-and-analysis"]["properties"]
        .as_object_mut()
        .unwrap();
    edit(properties);
    full
}

/// What the workspace tests' docs guard checks: every item has text and
/// every entry documents something; and `codegen --check` passes.
fn assert_workspace_passes(workspace: &Workspace) {
    let spec = codegen::Spec::from_json(&workspace.read(SPEC)).unwrap();
    let docs = codegen::Docs::from_toml(&workspace.read(DOCS)).unwrap();
    let fixed = codegen::fixups::apply_all(&spec).unwrap();
    let (documented, stale) = codegen::documented(&fixed, &docs);
    assert!(stale.is_empty(), "entries that document nothing: {stale:?}");
    let missing = codegen::overlay::undocumented(&documented);
    assert!(missing.is_empty(), "items without text: {missing:?}");
    if let Err(failure) = xtask::codegen(workspace.root(), true) {
        panic!("{}\n{}", failure.details, failure.message);
    }
}

/// import → codegen, as a maintainer runs them; the reports.
fn import_and_generate(workspace: &Workspace, name: &str, full: &Value) -> (String, String) {
    let path = workspace.write(name, &full.to_string());
    let imported = xtask::import_spec(workspace.root(), &path).unwrap();
    let generated = xtask::codegen(workspace.root(), false).unwrap();
    (imported, generated)
}

#[test]
fn switching_to_ghes_and_back_sets_aside_and_restores_the_words_and_passes() {
    let workspace = Workspace::new();
    let docs_before = workspace.read(DOCS);
    let outputs_before = workspace.outputs();
    let dotcom = flavour(&workspace, "api.github.com", None, |_| {});
    let ghes = flavour(&workspace, "ghes", Some(3.18), |properties| {
        properties.remove("secret_scanning_ai_detection");
        properties.remove("secret_scanning_delegated_bypass_options");
    });
    let (imported, generated) = import_and_generate(&workspace, "ghes-3.18.json", &ghes);
    assert!(
        imported.contains(
            "spec/docs.toml: set aside under [unused], documenting nothing in spec/packages.json: \
             schemas.security-and-analysis.fields.secret_scanning_ai_detection, \
             schemas.security-and-analysis.fields.secret_scanning_delegated_bypass_options, \
             schemas.security-and-analysis.fields.secret_scanning_delegated_bypass_options.reviewers, \
             schemas.security-and-analysis.fields.secret_scanning_delegated_bypass_options.reviewers[].reviewer_id\n"
        ),
        "{imported}"
    );
    assert!(!imported.contains("warning"), "{imported}");
    assert!(
        imported.ends_with("next: run `cargo xtask codegen`, review the snapshot diffs, commit\n"),
        "{imported}"
    );
    assert!(
        generated.contains("wrote generated/src/lib.rs"),
        "{generated}"
    );
    assert_workspace_passes(&workspace);
    // The words wait under [unused]; the rest of the file is as written.
    let docs = workspace.read(DOCS);
    let (active, unused) = docs.split_once("\n[unused.").expect("an [unused] table");
    let (active_before, _) = docs_before.split_once("\n[unused.").unwrap();
    let moved: Vec<&str> = active_before
        .lines()
        .filter(|line| !active.lines().any(|kept| kept == *line))
        .collect();
    assert_eq!(moved.len(), 4, "{moved:#?}");
    assert!(moved.iter().all(|line| unused.contains(line)), "{docs}");

    // Back to api.github.com: the words return, and the generated client
    // is the one before the switch.
    let (imported, generated) = import_and_generate(&workspace, "api.github.com.json", &dotcom);
    assert!(
        imported.contains(
            "spec/docs.toml: restored from [unused], documenting something again: \
             schemas.security-and-analysis.fields.secret_scanning_ai_detection, "
        ),
        "{imported}"
    );
    assert!(!imported.contains("warning"), "{imported}");
    assert!(!generated.contains("warning"), "{generated}");
    assert_workspace_passes(&workspace);
    assert_eq!(workspace.outputs(), outputs_before);
    // What waited under [unused] before waits there still.
    let unused_before = docs_before.split_once("\n[unused.").unwrap().1;
    assert_eq!(
        workspace.read(DOCS).split_once("\n[unused.").unwrap().1,
        unused_before
    );
}

#[test]
fn switching_to_ghec_takes_its_words_from_unused_and_names_what_is_new() {
    let workspace = Workspace::new();
    let ghec = flavour(&workspace, "ghec", None, |properties| {
        let status = json!({"type": "object", "properties": {
            "status": {"type": "string", "enum": ["enabled", "disabled"]}}});
        // Worded in advance under [unused], as the real GHEC field is.
        properties.insert("secret_scanning_validity_checks".to_owned(), status.clone());
        // New in no flavour before.
        properties.insert("secret_scanning_brand_new".to_owned(), status);
    });
    let (imported, generated) = import_and_generate(&workspace, "ghec.json", &ghec);
    assert!(
        imported.contains(
            "spec/docs.toml: restored from [unused], documenting something again: \
             schemas.security-and-analysis.fields.secret_scanning_validity_checks\n"
        ),
        "{imported}"
    );
    let named = "warning: 1 item has no text in spec/docs.toml; add it:\n  \
                 fields of security-and-analysis: secret_scanning_brand_new\n";
    assert!(imported.contains(named), "{imported}");
    assert!(
        imported.contains("next: write the missing text in spec/docs.toml, run"),
        "{imported}"
    );
    // codegen names each item itself, not a pointer back to the import.
    assert!(generated.starts_with(named), "{generated}");

    let docs = workspace.read(DOCS).replace(
        "secret_scanning = \"Secret scanning.\"\n",
        "secret_scanning = \"Secret scanning.\"\n\
         secret_scanning_brand_new = \"Something new.\"\n",
    );
    workspace.write(DOCS, &docs);
    let generated = xtask::codegen(workspace.root(), false).unwrap();
    assert!(!generated.contains("warning"), "{generated}");
    assert_workspace_passes(&workspace);
}

#[test]
fn codegen_check_fails_on_entries_that_document_nothing_and_codegen_sets_them_aside() {
    let workspace = Workspace::new();
    let docs = workspace.read(DOCS) + "\n[operations.\"packages/gone\"]\nsummary = \"Gone.\"\n";
    workspace.write(DOCS, &docs);
    let failure = xtask::codegen(workspace.root(), true).unwrap_err();
    assert_eq!(
        failure.message,
        "spec/docs.toml out of date with spec/packages.json; run `cargo xtask codegen` and commit \
         the result"
    );
    assert!(
        failure.details.contains(
            "spec/docs.toml: to set aside under [unused], documenting nothing in spec/packages.json: \
             operations.packages/gone\n"
        ),
        "{}",
        failure.details
    );
    assert_eq!(workspace.read(DOCS), docs, "--check wrote something");
    let report = xtask::codegen(workspace.root(), false).unwrap();
    assert!(
        report.starts_with("spec/docs.toml: set aside under [unused]"),
        "{report}"
    );
    assert!(report.ends_with("wrote spec/docs.toml\n"), "{report}");
    assert!(
        workspace
            .read(DOCS)
            .ends_with("\n[unused.operations.\"packages/gone\"]\nsummary = \"Gone.\"\n"),
        "{}",
        workspace.read(DOCS)
    );
    assert_workspace_passes(&workspace);
}
