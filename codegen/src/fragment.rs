//! Cutting the packages fragment out of GitHub's full REST description.
//!
//! The fragment holds every operation tagged [`TAG`] and every component
//! those operations reach through `$ref`, transitively, and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value, json};

use crate::json::{component_ref, resolve, split_component_ref, visit_refs};
use crate::spec::{METHODS, operations};
use crate::{Error, Spec};

/// The tag whose operations make up the fragment.
pub const TAG: &str = "packages";

/// Top-level keys carried over from the full description as they are.
const KEPT_TOP_LEVEL: [&str; 4] = ["openapi", "info", "servers", "externalDocs"];

/// Cuts the packages fragment out of `full`.
pub fn extract(full: &Spec) -> Result<Spec, Error> {
    let document = full.value();
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
    Spec::from_value(Value::Object(fragment))
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

/// What an import changed, by operation and by component.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Number of operations in the new fragment.
    pub operation_count: usize,
    /// Number of schemas in the new fragment.
    pub schema_count: usize,
    /// Operations, named `id (METHOD /path)`.
    pub operations: Delta,
    /// Component schemas, by name.
    pub schemas: Delta,
    /// Other components, named `kind/name` (e.g. `parameters/per-page`).
    pub others: Delta,
}

/// Names added, removed, and present on both sides with different content.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// Only in the new fragment.
    pub added: Vec<String>,
    /// Only in the old fragment.
    pub removed: Vec<String>,
    /// In both, with a different definition.
    pub changed: Vec<String>,
}

impl Delta {
    fn between(old: &BTreeMap<String, Value>, new: &BTreeMap<String, Value>) -> Self {
        Self {
            added: new
                .keys()
                .filter(|k| !old.contains_key(*k))
                .cloned()
                .collect(),
            removed: old
                .keys()
                .filter(|k| !new.contains_key(*k))
                .cloned()
                .collect(),
            changed: new
                .iter()
                .filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v))
                .map(|(k, _)| k.clone())
                .collect(),
        }
    }

    /// Whether nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    fn counts(&self) -> String {
        format!(
            "added {}, removed {}, changed {}",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        )
    }

    fn list(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let marked = [
            ('+', &self.added),
            ('-', &self.removed),
            ('~', &self.changed),
        ];
        for (mark, names) in marked {
            names
                .iter()
                .try_for_each(|name| writeln!(f, "  {mark} {name}"))?;
        }
        Ok(())
    }
}

impl Changes {
    /// Whether nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.schemas.is_empty() && self.others.is_empty()
    }
}

/// Compares the fragment before an import (if there was a readable one) with
/// the one after.
pub fn compare(old: Option<&Value>, new: &Value) -> Changes {
    let empty = json!({});
    let old = old.unwrap_or(&empty);
    let new_operations = operation_map(new);
    let (old_schemas, old_others) = component_maps(old);
    let (new_schemas, new_others) = component_maps(new);
    Changes {
        operation_count: new_operations.len(),
        schema_count: new_schemas.len(),
        operations: Delta::between(&operation_map(old), &new_operations),
        schemas: Delta::between(&old_schemas, &new_schemas),
        others: Delta::between(&old_others, &new_others),
    }
}

fn operation_map(document: &Value) -> BTreeMap<String, Value> {
    operations(document)
        .into_iter()
        .map(|op| {
            let key = format!("{} ({} {})", op.id(), op.method.to_uppercase(), op.path);
            (key, op.value.clone())
        })
        .collect()
}

/// Component schemas by name, and every other component by `kind/name`.
fn component_maps(document: &Value) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut schemas = BTreeMap::new();
    let mut others = BTreeMap::new();
    for (kind, items) in document["components"].as_object().into_iter().flatten() {
        for (name, value) in items.as_object().into_iter().flatten() {
            if kind == "schemas" {
                schemas.insert(name.clone(), value.clone());
            } else {
                others.insert(format!("{kind}/{name}"), value.clone());
            }
        }
    }
    (schemas, others)
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "operations: {} ({})",
            self.operation_count,
            self.operations.counts()
        )?;
        self.operations.list(f)?;
        writeln!(
            f,
            "schemas: {} ({})",
            self.schema_count,
            self.schemas.counts()
        )?;
        self.schemas.list(f)?;
        if !self.others.is_empty() {
            writeln!(f, "other components:")?;
            self.others.list(f)?;
        }
        Ok(())
    }
}
