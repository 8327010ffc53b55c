//! The runbook: sections of items an SRE signs off per cluster.
//!
//! A runbook is data, read from a TOML file (see `runbooks/trino-production.toml`
//! for the shipped one and `parse` for the format's rules). This module holds
//! the validated model; `parse` turns file text into it or says which line of
//! which file is wrong.

mod cadence;
pub mod diff;
pub mod markdown;
mod parse;

pub use diff::{diff_runbooks, RunbookDiff};
pub use markdown::{import_markdown, ImportError};
pub use parse::{parse_runbook, RunbookError};

use crate::check::Check;
use serde::{Deserialize, Serialize};

/// A validated runbook: ids are unique slugs, every section has items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runbook {
    pub id: String,
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub items: Vec<Item>,
}

/// One thing to get right (a checklist item) or to do again and again (a Day-2 task).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub kind: ItemKind,
    /// A configuration or SQL snippet, verbatim.
    pub config: Option<Snippet>,
    /// Why the item matters, in the product's words.
    pub why: String,
    /// How a person verifies it, step by step.
    pub verify: Vec<String>,
    /// Where the source runbook is wrong for current Trino, the right fact.
    pub correction: Option<String>,
    /// Which source document and section the item comes from.
    pub source: String,
    /// The live check the server runs for this item, if it can be automated.
    pub check: Option<Check>,
    /// SQL whose result can be captured as evidence in one click.
    #[serde(default)]
    pub evidence_query: Option<String>,
    /// Re-certification: a sign-off older than this many days has expired
    /// and no longer counts.
    #[serde(default)]
    pub valid_for_days: Option<u32>,
    /// Flapping: how many failing runs in a row before a failure counts
    /// (the server's `check_fail_after` when unset).
    #[serde(default)]
    pub fail_after: Option<u32>,
}

impl Item {
    pub fn is_recurring(&self) -> bool {
        matches!(self.kind, ItemKind::Day2 { .. })
    }

    pub fn cadence(&self) -> Option<Cadence> {
        match self.kind {
            ItemKind::Day2 { cadence } => Some(cadence),
            ItemKind::Checklist => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemKind {
    /// Done once (and kept true): counts towards readiness.
    Checklist,
    /// A recurring operations task with a cadence.
    Day2 { cadence: Cadence },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Monthly,
    Quarterly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// `properties`, `sql`, `yaml`, `json`, `rego` or `text`.
    pub lang: String,
    pub text: String,
}

impl Runbook {
    /// All items of all sections, in order.
    pub fn items(&self) -> impl Iterator<Item = (&Section, &Item)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().map(|(_, i)| i).find(|i| i.id == id)
    }

    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

/// The runbook shipped with Shipshape, built from the Trino production
/// readiness runbook and the graceful-shutdown guide.
pub const BUILTIN_RUNBOOK_NAME: &str = "runbooks/trino-production.toml";
pub const BUILTIN_RUNBOOK: &str = include_str!("../../../runbooks/trino-production.toml");

/// Parses the shipped runbook. It is checked by a unit test, so failure here is
/// a build defect, reported like any other malformed runbook.
pub fn builtin_runbook() -> Result<Runbook, RunbookError> {
    parse_runbook(BUILTIN_RUNBOOK_NAME, BUILTIN_RUNBOOK)
}

#[cfg(test)]
mod builtin_tests;
