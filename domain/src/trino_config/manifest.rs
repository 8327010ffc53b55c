//! Stackable `TrinoCluster` manifests (YAML, one or more documents per
//! file; documents of other kinds are skipped): what the graceful-shutdown
//! items read, each value with its line.
//!
//! The operator's documented behaviour (the graceful-shutdown seed, and
//! trino-operator 25.11.0 for fault-tolerant execution): workers get
//! `gracefulShutdownTimeout` 1h and coordinators 15m unless set; a role
//! group's `config` overrides its role's; the operator sets
//! `query.max-execution-time` to the smallest worker grace period unless
//! `spec.clusterConfig.faultTolerantExecution` is set or a
//! `configOverrides` of `config.properties` sets it; graceful shutdown
//! needs OPA authorization (`spec.clusterConfig.authorization.opa`).

use super::properties::ParseError;
use super::redact::{stored_value, REDACTED};
use crate::preflight::Place;
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// A YAML node reduced to what the rules read, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    /// 0-based, in characters.
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Entries in document order, each key with its own line.
    Map(Vec<(String, usize, Node)>),
    Seq(Vec<Node>),
    Scalar(String),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, usize, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }
}

fn scalar_text(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Null => String::new(),
        Scalar::Boolean(b) => b.to_string(),
        Scalar::Integer(i) => i.to_string(),
        Scalar::FloatingPoint(f) => f.to_string(),
        Scalar::String(s) => s.to_string(),
    }
}

fn convert(n: &MarkedYaml<'_>) -> Node {
    let line = n.span.start.line();
    let col = n.span.start.col();
    let end_line = n.span.end.line().max(line);
    let end_col = n.span.end.col();
    let kind = match &n.data {
        YamlData::Value(s) => Kind::Scalar(scalar_text(s)),
        YamlData::Representation(text, ..) => Kind::Scalar(text.to_string()),
        YamlData::Sequence(items) => Kind::Seq(items.iter().map(convert).collect()),
        YamlData::Mapping(map) => Kind::Map(
            map.iter()
                .map(|(k, v)| {
                    let key = convert(k);
                    let text = key.text().unwrap_or_default().to_string();
                    (text, key.line, convert(v))
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner),
        _ => Kind::Scalar(String::new()),
    };
    Node {
        line,
        col,
        end_line,
        end_col,
        kind,
    }
}

/// The deepest nesting a pushed manifest may have (a TrinoCluster needs
/// about ten levels): deeper input would make the tree walks recurse
/// without bound.
pub const MAX_DEPTH: usize = 64;

/// Every document of a YAML file; a malformed file is an error with its
/// line. Before the tree is built, one pass over the parser's events
/// refuses nesting deeper than [`MAX_DEPTH`] and aliases (a value brought
/// from elsewhere by `*name` would escape the line-by-line redaction).
pub fn parse_yaml(file: &str, text: &str) -> Result<Vec<Node>, ParseError> {
    use saphyr_parser::{Event, Parser};
    let err = |line: usize, message: String| ParseError {
        file: file.to_string(),
        line,
        message,
    };
    let mut depth = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) =
            event.map_err(|e| err(e.marker().line(), format!("not YAML: {}", e.info())))?;
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(err(
                        span.start.line(),
                        format!(
                            "nested deeper than {MAX_DEPTH} levels: not a TrinoCluster manifest"
                        ),
                    ));
                }
            }
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            Event::Alias(_) => {
                return Err(err(
                    span.start.line(),
                    "an alias (*name): write the value out, so that what is stored can be redacted"
                        .into(),
                ))
            }
            _ => {}
        }
    }
    MarkedYaml::load_from_str(text)
        .map(|docs| docs.iter().map(convert).collect())
        .map_err(|e| err(e.marker().line(), format!("not YAML: {}", e.info())))
}

/// A value and where it was set.
pub type At<T> = (T, Place);

/// One role group of a role, with its role's settings where it sets none.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleGroup {
    pub role: Role,
    pub name: String,
    pub replicas: Option<At<i64>>,
    /// Seconds, and where; `None`: the operator's default.
    pub grace: Option<At<f64>>,
    pub secret_lifetime: Option<At<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Coordinators,
    Workers,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Role::Coordinators => "coordinators",
            Role::Workers => "workers",
        }
    }

    /// The operator's default grace period, in seconds.
    pub fn default_grace(self) -> f64 {
        match self {
            Role::Coordinators => 15.0 * 60.0,
            Role::Workers => 3600.0,
        }
    }
}

/// What the rules read of one `TrinoCluster`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Manifest {
    pub file: String,
    pub name: String,
    pub groups: Vec<RoleGroup>,
    pub fault_tolerant: Option<Place>,
    pub opa: Option<At<String>>,
    /// `query.max-execution-time` from a `configOverrides` of
    /// `config.properties` on the coordinators (role or group).
    pub max_execution_time: Option<At<String>>,
}

/// Seconds in a Kubernetes-style duration: `1h`, `15m`, `1h30m`, `14d`,
/// `90s`, `500ms`.
pub fn k8s_duration(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// The TrinoClusters of a file's documents (none: not a Trino manifest).
pub fn manifests(file: &str, docs: &[Node]) -> Result<Vec<Manifest>, ParseError> {
    let place = |line: usize| Place {
        file: file.to_string(),
        line,
    };
    let mut out = Vec::new();
    for doc in docs {
        if doc.get("kind").and_then(Node::text) != Some("TrinoCluster") {
            continue;
        }
        let mut m = Manifest {
            file: file.to_string(),
            name: doc
                .path(&["metadata", "name"])
                .and_then(Node::text)
                .unwrap_or_default()
                .to_string(),
            ..Manifest::default()
        };
        let spec = doc.get("spec");
        m.fault_tolerant = spec
            .and_then(|s| s.path(&["clusterConfig", "faultTolerantExecution"]))
            .map(|n| place(n.line));
        m.opa = spec
            .and_then(|s| s.path(&["clusterConfig", "authorization", "opa", "configMapName"]))
            .and_then(|n| Some((n.text()?.to_string(), place(n.line))));
        for role in [Role::Coordinators, Role::Workers] {
            let Some(r) = spec.and_then(|s| s.get(role.key())) else {
                continue;
            };
            let grace_of = |n: &Node| -> Result<Option<At<f64>>, ParseError> {
                match n.path(&["config", "gracefulShutdownTimeout"]) {
                    None => Ok(None),
                    Some(g) => {
                        let text = g.text().unwrap_or_default();
                        match k8s_duration(text) {
                            Some(secs) => Ok(Some((secs, place(g.line)))),
                            None => Err(ParseError {
                                file: file.to_string(),
                                line: g.line,
                                message: format!(
                                    "gracefulShutdownTimeout '{text}' is not a duration like 1h or 15m"
                                ),
                            }),
                        }
                    }
                }
            };
            let lifetime_of = |n: &Node| {
                n.path(&["config", "requestedSecretLifetime"])
                    .and_then(|l| Some((l.text()?.to_string(), place(l.line))))
            };
            let max_time_of = |n: &Node| {
                n.path(&[
                    "configOverrides",
                    "config.properties",
                    "query.max-execution-time",
                ])
                .and_then(|l| Some((l.text()?.to_string(), place(l.line))))
            };
            let role_grace = grace_of(r)?;
            let role_lifetime = lifetime_of(r);
            if role == Role::Coordinators {
                m.max_execution_time = max_time_of(r);
            }
            let groups = r.get("roleGroups").map(Node::entries).unwrap_or_default();
            for (name, _, g) in groups {
                if role == Role::Coordinators {
                    if let Some(t) = max_time_of(g) {
                        m.max_execution_time = Some(t);
                    }
                }
                m.groups.push(RoleGroup {
                    role,
                    name: name.clone(),
                    replicas: g
                        .get("replicas")
                        .and_then(|n| Some((n.text()?.parse().ok()?, place(n.line)))),
                    grace: grace_of(g)?.or_else(|| role_grace.clone()),
                    secret_lifetime: lifetime_of(g).or_else(|| role_lifetime.clone()),
                });
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// Every scalar of a file's documents by its path (`spec.workers.config.
/// gracefulShutdownTimeout`; a later document's paths start with `#2.`),
/// with its value and line: what a diff compares.
pub fn flatten(docs: &[Node]) -> Vec<(String, String, usize)> {
    fn walk(n: &Node, path: String, out: &mut Vec<(String, String, usize)>) {
        let join = |p: &str, k: &str| {
            if p.is_empty() {
                k.to_string()
            } else {
                format!("{p}.{k}")
            }
        };
        match &n.kind {
            Kind::Scalar(v) => out.push((path, v.clone(), n.line)),
            Kind::Map(entries) => {
                for (k, _, v) in entries {
                    walk(v, join(&path, k), out);
                }
            }
            Kind::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let prefix = if i == 0 {
            String::new()
        } else {
            format!("#{}", i + 1)
        };
        walk(d, prefix, &mut out);
    }
    out
}

/// Where a secret value sits in a manifest: the key's line (for the
/// message) and the value node.
struct SecretAt<'a> {
    key_line: usize,
    value: &'a Node,
}

/// Every value a stored manifest must not keep: values of keys that name a
/// secret (anywhere in the document: `configOverrides`, `envOverrides`,
/// Pod overrides), values that carry one (a URL with a password), and the
/// `value` of an environment entry whose `name` names a secret.
fn secrets<'a>(n: &'a Node, out: &mut Vec<SecretAt<'a>>) {
    fn inner<'a>(n: &'a Node, out: &mut Vec<SecretAt<'a>>) {
        let entries = n.entries();
        let env_name_is_secret = entries
            .iter()
            .any(|(k, _, v)| k == "name" && v.text().is_some_and(super::redact::is_secret_key));
        for (key, key_line, v) in entries {
            let by_key =
                super::redact::is_secret_key(key) || (env_name_is_secret && key == "value");
            let hidden = match v.text() {
                Some(text) => stored_value(if by_key { "password" } else { key }, text) != text,
                None => by_key,
            };
            if hidden {
                out.push(SecretAt {
                    key_line: *key_line,
                    value: v,
                });
            } else {
                inner(v, out);
            }
        }
        if let Kind::Seq(items) = &n.kind {
            for i in items {
                inner(i, out);
            }
        }
    }
    inner(n, out);
}

/// A manifest's text as it may be stored: every secret value (see
/// [`secrets`]) replaced by `<redacted>` where it stood, every line kept
/// (a value on several lines leaves its other lines empty). The stored
/// text is parsed again and must hold the same keys with each secret
/// reading `<redacted>`; where it does not (a layout the rewrite cannot
/// handle safely) the push is refused at that line rather than stored.
pub fn redact_yaml_text(file: &str, docs: &[Node], text: &str) -> Result<String, ParseError> {
    let refuse = |line: usize| ParseError {
        file: file.to_string(),
        line,
        message: "a secret value this cannot redact safely (a list, a map, or text across lines): \
                  write it on one line, or as a ${ENV:…} reference"
            .into(),
    };
    let mut found = Vec::new();
    for d in docs {
        secrets(d, &mut found);
    }
    let mut lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    // Later values first, so earlier columns stay where they were.
    found.sort_by_key(|a| std::cmp::Reverse((a.value.line, a.value.col)));
    for at in &found {
        let v = at.value;
        if v.text().is_none() {
            return Err(refuse(at.key_line));
        }
        let Some(first) = lines.get_mut(v.line - 1) else {
            return Err(refuse(at.key_line));
        };
        let start = v.col.min(first.len());
        if v.end_line == v.line {
            let end = v.end_col.clamp(start, first.len());
            first.splice(start..end, REDACTED.chars());
        } else {
            // A value across lines: its first line ends in `<redacted>`,
            // and the lines after it that are deeper than its key, or up
            // to where the value ends, are emptied.
            first.truncate(start);
            first.extend(REDACTED.chars());
            let key_indent = lines
                .get(at.key_line - 1)
                .map_or(0, |l| l.iter().take_while(|c| c.is_whitespace()).count());
            for n in v.line + 1..=v.end_line {
                let Some(l) = lines.get_mut(n - 1) else { break };
                let indent = l.iter().take_while(|c| c.is_whitespace()).count();
                let blank = l.iter().all(|c| c.is_whitespace());
                if !blank && indent <= key_indent && n == v.end_line && v.end_col == 0 {
                    break;
                }
                l.clear();
            }
        }
    }
    let mut out = lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    // The check: the same keys, and every secret now `<redacted>`.
    let again = parse_yaml(file, &out).map_err(|e| refuse(e.line))?;
    let (before, after) = (flatten(docs), flatten(&again));
    let first_line = found.iter().map(|a| a.key_line).min().unwrap_or(1);
    if before.len() != after.len() || before.iter().zip(&after).any(|(a, b)| a.0 != b.0) {
        return Err(refuse(first_line));
    }
    let mut left = Vec::new();
    for d in &again {
        secrets(d, &mut left);
    }
    if let Some(at) = left.iter().find(|a| a.value.text() != Some(REDACTED)) {
        return Err(refuse(at.key_line));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
---
apiVersion: trino.stackable.tech/v1alpha1
kind: TrinoCluster
metadata:
  name: trino
spec:
  clusterConfig:
    authorization:
      opa:
        configMapName: opa
  coordinators:
    config:
      requestedSecretLifetime: 14d
    configOverrides:
      config.properties:
        query.max-execution-time: 24h
        ldap.bind-password: hunter2
    roleGroups:
      default:
        replicas: 1
  workers:
    config:
      gracefulShutdownTimeout: 1h
    roleGroups:
      default:
        replicas: 3
      fast:
        replicas: 2
        config:
          gracefulShutdownTimeout: 30m
";

    #[test]
    fn a_trino_cluster_is_read_with_lines_and_role_defaults() {
        let docs = parse_yaml("deploy/trino.yaml", MANIFEST).unwrap_or_default();
        assert_eq!(docs.len(), 2);
        let ms = manifests("deploy/trino.yaml", &docs).unwrap_or_default();
        assert_eq!(ms.len(), 1, "the ConfigMap is skipped");
        let m = &ms[0];
        assert_eq!(m.name, "trino");
        assert_eq!(
            m.opa.as_ref().map(|(v, p)| (v.as_str(), p.line)),
            Some(("opa", 14))
        );
        assert_eq!(
            m.max_execution_time
                .as_ref()
                .map(|(v, p)| (v.as_str(), p.line)),
            Some(("24h", 20))
        );
        assert!(m.fault_tolerant.is_none());
        let groups: Vec<(Role, &str, Option<f64>, Option<usize>)> = m
            .groups
            .iter()
            .map(|g| {
                (
                    g.role,
                    g.name.as_str(),
                    g.grace.as_ref().map(|x| x.0),
                    g.grace.as_ref().map(|x| x.1.line),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                (Role::Coordinators, "default", None, None),
                (Role::Workers, "default", Some(3600.0), Some(27)),
                (Role::Workers, "fast", Some(1800.0), Some(34)),
            ]
        );
        assert_eq!(
            m.groups[0].secret_lifetime.as_ref().map(|x| x.0.as_str()),
            Some("14d")
        );
        assert!(m.groups[1].secret_lifetime.is_none());
        assert_eq!(m.groups[1].replicas.as_ref().map(|x| x.0), Some(3));
    }

    #[test]
    fn scalars_flatten_to_their_paths() {
        let docs = parse_yaml("t.yaml", MANIFEST).unwrap_or_default();
        let flat = flatten(&docs);
        assert!(flat.contains(&("kind".into(), "ConfigMap".into(), 2)));
        assert!(flat.contains(&(
            "#2.spec.workers.roleGroups.fast.config.gracefulShutdownTimeout".into(),
            "30m".into(),
            34
        )));
    }

    #[test]
    fn durations_read_as_kubernetes_writes_them() {
        assert_eq!(k8s_duration("1h30m"), Some(5400.0));
        assert_eq!(k8s_duration("15m"), Some(900.0));
        assert_eq!(k8s_duration("14d"), Some(14.0 * 86400.0));
        assert_eq!(k8s_duration("500ms"), Some(0.5));
        assert_eq!(k8s_duration("soon"), None);
        assert_eq!(k8s_duration(""), None);
    }

    #[test]
    fn malformed_yaml_and_a_bad_duration_name_their_line() {
        let e = parse_yaml("t.yaml", "spec:\n  workers: [\n").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.file == "t.yaml" && e.line >= 2),
            "{e:?}"
        );
        let bad = "kind: TrinoCluster\nspec:\n  workers:\n    config:\n      gracefulShutdownTimeout: soon\n";
        let docs = parse_yaml("t.yaml", bad).unwrap_or_default();
        let e = manifests("t.yaml", &docs).err();
        assert_eq!(
            e.map(|e| (e.line, e.message.contains("not a duration"))),
            Some((5, true))
        );
    }

    #[test]
    fn secrets_are_redacted_where_they_stand_and_lines_stay() {
        let redact = |text: &str| {
            let docs = parse_yaml("t.yaml", text).unwrap_or_default();
            redact_yaml_text("t.yaml", &docs, text)
        };
        let stored = redact(MANIFEST).unwrap_or_default();
        assert!(!stored.contains("hunter2"));
        assert!(stored.contains("        ldap.bind-password: <redacted>\n"));
        assert!(
            stored.contains("requestedSecretLifetime: 14d"),
            "a setting, not a secret"
        );
        assert_eq!(stored.lines().count(), MANIFEST.lines().count());
        // What is stored reads the same.
        let docs = parse_yaml("t.yaml", MANIFEST).unwrap_or_default();
        let again = parse_yaml("t.yaml", &stored).unwrap_or_default();
        assert_eq!(
            manifests("t.yaml", &again).ok(),
            manifests("t.yaml", &docs).ok()
        );

        let block = "kind: TrinoCluster\nspec:\n  coordinators:\n    configOverrides:\n      config.properties:\n        ldap.bind-password: |\n          line-one-secret\n          line-two-secret\n        x: y\n";
        let stored = redact(block);
        assert!(
            stored.as_ref().map_or(true, |t| !t.contains("line-one")
                && !t.contains("line-two")
                && t.contains("        x: y")),
            "{stored:?}"
        );

        // Flow style, quoted, anywhere in the document, and environment
        // entries: each value replaced where it stood, the rest kept.
        let flow = "kind: TrinoCluster\nspec:\n  coordinators:\n    configOverrides: {config.properties: {query.max-execution-time: 24h, ldap.bind-password: \"hun ter2\"}}\n    podOverrides:\n      spec:\n        containers:\n          - name: trino\n            env:\n              - name: LDAP_PASSWORD\n                value: envsecret\n              - {name: DB_URL, value: \"postgres://u:pw1@db/x\"}\n";
        let stored = redact(flow).unwrap_or_default();
        for secret in ["hun ter2", "envsecret", "pw1"] {
            assert!(!stored.contains(secret), "{secret}: {stored}");
        }
        assert!(stored.contains("query.max-execution-time: 24h"), "{stored}");
        let again = parse_yaml("t.yaml", &stored).unwrap_or_default();
        let m = manifests("t.yaml", &again).unwrap_or_default();
        assert_eq!(
            m[0].max_execution_time.as_ref().map(|x| x.0.as_str()),
            Some("24h")
        );

        // What cannot be redacted safely is refused at its line.
        let list = "kind: TrinoCluster\nspec:\n  x:\n    ldap.bind-password:\n      - hunter2\n";
        assert_eq!(redact(list).err().map(|e| e.line), Some(4));
        let explicit = "kind: TrinoCluster\n? ldap.bind-password\n: hunter2\n";
        let stored = redact(explicit);
        assert!(
            stored.as_ref().map_or(true, |t| !t.contains("hunter2")),
            "{stored:?}"
        );
    }
}
