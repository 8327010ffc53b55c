//! CSV rows as RFC 4180 says: fields with a comma, quote or line break are
//! quoted, quotes doubled; lines end with CRLF.
//!
//! Cells a person may have typed are written with [`protect`] (see
//! [`safe_row`]): spreadsheets run a cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return as a formula (CSV formula injection), so
//! such a cell gets a leading `'`, which makes it plain text. A cell that
//! already starts with `'` gets one too, so that [`unprotect`] (strip exactly
//! one leading `'` when there is one) gives back every cell exactly.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula,
/// and `'`, which [`protect`] itself adds.
const NEEDS_QUOTE: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// A cell as it is written: `'` before one that a spreadsheet would run as a
/// formula (or that starts with `'` already); others unchanged.
pub fn protect(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(NEEDS_QUOTE) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell as it was before [`protect`]: one leading `'` removed, if any.
pub fn unprotect(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// [`row`] with every cell [`protect`]ed.
pub fn safe_row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    push_safe_row(&mut line, cells);
    line
}

/// Appends [`safe_row`] to `out` without a line of its own: exports write
/// thousands of rows into one buffer.
pub fn push_safe_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_safe_field(out, c.as_ref());
    }
    out.push_str("\r\n");
}

/// Appends one [`protect`]ed cell, quoted as [`field`] would.
pub fn push_safe_field(out: &mut String, text: &str) {
    if text.starts_with(NEEDS_QUOTE) {
        push_field(out, &format!("'{text}"));
    } else {
        push_field(out, text);
    }
}

pub fn field(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_field(&mut out, text);
    out
}

/// Appends one cell, quoted when it holds a comma, quote or line break.
pub fn push_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        for part in text.split_inclusive('"') {
            out.push_str(part);
            if part.ends_with('"') {
                out.push('"');
            }
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

pub fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, c.as_ref());
    }
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(
            row(&["a", "b c", "x,y", "say \"hi\"", "two\nlines"]),
            "a,b c,\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(row::<&str>(&[]), "\r\n");
    }

    #[test]
    fn formula_cells_are_quoted_and_come_back_exactly() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tnote after a tab", "'\tnote after a tab"),
            ("\rcarriage", "'\rcarriage"),
            ("'=x", "''=x"),
            ("'x", "''x"),
            ("'", "''"),
            ("plain", "plain"),
            ("a = b", "a = b"),
            ("", ""),
            ("1", "1"),
            (" =x", " =x"),
        ] {
            assert_eq!(protect(cell), written, "{cell:?}");
            assert_eq!(unprotect(&protect(cell)), cell, "{cell:?} round trip");
        }
        assert_eq!(unprotect("'=x"), "=x");
        assert_eq!(unprotect("''x"), "'x", "exactly one quote is stripped");
        assert_eq!(unprotect("x"), "x");
        assert_eq!(
            safe_row(&["1", "=cmd", "a,b", "-x,y"]),
            "1,'=cmd,\"a,b\",\"'-x,y\"\r\n"
        );
        assert_eq!(safe_row(&["\tx"]), "'\tx\r\n");
    }
}
