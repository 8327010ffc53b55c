//! Walking pulldown-cmark's events (CommonMark with GFM task lists, tables
//! and strike-through) into what the importer reads, in file order: headings,
//! lines of text (saying when a list item opens on them), tables, fenced code
//! blocks, and the blank lines between them. Text is the source's own, byte
//! for byte (see [`Source::text`]); CommonMark says what each line is.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::source::{Source, Text};

pub(super) enum Unit {
    Blank,
    /// An ATX or setext heading: its level, its text, and its first line as written.
    Heading {
        line: usize,
        level: usize,
        text: Text,
        whole: Text,
    },
    /// A table: its rows as written, trimmed, one per line.
    Table {
        text: String,
    },
    /// A line of text (a paragraph's, HTML, …), trimmed.
    Line {
        line: usize,
        text: Text,
        item: Option<ListItem>,
    },
    Code(Block),
}

/// A list item that opens on a line.
pub(super) struct ListItem {
    /// In a list at the top of the document, not nested in a list or quote.
    pub top: bool,
    /// With a task checkbox (`[ ]`, `[x]`).
    pub task: bool,
    /// The text after its marker and checkbox.
    pub rest: Text,
}

/// A fenced code block.
pub(super) struct Block {
    pub line: usize,
    /// The opening fence, e.g. ```` ``` ````.
    pub fence: String,
    /// The info string (```` ```sql ```` → `sql`).
    pub info: String,
    /// Its lines, without the fence's indentation.
    pub text: String,
    /// Whether a closing fence ends it.
    pub closed: bool,
}

#[derive(Clone)]
enum Role {
    Text,
    /// The first line of a table that ends on line `last`.
    Table {
        last: usize,
    },
    /// Part of a heading or a thematic break: nothing to read.
    Skip,
    Heading {
        level: usize,
        content: Option<Range<usize>>,
    },
    Item {
        top: bool,
        task: bool,
        /// Where the item's text starts, when it has some on this line.
        content: Option<usize>,
    },
}

struct OpenBlock {
    block: Block,
    start: usize,
}

struct Walker {
    /// What each line (1-based) is; the first structure opening on it decides.
    roles: Vec<Option<Role>>,
    lists: usize,
    quotes: usize,
    /// The line of a list item just opened, until its text start is known.
    item: Option<usize>,
    /// The line of the heading being read, and its text so far.
    heading: Option<(usize, Option<Range<usize>>)>,
    code: Option<OpenBlock>,
    /// Fenced blocks with the offset they start at and their last line.
    blocks: Vec<(Block, usize, usize)>,
}

pub(super) fn walk(markdown: &str) -> Vec<Unit> {
    let options =
        Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut source = Source::new(markdown);
    let mut w = Walker {
        roles: vec![None; source.line_count() + 1],
        lists: 0,
        quotes: 0,
        item: None,
        heading: None,
        code: None,
        blocks: Vec::new(),
    };
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        w.event(&mut source, event, range);
    }
    w.units(&source)
}

impl Walker {
    /// Gives `line` its role unless a structure opened on it before.
    fn claim(&mut self, line: usize, role: Role) -> bool {
        match self.roles.get_mut(line) {
            Some(slot @ None) => {
                *slot = Some(role);
                true
            }
            _ => false,
        }
    }

    fn event(&mut self, source: &mut Source, event: Event, range: Range<usize>) {
        let line = source.line_of(range.start);
        self.item_text(&event, &range, line);
        if let Some((_, content)) = &mut self.heading {
            if !matches!(event, Event::End(TagEnd::Heading(_))) {
                *content = Some(match content.take() {
                    Some(c) => c.start.min(range.start)..c.end.max(range.end),
                    None => range.clone(),
                });
            }
        }
        match event {
            Event::Start(Tag::List(_)) => self.lists += 1,
            Event::End(TagEnd::List(_)) => self.lists = self.lists.saturating_sub(1),
            Event::Start(Tag::BlockQuote(_)) => {
                self.claim(line, Role::Text);
                self.quotes += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => self.quotes = self.quotes.saturating_sub(1),
            Event::Start(Tag::Item) => {
                let top = self.lists == 1 && self.quotes == 0;
                let role = Role::Item {
                    top,
                    task: false,
                    content: None,
                };
                if self.claim(line, role) {
                    self.item = Some(line);
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let role = Role::Heading {
                    level: level as usize,
                    content: None,
                };
                if self.quotes == 0 && self.claim(line, role) {
                    self.heading = Some((line, None));
                }
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(source, &range),
            Event::Start(Tag::Table(_)) => {
                let last = source.line_of(range.end.saturating_sub(1).max(range.start));
                if self.claim(line, Role::Table { last }) {
                    for row in line + 1..=last {
                        self.claim(row, Role::Skip);
                    }
                }
            }
            Event::Rule => {
                self.claim(line, Role::Skip);
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let opening = source.text[range.start..]
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '>');
                let ch = opening.chars().next().unwrap_or('`');
                let fence: String = opening.chars().take_while(|c| *c == ch).collect();
                self.code = Some(OpenBlock {
                    block: Block {
                        line,
                        fence,
                        info: info.to_string(),
                        text: String::new(),
                        closed: false,
                    },
                    start: range.start,
                });
            }
            Event::Text(text) => {
                if let Some(open) = &mut self.code {
                    open.block.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => self.end_block(source, &range),
            Event::Start(Tag::Strikethrough) => source.add_strike(range),
            Event::Code(content) => source.add_code(range, &content),
            _ => {}
        }
    }

    /// Where the text of a list item opened on `at` starts: after its
    /// checkbox, or at the first thing on its line.
    fn item_text(&mut self, event: &Event, range: &Range<usize>, line: usize) {
        let Some(at) = self.item else {
            return;
        };
        let Some(Some(Role::Item { task, content, .. })) = self.roles.get_mut(at) else {
            self.item = None;
            return;
        };
        match event {
            Event::TaskListMarker(_) => {
                *task = true;
                *content = Some(range.end);
                self.item = None;
            }
            // A loose list's paragraph (or a setext heading) holds the
            // checkbox: read on.
            Event::Start(Tag::Paragraph | Tag::Heading { .. }) if line == at => {
                *content = Some(range.start)
            }
            Event::End(_) => self.item = None,
            _ => {
                if line == at && content.is_none() {
                    *content = Some(range.start);
                }
                self.item = None;
            }
        }
    }

    fn end_heading(&mut self, source: &Source, range: &Range<usize>) {
        let Some((at, text)) = self.heading.take() else {
            return;
        };
        if let Some(Some(Role::Heading { content, .. })) = self.roles.get_mut(at) {
            *content = text;
        }
        // A setext heading's other lines, its underline included.
        let last = source.line_of(range.end.saturating_sub(1).max(range.start));
        for line in at + 1..=last {
            if let Some(role) = self.roles.get_mut(line) {
                *role = Some(Role::Skip);
            }
        }
    }

    fn end_block(&mut self, source: &Source, range: &Range<usize>) {
        let Some(OpenBlock { mut block, start }) = self.code.take() else {
            return;
        };
        let last = source.line_of(range.end.saturating_sub(1).max(range.start));
        let closing = source.text[source.line_range(last)]
            .trim()
            .trim_start_matches(|c: char| c.is_whitespace() || c == '>');
        let ch = block.fence.chars().next().unwrap_or('`');
        block.closed = last > block.line
            && closing.len() >= block.fence.len()
            && closing.chars().all(|c| c == ch);
        if block.text.ends_with('\n') {
            block.text.pop();
        }
        self.blocks.push((block, start, last));
    }

    fn units(self, source: &Source) -> Vec<Unit> {
        let mut units = Vec::new();
        let mut blocks = self.blocks.into_iter().peekable();
        let mut line = 1;
        while line <= source.line_count() {
            let range = source.line_range(line);
            let role = self.roles.get(line).cloned().flatten();
            while blocks.next_if(|(b, _, _)| b.line < line).is_some() {}
            if let Some((block, start, last)) = blocks.next_if(|(b, _, _)| b.line == line) {
                // A list item whose first line opens the block has no text.
                if let Some(Role::Item { .. }) = role {
                    units.push(line_unit(source, line, range.start..start, role));
                }
                units.push(Unit::Code(block));
                line = last.max(line) + 1;
                continue;
            }
            if source.text[range.clone()].trim().is_empty() {
                units.push(Unit::Blank);
            } else {
                match role {
                    Some(Role::Skip) => {}
                    Some(Role::Table { last }) => {
                        let rows: Vec<String> = (line..=last)
                            .map(|row| source.text(source.line_range(row)).text)
                            .collect();
                        units.push(Unit::Table {
                            text: rows.join("\n"),
                        });
                    }
                    Some(Role::Heading { level, content }) => units.push(Unit::Heading {
                        line,
                        level,
                        text: content.map(|c| source.text(c)).unwrap_or_default(),
                        whole: source.text(range),
                    }),
                    role => units.push(line_unit(source, line, range, role)),
                }
            }
            line += 1;
        }
        units
    }
}

/// A line of text: `range` of it, and the list item opening on it if any.
fn line_unit(source: &Source, line: usize, range: Range<usize>, role: Option<Role>) -> Unit {
    let item = match role {
        Some(Role::Item { top, task, content }) => Some(ListItem {
            top,
            task,
            rest: content
                .filter(|c| *c < range.end)
                .map(|c| source.text(c..range.end))
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Unit::Line {
        line,
        text: source.text(range),
        item,
    }
}
