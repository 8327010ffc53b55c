//! Line-level Markdown: headings, list items, labels, fenced blocks.

use super::ImportError;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Label {
    Config,
    Why,
    Verify,
}

pub(super) struct Block {
    pub line: usize,
    pub lang: String,
    pub text: String,
}

/// A fenced block opened on `lines[start]`, if one opens there, and the
/// index of the line after it.
pub(super) fn read_block(
    file: &str,
    lines: &[&str],
    start: usize,
) -> Result<Option<(Block, usize)>, ImportError> {
    let Some((fence, indent)) = fence_open(lines[start]) else {
        return Ok(None);
    };
    let info = line_rest_after_fence(lines[start], &fence);
    let mut body = Vec::new();
    for (j, l) in lines.iter().enumerate().skip(start + 1) {
        if is_fence_close(l, &fence) {
            let block = Block {
                line: start + 1,
                lang: snippet_lang(&info).to_string(),
                text: body.join("\n"),
            };
            return Ok(Some((block, j + 1)));
        }
        body.push(strip_indent(l, indent));
    }
    Err(ImportError::new(
        file,
        start + 1,
        format!("unterminated code block: no closing {fence} after this line"),
    ))
}

/// `Config:`, `Why:`, `Verify:` or `Check:` (any case) at the start of a line:
/// the label, as written, and the text after it.
pub(super) fn label(text: &str) -> Option<(Label, &str, &str)> {
    let (head, rest) = text.split_once(':')?;
    let label = match head.to_lowercase().as_str() {
        "config" => Label::Config,
        "why" => Label::Why,
        "verify" | "check" => Label::Verify,
        _ => return None,
    };
    let written = &text[..head.len() + 1];
    Some((label, written, rest.trim()))
}

/// Columns of leading whitespace (a tab counts 4).
pub(super) fn indentation(raw: &str) -> usize {
    raw.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

fn strip_indent(line: &str, indent: usize) -> String {
    let spaces = line.chars().take(indent).take_while(|c| *c == ' ').count();
    line[spaces..].to_string()
}

/// `#`..`######` followed by a space (or nothing): level and text without closing `#`s.
pub(super) fn heading(text: &str) -> Option<(usize, &str)> {
    let level = text.chars().take_while(|c| *c == '#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &text[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    let stripped = rest.trim_end_matches('#');
    let rest = if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
        stripped.trim_end()
    } else {
        rest
    };
    Some((level, rest))
}

pub(super) fn is_thematic_break(text: &str) -> bool {
    let mut chars = text.chars().filter(|c| !c.is_whitespace());
    let Some(first) = chars.next() else {
        return false;
    };
    if !matches!(first, '-' | '*' | '_') {
        return false;
    }
    let rest: Vec<char> = chars.collect();
    rest.len() >= 2 && rest.iter().all(|c| *c == first)
}

/// A list item's text after its marker (`-`, `*`, `+`, `1.`, `1)`), and
/// whether it is a task (`[ ]`, `[x]`), whose checkbox is removed too.
pub(super) fn list_item(text: &str) -> Option<(&str, bool)> {
    let rest = if let Some(r) = text.strip_prefix(['-', '*', '+']) {
        r
    } else {
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        text[digits..].strip_prefix(['.', ')'])?
    };
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    for checkbox in ["[ ]", "[x]", "[X]"] {
        if let Some(after) = rest.strip_prefix(checkbox) {
            if after.is_empty() || after.starts_with([' ', '\t']) {
                return Some((after.trim(), true));
            }
        }
    }
    Some((rest, false))
}

/// `1.`/`2.3`/`4)` before a section title: the number and the title.
pub(super) fn split_section_number(text: &str) -> (Option<&str>, &str) {
    let digits = text
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    let candidate = &text[..digits];
    let mut rest = &text[digits..];
    if candidate.is_empty() || !candidate.starts_with(|c: char| c.is_ascii_digit()) {
        return (None, text);
    }
    rest = rest.strip_prefix(')').unwrap_or(rest);
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return (None, text);
    }
    (Some(candidate.trim_end_matches('.')), rest.trim())
}

/// An opening fence (```` ``` ```` or `~~~`, 3 or more) and its indentation.
fn fence_open(line: &str) -> Option<(String, usize)> {
    let indent = indentation(line);
    let text = line.trim_start();
    let ch = text.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = text.chars().take_while(|c| *c == ch).count();
    if run < 3 {
        return None;
    }
    if ch == '`' && text[run..].contains('`') {
        return None; // an inline code span, not a fence
    }
    Some((text[..run].to_string(), indent))
}

fn line_rest_after_fence(line: &str, fence: &str) -> String {
    let text = line.trim_start();
    text.get(fence.len()..)
        .unwrap_or("")
        .trim_start_matches(fence.chars().next().unwrap_or('`'))
        .trim()
        .to_string()
}

fn is_fence_close(line: &str, fence: &str) -> bool {
    let Some(ch) = fence.chars().next() else {
        return false;
    };
    let text = line.trim();
    let run = text.chars().take_while(|c| *c == ch).count();
    run >= fence.len() && run == text.chars().count()
}

/// The format's snippet language for a fence's info string.
fn snippet_lang(info: &str) -> &'static str {
    let word = info
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    match word.as_str() {
        "ini" | "properties" => "properties",
        "sql" => "sql",
        "yaml" | "yml" => "yaml",
        "json" => "json",
        "rego" => "rego",
        _ => "text",
    }
}
