//! A pushed configuration as it is kept: each file's name, its text as
//! stored (every secret value redacted, see [`super::redact`]) and the
//! SHA-256 of that stored text. A push is refused whole, with every
//! problem named by file (and line), when any file cannot be read as Trino
//! would read it: nothing of a bad push is kept.

use super::manifest::{parse_yaml, redact_yaml_text};
use super::redact::{normalize_newlines, redact_jvm_text, redact_properties_text};
use super::set::{config_set, is_config_file, is_resource_groups_json, is_trino_manifest, is_yaml};
use super::verdicts::ConfigSet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// More files than a cluster's configuration holds.
pub const MAX_FILES: usize = 500;
/// No configuration file is this large.
pub const MAX_FILE_BYTES: usize = 512 * 1024;
/// The longest file name kept.
pub const MAX_NAME_CHARS: usize = 200;

/// One file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFile {
    /// As pushed, relative with `/`: `coordinator/etc/config.properties`.
    pub name: String,
    /// Hex SHA-256 of `text`.
    pub sha256: String,
    /// The text as stored: secret values redacted, every line where it was.
    pub text: String,
}

/// The files of one push, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSnapshot {
    pub files: Vec<SnapshotFile>,
}

/// What is wrong with a pushed file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushProblem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PushProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

fn problem(file: &str, message: impl Into<String>) -> PushProblem {
    PushProblem {
        file: shown_name(file),
        line: None,
        message: message.into(),
    }
}

/// A name as it may be shown back: control characters replaced, clipped.
fn shown_name(name: &str) -> String {
    name.chars()
        .take(MAX_NAME_CHARS)
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Marks that reorder how text is shown (U+202A–U+202E, U+2066–U+2069),
/// which would make a name read as another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Why a name is not one a snapshot keeps, if it is not.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a file without a name".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Some(format!("a name longer than {MAX_NAME_CHARS} characters"));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '\\' || is_bidi_control(c))
    {
        return Some(
            "a name with a control character, a text-direction mark or a backslash".into(),
        );
    }
    if name.starts_with('/')
        || name
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Some(
            "give a relative path such as etc/config.properties (no /, . or .. parts)".into(),
        );
    }
    if !is_config_file(name) {
        return Some("not a Trino configuration file (*.properties, jvm.config or a TrinoCluster YAML manifest)".into());
    }
    None
}

/// Checks and stores the pushed files (name, text): every problem of every
/// file is reported, not just the first.
pub fn snapshot(files: &[(String, String)]) -> Result<ConfigSnapshot, Vec<PushProblem>> {
    // Every line ends in `\n` from here on, as Java and YAML end lines at
    // `\r` too: the redaction, the hashes and the stored text all see the
    // lines Trino sees.
    let normalized: Vec<(String, String)> = files
        .iter()
        .map(|(n, t)| (n.clone(), normalize_newlines(t).into_owned()))
        .collect();
    let files = &normalized[..];
    let mut problems = Vec::new();
    if files.is_empty() {
        problems.push(problem(
            "(push)",
            "no files: push at least config.properties",
        ));
    }
    if files.len() > MAX_FILES {
        problems.push(problem(
            "(push)",
            format!("{} files; a push holds at most {MAX_FILES}", files.len()),
        ));
        return Err(problems);
    }
    let mut seen = std::collections::HashSet::new();
    for (name, text) in files {
        if let Some(why) = name_problem(name) {
            problems.push(problem(name, why));
        } else if !seen.insert(name.as_str()) {
            problems.push(problem(name, "pushed twice"));
        }
        if text.len() > MAX_FILE_BYTES {
            problems.push(problem(
                name,
                format!(
                    "{} bytes; a file holds at most {MAX_FILE_BYTES}",
                    text.len()
                ),
            ));
        }
        if text.contains('\0') {
            problems.push(problem(name, "a NUL byte: not a text file"));
        }
        if is_yaml(name) && !is_trino_manifest(text) {
            // Other YAML (Helm values, Secrets, other resources) may hold
            // anything: it is not read, so it is not stored either.
            problems.push(problem(
                name,
                "names no TrinoCluster: only TrinoCluster manifests are read, leave other YAML out",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    config_set(files).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| PushProblem {
                file: shown_name(&e.file),
                line: Some(e.line),
                message: e.message,
            })
            .collect::<Vec<_>>()
    })?;
    let mut kept = Vec::new();
    for (name, text) in files {
        let text = if name.ends_with("jvm.config") {
            redact_jvm_text(text)
        } else if is_resource_groups_json(name) {
            // Groups, limits and selectors: nothing secret by format.
            text.clone()
        } else if is_yaml(name) {
            // It parsed above; a secret it cannot redact safely refuses
            // the push at its line.
            match parse_yaml(name, text).and_then(|docs| redact_yaml_text(name, &docs, text)) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(PushProblem {
                        file: shown_name(&e.file),
                        line: Some(e.line),
                        message: e.message,
                    });
                    continue;
                }
            }
        } else {
            redact_properties_text(text)
        };
        kept.push(SnapshotFile {
            name: name.clone(),
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            text,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ConfigSnapshot { files: kept })
}

impl ConfigSnapshot {
    /// The configuration the verdicts read. Stored texts parse as their
    /// originals did (redaction keeps every key on its line).
    pub fn config_set(&self) -> ConfigSet {
        let files: Vec<(String, String)> = self
            .files
            .iter()
            .map(|f| (f.name.clone(), f.text.clone()))
            .collect();
        config_set(&files).unwrap_or_default()
    }

    /// The snapshot as kept: JSON, the attachment of its push's ledger row.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(json: &str) -> Option<ConfigSnapshot> {
        serde_json::from_str(json).ok()
    }

    /// What the push's ledger row records of each file.
    pub fn summary(&self) -> Vec<PushedFileSummary> {
        self.files
            .iter()
            .map(|f| PushedFileSummary {
                name: f.name.clone(),
                sha256: f.sha256.clone(),
                lines: f.text.lines().count(),
            })
            .collect()
    }
}

/// One file as a push's ledger row names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedFileSummary {
    pub name: String,
    pub sha256: String,
    pub lines: usize,
}

/// A push's ledger row `details`: each file's stored SHA-256, the
/// snapshot kept as evidence (by the SHA-256 of its JSON, an attachment of
/// the row) and how many keys changed since the previous push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigPushDetails {
    pub files: Vec<PushedFileSummary>,
    pub snapshot_sha256: String,
    /// The push's source, as the pipeline named it (a commit, a job URL).
    #[serde(default)]
    pub source: String,
    pub changes: usize,
}

impl ConfigPushDetails {
    pub fn parse(details: &str) -> Option<ConfigPushDetails> {
        serde_json::from_str(details).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn a_push_is_kept_sorted_redacted_and_hashed_as_stored() {
        let s = snapshot(&files(&[
            ("etc/jvm.config", "-Xmx8G\n"),
            (
                "etc/config.properties",
                "coordinator=true\nhttp-server.https.keystore.key=hunter2\n",
            ),
        ]))
        .unwrap_or_default();
        assert_eq!(s.files.len(), 2);
        assert_eq!(s.files[0].name, "etc/config.properties");
        assert!(!s.to_json().contains("hunter2"));
        assert_eq!(
            s.files[0].sha256,
            hex::encode(Sha256::digest(s.files[0].text.as_bytes()))
        );
        let set = s.config_set();
        assert_eq!(set.files.len(), 1);
        assert_eq!(set.jvm.len(), 1);
        assert_eq!(ConfigSnapshot::from_json(&s.to_json()), Some(s.clone()));
        assert_eq!(s.summary()[0].lines, 2);
    }

    #[test]
    fn every_problem_of_a_bad_push_is_named_and_nothing_is_kept() {
        let long = "x".repeat(MAX_FILE_BYTES + 1);
        let problems = snapshot(&files(&[
            ("../etc/config.properties", "a=1"),
            ("/etc/config.properties", "a=1"),
            ("etc/trino.yaml", "kind: TrinoCluster\nspec: [\n"),
            ("etc/notes.txt", "hello"),
            ("etc/big.properties", &long),
            ("etc/a.properties", "a=1"),
            ("etc/a.properties", "a=2"),
            ("etc/nul.properties", "a=\0"),
        ]))
        .err()
        .unwrap_or_default();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 6, "{text:#?}");
        assert!(text[0].starts_with("../etc/config.properties: give a relative path"));
        assert!(text[2].contains("not a Trino configuration file"));
        assert!(text[3].contains("at most"));
        assert!(text[4].contains("pushed twice"));

        let problems = snapshot(&files(&[
            ("etc/config.properties", "ok=1\n=novalue\n"),
            ("etc/catalog/hive.properties", "a=\\u12"),
        ]))
        .err()
        .unwrap_or_default();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "etc/config.properties:2: a property with no name (the line starts with its separator)",
                "etc/catalog/hive.properties:1: malformed \\u escape (Java refuses to load the file)"
            ]
        );
        assert_eq!(snapshot(&[]).err().map(|p| p.len()), Some(1));
    }

    #[test]
    fn control_characters_in_a_name_are_not_echoed() {
        let problems = snapshot(&files(&[("etc/\u{1b}[31mx.properties", "a=1")]))
            .err()
            .unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].file.contains('\u{1b}'));
    }
}
