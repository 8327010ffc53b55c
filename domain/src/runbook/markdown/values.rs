//! The runbook file's string styles as toml_edit values: one-line strings,
//! code kept verbatim, prose wrapped, lists of steps. toml_writer encodes
//! (escapes) each string in the style asked for; toml_edit reads that back
//! and keeps it as written.

use toml_edit::{Array, Value};
use toml_writer::{ToTomlValue, TomlStringBuilder};

const WRAP: usize = 88;
const SHORT: usize = 80;

/// A basic string on one line: newlines escaped.
pub(super) fn one_line(s: &str) -> Value {
    held(TomlStringBuilder::new(s).as_basic().to_toml_value(), s)
}

/// Code: one line when it has no newline, else a multi-line string, never
/// re-wrapped.
pub(super) fn code(s: &str) -> Value {
    if s.contains('\n') {
        held(multi_line(s), s)
    } else {
        one_line(s)
    }
}

/// Code in a field the parser trims (config, verify steps): like [`code`],
/// with the closing quotes on a line of their own.
pub(super) fn block(s: &str) -> Value {
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
pub(super) fn prose(s: &str) -> Value {
    if !s.contains('\n') && s.len() <= SHORT {
        return one_line(s);
    }
    let encoded = multi_line(s);
    let body = encoded
        .strip_prefix("\"\"\"")
        .and_then(|b| b.strip_suffix("\"\"\""))
        .unwrap_or(&encoded);
    // The encoder opens with a newline only when the text has one; the
    // wrapped form always does (TOML drops a newline right after the quotes).
    let body = body.strip_prefix('\n').unwrap_or(body);
    let wrapped: Vec<String> = body.split('\n').map(wrap_line).collect();
    held(format!("\"\"\"\n{}\"\"\"", wrapped.join("\n")), s)
}

/// Steps: none, one short step on the line, or one step per line.
pub(super) fn steps(steps: &[String]) -> Option<Value> {
    let mut array = Array::new();
    match steps {
        [] => return None,
        [one] if !one.contains('\n') && one.len() <= SHORT => array.push_formatted(block(one)),
        many => {
            for step in many {
                let mut value = block(step);
                value.decor_mut().set_prefix("\n  ");
                value.decor_mut().set_suffix("");
                array.push_formatted(value);
            }
            array.set_trailing_comma(true);
            array.set_trailing("\n");
        }
    }
    Some(Value::Array(array))
}

/// A multi-line basic string: `"""`, a newline when the text has one, the
/// text with what must be escaped escaped, `"""`.
fn multi_line(s: &str) -> String {
    TomlStringBuilder::new(s).as_ml_basic().to_toml_value()
}

/// The value written as `repr`; toml_edit's own style for `s` should the
/// repr not read back (it always does: it came from the encoder).
fn held(repr: String, s: &str) -> Value {
    repr.parse().unwrap_or_else(|_| Value::from(s))
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
