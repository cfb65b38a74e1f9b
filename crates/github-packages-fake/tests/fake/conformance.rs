//! The fake against `spec/`: it serves every operation of the spec on the
//! spec's paths, and every answer body validates, with a JSON Schema
//! validator, against the response schema the spec gives for its status.
//!
//! Answers are validated against the spec after codegen's fixups, which
//! record where GitHub differs from its description (listings without
//! `version_count`, reduced repositories, open enums): the fake behaves like
//! GitHub, and the fixups are the project's claim about GitHub.
//!
//! The account endpoints (`/rate_limit`, `/users/{login}`, `/user`,
//! `/orgs/{org}`) and the registry are outside `spec/`, which holds the
//! packages operations only; `accounts.rs` checks the account answers
//! against the required fields of GitHub's schemas instead, and the
//! registry tests against the OCI distribution spec's flows.

use std::collections::BTreeSet;

use github_packages_fake::routes::ROUTES;
use github_packages_fake::{Fake, ImageSeed, PackageSeed, Seed, TokenSeed};
use serde_json::{Map, Value, json};

use crate::support::{ALICE, BOB, send};

fn fixed_spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/packages.json");
    let spec = codegen::Spec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    codegen::fixups::apply_all(&spec).unwrap()
}

#[test]
fn the_fake_serves_every_operation_of_the_spec_and_nothing_else() {
    let spec = fixed_spec();
    let in_spec: BTreeSet<(String, String, String)> = codegen::operations(&spec)
        .iter()
        .map(|op| {
            (
                op.method.to_uppercase(),
                op.path.to_owned(),
                op.id().to_owned(),
            )
        })
        .collect();
    let served: BTreeSet<(String, String, String)> = ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_owned(),
                r.path.to_owned(),
                r.operation_id.to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = in_spec.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "spec operations the fake does not serve: {missing:?}"
    );
    let extra: Vec<_> = served.difference(&in_spec).collect();
    assert!(
        extra.is_empty(),
        "fake routes that are not in the spec: {extra:?}"
    );
}

/// OpenAPI 3.0's `nullable` as JSON Schema.
fn json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut converted: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| *k != "nullable")
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "properties" => Value::Object(
                            v.as_object()
                                .unwrap()
                                .iter()
                                .map(|(n, s)| (n.clone(), json_schema(s)))
                                .collect(),
                        ),
                        "items" | "not" | "additionalProperties" => json_schema(v),
                        "allOf" | "anyOf" | "oneOf" => {
                            Value::Array(v.as_array().unwrap().iter().map(json_schema).collect())
                        }
                        _ => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(&mut converted));
                converted.insert("anyOf".to_owned(), json!([inner, {"type": "null"}]));
            }
            Value::Object(converted)
        }
        other => other.clone(),
    }
}

/// The validator for the answer `status` of `method path`, if the spec
/// documents a JSON body for it.
fn validator(spec: &Value, method: &str, path: &str, status: u16) -> Option<jsonschema::Validator> {
    let operation = &spec["paths"][path][method.to_lowercase()];
    let response = codegen::json::deref(spec, &operation["responses"][status.to_string()]);
    let schema = response.pointer("/content/application~1json/schema")?;
    let mut document = json_schema(schema);
    let schemas: Map<String, Value> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, s)| (name.clone(), json_schema(s)))
        .collect();
    document["components"] = json!({"schemas": schemas});
    Some(jsonschema::draft7::new(&document).expect("the spec's schema compiles"))
}

fn seed() -> Seed {
    let owned = |owner: &str| {
        [
            PackageSeed::new(owner, "container", "team/app")
                .repository(format!("{owner}/app"))
                .image(ImageSeed::new(["v1"]).platforms(["linux/amd64", "linux/arm64"]))
                .image(ImageSeed::untagged())
                .image(ImageSeed::untagged()),
            PackageSeed::new(owner, "docker", "legacy")
                .docker_conflict()
                .versions(2),
        ]
    };
    let mut seed = Seed::new()
        .org("acme", ["alice"])
        .user("bob")
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .token(TokenSeed::all_scopes(BOB, "bob"))
        .limits(github_packages_fake::LimitsSeed::off());
    for package in owned("acme").into_iter().chain(owned("bob")) {
        seed = seed.package(package);
    }
    seed
}

/// The path of a route for an owner scope's package and version.
fn path_of(template: &str, version: u64) -> String {
    template
        .replace("{org}", "acme")
        .replace("{username}", "bob")
        .replace("{package_type}", "container")
        .replace("{package_name}", "team%2Fapp")
        .replace("{package_version_id}", &version.to_string())
}

#[tokio::test]
async fn every_answer_validates_against_the_spec() {
    let spec = fixed_spec();
    let fake = Fake::start(seed()).await.unwrap();
    // /orgs/acme as alice (a member); /users/bob and /user as bob.
    let token_for = |path: &str| {
        if path.starts_with("/orgs/") {
            ALICE
        } else {
            BOB
        }
    };
    let mut checked = BTreeSet::new();

    // Reads first, then, scope after scope (`/users/bob` and `/user` share
    // bob's package): delete a version and restore it, then delete the
    // package and restore it.
    let order = |route: &github_packages_fake::routes::Route| {
        use github_packages_fake::routes::{Op::*, Scope};
        let scope = match route.scope {
            Scope::Org => 0,
            Scope::User => 1,
            Scope::Me => 2,
        };
        match route.op {
            DockerConflicts | ListPackages | GetPackage | ListVersions | GetVersion => (0, 0, 0),
            DeleteVersion => (1, scope, 0),
            RestoreVersion => (1, scope, 1),
            DeletePackage => (2, scope, 0),
            RestorePackage => (2, scope, 1),
        }
    };
    let mut routes: Vec<_> = ROUTES.iter().collect();
    routes.sort_by_key(|r| order(r));
    for route in routes {
        let token = token_for(route.path);
        let versions_path =
            path_of(route.path.split("/versions").next().unwrap(), 0) + "/versions?per_page=100";
        let version = if route.path.contains("{package_version_id}") {
            let state = if route.path.ends_with("/restore") {
                "&state=deleted"
            } else {
                ""
            };
            let list = send(
                &fake,
                "GET",
                &format!("{versions_path}{state}"),
                Some(token),
            )
            .await;
            list.body
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["metadata"]["container"]["tags"] == json!([]))
                .unwrap()["id"]
                .as_u64()
                .unwrap()
        } else {
            0
        };
        let mut path = path_of(route.path, version);
        if route.path.ends_with("/packages") {
            path.push_str("?package_type=container");
        }
        let answer = send(&fake, route.method, &path, Some(token)).await;
        assert!(
            (200..300).contains(&answer.status),
            "{} {path}: {} {}",
            route.method,
            answer.status,
            answer.body
        );
        if let Some(validator) = validator(&spec, route.method, route.path, answer.status) {
            let errors: Vec<String> = validator
                .iter_errors(&answer.body)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .take(5)
                .collect();
            assert!(
                errors.is_empty(),
                "{} {path} ({}): {errors:?}",
                route.method,
                route.operation_id
            );
        } else {
            assert!(
                answer.body.is_null(),
                "{}: an undocumented body",
                route.operation_id
            );
        }
        checked.insert(route.operation_id);
    }
    assert_eq!(checked.len(), 27);
}

#[tokio::test]
async fn documented_error_answers_validate_too() {
    let spec = fixed_spec();
    let fake = Fake::start(seed()).await.unwrap();
    let cases = [
        (
            "GET",
            "/orgs/{org}/packages",
            "/orgs/acme/packages?package_type=container",
            None,
            401,
        ),
        (
            "GET",
            "/orgs/{org}/packages/{package_type}/{package_name}/versions",
            "/orgs/acme/packages/container/nothing/versions",
            Some(ALICE),
            404,
        ),
        (
            "DELETE",
            "/orgs/{org}/packages/{package_type}/{package_name}",
            "/orgs/acme/packages/container/nothing",
            Some(ALICE),
            404,
        ),
        (
            "GET",
            "/orgs/{org}/packages",
            "/orgs/acme/packages?package_type=container&per_page=100&page=200",
            Some(ALICE),
            400,
        ),
    ];
    for (method, template, path, token, status) in cases {
        let answer = send(&fake, method, path, token).await;
        assert_eq!(answer.status, status, "{path}");
        let validator =
            validator(&spec, method, template, status).expect("a documented error body");
        assert!(validator.is_valid(&answer.body), "{path}: {}", answer.body);
    }
}

#[test]
fn the_validator_rejects_what_the_spec_forbids() {
    let spec = fixed_spec();
    let get = validator(
        &spec,
        "GET",
        "/orgs/{org}/packages/{package_type}/{package_name}",
        200,
    )
    .unwrap();
    let list = validator(
        &spec,
        "GET",
        "/orgs/{org}/packages/{package_type}/{package_name}/versions",
        200,
    )
    .unwrap();
    assert!(
        !get.is_valid(&json!({"id": 1})),
        "a package needs its required fields"
    );
    assert!(!get.is_valid(&json!([])));
    assert!(!list.is_valid(&json!([{"id": "not a number"}])));
    assert!(list.is_valid(&json!([])));
}
