//! Importing a team's Markdown runbook (a task list like
//! `runbooks/sources/runbook.md`) as runbook TOML in the format
//! [`parse_runbook`] reads.
//!
//! The Markdown is read as CommonMark with GitHub's task lists, tables and
//! strike-through (pulldown-cmark). The rules:
//!
//! - `# Title` is the runbook's title (id: its slug); without one, the file name.
//!   Text under it, before the first section, is not imported.
//! - `## 1. Reliability & Stability` is a section: id `reliability-stability`
//!   (the slug without the number), source `<file> §1`. Its text before the
//!   first item is its summary.
//! - `- [ ] **Title**` (or `- [ ] Title: what to do`) in a list at the top
//!   level is an item, id the slug of its title; repeated slugs get `-2`, `-3`,
//!   … in file order. An item whose title is struck through (`- [ ] ~~Title~~
//!   (dropped)`, `- [ ] ~~**Title**~~`, `- [ ] **~~Title~~**`: its text opens
//!   with struck text, or its title is struck from end to end) was dropped and
//!   is not imported.
//! - A `###` heading that starts with a cadence starts Day-2 tasks with that
//!   cadence: `### Weekly …`, `### Every week (Mondays)`, `### Once a month`,
//!   `### Every 3 months` (any case; the spellings are
//!   [`Cadence::heading_spellings`](crate::runbook::Cadence::heading_spellings)).
//!   Each top-level bullet under it is one task, source `<file> §8 Weekly …`.
//!   Text after a task's `Title:` is its first step. Any other `###` heading
//!   is refused.
//! - An item's lines: `Config:` with an inline code span (or text) or a fenced
//!   block on the next line is its config (fence languages ini/properties →
//!   `properties`, sql, yaml/yml, json, rego, anything else `text`); the first
//!   fenced block of an item without `Config:` is its config too, later ones are
//!   steps. `Why:` is its why. `Verify:`/`Check:` lines (and lines starting
//!   `Verify `) are steps; a label with nothing after it takes the bullets or
//!   block that follow. Every other line (`Example:`, bullets, table rows,
//!   plain text) is kept verbatim after the why; an item with no such text gets
//!   the why "No reason given in <source>." since the format requires one.
//!
//! Text is copied byte for byte from the file (indentation and trailing
//! Markdown line-break spaces removed; code blocks keep their own
//! indentation), except that struck-through text loses its `~~`. Errors name
//! the Markdown file and line.
//!
//! The TOML is written with toml_edit. With a base file (`--base`), the base
//! document is updated in place: its comments, key order and formatting stay.

mod emit;
mod inline;
mod merge;
mod scan;
mod source;
mod values;
mod walk;

pub use merge::KEPT_KEYS;

use super::{parse_runbook, Runbook};
use emit::{OutItem, OutRunbook, OutSection};
use std::collections::HashSet;

/// A Markdown runbook that cannot be imported: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ImportError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl ImportError {
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> ImportError {
        ImportError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// An existing runbook file to merge with (`--base`).
#[derive(Debug, Clone, Copy)]
pub struct BaseFile<'a> {
    /// Its name, for error messages.
    pub name: &'a str,
    pub text: &'a str,
}

/// An imported runbook: the TOML text, and what it parses to.
#[derive(Debug, Clone)]
pub struct Imported {
    pub toml: String,
    pub runbook: Runbook,
}

const ID_MAX: usize = 64;

/// Imports Markdown text. `file` names the Markdown file in errors; its last
/// path component is the `source` of every item. With a base, the TOML is the
/// base file updated: items whose id (or, failing that, title) matches one in
/// the base keep the base's id, table and [`KEPT_KEYS`], and the runbook
/// keeps the base's id.
pub fn import_markdown(
    file: &str,
    markdown: &str,
    base: Option<BaseFile<'_>>,
) -> Result<Imported, ImportError> {
    let doc = scan::scan(file, markdown)?;
    let mut out = build(file, doc)?;
    let document = match base {
        Some(b) => {
            let base = merge::Base::read(b.name, b.text)?;
            base.apply(&mut out);
            base.merge(&out)
        }
        None => emit::document(&out),
    };
    let toml = document.to_string();
    let runbook = parse_runbook(file, &toml).map_err(|e| {
        ImportError::new(
            file,
            emit::markdown_line(&toml, e.line, &out),
            format!("the imported runbook would not load: {}", e.message),
        )
    })?;
    Ok(Imported { toml, runbook })
}

fn build(file: &str, doc: scan::Doc) -> Result<OutRunbook, ImportError> {
    let name = file_name(file);
    if doc.sections.iter().all(|s| s.items.is_empty()) {
        return Err(ImportError::new(
            file,
            1,
            "no items: expected `- [ ] **Title**` task items under `##` sections",
        ));
    }
    if let Some(empty) = doc.sections.iter().find(|s| s.items.is_empty()) {
        return Err(ImportError::new(
            file,
            empty.line,
            format!("section '{}' has no items", empty.title),
        ));
    }
    let title = match &doc.title {
        Some((t, _)) => t.clone(),
        None => name
            .rsplit_once('.')
            .map_or(name, |(stem, _)| stem)
            .to_string(),
    };
    let mut section_ids = HashSet::new();
    let mut item_ids = HashSet::new();
    let mut sections = Vec::with_capacity(doc.sections.len());
    for section in doc.sections {
        let place = match &section.number {
            Some(n) => format!("{name} §{n}"),
            None => format!("{name}, {}", section.title),
        };
        let mut items = Vec::with_capacity(section.items.len());
        for item in section.items {
            let source = match &item.day2 {
                Some(d) => format!("{place} {}", d.heading),
                None => place.clone(),
            };
            let mut why: Vec<String> = item.why;
            why.extend(item.notes);
            let why = if why.is_empty() {
                format!("No reason given in {source}.")
            } else {
                why.join("\n")
            };
            items.push(OutItem {
                line: item.line,
                id: unique(&slug(&item.title), "item", &mut item_ids),
                title: item.title,
                cadence: item.day2.map(|d| d.cadence),
                source,
                config: item.config,
                why,
                verify: item.verify,
            });
        }
        sections.push(OutSection {
            line: section.line,
            id: unique(&slug(&section.title), "section", &mut section_ids),
            title: section.title,
            summary: Some(section.summary.join("\n")).filter(|s| !s.is_empty()),
            items,
        });
    }
    Ok(OutRunbook {
        header: vec![
            format!("Imported from {name} by `shipshape runbook import`."),
            "Format: see README.md, \"Runbook files\". Item ids key the sign-off history.".into(),
        ],
        id: unique(&slug(&title), "runbook", &mut HashSet::new()),
        title,
        sections,
    })
}

/// The last component of a path, `/` or `\` separated.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Lower-case ASCII letters and digits, everything else one `-`, at most 64
/// characters, cut at a `-` where possible.
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    truncate(s.trim_end_matches('-'), ID_MAX)
}

fn truncate(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_string();
    }
    let cut = &slug[..max];
    let cut = match cut.rfind('-') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut,
    };
    cut.trim_end_matches('-').to_string()
}

/// `slug` (or `default` when empty), with `-2`, `-3`, … until unused.
fn unique(slug: &str, default: &str, used: &mut HashSet<String>) -> String {
    let base = if slug.is_empty() { default } else { slug };
    if used.insert(base.to_string()) {
        return base.to_string();
    }
    let mut n = 2usize;
    loop {
        let suffix = format!("-{n}");
        let candidate = format!("{}{suffix}", truncate(base, ID_MAX - suffix.len()));
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod base_tests;
#[cfg(test)]
mod gfm_tests;
#[cfg(test)]
mod tests;
