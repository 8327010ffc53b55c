//! Writing the imported runbook as a toml_edit document, readable like
//! `runbooks/trino-production.toml`: a comment header, `[[section]]` /
//! `[[section.item]]` tables after a blank line, strings in the styles of
//! [`values`](super::values).

use toml_edit::{ArrayOfTables, Document, DocumentMut, Item, Table, Value};

use super::values::{block, one_line, prose, steps};
use crate::runbook::Cadence;

pub(super) struct OutRunbook {
    pub header: Vec<String>,
    pub id: String,
    pub title: String,
    pub sections: Vec<OutSection>,
}

pub(super) struct OutSection {
    pub line: usize,
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub items: Vec<OutItem>,
}

pub(super) struct OutItem {
    pub line: usize,
    pub id: String,
    pub title: String,
    pub cadence: Option<Cadence>,
    pub source: String,
    /// (lang, text)
    pub config: Option<(String, String)>,
    pub why: String,
    pub verify: Vec<String>,
}

const RULE: &str = "# ---------------------------------------------------------------------------";

/// The runbook as a new document.
pub(super) fn document(rb: &OutRunbook) -> DocumentMut {
    let mut doc = DocumentMut::new();
    let header: String = rb.header.iter().map(|l| format!("# {l}\n")).collect();
    doc.decor_mut().set_prefix(header);
    for (key, value) in runbook_keys(rb) {
        doc.insert(key, Item::Value(value));
    }
    let sections: ArrayOfTables = rb
        .sections
        .iter()
        .map(|section| {
            let mut table = section_table(section);
            let items: ArrayOfTables = section.items.iter().map(item_table).collect();
            table.insert("item", Item::ArrayOfTables(items));
            table
        })
        .collect();
    doc.insert("section", Item::ArrayOfTables(sections));
    doc
}

/// The keys an import writes at the top of the file.
pub(super) fn runbook_keys(rb: &OutRunbook) -> [(&'static str, Value); 2] {
    [("id", one_line(&rb.id)), ("title", one_line(&rb.title))]
}

/// A new `[[section]]` table, without its items.
pub(super) fn section_table(section: &OutSection) -> Table {
    let mut table = Table::new();
    table.decor_mut().set_prefix(format!("\n{RULE}\n"));
    fill(&mut table, section_keys(section));
    table
}

/// A new `[[section.item]]` table.
pub(super) fn item_table(item: &OutItem) -> Table {
    let mut table = Table::new();
    fill(&mut table, item_keys(item));
    table
}

fn fill(table: &mut Table, keys: Vec<(&'static str, Option<Value>)>) {
    for (key, value) in keys {
        if let Some(value) = value {
            table.insert(key, Item::Value(value));
        }
    }
}

/// The keys an import writes for a section, in order (`None`: not written).
pub(super) fn section_keys(section: &OutSection) -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("id", Some(one_line(&section.id))),
        ("title", Some(one_line(&section.title))),
        ("summary", section.summary.as_deref().map(prose)),
    ]
}

/// The keys an import writes for an item, in order (`None`: not written).
pub(super) fn item_keys(item: &OutItem) -> Vec<(&'static str, Option<Value>)> {
    let kind = if item.cadence.is_some() {
        "day2"
    } else {
        "checklist"
    };
    let (config, lang) = match &item.config {
        Some((lang, text)) => (Some(block(text)), Some(one_line(lang))),
        None => (None, None),
    };
    vec![
        ("id", Some(one_line(&item.id))),
        ("title", Some(one_line(&item.title))),
        ("kind", Some(one_line(kind))),
        ("cadence", item.cadence.map(|c| one_line(c.as_str()))),
        ("source", Some(one_line(&item.source))),
        ("config", config),
        ("config_lang", lang),
        ("why", Some(prose(&item.why))),
        ("verify", steps(&item.verify)),
    ]
}

/// The Markdown line that the table around TOML line `toml_line` of the
/// written `toml` came from: its section's or item's.
pub(super) fn markdown_line(toml: &str, toml_line: usize, rb: &OutRunbook) -> usize {
    let Ok(doc) = Document::parse(toml) else {
        return 1;
    };
    let line_of = |table: &Table| {
        let start = table
            .span()
            .or_else(|| table.get("id").and_then(Item::span))?
            .start;
        Some(toml[..start.min(toml.len())].matches('\n').count() + 1)
    };
    let tables = |table: &Table, key: &str| -> Vec<Table> {
        table
            .get(key)
            .and_then(Item::as_array_of_tables)
            .map(|a| a.iter().cloned().collect())
            .unwrap_or_default()
    };
    let mut marks = Vec::new();
    for (table, section) in tables(doc.as_table(), "section").iter().zip(&rb.sections) {
        marks.push((line_of(table), section.line));
        for (table, item) in tables(table, "item").iter().zip(&section.items) {
            marks.push((line_of(table), item.line));
        }
    }
    marks
        .iter()
        .rev()
        .find(|(at, _)| at.is_some_and(|at| at <= toml_line))
        .map_or(1, |(_, md)| *md)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: usize, id: &str) -> OutItem {
        OutItem {
            line,
            id: id.into(),
            title: id.into(),
            cadence: None,
            source: "team.md".into(),
            config: None,
            why: "w".into(),
            verify: Vec::new(),
        }
    }

    #[test]
    fn a_toml_line_maps_to_the_markdown_line_of_its_table() {
        let rb = OutRunbook {
            header: vec!["h".into()],
            id: "r".into(),
            title: "R".into(),
            sections: vec![OutSection {
                line: 3,
                id: "s".into(),
                title: "S".into(),
                summary: None,
                items: vec![item(5, "a"), item(9, "b")],
            }],
        };
        let toml = document(&rb).to_string();
        let at = |text: &str| toml.lines().position(|l| l == text).map_or(0, |i| i + 1);
        assert_eq!(markdown_line(&toml, at("id = \"r\""), &rb), 1);
        assert_eq!(markdown_line(&toml, at("id = \"s\""), &rb), 3);
        assert_eq!(markdown_line(&toml, at("id = \"a\""), &rb), 5);
        assert_eq!(markdown_line(&toml, at("id = \"b\""), &rb), 9);
        assert_eq!(markdown_line(&toml, toml.lines().count(), &rb), 9);
    }
}
