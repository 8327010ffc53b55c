//! Trino's property files (`config.properties`, `node.properties`, catalog
//! files, `exchange-manager.properties`, …) read as Trino reads them.
//!
//! Trino loads them with `java.util.Properties.load`: a key ends at the first
//! unescaped `=`, `:` or white space; `#` and `!` start comment lines; a line
//! ending in an odd number of backslashes continues on the next one, whose
//! leading white space is dropped; `\t`, `\n`, `\r`, `\f` and `\uXXXX` are
//! escapes and any other escaped character stands for itself. A malformed
//! `\u` escape makes Java throw, so the server does not start: that, a
//! continuation at the end of the file and an empty key are errors here,
//! each with its file and line. A key set twice keeps its last value (as
//! `Properties` does) and is reported.

use std::fmt;

/// One `key = value` with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// A property file, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Properties {
    /// In file order; a key set twice appears once, with its last value and
    /// the line of that last setting.
    pub entries: Vec<Property>,
    /// Keys set more than once: (key, the earlier line, the later line).
    pub duplicates: Vec<(String, usize, usize)>,
}

impl Properties {
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.entries.iter().find(|p| p.key == key)
    }

    pub fn value(&self, key: &str) -> Option<&str> {
        self.get(key).map(|p| p.value.as_str())
    }
}

/// Why a file cannot be read as Trino would, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses one property file's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Properties, ParseError> {
    let err = |line: usize, message: String| ParseError {
        file: file.to_string(),
        line,
        message,
    };
    // Entries with the earlier settings of a key taken out (`None`).
    struct Building {
        entries: Vec<Option<Property>>,
        duplicates: Vec<(String, usize, usize)>,
    }
    let mut out = Building {
        entries: Vec::new(),
        duplicates: Vec::new(),
    };
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in logical_lines(text) {
        let Logical {
            start,
            text: logical,
            ..
        } = l.map_err(|m| err(m.0, m.1))?;
        let (raw_key, raw_value) = split_key(&logical);
        let key = unescape(raw_key).map_err(|m| err(start, m))?;
        let value = unescape(raw_value).map_err(|m| err(start, m))?;
        if key.is_empty() {
            return Err(err(
                start,
                "a property with no name (the line starts with its separator)".into(),
            ));
        }
        // Where each key stands in `entries`, so a file of many keys
        // parses in linear time; a key set again moves to its new place.
        if let Some(i) = index.remove(&key) {
            if let Some(earlier) = out.entries[i].take() {
                out.duplicates.push((key.clone(), earlier.line, start));
            }
        }
        index.insert(key.clone(), out.entries.len());
        out.entries.push(Some(Property {
            key,
            value,
            line: start,
        }));
    }
    Ok(Properties {
        entries: out.entries.into_iter().flatten().collect(),
        duplicates: out.duplicates,
    })
}

/// One logical line: its first and last physical lines (1-based) and its
/// text with continuations joined.
pub(crate) struct Logical {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The logical lines of a property file, comments and blank lines left
/// out; a continuation into the end of the file is an error (line, why).
pub(crate) fn logical_lines(
    text: &str,
) -> impl Iterator<Item = Result<Logical, (usize, String)>> + '_ {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    std::iter::from_fn(move || loop {
        let (start, first) = lines.next()?;
        let trimmed = first.trim_start_matches([' ', '\t', '\x0c']);
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        // Join continuation lines into one logical line.
        let mut logical = String::from(trimmed);
        let mut end = start;
        while ends_with_odd_backslashes(&logical) {
            logical.pop();
            match lines.next() {
                Some((n, next)) => {
                    end = n;
                    logical.push_str(next.trim_start_matches([' ', '\t', '\x0c']));
                }
                None => {
                    return Some(Err((
                        start,
                        "the last line ends with a backslash that continues it into nothing".into(),
                    )))
                }
            }
        }
        return Some(Ok(Logical {
            start,
            end,
            text: logical,
        }));
    })
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1
}

/// Splits a logical line at the key's end: the first unescaped `=`, `:` or
/// white space; white space around a `=` or `:` belongs to neither side.
pub(crate) fn split_key(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = line.len();
    for (i, ch) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '=' | ':' | ' ' | '\t' | '\x0c' => {
                key_end = i;
                break;
            }
            _ => {}
        }
    }
    let key = &line[..key_end];
    let rest = line[key_end..].trim_start_matches([' ', '\t', '\x0c']);
    let rest = rest
        .strip_prefix('=')
        .or_else(|| rest.strip_prefix(':'))
        .map_or(rest, |r| r.trim_start_matches([' ', '\t', '\x0c']));
    (key, rest)
}

pub(crate) fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .ok_or_else(|| {
                        // The characters are not shown: they may be part of a secret.
                        "malformed \\u escape (Java refuses to load the file)".to_string()
                    })?;
                // A lone surrogate half becomes U+FFFD rather than failing.
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_java_properties_accept() {
        let text = "\
# a comment
! another
coordinator=true
node-scheduler.include-coordinator = false
http-server.http.port: 8080
query.max-memory 50GB
discovery.uri=http://example.net:8080/a=b
spill-enabled=
";
        let p = parse("config.properties", text).unwrap();
        assert_eq!(p.value("coordinator"), Some("true"));
        assert_eq!(p.value("node-scheduler.include-coordinator"), Some("false"));
        assert_eq!(p.value("http-server.http.port"), Some("8080"));
        assert_eq!(p.value("query.max-memory"), Some("50GB"));
        assert_eq!(
            p.value("discovery.uri"),
            Some("http://example.net:8080/a=b")
        );
        assert_eq!(p.value("spill-enabled"), Some(""));
        assert_eq!(p.get("query.max-memory").map(|e| e.line), Some(6));
        assert_eq!(p.entries.len(), 6);
    }

    #[test]
    fn continuations_and_escapes_are_joined_and_decoded() {
        let text = "a=one,\\\n    two,\\\n  three\nb=tab\\there\\u0041\nc\\=d=e\nkey\\ with\\ space = x\nback=slash\\\\\n";
        let p = parse("f", text).unwrap();
        assert_eq!(p.value("a"), Some("one,two,three"));
        assert_eq!(
            p.get("b").map(|e| e.line),
            Some(4),
            "the line after the joined ones"
        );
        assert_eq!(p.value("b"), Some("tab\thereA"));
        assert_eq!(p.value("c=d"), Some("e"));
        assert_eq!(p.value("key with space"), Some("x"));
        assert_eq!(
            p.value("back"),
            Some("slash\\"),
            "an even run of backslashes does not continue"
        );
    }

    #[test]
    fn malformed_files_name_their_file_and_line() {
        let e = parse(
            "etc/catalog/hive.properties",
            "connector.name=hive\nhive.x=\\u12G4\n",
        )
        .unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line),
            ("etc/catalog/hive.properties", 2)
        );
        assert!(e.message.contains("malformed \\u escape"), "{e}");
        // The characters are not echoed: they may be part of a secret.
        assert!(!e.message.contains("12G4"), "{e}");
        assert_eq!(
            e.to_string().split(':').next(),
            Some("etc/catalog/hive.properties")
        );
        let e = parse("f", "a=1\nb=2\\").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("continues"));
        let e = parse("f", "a=1\n\n = x\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("no name"));
    }

    #[test]
    fn a_key_set_twice_keeps_the_last_value_and_is_reported() {
        let p = parse("f", "a=1\nb=2\na=3\n").unwrap();
        assert_eq!(p.value("a"), Some("3"));
        assert_eq!(p.get("a").map(|e| e.line), Some(3));
        assert_eq!(p.duplicates, vec![("a".to_string(), 1, 3)]);
        assert_eq!(p.entries.len(), 2);
    }
}
