//! Writing runbook TOML by hand, readable like `runbooks/trino-production.toml`:
//! `[[section]]` / `[[section.item]]` tables, multi-line strings for long
//! prose (wrapped with line-ending backslashes, which TOML removes again),
//! code kept verbatim.

use serde::Serialize;

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
    /// Keys kept from the base runbook, in order, values as they were.
    pub kept: Vec<(String, toml::Value)>,
}

/// The TOML text, and for each section and item the line its table starts
/// on in the TOML with the Markdown line it came from.
pub(super) fn emit(rb: &OutRunbook) -> Result<(String, Vec<(usize, usize)>), String> {
    let mut out = Out::default();
    for line in &rb.header {
        out.line(&format!("# {line}"));
    }
    out.line(&format!("id = {}", one_line(&rb.id)));
    out.line(&format!("title = {}", one_line(&rb.title)));
    for section in &rb.sections {
        out.line("");
        out.line("# ---------------------------------------------------------------------------");
        out.mark(section.line);
        out.line("[[section]]");
        out.line(&format!("id = {}", one_line(&section.id)));
        out.line(&format!("title = {}", one_line(&section.title)));
        if let Some(summary) = &section.summary {
            out.line(&format!("summary = {}", prose(summary)));
        }
        for item in &section.items {
            out.line("");
            out.mark(item.line);
            out.line("[[section.item]]");
            item_keys(&mut out, item)?;
        }
    }
    Ok((out.text, out.marks))
}

fn item_keys(out: &mut Out, item: &OutItem) -> Result<(), String> {
    out.line(&format!("id = {}", one_line(&item.id)));
    out.line(&format!("title = {}", one_line(&item.title)));
    match item.cadence {
        None => out.line("kind = \"checklist\""),
        Some(c) => {
            out.line("kind = \"day2\"");
            out.line(&format!("cadence = {}", one_line(c.as_str())));
        }
    }
    out.line(&format!("source = {}", one_line(&item.source)));
    for (key, value) in item.kept.iter().filter(|(k, _)| k != "correction") {
        out.line(&format!("{key} = {}", value_text(key, value)?));
    }
    if let Some((lang, text)) = &item.config {
        out.line(&format!("config = {}", block(text)));
        out.line(&format!("config_lang = {}", one_line(lang)));
    }
    out.line(&format!("why = {}", prose(&item.why)));
    match item.verify.as_slice() {
        [] => {}
        [one] if !one.contains('\n') && one.len() <= 80 => {
            out.line(&format!("verify = [{}]", one_line(one)));
        }
        many => {
            out.line("verify = [");
            for v in many {
                out.line(&format!("  {},", block(v)));
            }
            out.line("]");
        }
    }
    for (key, value) in item.kept.iter().filter(|(k, _)| k == "correction") {
        out.line(&format!("{key} = {}", value_text(key, value)?));
    }
    Ok(())
}

/// A kept value: strings in this file's style, a table (a check) inline
/// with its `kind` first, anything else as TOML writes it inline.
fn value_text(key: &str, value: &toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(s) if key == "correction" => Ok(prose(s)),
        toml::Value::String(s) => Ok(block(s)),
        toml::Value::Table(table) if !table.is_empty() => {
            let mut keys: Vec<&String> = table.keys().collect();
            keys.sort_by_key(|k| k.as_str() != "kind");
            let parts = keys
                .into_iter()
                .map(|k| {
                    Ok(format!(
                        "{} = {}",
                        bare_key(k),
                        inline_value(key, &table[k])?
                    ))
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok(format!("{{ {} }}", parts.join(", ")))
        }
        other => inline_value(key, other),
    }
}

fn inline_value(key: &str, value: &toml::Value) -> Result<String, String> {
    let mut text = String::new();
    value
        .serialize(toml::ser::ValueSerializer::new(&mut text))
        .map_err(|e| format!("cannot write the base runbook's {key}: {e}"))?;
    Ok(text)
}

fn bare_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        one_line(key)
    }
}

#[derive(Default)]
struct Out {
    text: String,
    lines: usize,
    marks: Vec<(usize, usize)>,
}

impl Out {
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
        self.lines += s.matches('\n').count() + 1;
    }

    /// The next line written comes from Markdown line `source`.
    fn mark(&mut self, source: usize) {
        self.marks.push((self.lines + 1, source));
    }
}

const WRAP: usize = 88;
const SHORT: usize = 80;

/// A basic string on one line: newlines escaped.
pub(super) fn one_line(s: &str) -> String {
    format!("\"{}\"", escape(s, false))
}

/// Code: one line when it has no newline, else a multi-line string, never
/// re-wrapped.
pub(super) fn code(s: &str) -> String {
    if s.contains('\n') {
        format!("\"\"\"\n{}\"\"\"", escape(s, true))
    } else {
        one_line(s)
    }
}

/// Code in a field the parser trims (config, verify steps): like [`code`],
/// with the closing quotes on a line of their own.
pub(super) fn block(s: &str) -> String {
    if s.contains('\n') && !s.ends_with('\n') {
        code(&format!("{s}\n"))
    } else {
        code(s)
    }
}

/// Prose: short text on one line, else a multi-line string whose long lines
/// are wrapped after a space with a line-ending backslash (TOML removes the
/// backslash, the newline and the next line's leading whitespace, and the
/// wrap only happens before a non-space character, so the value is unchanged).
pub(super) fn prose(s: &str) -> String {
    if !s.contains('\n') && s.len() <= SHORT {
        return one_line(s);
    }
    let escaped = escape(s, true);
    let wrapped: Vec<String> = escaped.split('\n').map(wrap_line).collect();
    format!("\"\"\"\n{}\"\"\"", wrapped.join("\n"))
}

fn wrap_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while rest.chars().count() > WRAP {
        // Break after a space that is followed by a non-space, as late as fits.
        let mut cut = None;
        for (n, (i, c)) in rest.char_indices().enumerate() {
            if n > WRAP {
                break;
            }
            if c == ' ' && rest[i + 1..].starts_with(|n: char| n != ' ' && n != '\t') {
                cut = Some(i + 1);
            }
        }
        let Some(cut) = cut.filter(|c| *c > 1) else {
            break;
        };
        out.push_str(&rest[..cut]);
        out.push_str("\\\n");
        rest = &rest[cut..];
    }
    out.push_str(rest);
    out
}

/// Escapes for a basic string: backslash, quote, control characters;
/// newlines stay literal in a multi-line string.
fn escape(s: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' if multiline => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
