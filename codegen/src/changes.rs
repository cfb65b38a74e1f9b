//! What an import changed, fact by fact.
//!
//! Facts are what the surface summary shows (operations; their parameters
//! with location, type, required and enum values; their responses; schema
//! fields with type, required and enum values), so a reviewer reads the
//! same lines in the import summary and in the snapshot diff. Differences
//! in anything else (prose, example payloads, titles) are one count line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::source::Notice;
use crate::surface::{Section, Surface, surface};

/// The fact-level differences between two fragments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The new source line, and the old one when it differs.
    pub source: (String, Option<String>),
    /// How many operations and schemas the new fragment has.
    pub counts: (usize, usize),
    /// Operations added, removed and changed.
    pub operations: Delta,
    /// Schemas added, removed and changed.
    pub schemas: Delta,
    /// Breaking-change notices that appeared and disappeared.
    pub notices: (Vec<Notice>, Vec<Notice>),
    /// Operations and components that differ in nothing the surface shows.
    pub other_differences: usize,
}

/// Sections added, removed, and changed (with their changed items).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// Title lines of sections only in the new fragment.
    pub added: Vec<String>,
    /// Title lines of sections only in the old fragment.
    pub removed: Vec<String>,
    /// Sections in both whose facts differ.
    pub changed: Vec<Changed>,
}

/// One section whose facts differ.
#[derive(Debug, PartialEq, Eq)]
pub struct Changed {
    /// The section's key (`GET /path`, a schema name).
    pub key: String,
    /// Its title line in the new fragment.
    pub title: String,
    /// `+ line`, `- line`, `~ old → new`.
    pub items: Vec<String>,
}

impl Delta {
    fn between(old: &[Section], new: &[Section]) -> Self {
        let old: BTreeMap<&str, &Section> = old.iter().map(|s| (s.key.as_str(), s)).collect();
        let new_keys: BTreeSet<&str> = new.iter().map(|s| s.key.as_str()).collect();
        let mut delta = Self::default();
        for section in new {
            match old.get(section.key.as_str()) {
                None => delta.added.push(section.title.clone()),
                Some(before) if *before != section => delta.changed.push(Changed {
                    key: section.key.clone(),
                    title: section.title.clone(),
                    items: items_changed(before, section),
                }),
                Some(_) => {}
            }
        }
        delta.removed = old
            .iter()
            .filter(|(key, _)| !new_keys.contains(*key))
            .map(|(_, s)| s.title.clone())
            .collect();
        delta
    }

    /// Whether nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, what: &str, count: usize) -> fmt::Result {
        writeln!(
            f,
            "{what}: {count} (added {}, removed {}, changed {})",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        )?;
        for title in &self.added {
            writeln!(f, "  + {title}")?;
        }
        for title in &self.removed {
            writeln!(f, "  - {title}")?;
        }
        for Changed { title, items, .. } in &self.changed {
            writeln!(f, "  ~ {title}")?;
            for item in items {
                writeln!(f, "      {item}")?;
            }
        }
        Ok(())
    }
}

/// `+ line`, `- line`, `~ old → new` for the items of one section, and the
/// title when it changed.
fn items_changed(old: &Section, new: &Section) -> Vec<String> {
    let mut lines = Vec::new();
    if old.title != new.title {
        lines.push(format!("~ {} → {}", old.title, new.title));
    }
    let (before, after) = (old.by_key(), new.by_key());
    for (key, line) in &after {
        match before.get(key) {
            None => lines.push(format!("+ {line}")),
            Some(previous) if previous != line => lines.push(format!("~ {previous} → {line}")),
            Some(_) => {}
        }
    }
    for (key, line) in &before {
        if !after.contains_key(key) {
            lines.push(format!("- {line}"));
        }
    }
    lines
}

/// Compares the fragment before an import (if there was a readable one)
/// with the one after.
pub fn compare(old: Option<&Value>, new: &Value) -> Changes {
    let empty = serde_json::json!({});
    let old = old.unwrap_or(&empty);
    let (before, after): (Surface, Surface) = (surface(old), surface(new));
    let notices_added = after
        .notices
        .iter()
        .filter(|n| !before.notices.contains(n))
        .cloned()
        .collect();
    let notices_removed = before
        .notices
        .iter()
        .filter(|n| !after.notices.contains(n))
        .cloned()
        .collect();
    let operations = Delta::between(&before.operations, &after.operations);
    let schemas = Delta::between(&before.schemas, &after.schemas);
    Changes {
        source: (
            after.source.clone(),
            (before.source != after.source && !before.operations.is_empty())
                .then(|| before.source.clone()),
        ),
        counts: (after.operations.len(), after.schemas.len()),
        other_differences: other_differences(old, new, &operations, &schemas),
        operations,
        schemas,
        notices: (notices_added, notices_removed),
    }
}

/// Operations and components present on both sides whose JSON differs
/// although the surface shows no change (prose, examples, titles, or a
/// shared component whose effect is listed under the operations using it).
fn other_differences(old: &Value, new: &Value, operations: &Delta, schemas: &Delta) -> usize {
    let fact_changed: BTreeSet<&str> = operations
        .changed
        .iter()
        .chain(&schemas.changed)
        .map(|changed| changed.key.as_str())
        .collect();
    let items = |document: &Value| -> BTreeMap<String, Value> {
        let mut items = BTreeMap::new();
        for operation in crate::spec::operations(document) {
            let key = format!("{} {}", operation.method.to_uppercase(), operation.path);
            items.insert(key, operation.value.clone());
        }
        for (kind, entries) in document["components"].as_object().into_iter().flatten() {
            for (name, entry) in entries.as_object().into_iter().flatten() {
                let key = if kind == "schemas" {
                    name.clone()
                } else {
                    format!("{kind}/{name}")
                };
                items.insert(key, entry.clone());
            }
        }
        items
    };
    let (before, after) = (items(old), items(new));
    after
        .iter()
        .filter(|(key, value)| {
            before.get(*key).is_some_and(|old| old != *value)
                && !fact_changed.contains(key.as_str())
        })
        .count()
}

impl Changes {
    /// Whether no fact changed.
    pub fn is_empty(&self) -> bool {
        self.source.1.is_none()
            && self.operations.is_empty()
            && self.schemas.is_empty()
            && self.notices.0.is_empty()
            && self.notices.1.is_empty()
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            (new, Some(old)) => writeln!(f, "{new} (was {old})")?,
            (new, None) => writeln!(f, "{new}")?,
        }
        self.operations.write(f, "operations", self.counts.0)?;
        self.schemas.write(f, "schemas", self.counts.1)?;
        let (added, removed) = &self.notices;
        if !added.is_empty() || !removed.is_empty() {
            writeln!(
                f,
                "breaking changes announced: {} new, {} gone",
                added.len(),
                removed.len()
            )?;
            for notice in added {
                writeln!(f, "  + {notice}")?;
            }
            for notice in removed {
                writeln!(f, "  - {notice}")?;
            }
        }
        if self.other_differences > 0 {
            writeln!(
                f,
                "{} operations or components differ only in prose, examples or titles (not listed)",
                self.other_differences
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fragment(per_page_type: &str, with_state: bool, description: &str) -> Value {
        let mut parameters =
            vec![json!({"name": "per_page", "in": "query", "schema": {"type": per_page_type}})];
        if with_state {
            parameters.push(json!({"name": "state", "in": "query", "schema": {"type": "string", "enum": ["active", "deleted"]}}));
        }
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1", "x-github-plan": "api.github.com"},
            "paths": {"/v": {"get": {"operationId": "v/list", "description": description,
                "parameters": parameters,
                "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}}}}}},
            "components": {"schemas": {"thing": {"type": "object", "properties": {"id": {"type": "integer"}}, "description": description}}}
        })
    }

    #[test]
    fn prose_only_differences_are_one_count_line() {
        let changes = compare(
            Some(&fragment("integer", true, "old words")),
            &fragment("integer", true, "new words"),
        );
        assert!(changes.is_empty(), "{changes}");
        assert_eq!(changes.other_differences, 2);
        assert_eq!(
            changes.to_string(),
            "source: api.github.com, REST API unknown, info.version 1\n\
             operations: 1 (added 0, removed 0, changed 0)\n\
             schemas: 1 (added 0, removed 0, changed 0)\n\
             2 operations or components differ only in prose, examples or titles (not listed)\n"
        );
    }

    #[test]
    fn parameter_changes_are_listed_by_parameter() {
        let changes = compare(
            Some(&fragment("integer", true, "")),
            &fragment("string", false, ""),
        );
        assert_eq!(
            changes.operations.changed,
            [Changed {
                key: "GET /v".to_owned(),
                title: "GET /v  v/list".to_owned(),
                items: vec![
                    "~ query per_page: integer → query per_page: string".to_owned(),
                    "- query state: string enum(active|deleted)".to_owned(),
                ]
            }]
        );
        assert_eq!(changes.other_differences, 0);
    }
}
