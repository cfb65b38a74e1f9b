//! Cutting the packages fragment out of GitHub's full REST description.
//!
//! The fragment holds every operation tagged [`TAG`] and every component
//! those operations reach through `$ref`, transitively, and nothing else.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::json::{component_ref, resolve, split_component_ref, visit_refs};
use crate::spec::METHODS;
use crate::{Error, Spec, facts, source};

/// What `spec import` makes of GitHub's full description, given as the
/// file's text and name: the packages fragment, facts only (see
/// [`facts`]), with the REST API version recorded in `info`.
///
/// Refuses, in one sentence, an empty file, YAML, a document that is not
/// OpenAPI 3.0, one without packages operations, and a dereferenced bundle
/// (whose fragment would have no components for the fixups to work on).
pub fn import(text: &str, file_name: &str) -> Result<Spec, Error> {
    if text.trim().is_empty() {
        return Err(Error::Empty);
    }
    let full: Value = serde_json::from_str(text).map_err(|e| {
        if text.trim_start().starts_with(['{', '[']) {
            Error::Json(e)
        } else {
            Error::Yaml
        }
    })?;
    crate::spec::check_version(&full)?;
    // A dereferenced bundle has no local `$ref` anywhere (GHEC's may still
    // point at files outside it).
    let mut local_refs = false;
    visit_refs(&full, &mut |r| local_refs |= r.starts_with("#/"));
    if !local_refs {
        return Err(Error::Dereferenced);
    }
    let mut fragment = cut(&full)?;
    let version = source::api_version(&full, file_name);
    if let Some(info) = fragment.get_mut("info").and_then(Value::as_object_mut) {
        info.insert(source::API_VERSION_KEY.to_owned(), Value::String(version));
    }
    facts::strip_prose(&mut fragment);
    Spec::from_value(fragment)
}

/// The tag whose operations make up the fragment.
pub const TAG: &str = "packages";

/// Top-level keys carried over from the full description as they are.
const KEPT_TOP_LEVEL: [&str; 4] = ["openapi", "info", "servers", "externalDocs"];

/// Cuts the packages fragment out of GitHub's full description and
/// validates it, and only it: `$ref`s elsewhere in the full document (GHEC's
/// description has one pointing outside the file) do not matter.
pub fn extract(full: &Value) -> Result<Spec, Error> {
    Spec::from_value(cut(full)?)
}

/// The fragment as JSON, not yet validated.
pub(crate) fn cut(document: &Value) -> Result<Value, Error> {
    let mut fragment = Map::new();
    for key in KEPT_TOP_LEVEL {
        if let Some(value) = document.get(key) {
            fragment.insert(key.to_owned(), value.clone());
        }
    }

    let mut paths = Map::new();
    let mut used_tags = BTreeSet::new();
    let mut security_schemes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        let Some(item) = item.as_object() else {
            continue;
        };
        let mut kept = Map::new();
        for (key, value) in item {
            if !METHODS.contains(&key.as_str()) {
                continue;
            }
            let tags: Vec<&str> = value["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if tags.contains(&TAG) {
                used_tags.extend(tags.iter().map(|t| (*t).to_owned()));
                security_schemes.extend(security_names(value));
                kept.insert(key.clone(), value.clone());
            }
        }
        if kept.is_empty() {
            continue;
        }
        // Path-level fields (shared parameters, summary) belong to the kept operations too.
        for (key, value) in item {
            if !METHODS.contains(&key.as_str()) {
                kept.insert(key.clone(), value.clone());
            }
        }
        paths.insert(path.clone(), Value::Object(kept));
    }
    if paths.is_empty() {
        return Err(Error::NoPackagesOperations);
    }

    if let Some(Value::Array(tags)) = document.get("tags") {
        let kept: Vec<Value> = tags
            .iter()
            .filter(|tag| {
                tag["name"]
                    .as_str()
                    .is_some_and(|name| used_tags.contains(name))
            })
            .cloned()
            .collect();
        if !kept.is_empty() {
            fragment.insert("tags".to_owned(), Value::Array(kept));
        }
    }
    if let Some(security) = document.get("security") {
        security_schemes.extend(security_names(&json!({ "security": security })));
        fragment.insert("security".to_owned(), security.clone());
    }

    let components =
        reached_components(document, &Value::Object(paths.clone()), &security_schemes)?;
    fragment.insert("paths".to_owned(), Value::Object(paths));
    if !components.is_empty() {
        fragment.insert("components".to_owned(), Value::Object(components));
    }
    Ok(Value::Object(fragment))
}

/// Names of the security schemes an object's `security` requirements use.
fn security_names(value: &Value) -> Vec<String> {
    value["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys().cloned())
        .collect()
}

/// Every component reached from `roots`, transitively, grouped by kind.
fn reached_components(
    document: &Value,
    roots: &Value,
    security_schemes: &BTreeSet<String>,
) -> Result<Map<String, Value>, Error> {
    let mut pending: Vec<String> = Vec::new();
    visit_refs(roots, &mut |reference| pending.push(reference.to_owned()));
    pending.extend(
        security_schemes
            .iter()
            .map(|name| component_ref("securitySchemes", name)),
    );

    let mut reached: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    while let Some(reference) = pending.pop() {
        if !seen.insert(reference.clone()) {
            continue;
        }
        let Some((kind, name)) = split_component_ref(&reference) else {
            return Err(Error::DanglingRef(reference));
        };
        let target =
            resolve(document, &reference).ok_or_else(|| Error::DanglingRef(reference.clone()))?;
        visit_refs(target, &mut |next| pending.push(next.to_owned()));
        reached
            .entry(kind.to_owned())
            .or_default()
            .insert(name, target.clone());
    }
    Ok(reached
        .into_iter()
        .map(|(kind, items)| (kind, Value::Object(items.into_iter().collect())))
        .collect())
}
