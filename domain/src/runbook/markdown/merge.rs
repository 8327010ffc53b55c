//! `--base OLD.toml`: an import updates the team's runbook file in place.
//! Matching is by id, then by title (case-insensitive) so a renamed slug keeps
//! its history. The base document is edited with toml_edit: its comments, key
//! order and formatting stay, the imported keys are set (a value that did not
//! change is left as written), what the team added by hand ([`KEPT_KEYS`])
//! stays as it was, and sections and items no longer in the Markdown go.

use std::collections::{HashMap, HashSet};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Key, Table, Value};

use super::emit::{
    item_keys, item_table, runbook_keys, section_keys, section_table, OutItem, OutRunbook,
};
use super::ImportError;
use crate::runbook::{parse_runbook, Runbook};

/// The item keys an import keeps from the base, as they are written there.
pub const KEPT_KEYS: &[&str] = &[
    "check",
    "fail_after",
    "evidence_query",
    "valid_for_days",
    "correction",
];

/// A base runbook file: validated, and as a document to edit.
pub(super) struct Base {
    runbook: Runbook,
    doc: DocumentMut,
}

impl Base {
    pub fn read(file: &str, text: &str) -> Result<Base, ImportError> {
        let runbook =
            parse_runbook(file, text).map_err(|e| ImportError::new(&e.file, e.line, e.message))?;
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let line = e
                .span()
                .map_or(1, |s| text[..s.start].matches('\n').count() + 1);
            ImportError::new(file, line, e.message().trim().to_string())
        })?;
        Ok(Base { runbook, doc })
    }

    /// Renames in place: the runbook id, section ids (by id or title) and
    /// item ids (by id or title); a section without a summary of its own
    /// keeps the base's.
    pub fn apply(&self, out: &mut OutRunbook) {
        out.id = self.runbook.id.clone();

        let base_sections: Vec<(String, String)> = self
            .runbook
            .sections
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect();
        let mut ids: Vec<String> = out.sections.iter().map(|s| s.id.clone()).collect();
        let titles: Vec<String> = out.sections.iter().map(|s| s.title.clone()).collect();
        keep_ids(&mut ids, &titles, &base_sections);
        for (section, id) in out.sections.iter_mut().zip(ids) {
            section.id = id;
            if section.summary.is_none() {
                section.summary = self
                    .runbook
                    .sections
                    .iter()
                    .find(|s| s.id == section.id)
                    .and_then(|s| s.summary.clone());
            }
        }

        let base_items: Vec<(String, String)> = self
            .runbook
            .items()
            .map(|(_, i)| (i.id.clone(), i.title.clone()))
            .collect();
        let items: Vec<_> = out
            .sections
            .iter_mut()
            .flat_map(|s| s.items.iter_mut())
            .collect();
        let mut ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let titles: Vec<String> = items.iter().map(|i| i.title.clone()).collect();
        keep_ids(&mut ids, &titles, &base_items);
        for (item, id) in items.into_iter().zip(ids) {
            item.id = id;
        }
    }

    /// The base document with the import written into it: sections and
    /// items in the import's order, each the base's table (its comments and
    /// key order) when it has one with the same id, else a new one.
    pub fn merge(self, out: &OutRunbook) -> DocumentMut {
        let mut doc = self.doc;
        for (key, value) in runbook_keys(out) {
            set(&mut doc, key, Some(value), &[]);
        }
        let (mut sections, mut items) = take_tables(&mut doc);
        let mut merged = ArrayOfTables::new();
        for section in &out.sections {
            let mut table = match sections.remove(&section.id) {
                Some(mut table) => {
                    update(&mut table, section_keys(section));
                    table
                }
                None => section_table(section),
            };
            let tables: ArrayOfTables = section
                .items
                .iter()
                .map(|item| match items.remove(&item.id) {
                    Some(table) => merge_item(table, item),
                    None => item_table(item),
                })
                .collect();
            table.insert("item", Item::ArrayOfTables(tables));
            merged.push(table);
        }
        doc.insert("section", Item::ArrayOfTables(merged));
        // Tables print in document order again: the import's.
        for section in doc
            .get_mut("section")
            .and_then(Item::as_array_of_tables_mut)
            .into_iter()
            .flat_map(ArrayOfTables::iter_mut)
        {
            section.set_position(None);
            for item in section
                .get_mut("item")
                .and_then(Item::as_array_of_tables_mut)
                .into_iter()
                .flat_map(ArrayOfTables::iter_mut)
            {
                item.set_position(None);
            }
        }
        doc
    }
}

/// A base item table with the imported item written into it: the imported
/// keys set or removed, the kept keys left as they are (a Day-2 task has a
/// cadence instead of a validity period; `fail_after` needs a check).
fn merge_item(mut table: Table, item: &OutItem) -> Table {
    let keys = item_keys(item);
    let written: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
    update(&mut table, keys);
    let has_check = table.contains_key("check");
    table.retain(|key, _| {
        written.contains(&key)
            || (KEPT_KEYS.contains(&key)
                && (key != "valid_for_days" || item.cadence.is_none())
                && (key != "fail_after" || has_check))
    });
    table
}

/// The base's section tables (without their items) by id, and its item
/// tables by id; the document is left without sections.
fn take_tables(doc: &mut DocumentMut) -> (HashMap<String, Table>, HashMap<String, Table>) {
    let mut sections = HashMap::new();
    let mut items = HashMap::new();
    let base = doc
        .remove("section")
        .and_then(|i| i.into_array_of_tables().ok())
        .unwrap_or_default();
    for mut section in base {
        let base_items = section
            .remove("item")
            .and_then(|i| i.into_array_of_tables().ok())
            .unwrap_or_default();
        for item in base_items {
            if let Some(id) = item.get("id").and_then(Item::as_str) {
                items.insert(id.to_string(), item);
            }
        }
        if let Some(id) = section.get("id").and_then(Item::as_str) {
            sections.insert(id.to_string(), section);
        }
    }
    (sections, items)
}

/// Writes the imported keys into a base table: set where written, removed
/// where the import has none.
fn update(table: &mut Table, keys: Vec<(&'static str, Option<Value>)>) {
    let order: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
    for (i, (key, value)) in keys.into_iter().enumerate() {
        set(table, key, value, &order[..i]);
    }
}

/// Sets `key` to `value` (removes it for `None`). A changed value keeps the
/// old one's surrounding comments; an unchanged one stays as written; a new
/// key goes after the last of `before` the table has.
fn set(table: &mut Table, key: &str, value: Option<Value>, before: &[&str]) {
    let Some(mut value) = value else {
        table.remove(key);
        return;
    };
    match table.get_mut(key) {
        Some(Item::Value(old)) if same(old, &value) => {}
        Some(Item::Value(old)) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        Some(other) => *other = Item::Value(value),
        None => insert_after(table, key, value, before),
    }
}

fn insert_after(table: &mut Table, key: &str, value: Value, before: &[&str]) {
    let names: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let at = names
        .iter()
        .rposition(|n| before.contains(&n.as_str()))
        .map_or(0, |i| i + 1);
    let mut entries: Vec<(Key, Item)> =
        names.iter().filter_map(|n| table.remove_entry(n)).collect();
    entries.insert(at.min(entries.len()), (Key::new(key), Item::Value(value)));
    for (key, item) in entries {
        table.insert_formatted(&key, item);
    }
}

/// The same TOML value, however written.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same(a, b))
        }
        _ => false,
    }
}

/// `ids` (unique slugs of the imported `titles`) take a base id when they
/// do not match one themselves but their title matches a base title
/// (case-insensitive) whose id no other imported entry uses. In order, so
/// the result is deterministic and still unique.
fn keep_ids(ids: &mut [String], titles: &[String], base: &[(String, String)]) {
    let base_ids: HashSet<&str> = base.iter().map(|(id, _)| id.as_str()).collect();
    let mut taken: HashSet<String> = ids.iter().cloned().collect();
    for (id, title) in ids.iter_mut().zip(titles) {
        if base_ids.contains(id.as_str()) {
            continue;
        }
        let wanted = title.trim().to_lowercase();
        let found = base
            .iter()
            .find(|(bid, btitle)| !taken.contains(bid) && btitle.trim().to_lowercase() == wanted);
        if let Some((bid, _)) = found {
            taken.remove(id.as_str());
            *id = bid.clone();
            taken.insert(bid.clone());
        }
    }
}
