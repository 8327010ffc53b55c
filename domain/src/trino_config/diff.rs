//! What changed between two pushes of a cluster's configuration: files
//! added and removed, and in a changed file each key (or `jvm.config`
//! option) added, removed or given another value, with the line it is on
//! now. Values are the stored ones, so a secret shows as `<redacted>` on
//! both sides and a change of a secret alone is not visible.

use super::properties::parse;
use super::snapshot::{ConfigSnapshot, SnapshotFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One key's change within a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChange {
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Its line in the newer file (the older one's when removed).
    pub line: usize,
}

/// One file's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FileChange {
    Added { name: String, keys: usize },
    Removed { name: String },
    Changed { name: String, keys: Vec<KeyChange> },
}

impl FileChange {
    /// How many keys the change touches (an added file counts its keys,
    /// a removed one counts one).
    pub fn weight(&self) -> usize {
        match self {
            FileChange::Added { keys, .. } => *keys,
            FileChange::Removed { .. } => 1,
            FileChange::Changed { keys, .. } => keys.len(),
        }
    }
}

/// The keys of a stored file with their values and lines.
fn keys_of(f: &SnapshotFile) -> BTreeMap<String, (String, usize)> {
    if f.name.ends_with("jvm.config") {
        // Options have no key: each option is its own key, and a changed
        // value shows as one option removed and one added.
        return f
            .text
            .lines()
            .enumerate()
            .map(|(i, l)| (l.trim(), i + 1))
            .filter(|(l, _)| !l.is_empty() && !l.starts_with('#'))
            .map(|(l, n)| (l.to_string(), (String::new(), n)))
            .collect();
    }
    if super::set::is_resource_groups_json(&f.name) {
        // Keys are JSON paths; lines are not kept for JSON (0).
        fn walk(v: &serde_json::Value, path: String, out: &mut BTreeMap<String, (String, usize)>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, v) in m {
                        walk(
                            v,
                            if path.is_empty() {
                                k.clone()
                            } else {
                                format!("{path}.{k}")
                            },
                            out,
                        );
                    }
                }
                serde_json::Value::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        walk(v, format!("{path}[{i}]"), out);
                    }
                }
                other => {
                    out.insert(path, (other.to_string(), 0));
                }
            }
        }
        let mut out = BTreeMap::new();
        if let Ok(v) = serde_json::from_str(&f.text) {
            walk(&v, String::new(), &mut out);
        }
        return out;
    }
    if super::set::is_yaml(&f.name) {
        return super::manifest::parse_yaml(&f.name, &f.text)
            .map(|docs| {
                super::manifest::flatten(&docs)
                    .into_iter()
                    .map(|(k, v, line)| (k, (v, line)))
                    .collect()
            })
            .unwrap_or_default();
    }
    parse(&f.name, &f.text)
        .map(|p| {
            p.entries
                .into_iter()
                .map(|e| (e.key, (e.value, e.line)))
                .collect()
        })
        .unwrap_or_default()
}

/// The changes from `before` to `after` (`None`: the first push, where
/// every file is new), by file name.
pub fn diff(before: Option<&ConfigSnapshot>, after: &ConfigSnapshot) -> Vec<FileChange> {
    let old: BTreeMap<&str, &SnapshotFile> = before
        .map(|b| b.files.iter().map(|f| (f.name.as_str(), f)).collect())
        .unwrap_or_default();
    let new: BTreeMap<&str, &SnapshotFile> =
        after.files.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut out = Vec::new();
    for (name, f) in &new {
        match old.get(name) {
            None => out.push(FileChange::Added {
                name: name.to_string(),
                keys: keys_of(f).len(),
            }),
            Some(o) if o.sha256 == f.sha256 => {}
            Some(o) => {
                let (a, b) = (keys_of(o), keys_of(f));
                let mut keys = Vec::new();
                for (k, (v, line)) in &b {
                    match a.get(k) {
                        Some((old_v, _)) if old_v == v => {}
                        old_v => keys.push(KeyChange {
                            key: k.clone(),
                            before: old_v.map(|(v, _)| v.clone()),
                            after: Some(v.clone()),
                            line: *line,
                        }),
                    }
                }
                for (k, (v, line)) in &a {
                    if !b.contains_key(k) {
                        keys.push(KeyChange {
                            key: k.clone(),
                            before: Some(v.clone()),
                            after: None,
                            line: *line,
                        });
                    }
                }
                keys.sort_by(|x, y| (x.line, &x.key).cmp(&(y.line, &y.key)));
                // A file that differs only in comments or layout changes no key.
                if !keys.is_empty() {
                    out.push(FileChange::Changed {
                        name: name.to_string(),
                        keys,
                    });
                }
            }
        }
    }
    for name in old.keys() {
        if !new.contains_key(name) {
            out.push(FileChange::Removed {
                name: name.to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trino_config::snapshot::snapshot;

    fn snap(list: &[(&str, &str)]) -> ConfigSnapshot {
        let files: Vec<(String, String)> = list
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        snapshot(&files).unwrap_or_default()
    }

    #[test]
    fn keys_added_removed_and_changed_are_listed_with_their_lines() {
        let a = snap(&[
            (
                "etc/config.properties",
                "coordinator=true\nquery.max-memory=50GB\nold=1\n",
            ),
            ("etc/jvm.config", "-Xmx16G\n-XX:+UseG1GC\n"),
            ("etc/catalog/gone.properties", "connector.name=memory\n"),
        ]);
        let b = snap(&[
            (
                "etc/config.properties",
                "# comment\ncoordinator=true\nquery.max-memory=80GB\nnew=2\n",
            ),
            ("etc/jvm.config", "-Xmx32G\n-XX:+UseG1GC\n"),
            ("etc/catalog/hive.properties", "connector.name=hive\na=b\n"),
        ]);
        let d = diff(Some(&a), &b);
        assert_eq!(
            d,
            vec![
                FileChange::Added {
                    name: "etc/catalog/hive.properties".into(),
                    keys: 2
                },
                FileChange::Changed {
                    name: "etc/config.properties".into(),
                    keys: vec![
                        KeyChange {
                            key: "old".into(),
                            before: Some("1".into()),
                            after: None,
                            line: 3
                        },
                        KeyChange {
                            key: "query.max-memory".into(),
                            before: Some("50GB".into()),
                            after: Some("80GB".into()),
                            line: 3
                        },
                        KeyChange {
                            key: "new".into(),
                            before: None,
                            after: Some("2".into()),
                            line: 4
                        },
                    ]
                },
                FileChange::Changed {
                    name: "etc/jvm.config".into(),
                    keys: vec![
                        KeyChange {
                            key: "-Xmx16G".into(),
                            before: Some(String::new()),
                            after: None,
                            line: 1
                        },
                        KeyChange {
                            key: "-Xmx32G".into(),
                            before: None,
                            after: Some(String::new()),
                            line: 1
                        },
                    ]
                },
                FileChange::Removed {
                    name: "etc/catalog/gone.properties".into()
                },
            ]
        );
        assert_eq!(
            d.iter().map(FileChange::weight).sum::<usize>(),
            2 + 3 + 2 + 1
        );
        assert!(
            diff(Some(&b), &b).is_empty(),
            "the same push changes nothing"
        );
        let first = diff(None, &a);
        assert_eq!(first.len(), 3);
        assert!(first.iter().all(|c| matches!(c, FileChange::Added { .. })));
    }

    #[test]
    fn a_changed_secret_is_not_visible_and_comments_change_nothing() {
        let a = snap(&[("etc/config.properties", "ldap.bind-password=one\nx=1\n")]);
        let b = snap(&[("etc/config.properties", "ldap.bind-password=two\nx=1\n")]);
        assert!(diff(Some(&a), &b).is_empty());
        let c = snap(&[(
            "etc/config.properties",
            "# note\nldap.bind-password=two\nx=1\n",
        )]);
        assert!(diff(Some(&a), &c).is_empty());
    }
}
