//! Inline Markdown: item titles (`**Title**` or `Title: rest`), code spans
//! and inline config values.

use std::ops::Range;

/// An item line's title and the text after it. `**Title** rest`,
/// `__Title__ rest`, `Title: rest` or `Title.` (the final period dropped).
pub(super) fn item_title(text: &str) -> (&str, &str) {
    let text = text.trim();
    for delim in ["**", "__"] {
        if let Some(inner) = text.strip_prefix(delim) {
            if let Some(end) = closing_strong(inner, delim) {
                let after = inner[end + delim.len()..]
                    .trim_start_matches(|c: char| {
                        matches!(c, ':' | '-' | '—' | '–') || c.is_whitespace()
                    })
                    .trim_end();
                return (inner[..end].trim(), after);
            }
        }
    }
    if let Some(colon) = title_colon(text) {
        return (text[..colon].trim(), text[colon + 1..].trim());
    }
    let title = match text.strip_suffix('.') {
        Some(t) if !t.ends_with('.') => t,
        _ => text,
    };
    (title.trim(), "")
}

/// Where the strong emphasis opened before `inner` closes: the first run of
/// two or more delimiter characters (outside code) at the end of the text or
/// before a space or punctuation; it closes with the run's last two.
fn closing_strong(inner: &str, delim: &str) -> Option<usize> {
    let ch = delim.chars().next()?;
    let code = code_ranges(inner);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] as char != ch || code.iter().any(|r| r.contains(&i)) {
            i += 1;
            continue;
        }
        let run = inner[i..].chars().take_while(|c| *c == ch).count();
        let end = i + run;
        let closes = inner[end..]
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

/// The first `:` outside code spans that ends the text or is followed by whitespace.
fn title_colon(text: &str) -> Option<usize> {
    let code = code_ranges(text);
    text.char_indices()
        .filter(|(i, c)| *c == ':' && !code.iter().any(|r| r.contains(i)))
        .map(|(i, _)| i)
        .find(|i| text[i + 1..].chars().next().is_none_or(char::is_whitespace))
}

/// Byte ranges of the code spans (backticks included) in a line.
pub(super) fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let open = backtick_run(bytes, i);
        let mut j = i + open;
        let mut closed = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let run = backtick_run(bytes, j);
                if run == open {
                    closed = Some(j + run);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => {
                ranges.push(i..end);
                i = end;
            }
            None => i += open,
        }
    }
    ranges
}

fn backtick_run(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().take_while(|b| **b == b'`').count()
}

/// The code spans of a line, backticks included, e.g. `` `log.format=json` ``.
#[cfg(test)]
pub(super) fn code_spans(text: &str) -> Vec<&str> {
    code_ranges(text).into_iter().map(|r| &text[r]).collect()
}

/// A `Config:` value on its line: the content of a single code span, or the
/// text as written; with a guessed snippet language.
pub(super) fn inline_config(rest: &str) -> (String, String) {
    let text = match code_ranges(rest).as_slice() {
        [r] if r.start == 0 && r.end == rest.len() => span_content(&rest[r.clone()]),
        _ => rest,
    };
    (guess_lang(text).to_string(), text.to_string())
}

/// The text inside a code span: backticks off, and one space each side
/// when both sides have one (CommonMark).
fn span_content(span: &str) -> &str {
    let ticks = span.chars().take_while(|c| *c == '`').count();
    let inner = &span[ticks..span.len() - ticks];
    match inner.strip_prefix(' ').and_then(|s| s.strip_suffix(' ')) {
        Some(s) if !s.trim().is_empty() => s,
        _ => inner,
    }
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
