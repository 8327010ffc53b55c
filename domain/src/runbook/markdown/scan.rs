//! Reading the Markdown: the units of [`walk`](super::walk) in, a document
//! of sections and items out.
//!
//! `#` title, `##` sections, `###` Day-2 subsections (their cadence from
//! [`Cadence::from_heading`]), top-level list items (left out when their
//! title is struck through), labelled lines (`Config:`, `Why:`,
//! `Verify:`/`Check:`), bullets, tables and fenced code blocks. Anything it
//! cannot place is kept as prose of the item it belongs to.

use super::inline::{self, Label};
use super::source::Text;
use super::walk::{walk, Block, ListItem, Unit};
use super::ImportError;
use crate::runbook::Cadence;

pub(super) struct Doc {
    /// The `#` title and its line.
    pub title: Option<(String, usize)>,
    pub sections: Vec<DocSection>,
}

pub(super) struct DocSection {
    pub line: usize,
    /// `1` for `## 1. Reliability & Stability`.
    pub number: Option<String>,
    pub title: String,
    /// Text before the section's first item.
    pub summary: Vec<String>,
    pub items: Vec<DocItem>,
}

#[derive(Clone)]
pub(super) struct Day2 {
    pub cadence: Cadence,
    /// The `###` heading's text, e.g. `Weekly Health Check`.
    pub heading: String,
}

pub(super) struct DocItem {
    pub line: usize,
    pub title: String,
    pub day2: Option<Day2>,
    /// (lang, text): the snippet language is already mapped to the format's.
    pub config: Option<(String, String)>,
    pub why: Vec<String>,
    /// Other prose lines, bullets included, verbatim.
    pub notes: Vec<String>,
    pub verify: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Notes,
    Why,
    Verify,
}

struct Open {
    item: DocItem,
    /// Its title is struck through: read, then left out.
    dropped: bool,
    mode: Mode,
    /// A label with nothing after it, waiting for its content: (label, as written, line).
    pending: Option<(Label, String, usize)>,
    /// Line of the item's `Config:`, for the "second Config:" error.
    config_line: Option<usize>,
}

pub(super) fn scan(file: &str, text: &str) -> Result<Doc, ImportError> {
    let mut s = Scanner {
        file,
        doc: Doc {
            title: None,
            sections: Vec::new(),
        },
        day2: None,
        open: None,
    };
    for unit in walk(&text.replace("\r\n", "\n")) {
        s.unit(unit)?;
    }
    s.close_item()?;
    Ok(s.doc)
}

struct Scanner<'a> {
    file: &'a str,
    doc: Doc,
    day2: Option<Day2>,
    open: Option<Open>,
}

impl Scanner<'_> {
    fn error(&self, line: usize, message: impl Into<String>) -> ImportError {
        ImportError::new(self.file, line, message)
    }

    fn unit(&mut self, unit: Unit) -> Result<(), ImportError> {
        match unit {
            Unit::Blank => {
                if let Some(open) = self.open.as_mut() {
                    if open.pending.is_none() {
                        open.mode = Mode::Notes;
                    }
                }
                Ok(())
            }
            Unit::Code(block) => self.block(block),
            Unit::Table { text } => {
                self.no_pending_config()?;
                self.table(text);
                Ok(())
            }
            Unit::Heading {
                line,
                level,
                text,
                whole,
            } => {
                self.no_pending_config()?;
                match level {
                    1..=3 => self.heading(level, &text.text, line),
                    // Deeper headings are text, of the item or section they are in.
                    _ => self.line(&whole, None, line),
                }
            }
            Unit::Line { line, text, item } => {
                self.no_pending_config()?;
                match item {
                    Some(ListItem {
                        top: true,
                        task,
                        rest,
                    }) if task || self.day2.is_some() => self.start_item(&rest, line),
                    item => self.line(&text, item.map(|i| i.rest), line),
                }
            }
        }
    }

    /// A `Config:` with nothing after it must be followed by a code block.
    fn no_pending_config(&self) -> Result<(), ImportError> {
        if let Some(open) = &self.open {
            if let Some((Label::Config, written, at)) = &open.pending {
                return Err(self.error(
                    *at,
                    format!("{written} with nothing after it (give the value inline or a fenced block on the next line)"),
                ));
            }
        }
        Ok(())
    }

    fn block(&mut self, block: Block) -> Result<(), ImportError> {
        if !block.closed {
            return Err(self.error(
                block.line,
                format!(
                    "unterminated code block: no closing {} after this line",
                    block.fence
                ),
            ));
        }
        let Some(open) = self.open.as_mut() else {
            // Code outside any item (preamble, section intro) is not imported.
            return Ok(());
        };
        if block.text.trim().is_empty() {
            return Err(ImportError::new(self.file, block.line, "empty code block"));
        }
        let lang = inline::snippet_lang(&block.info).to_string();
        let pending = open.pending.take().map(|(label, _, _)| label);
        let item = &mut open.item;
        match (pending, open.mode) {
            (Some(Label::Config), _) => item.config = Some((lang, block.text)),
            (_, Mode::Verify) => item.verify.push(block.text),
            (_, Mode::Why) => item.why.push(block.text),
            (_, Mode::Notes) if item.config.is_none() => {
                item.config = Some((lang, block.text));
                open.config_line = Some(block.line);
            }
            (_, Mode::Notes) => item.verify.push(block.text),
        }
        Ok(())
    }

    /// A line of text; `rest` is the text after its list marker, when a
    /// list item opens on it.
    fn line(&mut self, text: &Text, rest: Option<Text>, number: usize) -> Result<(), ImportError> {
        if self.open.is_some() {
            return self.item_line(text, rest, number);
        }
        // Text between a heading and the first item is the section's summary;
        // the preamble under the title is not imported.
        if let Some(section) = self.doc.sections.last_mut() {
            section.summary.push(text.text.clone());
        }
        Ok(())
    }

    /// A table, kept whole: a step after `Verify:`, part of the why after
    /// `Why:`, else prose of the item or section. Its rows are never labels.
    fn table(&mut self, text: String) {
        let Some(open) = self.open.as_mut() else {
            if let Some(section) = self.doc.sections.last_mut() {
                section.summary.push(text);
            }
            return;
        };
        open.pending = None;
        let item = &mut open.item;
        match open.mode {
            Mode::Verify => item.verify.push(text),
            Mode::Why => item.why.push(text),
            Mode::Notes => item.notes.push(text),
        }
    }

    fn heading(&mut self, level: usize, text: &str, number: usize) -> Result<(), ImportError> {
        self.close_item()?;
        match level {
            1 => {
                if let Some((_, first)) = &self.doc.title {
                    return Err(self.error(
                        number,
                        format!("a second # title (the first is on line {first})"),
                    ));
                }
                if !self.doc.sections.is_empty() {
                    return Err(self.error(number, "the # title must come before the ## sections"));
                }
                if text.is_empty() {
                    return Err(self.error(number, "empty # title"));
                }
                self.doc.title = Some((text.to_string(), number));
            }
            2 => {
                self.day2 = None;
                let (section_number, title) = inline::split_section_number(text);
                if title.is_empty() {
                    return Err(self.error(number, "empty ## section title"));
                }
                self.doc.sections.push(DocSection {
                    line: number,
                    number: section_number.map(str::to_string),
                    title: title.to_string(),
                    summary: Vec::new(),
                    items: Vec::new(),
                });
            }
            _ => {
                if self.doc.sections.is_empty() {
                    return Err(self.error(number, "### subsection before any ## section"));
                }
                let Some(cadence) = Cadence::from_heading(text) else {
                    let word = text
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_matches(|c: char| !c.is_alphanumeric());
                    return Err(self.error(
                        number,
                        format!(
                            "unknown Day-2 cadence '{word}' in '### {text}': a ### subsection starts with {}",
                            Cadence::heading_spellings()
                        ),
                    ));
                };
                self.day2 = Some(Day2 {
                    cadence,
                    heading: text.to_string(),
                });
            }
        }
        Ok(())
    }

    fn start_item(&mut self, rest: &Text, number: usize) -> Result<(), ImportError> {
        self.close_item()?;
        if self.doc.sections.is_empty() {
            return Err(self.error(number, "item before any ## section"));
        }
        let (title, after) = inline::item_title(rest);
        if title.is_empty() {
            return Err(self.error(number, "empty item title"));
        }
        let dropped = inline::struck_title(rest, &title);
        let mut item = DocItem {
            line: number,
            title: rest.text[title].to_string(),
            day2: self.day2.clone(),
            config: None,
            why: Vec::new(),
            notes: Vec::new(),
            verify: Vec::new(),
        };
        let after = &rest.text[after];
        if !after.is_empty() {
            // A Day-2 task's "Title: what to do" names the work: a step.
            if item.day2.is_some() {
                item.verify.push(after.to_string());
            } else {
                item.notes.push(after.to_string());
            }
        }
        self.open = Some(Open {
            item,
            dropped,
            mode: Mode::Notes,
            pending: None,
            config_line: None,
        });
        Ok(())
    }

    fn item_line(
        &mut self,
        line: &Text,
        rest: Option<Text>,
        number: usize,
    ) -> Result<(), ImportError> {
        let file = self.file;
        let Some(open) = self.open.as_mut() else {
            return Ok(());
        };
        let text = line.text.as_str();
        if let Some((label, written, after)) = inline::label(text) {
            if let Some((_, w, at)) = &open.pending {
                return Err(ImportError::new(
                    file,
                    *at,
                    format!("{w} with nothing after it"),
                ));
            }
            let written = &text[..written];
            let after = line.slice(after);
            let item = &mut open.item;
            open.mode = Mode::Notes;
            match label {
                Label::Config => {
                    if let Some(first) = open.config_line.filter(|_| item.config.is_some()) {
                        return Err(ImportError::new(
                            file,
                            number,
                            format!("a second config for this item (the first is on line {first})"),
                        ));
                    }
                    open.config_line = Some(number);
                    if after.text.is_empty() {
                        open.pending = Some((label, written.to_string(), number));
                    } else {
                        item.config = Some(inline::inline_config(&after));
                    }
                }
                Label::Why | Label::Verify => {
                    let mode = if label == Label::Why {
                        Mode::Why
                    } else {
                        Mode::Verify
                    };
                    if after.text.is_empty() {
                        open.pending = Some((label, written.to_string(), number));
                        open.mode = mode;
                    } else if label == Label::Why {
                        item.why.push(after.text);
                    } else {
                        item.verify.push(after.text);
                    }
                }
            }
            return Ok(());
        }
        open.pending = None;
        let item = &mut open.item;
        match open.mode {
            Mode::Why => item.why.push(text.to_string()),
            Mode::Verify => item.verify.push(rest.map_or(text.to_string(), |r| r.text)),
            Mode::Notes if text.starts_with("Verify ") => item.verify.push(text.to_string()),
            Mode::Notes => item.notes.push(text.to_string()),
        }
        Ok(())
    }

    fn close_item(&mut self) -> Result<(), ImportError> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        if let Some((_, written, at)) = open.pending {
            return Err(self.error(at, format!("{written} with nothing after it")));
        }
        if open.dropped {
            return Ok(());
        }
        if let Some(section) = self.doc.sections.last_mut() {
            section.items.push(open.item);
        }
        Ok(())
    }
}
