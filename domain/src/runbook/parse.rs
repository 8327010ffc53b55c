//! Reading a runbook file: TOML text in, a validated [`Runbook`] out, or an
//! error that names the file, line and column and says what is wrong.
//!
//! The format (documented in README.md, "Runbook files"):
//!
//! ```toml
//! id = "trino-production"
//! title = "Trino production readiness"
//!
//! [[section]]
//! id = "reliability"
//! title = "Reliability & Stability"
//!
//! [[section.item]]
//! id = "coordinator-isolation"
//! title = "Coordinator isolation"
//! kind = "checklist"            # or "day2" with cadence = "weekly" | "monthly" | "quarterly"
//! config = "node-scheduler.include-coordinator=false"
//! config_lang = "properties"
//! why = "..."
//! verify = ["..."]
//! correction = "..."            # optional: where the source is wrong for current Trino
//! evidence_query = "SELECT ..."   # optional: its result can be attached as evidence
//! valid_for_days = 30           # optional, checklist items: a sign-off expires after this
//! fail_after = 3                # optional, items with a check: failing runs in a row before a failure counts
//! source = "Runbook §1"
//! check = { kind = "sql", query = "...", expect = "equals", column = 2, value = "true" }  # optional
//! ```

use super::{Cadence, Item, ItemKind, Runbook, Section, Snippet};
use crate::check::parse_check;
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;

/// A runbook file that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct RunbookError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

const ID_MAX: usize = 64;
const CONFIG_LANGS: &[&str] = &["properties", "sql", "yaml", "json", "rego", "text"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRunbook {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    section: Vec<Spanned<RawSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: Spanned<String>,
    title: Spanned<String>,
    summary: Option<String>,
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    title: Spanned<String>,
    kind: Spanned<String>,
    cadence: Option<Spanned<String>>,
    config: Option<String>,
    config_lang: Option<Spanned<String>>,
    why: Spanned<String>,
    #[serde(default)]
    verify: Vec<String>,
    correction: Option<String>,
    source: Spanned<String>,
    check: Option<Spanned<toml::Table>>,
    evidence_query: Option<String>,
    valid_for_days: Option<Spanned<i64>>,
    fail_after: Option<Spanned<i64>>,
}

/// The most failing runs in a row an item may wait for before a failure counts.
pub const FAIL_AFTER_MAX: i64 = 20;

/// The longest validity period a runbook may give: ten years.
const VALID_FOR_MAX_DAYS: i64 = 3650;

/// Parses and validates runbook text. `file` is only used in error messages.
pub fn parse_runbook(file: &str, text: &str) -> Result<Runbook, RunbookError> {
    let ctx = Ctx { file, text };
    let raw: RawRunbook = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ctx.error(span, e.message().trim().to_string())
    })?;
    ctx.validate(raw)
}

/// Ids already used, with the line of their first use.
#[derive(Default)]
struct Seen(HashMap<String, usize>);

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> RunbookError {
        let (line, column) = line_col(self.text, span.start);
        RunbookError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    fn non_empty(&self, value: &Spanned<String>, what: &str) -> Result<String, RunbookError> {
        let text = value.get_ref().trim();
        if text.is_empty() {
            return Err(self.error(value.span(), format!("{what} must not be empty")));
        }
        Ok(text.to_string())
    }

    fn slug(&self, value: &Spanned<String>, what: &str) -> Result<String, RunbookError> {
        let id = value.get_ref();
        if !is_slug(id) {
            return Err(self.error(
                value.span(),
                format!(
                    "{what} '{id}' must be 1-{ID_MAX} characters of a-z, 0-9 and '-', starting with a letter or digit"
                ),
            ));
        }
        Ok(id.clone())
    }

    fn validate(&self, raw: RawRunbook) -> Result<Runbook, RunbookError> {
        let id = self.slug(&raw.id, "runbook id")?;
        let title = self.non_empty(&raw.title, "runbook title")?;
        if raw.section.is_empty() {
            return Err(self.error(0..0, "the runbook has no [[section]]"));
        }
        let mut section_ids = Seen::default();
        // Item ids are global: the API addresses an item by id without its section.
        let mut item_ids = Seen::default();
        let mut sections = Vec::with_capacity(raw.section.len());
        for spanned in raw.section {
            let span = spanned.span();
            let raw_section = spanned.into_inner();
            let section_id = self.slug(&raw_section.id, "section id")?;
            self.first_use(&mut section_ids, &raw_section.id, "section id")?;
            if raw_section.item.is_empty() {
                return Err(self.error(
                    span,
                    format!("section '{section_id}' has no [[section.item]]"),
                ));
            }
            let mut items = Vec::with_capacity(raw_section.item.len());
            for raw_item in raw_section.item {
                let raw_item = raw_item.into_inner();
                self.first_use(&mut item_ids, &raw_item.id, "item id")?;
                items.push(self.item(raw_item)?);
            }
            sections.push(Section {
                id: section_id,
                title: self.non_empty(&raw_section.title, "section title")?,
                summary: raw_section
                    .summary
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
                items,
            });
        }
        Ok(Runbook {
            id,
            title,
            sections,
        })
    }

    /// Fails when `id` was used before, naming the line of its first use.
    fn first_use(
        &self,
        seen: &mut Seen,
        id: &Spanned<String>,
        what: &str,
    ) -> Result<(), RunbookError> {
        let line = line_col(self.text, id.span().start).0;
        if let Some(first) = seen.0.insert(id.get_ref().clone(), line) {
            return Err(self.error(
                id.span(),
                format!(
                    "duplicate {what} '{}' (first defined on line {first})",
                    id.get_ref()
                ),
            ));
        }
        Ok(())
    }

    fn item(&self, raw: RawItem) -> Result<Item, RunbookError> {
        let id = self.slug(&raw.id, "item id")?;
        let kind = match raw.kind.get_ref().as_str() {
            "checklist" => {
                if let Some(c) = &raw.cadence {
                    return Err(self.error(
                        c.span(),
                        format!("item '{id}': cadence is only for kind = \"day2\""),
                    ));
                }
                ItemKind::Checklist
            }
            "day2" => {
                let Some(c) = &raw.cadence else {
                    return Err(self.error(raw.kind.span(), format!("item '{id}': a day2 task needs cadence = \"weekly\", \"monthly\" or \"quarterly\"")));
                };
                let cadence = match c.get_ref().as_str() {
                    "weekly" => Cadence::Weekly,
                    "monthly" => Cadence::Monthly,
                    "quarterly" => Cadence::Quarterly,
                    other => {
                        return Err(self.error(
                            c.span(),
                            format!(
                            "item '{id}': unknown cadence '{other}' (weekly, monthly or quarterly)"
                        ),
                        ))
                    }
                };
                ItemKind::Day2 { cadence }
            }
            other => {
                return Err(self.error(
                    raw.kind.span(),
                    format!("item '{id}': unknown kind '{other}' (checklist or day2)"),
                ))
            }
        };
        let config = match (raw.config, raw.config_lang) {
            (Some(text), lang) => {
                let lang = match lang {
                    Some(l) if CONFIG_LANGS.contains(&l.get_ref().as_str()) => l.into_inner(),
                    Some(l) => {
                        return Err(self.error(
                            l.span(),
                            format!(
                                "item '{id}': config_lang must be one of {}",
                                CONFIG_LANGS.join(", ")
                            ),
                        ))
                    }
                    None => "text".to_string(),
                };
                Some(Snippet {
                    lang,
                    text: text.trim_end().trim_start_matches('\n').to_string(),
                })
            }
            (None, Some(l)) => {
                return Err(self.error(
                    l.span(),
                    format!("item '{id}': config_lang given without config"),
                ))
            }
            (None, None) => None,
        };
        let check = match raw.check {
            None => None,
            Some(spanned) => {
                let span = spanned.span();
                let mut params = spanned.into_inner();
                let kind = match params.remove("kind") {
                    Some(toml::Value::String(k)) if !k.trim().is_empty() => k,
                    _ => {
                        return Err(
                            self.error(span, format!("item '{id}': check needs kind = \"...\""))
                        )
                    }
                };
                Some(
                    parse_check(&kind, &params)
                        .map_err(|m| self.error(span, format!("item '{id}': {m}")))?,
                )
            }
        };
        let valid_for_days = match raw.valid_for_days {
            None => None,
            Some(v) if matches!(kind, ItemKind::Day2 { .. }) => {
                return Err(self.error(
                    v.span(),
                    format!("item '{id}': valid_for_days is for checklist items (a day2 task has a cadence)"),
                ))
            }
            Some(v) => match u32::try_from(*v.get_ref()) {
                Ok(days) if (1..=VALID_FOR_MAX_DAYS).contains(&i64::from(days)) => Some(days),
                _ => {
                    return Err(self.error(
                        v.span(),
                        format!(
                            "item '{id}': valid_for_days must be a whole number of days from 1 to {VALID_FOR_MAX_DAYS}"
                        ),
                    ))
                }
            },
        };
        let fail_after = match raw.fail_after {
            None => None,
            Some(v) if check.is_none() => {
                return Err(self.error(
                    v.span(),
                    format!("item '{id}': fail_after needs a check"),
                ))
            }
            Some(v) => match u32::try_from(*v.get_ref()) {
                Ok(n) if (1..=FAIL_AFTER_MAX).contains(&i64::from(n)) => Some(n),
                _ => {
                    return Err(self.error(
                        v.span(),
                        format!(
                            "item '{id}': fail_after must be a whole number of runs from 1 to {FAIL_AFTER_MAX}"
                        ),
                    ))
                }
            },
        };
        Ok(Item {
            valid_for_days,
            fail_after,
            title: self.non_empty(&raw.title, "item title")?,
            why: self.non_empty(&raw.why, "item why")?,
            source: self.non_empty(&raw.source, "item source")?,
            verify: raw
                .verify
                .into_iter()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect(),
            correction: raw
                .correction
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
            evidence_query: raw
                .evidence_query
                .map(|q| q.trim().to_string())
                .filter(|q| !q.is_empty()),
            id,
            kind,
            config,
            check,
        })
    }
}

fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => {}
        _ => return false,
    }
    s.len() <= ID_MAX && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests;
