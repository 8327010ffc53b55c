//! The Markdown source as the importer copies it: byte offsets to line
//! numbers, and a piece of a line as [`Text`] (trimmed, struck-through
//! delimiters cut, the code spans and struck parts located in what is left).

use std::ops::Range;

/// A code span: where it is (backticks included) and its content as
/// CommonMark reads it (backticks and one padding space each side off).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct CodeSpan {
    pub range: Range<usize>,
    pub content: String,
}

/// Source text as the importer keeps it: byte for byte, except that
/// struck-through text loses its `~~` (or `~`) delimiters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Text {
    pub text: String,
    /// The code spans in `text`.
    pub code: Vec<CodeSpan>,
    /// The struck-through parts of `text`.
    pub struck: Vec<Range<usize>>,
}

impl Text {
    /// The part of this text in `range` (trimmed), its spans moved with it.
    pub fn slice(&self, range: Range<usize>) -> Text {
        let range = trimmed(&self.text, range);
        let (start, end) = (range.start, range.end);
        Text {
            text: self.text[range].to_string(),
            code: self
                .code
                .iter()
                .filter(|c| c.range.start >= start && c.range.end <= end)
                .map(|c| CodeSpan {
                    range: c.range.start - start..c.range.end - start,
                    content: c.content.clone(),
                })
                .collect(),
            struck: self
                .struck
                .iter()
                .filter_map(|s| clip(s, &(start..end)))
                .map(|s| s.start - start..s.end - start)
                .collect(),
        }
    }

    /// Appends `other` after `separator`.
    fn push(&mut self, separator: &str, other: Text) {
        if !self.text.is_empty() {
            self.text.push_str(separator);
        }
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.code.extend(other.code.into_iter().map(|c| CodeSpan {
            range: c.range.start + shift..c.range.end + shift,
            content: c.content,
        }));
        self.struck.extend(
            other
                .struck
                .into_iter()
                .map(|s| s.start + shift..s.end + shift),
        );
    }
}

/// `range` of `text` without its leading and trailing whitespace.
pub(super) fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start().len());
    let end = range.end - (part.len() - part.trim_end().len());
    start..end.max(start)
}

fn clip(r: &Range<usize>, to: &Range<usize>) -> Option<Range<usize>> {
    let (start, end) = (r.start.max(to.start), r.end.min(to.end));
    (start < end).then_some(start..end)
}

/// A Markdown file's text with what pulldown-cmark found in it.
pub(super) struct Source<'a> {
    pub text: &'a str,
    /// Byte offset of each line's start.
    starts: Vec<usize>,
    code: Vec<CodeSpan>,
    /// Struck-through text without its delimiters.
    struck: Vec<Range<usize>>,
    /// The delimiters, cut from every [`Text`].
    cuts: Vec<Range<usize>>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            text,
            starts,
            code: Vec::new(),
            struck: Vec::new(),
            cuts: Vec::new(),
        }
    }

    /// The 1-based line the byte at `offset` is on.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset).max(1)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line `line`'s bytes, without its newline.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }

    pub fn add_code(&mut self, range: Range<usize>, content: &str) {
        self.code.push(CodeSpan {
            range,
            content: content.to_string(),
        });
    }

    /// A strike-through span, delimiters included.
    pub fn add_strike(&mut self, range: Range<usize>) {
        let span = &self.text[range.clone()];
        let open = span.len() - span.trim_start_matches('~').len();
        let close = span.len() - span.trim_end_matches('~').len();
        if open + close >= span.len() {
            return;
        }
        self.cuts.push(range.start..range.start + open);
        self.cuts.push(range.end - close..range.end);
        self.struck.push(range.start + open..range.end - close);
    }

    /// `range` of the source, trimmed, as [`Text`]; a range over several
    /// lines has each line trimmed and the lines joined with a space.
    pub fn text(&self, range: Range<usize>) -> Text {
        let mut out = Text::default();
        let (first, last) = (self.line_of(range.start), self.line_of(range.end));
        for line in first..=last {
            let Some(part) = clip(&self.line_range(line), &range) else {
                continue;
            };
            out.push(" ", self.line_text(trimmed(self.text, part)));
        }
        out
    }

    /// One line's `range` with the strike-through delimiters cut.
    fn line_text(&self, range: Range<usize>) -> Text {
        let mut cuts: Vec<Range<usize>> =
            self.cuts.iter().filter_map(|c| clip(c, &range)).collect();
        cuts.sort_by_key(|c| c.start);
        // Where a source offset lands once the cuts before it are gone.
        let moved = |offset: usize| {
            let cut: usize = cuts
                .iter()
                .map(|c| c.end.min(offset).saturating_sub(c.start))
                .sum();
            offset - range.start - cut
        };
        let mut text = String::with_capacity(range.len());
        let mut at = range.start;
        for c in &cuts {
            text.push_str(&self.text[at..c.start]);
            at = c.end;
        }
        text.push_str(&self.text[at..range.end]);
        let code = self
            .code
            .iter()
            .filter(|c| c.range.start >= range.start && c.range.end <= range.end)
            .map(|c| CodeSpan {
                range: moved(c.range.start)..moved(c.range.end),
                content: c.content.clone(),
            })
            .collect();
        let struck = self
            .struck
            .iter()
            .filter_map(|s| clip(s, &range))
            .map(|s| moved(s.start)..moved(s.end))
            .collect();
        let mut out = Text { text, code, struck };
        // The cuts may leave whitespace at either end (`~~ ~~x`).
        let len = out.text.len();
        if out.text.trim().len() != len {
            out = out.slice(0..len);
        }
        out
    }
}
