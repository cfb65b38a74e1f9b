//! Keeps the docs overlay in step with the description vendored now.
//!
//! GitHub publishes its description per flavour and release
//! (api.github.com, GHEC, GHES 3.x), and they differ in a few fields. An
//! entry of `spec/docs.toml` whose item the vendored flavour lacks is set
//! aside under `[unused]`, where it documents nothing and fails no guard.
//! An item that lacks text but has an entry there gets it back. So
//! switching flavour and back needs no hand edits, and words for another
//! flavour's items can wait there; only text for items no flavour had
//! before must be written.
//!
//! The file is edited in place (`toml_edit`): comments and layout stay,
//! except those of the entries moved (an entry's own comment goes with it).

use serde_json::Value;
use toml_edit::{DocumentMut, Item, Table, TableLike};

use crate::overlay::{self, Docs, Entry};

/// Where entries set aside go: the same keys, below this table.
pub const UNUSED: &str = "unused";

/// What [`tidy`] changed.
#[derive(Debug, Default)]
pub struct Tidied {
    /// The overlay's new text; the same as given when nothing moved.
    pub text: String,
    /// Entries that documented nothing, moved under `[unused]`.
    pub set_aside: Vec<Entry>,
    /// Entries under `[unused]` that document something again, moved back.
    pub restored: Vec<Entry>,
}

/// Sets aside the entries of the overlay `text` that document nothing in
/// the fixed description `fixed`, and restores those set aside that document
/// something in it again (unless an entry of the same keys is in use).
pub fn tidy(text: &str, fixed: &Value) -> Result<Tidied, crate::Error> {
    let docs = Docs::from_toml(text)?;
    let set_aside = overlay::merge(&mut fixed.clone(), &docs);
    let restored = match docs.unused() {
        Some(kept) => {
            let unused = overlay::merge(&mut fixed.clone(), kept);
            let mut document = fixed.clone();
            overlay::merge(&mut document, &docs);
            let undocumented = overlay::undocumented(&document);
            every_entry(kept)
                .into_iter()
                .filter(|entry| !unused.contains(entry))
                .filter(|entry| fills_a_gap(entry, &undocumented))
                .collect()
        }
        None => Vec::new(),
    };
    if set_aside.is_empty() && restored.is_empty() {
        return Ok(Tidied {
            text: text.to_owned(),
            ..Tidied::default()
        });
    }
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| crate::Error::Docs(e.message().to_owned()))?;
    let root = document.as_table_mut();
    for entry in &set_aside {
        if let Some(item) = take(root, entry.keys()) {
            put(root, &under_unused(entry), item);
        }
    }
    for entry in &restored {
        if let Some(item) = take(root, &under_unused(entry)) {
            put(root, entry.keys(), item);
        }
    }
    Ok(Tidied {
        text: document.to_string(),
        set_aside,
        restored,
    })
}

/// Every entry of an overlay, as [`overlay::merge`] names them: what an
/// empty description leaves unused.
fn every_entry(docs: &Docs) -> Vec<Entry> {
    overlay::merge(&mut Value::Null, docs)
}

/// Whether `entry` gives text to an item that has none: restoring it must
/// not override an entry written since.
fn fills_a_gap(entry: &Entry, undocumented: &[String]) -> bool {
    let wanted = match entry.keys() {
        [info, _] if info == "info" => "info description".to_owned(),
        [kind, name] => match kind.as_str() {
            "operations" => format!("operation {name}"),
            "parameters" => format!("parameter {name}"),
            "responses" => format!("response {name}"),
            _ => return false,
        },
        [schemas, name, description] if schemas == "schemas" && description == "description" => {
            format!("schema {name}")
        }
        [schemas, name, fields, path] if schemas == "schemas" && fields == "fields" => {
            if path.contains('*') {
                // A glob: restored only if some field it covers lacks text.
                let prefix = format!("field {name}.");
                return undocumented.iter().any(|item| {
                    item.strip_prefix(&prefix)
                        .is_some_and(|field| overlay::glob(path, field))
                });
            }
            format!("field {name}.{path}")
        }
        _ => return false,
    };
    undocumented.contains(&wanted)
}

fn under_unused(entry: &Entry) -> Vec<String> {
    std::iter::once(UNUSED.to_owned())
        .chain(entry.keys().iter().cloned())
        .collect()
}

/// Removes and returns the item at `keys`, dropping every table on the way
/// that this leaves empty.
fn take(table: &mut dyn TableLike, keys: &[String]) -> Option<Item> {
    match keys {
        [] => None,
        [last] => table.remove(last),
        [first, rest @ ..] => {
            let item = table.get_mut(first)?;
            let taken = if let Some(inline) = item.as_inline_table_mut() {
                let taken = take(inline, rest);
                // The spacing before `}` belonged to the last entry.
                inline.fmt();
                taken
            } else {
                take(item.as_table_like_mut()?, rest)
            };
            if item.as_table_like().is_some_and(TableLike::is_empty) {
                table.remove(first);
            }
            taken
        }
    }
}

/// Inserts `item` at `keys`, creating the tables on the way; nothing if a
/// key on the way holds a value rather than a table. The item leaves its
/// place, spacing and comment behind: a table goes after its new siblings.
fn put(table: &mut dyn TableLike, keys: &[String], mut item: Item) {
    match keys {
        [] => {}
        [last] => {
            match &mut item {
                Item::Table(moved) => {
                    moved.set_position(None);
                    moved.decor_mut().clear();
                }
                Item::Value(value) => value.decor_mut().clear(),
                _ => {}
            }
            table.insert(last, item);
        }
        [first, rest @ ..] => {
            if table.get(first).is_none() {
                let mut implicit = Table::new();
                implicit.set_implicit(true);
                table.insert(first, Item::Table(implicit));
            }
            if let Some(inner) = table.get_mut(first).and_then(Item::as_table_like_mut) {
                put(inner, rest, item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A fixed description with one operation and a schema of two fields.
    fn description(fields: &[&str]) -> Value {
        let properties: serde_json::Map<String, Value> = fields
            .iter()
            .map(|field| ((*field).to_owned(), json!({"type": "string"})))
            .collect();
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"get": {
                "operationId": "things/list",
                "responses": {"200": {"$ref": "#/components/responses/ok"}}
            }}},
            "components": {
                "responses": {"ok": {"description": "", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/thing"}}}}},
                "schemas": {"thing": {"type": "object", "properties": properties}}
            }
        })
    }

    const OVERLAY: &str = r#"# The overlay.
[info]
description = "Things."

[operations."things/list"]
summary = "List things"   # kept as written

# Gone from this release.
[operations."things/gone"]
summary = "Gone"

[responses]
ok = "The things."

[schemas.thing]
description = "A thing."
fields = { id = "Its id.", extra = "Only in some flavours." }
"#;

    #[test]
    fn switching_flavour_and_back_sets_aside_and_restores_the_words() {
        let lacking = tidy(OVERLAY, &description(&["id"])).unwrap();
        assert_eq!(
            lacking.set_aside,
            ["operations.things/gone", "schemas.thing.fields.extra"]
        );
        assert!(lacking.restored.is_empty());
        assert_eq!(
            lacking.text,
            r#"# The overlay.
[info]
description = "Things."

[operations."things/list"]
summary = "List things"   # kept as written

[responses]
ok = "The things."

[schemas.thing]
description = "A thing."
fields = { id = "Its id." }

[unused.operations."things/gone"]
summary = "Gone"

[unused.schemas.thing.fields]
extra = "Only in some flavours."
"#
        );
        // Tidy already: nothing moves.
        let again = tidy(&lacking.text, &description(&["id"])).unwrap();
        assert!(again.set_aside.is_empty() && again.restored.is_empty());
        assert_eq!(again.text, lacking.text);

        // Back to the flavour with the field: its words come back.
        let back = tidy(&lacking.text, &description(&["id", "extra"])).unwrap();
        assert!(back.set_aside.is_empty());
        assert_eq!(back.restored, ["schemas.thing.fields.extra"]);
        let docs = Docs::from_toml(&back.text).unwrap();
        let mut document = description(&["id", "extra"]);
        assert!(overlay::merge(&mut document, &docs).is_empty());
        assert_eq!(overlay::undocumented(&document), Vec::<String>::new());
        assert!(back.text.contains("[unused.operations.\"things/gone\"]"));
        assert!(!back.text.contains("[unused.schemas"), "{}", back.text);
    }

    #[test]
    fn an_entry_set_aside_does_not_override_text_written_since() {
        let text = r#"info = { description = "Things." }
[operations."things/list"]
summary = "List things"
[responses]
ok = "The things."
[schemas.thing]
description = "A thing."
fields = { id = "Its id.", extra = "Newer words." }
[unused.schemas.thing.fields]
extra = "Older words."
"#;
        let tidied = tidy(text, &description(&["id", "extra"])).unwrap();
        assert!(tidied.restored.is_empty() && tidied.set_aside.is_empty());
        assert_eq!(tidied.text, text);
    }
}
