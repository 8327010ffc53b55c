//! `--base OLD.toml`: an import keeps what the team added to its runbook file
//! by hand. Matching is by id, then by title (case-insensitive) so a renamed
//! slug keeps its history; the kept keys are copied as TOML values, so check
//! formats this module does not know stay as they were.

use std::collections::{HashMap, HashSet};

use super::emit::OutRunbook;
use super::ImportError;
use crate::runbook::{parse_runbook, Runbook};

/// The item keys an import keeps from the base, in the order they are written.
pub const KEPT_KEYS: &[&str] = &[
    "check",
    "fail_after",
    "evidence_query",
    "valid_for_days",
    "correction",
];

/// A base runbook file: validated, with the raw TOML of its items.
pub(super) struct Base {
    runbook: Runbook,
    /// Item id → its kept keys, values as written.
    kept: HashMap<String, Vec<(String, toml::Value)>>,
}

impl Base {
    pub fn read(file: &str, text: &str) -> Result<Base, ImportError> {
        let runbook =
            parse_runbook(file, text).map_err(|e| ImportError::new(&e.file, e.line, e.message))?;
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| ImportError::new(file, 1, e.message().trim().to_string()))?;
        let mut kept = HashMap::new();
        for section in array(&table, "section") {
            for item in array(section, "item") {
                let Some(toml::Value::String(id)) = item.get("id") else {
                    continue;
                };
                let values = KEPT_KEYS
                    .iter()
                    .filter_map(|k| item.get(*k).map(|v| (k.to_string(), v.clone())))
                    .collect();
                kept.insert(id.clone(), values);
            }
        }
        Ok(Base { runbook, kept })
    }

    /// Renames and copies in place: the runbook id, section ids (by id or
    /// title), item ids (by id or title) and the kept keys of matched items.
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
        let items = out.sections.iter_mut().flat_map(|s| s.items.iter_mut());
        let items: Vec<_> = items.collect();
        let mut ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let titles: Vec<String> = items.iter().map(|i| i.title.clone()).collect();
        keep_ids(&mut ids, &titles, &base_items);
        for (item, id) in items.into_iter().zip(ids) {
            item.id = id;
            let Some(kept) = self.kept.get(&item.id) else {
                continue;
            };
            let has_check = kept.iter().any(|(k, _)| k == "check");
            item.kept = kept
                .iter()
                // A Day-2 task has a cadence instead of a validity period.
                .filter(|(k, _)| k != "valid_for_days" || item.cadence.is_none())
                .filter(|(k, _)| k != "fail_after" || has_check)
                .cloned()
                .collect();
        }
    }
}

fn array<'a>(table: &'a toml::Table, key: &str) -> impl Iterator<Item = &'a toml::Table> {
    table
        .get(key)
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
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
