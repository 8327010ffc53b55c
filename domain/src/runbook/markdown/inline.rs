//! A line's own words: item titles (`**Title**` or `Title: rest`), struck
//! titles, labels (`Config:`, `Why:`, `Verify:`), inline config values,
//! section numbers and snippet languages.

use std::ops::Range;

use super::source::{trimmed, CodeSpan, Text};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Label {
    Config,
    Why,
    Verify,
}

/// An item line's title and the text after it, as ranges of `text`:
/// `**Title** rest`, `__Title__ rest`, `Title: rest` or `Title.` (the final
/// period dropped).
pub(super) fn item_title(text: &Text) -> (Range<usize>, Range<usize>) {
    let (t, code) = (text.text.as_str(), text.code.as_slice());
    let end = t.len();
    for delim in ["**", "__"] {
        if !t.starts_with(delim) {
            continue;
        }
        let open = delim.len();
        if let Some(close) = closing_strong(t, open, delim, code) {
            let after = &t[close + open..];
            let lead = after.len()
                - after
                    .trim_start_matches(|c: char| {
                        matches!(c, ':' | '-' | '—' | '–') || c.is_whitespace()
                    })
                    .len();
            return (
                trimmed(t, open..close),
                trimmed(t, close + open + lead..end),
            );
        }
    }
    if let Some(colon) = title_colon(t, code) {
        return (trimmed(t, 0..colon), trimmed(t, colon + 1..end));
    }
    let title_end = match t.strip_suffix('.') {
        Some(s) if !s.ends_with('.') => s.len(),
        _ => end,
    };
    (trimmed(t, 0..title_end), end..end)
}

/// Whether an item's title is struck through, so the item was dropped:
/// its text opens with struck text (`~~Title~~ (dropped)`), or the title is
/// struck from end to end (`**~~Title~~**`).
pub(super) fn struck_title(text: &Text, title: &Range<usize>) -> bool {
    if text.struck.first().is_some_and(|s| s.start == 0) {
        return true;
    }
    let mut at = title.start;
    for s in &text.struck {
        if s.start <= at && s.end > at {
            at = s.end;
        }
    }
    !title.is_empty() && at >= title.end
}

/// Where the strong emphasis opened by the `open` bytes of `delim` closes:
/// the first run of two or more delimiter characters (outside code) at the
/// end of the text or before a space or punctuation; it closes with the
/// run's last two.
fn closing_strong(text: &str, open: usize, delim: &str, code: &[CodeSpan]) -> Option<usize> {
    let ch = delim.chars().next()?;
    let bytes = text.as_bytes();
    let mut i = open;
    while i < bytes.len() {
        if bytes[i] as char != ch || in_code(code, i) {
            i += 1;
            continue;
        }
        let run = text[i..].chars().take_while(|c| *c == ch).count();
        let end = i + run;
        let closes = text[end..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != ch));
        if run >= 2 && closes {
            return Some(end - 2);
        }
        i = end;
    }
    None
}

fn in_code(code: &[CodeSpan], at: usize) -> bool {
    code.iter().any(|c| c.range.contains(&at))
}

/// The first `:` outside code spans that ends the text or is followed by whitespace.
fn title_colon(text: &str, code: &[CodeSpan]) -> Option<usize> {
    text.char_indices()
        .filter(|(i, c)| *c == ':' && !in_code(code, *i))
        .map(|(i, _)| i)
        .find(|i| text[i + 1..].chars().next().is_none_or(char::is_whitespace))
}

/// `Config:`, `Why:`, `Verify:` or `Check:` (any case) at the start of a
/// line: the label, its length as written (colon included), and where the
/// text after it is.
pub(super) fn label(text: &str) -> Option<(Label, usize, Range<usize>)> {
    let (head, _) = text.split_once(':')?;
    let label = match head.to_lowercase().as_str() {
        "config" => Label::Config,
        "why" => Label::Why,
        "verify" | "check" => Label::Verify,
        _ => return None,
    };
    let written = head.len() + 1;
    Some((label, written, trimmed(text, written..text.len())))
}

/// A `Config:` value on its line: the content of a single code span, or the
/// text as written; with a guessed snippet language.
pub(super) fn inline_config(rest: &Text) -> (String, String) {
    let text = match rest.code.as_slice() {
        [span] if span.range == (0..rest.text.len()) => span.content.as_str(),
        _ => rest.text.as_str(),
    };
    (guess_lang(text).to_string(), text.to_string())
}

const SQL_WORDS: &[&str] = &[
    "SELECT", "SET", "CALL", "ALTER", "CREATE", "SHOW", "GRANT", "INSERT", "UPDATE", "DELETE",
    "WITH", "EXPLAIN", "DROP",
];

/// `key=value` is a properties line, a statement starting with an upper-case
/// SQL keyword is SQL, anything else text.
fn guess_lang(text: &str) -> &'static str {
    if let Some((key, value)) = text.split_once('=') {
        let key_ok = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if key_ok && !value.trim().is_empty() && !text.contains('\n') {
            return "properties";
        }
    }
    let first = text.split_whitespace().next().unwrap_or("");
    if SQL_WORDS.contains(&first) {
        return "sql";
    }
    "text"
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

/// The format's snippet language for a fence's info string.
pub(super) fn snippet_lang(info: &str) -> &'static str {
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
