//! What changed between two runbooks: items added, removed and changed
//! (field by field), matched by id since sign-off history is keyed by it.

use super::{ItemKind, Runbook, Section};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The differences between an old and a new runbook, in the new one's order
/// (removed items in the old one's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunbookDiff {
    /// The runbook's own id and title, when they differ.
    pub runbook: Vec<FieldChange>,
    pub sections_added: Vec<SectionRef>,
    pub sections_removed: Vec<SectionRef>,
    /// Sections (matched by id) whose title or summary changed.
    pub sections_changed: Vec<SectionChange>,
    pub added: Vec<ItemRef>,
    pub removed: Vec<ItemRef>,
    pub changed: Vec<ItemChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRef {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionChange {
    pub id: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    pub id: String,
    pub title: String,
    /// The id of its section.
    pub section: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    pub id: String,
    /// The new title.
    pub title: String,
    pub fields: Vec<FieldChange>,
}

/// One changed field. Short values (titles, kinds, numbers, section ids)
/// come with their old and new value; long text only says that it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: Field,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Title,
    Summary,
    /// Kind and cadence together: `checklist`, `day2 weekly`, …
    Kind,
    Section,
    Config,
    Why,
    Verify,
    Correction,
    Check,
    EvidenceQuery,
    ValidForDays,
    Source,
    /// Something this diff does not name (a newer field of the model).
    Other,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Summary => "summary",
            Field::Kind => "kind",
            Field::Section => "section",
            Field::Config => "config",
            Field::Why => "why",
            Field::Verify => "verify",
            Field::Correction => "correction",
            Field::Check => "check",
            Field::EvidenceQuery => "evidence_query",
            Field::ValidForDays => "valid_for_days",
            Field::Source => "source",
            Field::Other => "other fields",
        }
    }
}

impl RunbookDiff {
    pub fn is_empty(&self) -> bool {
        self.runbook.is_empty()
            && self.sections_added.is_empty()
            && self.sections_removed.is_empty()
            && self.sections_changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }

    /// One line: `items: 2 added, 1 removed, 3 changed`, and the sections'
    /// and the runbook's own changes when there are any.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "items: {} added, {} removed, {} changed",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        );
        if !(self.sections_added.is_empty()
            && self.sections_removed.is_empty()
            && self.sections_changed.is_empty())
        {
            s.push_str(&format!(
                "; sections: {} added, {} removed, {} changed",
                self.sections_added.len(),
                self.sections_removed.len(),
                self.sections_changed.len()
            ));
        }
        if !self.runbook.is_empty() {
            s.push_str("; runbook id or title changed");
        }
        s
    }
}

/// Compares two runbooks.
pub fn diff_runbooks(old: &Runbook, new: &Runbook) -> RunbookDiff {
    let mut diff = RunbookDiff::default();
    short(&mut diff.runbook, Field::Id, &old.id, &new.id);
    short(&mut diff.runbook, Field::Title, &old.title, &new.title);

    let old_sections: HashMap<&str, &Section> =
        old.sections.iter().map(|s| (s.id.as_str(), s)).collect();
    let new_sections: HashMap<&str, &Section> =
        new.sections.iter().map(|s| (s.id.as_str(), s)).collect();
    for s in &new.sections {
        match old_sections.get(s.id.as_str()) {
            None => diff.sections_added.push(SectionRef {
                id: s.id.clone(),
                title: s.title.clone(),
            }),
            Some(o) => {
                let mut fields = Vec::new();
                short(&mut fields, Field::Title, &o.title, &s.title);
                if o.summary != s.summary {
                    fields.push(changed(Field::Summary));
                }
                if !fields.is_empty() {
                    diff.sections_changed.push(SectionChange {
                        id: s.id.clone(),
                        fields,
                    });
                }
            }
        }
    }
    diff.sections_removed = old
        .sections
        .iter()
        .filter(|s| !new_sections.contains_key(s.id.as_str()))
        .map(|s| SectionRef {
            id: s.id.clone(),
            title: s.title.clone(),
        })
        .collect();

    let old_items: HashMap<&str, (&Section, &super::Item)> =
        old.items().map(|(s, i)| (i.id.as_str(), (s, i))).collect();
    let new_ids: HashSet<&str> = new.items().map(|(_, i)| i.id.as_str()).collect();
    for (section, item) in new.items() {
        let Some((old_section, old_item)) = old_items.get(item.id.as_str()) else {
            diff.added.push(ItemRef {
                id: item.id.clone(),
                title: item.title.clone(),
                section: section.id.clone(),
            });
            continue;
        };
        let mut fields = Vec::new();
        short(&mut fields, Field::Title, &old_item.title, &item.title);
        short(
            &mut fields,
            Field::Kind,
            &kind(old_item.kind),
            &kind(item.kind),
        );
        short(&mut fields, Field::Section, &old_section.id, &section.id);
        if old_item.config != item.config {
            fields.push(changed(Field::Config));
        }
        if old_item.why != item.why {
            fields.push(changed(Field::Why));
        }
        if old_item.verify != item.verify {
            fields.push(FieldChange {
                field: Field::Verify,
                old: Some(steps(old_item.verify.len())),
                new: Some(steps(item.verify.len())),
            });
        }
        if old_item.correction != item.correction {
            fields.push(presence(
                Field::Correction,
                old_item.correction.is_some(),
                item.correction.is_some(),
            ));
        }
        if old_item.check != item.check {
            fields.push(presence(
                Field::Check,
                old_item.check.is_some(),
                item.check.is_some(),
            ));
        }
        if old_item.evidence_query != item.evidence_query {
            fields.push(presence(
                Field::EvidenceQuery,
                old_item.evidence_query.is_some(),
                item.evidence_query.is_some(),
            ));
        }
        short(
            &mut fields,
            Field::ValidForDays,
            &days(old_item.valid_for_days),
            &days(item.valid_for_days),
        );
        short(&mut fields, Field::Source, &old_item.source, &item.source);
        if fields.is_empty() && **old_item != *item {
            fields.push(changed(Field::Other));
        }
        if !fields.is_empty() {
            diff.changed.push(ItemChange {
                id: item.id.clone(),
                title: item.title.clone(),
                fields,
            });
        }
    }
    diff.removed = old
        .items()
        .filter(|(_, i)| !new_ids.contains(i.id.as_str()))
        .map(|(s, i)| ItemRef {
            id: i.id.clone(),
            title: i.title.clone(),
            section: s.id.clone(),
        })
        .collect();
    diff
}

fn short(fields: &mut Vec<FieldChange>, field: Field, old: &str, new: &str) {
    if old != new {
        fields.push(FieldChange {
            field,
            old: Some(old.to_string()),
            new: Some(new.to_string()),
        });
    }
}

fn changed(field: Field) -> FieldChange {
    FieldChange {
        field,
        old: None,
        new: None,
    }
}

/// `none` / `set` on either side of a change of an optional field.
fn presence(field: Field, old: bool, new: bool) -> FieldChange {
    let word = |set: bool| if set { "set" } else { "none" }.to_string();
    FieldChange {
        field,
        old: Some(word(old)),
        new: Some(word(new)),
    }
}

fn kind(kind: ItemKind) -> String {
    match kind {
        ItemKind::Checklist => "checklist".to_string(),
        ItemKind::Day2 { cadence } => format!("day2 {}", cadence.as_str()),
    }
}

fn days(days: Option<u32>) -> String {
    days.map_or_else(|| "none".to_string(), |d| d.to_string())
}

fn steps(n: usize) -> String {
    format!("{n} step{}", if n == 1 { "" } else { "s" })
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.field.as_str();
        match (&self.old, &self.new) {
            (Some(old), Some(new))
                if matches!(self.field, Field::Id | Field::Title | Field::Source) =>
            {
                write!(f, "{name}: {old:?} → {new:?}")
            }
            (Some(old), Some(new)) if old == new => write!(f, "{name} changed"),
            (Some(old), Some(new)) => write!(f, "{name}: {old} → {new}"),
            _ => write!(f, "{name} changed"),
        }
    }
}

/// The diff for people: one line per added or removed item, one per changed
/// item with a line per field, then the counts.
impl fmt::Display for RunbookDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no differences");
        }
        for change in &self.runbook {
            writeln!(f, "~ runbook {change}")?;
        }
        for s in &self.sections_added {
            writeln!(f, "+ section {} \"{}\"", s.id, s.title)?;
        }
        for s in &self.sections_removed {
            writeln!(f, "- section {} \"{}\"", s.id, s.title)?;
        }
        for s in &self.sections_changed {
            writeln!(f, "~ section {}", s.id)?;
            for field in &s.fields {
                writeln!(f, "    {field}")?;
            }
        }
        for i in &self.added {
            writeln!(f, "+ {} \"{}\" (section {})", i.id, i.title, i.section)?;
        }
        for i in &self.removed {
            writeln!(f, "- {} \"{}\" (section {})", i.id, i.title, i.section)?;
        }
        for i in &self.changed {
            writeln!(f, "~ {} \"{}\"", i.id, i.title)?;
            for field in &i.fields {
                writeln!(f, "    {field}")?;
            }
        }
        writeln!(f, "{}", self.summary())
    }
}

#[cfg(test)]
mod tests;
