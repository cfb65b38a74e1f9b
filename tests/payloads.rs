//! Real and realistic payloads decode into the generated types: every
//! example in `spec/`, the seeds' example payloads (`fixtures/seeds/`), and
//! variants GitHub sends but the description does not promise.

use std::collections::BTreeSet;

use generated::types::{Package, PackageVersion};
use serde_json::{Value, json};
use spec_tests::{read, vendored_spec};

/// Decodes `value` as the type the schema `$ref` names (one item or a list).
fn decode(schema: &Value, value: &Value) -> Result<(), String> {
    let (reference, many) = match schema.get("items") {
        Some(items) => (&items["$ref"], true),
        None => (&schema["$ref"], false),
    };
    let result = match (reference.as_str(), many) {
        (Some("#/components/schemas/package"), false) => {
            serde_json::from_value::<Package>(value.clone()).map(drop)
        }
        (Some("#/components/schemas/package"), true) => {
            serde_json::from_value::<Vec<Package>>(value.clone()).map(drop)
        }
        (Some("#/components/schemas/package-version"), false) => {
            serde_json::from_value::<PackageVersion>(value.clone()).map(drop)
        }
        (Some("#/components/schemas/package-version"), true) => {
            serde_json::from_value::<Vec<PackageVersion>>(value.clone()).map(drop)
        }
        other => panic!("no Rust type mapped for response schema {other:?}; extend payloads.rs"),
    };
    result.map_err(|e| e.to_string())
}

#[test]
fn every_example_in_the_spec_decodes_into_its_operations_type() {
    let spec = vendored_spec();
    let document = spec.value();
    let mut decoded = BTreeSet::new();
    for operation in spec.operations() {
        for (status, response) in operation.value["responses"].as_object().unwrap() {
            let Some(media) = response.pointer("/content/application~1json") else {
                continue;
            };
            for example in media["examples"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, e)| e)
            {
                let reference = example["$ref"]
                    .as_str()
                    .expect("examples are shared components");
                let value = &codegen::json::resolve(document, reference).unwrap()["value"];
                decode(&media["schema"], value).unwrap_or_else(|e| {
                    panic!(
                        "{reference} does not decode as the {status} of {}: {e}",
                        operation.id()
                    )
                });
                decoded.insert(reference.rsplit('/').next().unwrap().to_owned());
            }
        }
    }
    let all: BTreeSet<String> = document["components"]["examples"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        decoded, all,
        "every shared example is used by some operation"
    );
}

#[test]
fn the_seeds_example_payloads_decode() {
    let packages: Vec<Package> = fixture("seeds/002-packages-for-org.json");
    assert_eq!(packages.len(), 2);
    assert_eq!(packages[0].owner.as_ref().unwrap().login, "github");

    let package: Package = fixture("seeds/002-package-for-org.json");
    assert_eq!(package.name, "hello_docker");

    let user_packages: Vec<Package> = fixture("seeds/002-packages-for-authenticated-user.json");
    assert_eq!(user_packages[1].name, "goodbye_docker");

    let with_repository: Package = fixture("seeds/000-package-rubygems-with-repository.json");
    let repository = with_repository
        .repository
        .expect("the seed has a repository");
    assert_eq!(repository.full_name, "octocat/octo-name-repo");
    assert_eq!(repository.owner.unwrap().login, "octocat");

    let npm: Vec<PackageVersion> = fixture("seeds/002-package-versions-npm.json");
    assert!(
        npm.iter()
            .all(|v| v.metadata.as_ref().unwrap().package_type == "npm")
    );

    let container: PackageVersion = fixture("seeds/002-package-version-container.json");
    assert_eq!(
        container.metadata.unwrap().container.unwrap().tags,
        ["latest"]
    );

    let containers: Vec<PackageVersion> = fixture("seeds/000-package-versions-container.json");
    let tags: Vec<usize> = containers
        .iter()
        .map(|v| {
            v.metadata
                .as_ref()
                .unwrap()
                .container
                .as_ref()
                .unwrap()
                .tags
                .len()
        })
        .collect();
    assert_eq!(tags, [1, 0], "one tagged and one untagged version");

    let rubygems: Vec<PackageVersion> = fixture("seeds/000-package-versions-rubygems.json");
    assert_eq!(rubygems[0].license.as_deref(), Some("MIT"));
}

#[test]
fn an_undocumented_visibility_survives_as_data() {
    let package = package_with(|p| p["visibility"] = json!("internal"));
    assert_eq!(package.visibility, "internal");
}

#[test]
fn an_unknown_package_type_survives_as_data() {
    let package = package_with(|p| p["package_type"] = json!("cargo"));
    assert_eq!(package.package_type, "cargo");

    let mut version = example("package-version-org");
    version["metadata"]["package_type"] = json!("cargo");
    let version: PackageVersion = serde_json::from_value(version).unwrap();
    assert_eq!(version.metadata.unwrap().package_type, "cargo");
}

#[test]
fn a_null_owner_decodes_as_none() {
    let package = package_with(|p| p["owner"] = Value::Null);
    assert!(package.owner.is_none());
}

#[test]
fn a_null_repository_decodes_as_none() {
    let package = package_with(|p| p["repository"] = Value::Null);
    assert!(package.repository.is_none());
}

#[test]
fn docker_metadata_with_its_tag_list_decodes() {
    let mut version = example("package-version-org");
    version["metadata"] = json!({"package_type": "docker", "docker": {"tag": ["v1", "latest"]}});
    let version: PackageVersion = serde_json::from_value(version).unwrap();
    assert_eq!(
        version.metadata.unwrap().docker.unwrap().tag,
        ["v1", "latest"]
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let package = package_with(|p| p["download_count"] = json!(12));
    assert_eq!(package.name, "hello_docker");
}

#[test]
fn a_repository_with_null_security_and_license_decodes() {
    let mut package = example("package-user");
    package["repository"]["security_and_analysis"] = Value::Null;
    package["repository"]["license"] = Value::Null;
    let package: Package = serde_json::from_value(package).unwrap();
    let repository = package.repository.unwrap();
    assert!(repository.security_and_analysis.is_none());
    assert!(repository.license.is_none());
}

#[test]
fn an_undocumented_security_status_survives_as_data() {
    let mut package = example("package-user");
    package["repository"]["security_and_analysis"] =
        json!({"advanced_security": {"status": "paused"}});
    let package: Package = serde_json::from_value(package).unwrap();
    let analysis = package.repository.unwrap().security_and_analysis.unwrap();
    assert_eq!(
        analysis.advanced_security.unwrap().status.as_deref(),
        Some("paused")
    );
}

fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let text = read(&format!("tests/fixtures/{name}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixtures/{name} does not decode: {e}"))
}

fn example(name: &str) -> Value {
    vendored_spec().value()["components"]["examples"][name]["value"].clone()
}

fn package_with(change: impl FnOnce(&mut Value)) -> Package {
    let mut package = example("package-org");
    change(&mut package);
    serde_json::from_value(package).unwrap()
}
