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
    pub end_line: usize,
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
    let end_line = n.span.end.line().max(line);
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
        end_line,
        kind,
    }
}

/// Every document of a YAML file; a malformed file is an error with its line.
pub fn parse_yaml(file: &str, text: &str) -> Result<Vec<Node>, ParseError> {
    MarkedYaml::load_from_str(text)
        .map(|docs| docs.iter().map(convert).collect())
        .map_err(|e| ParseError {
            file: file.to_string(),
            line: e.marker().line(),
            message: format!("not YAML: {}", e.info()),
        })
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

/// A manifest's text as it may be stored: values under `configOverrides`
/// and `envOverrides` whose key names a secret say `<redacted>` (their
/// continuation lines are emptied), every line where it was. Kubernetes
/// keys that merely mention secrets (`requestedSecretLifetime`,
/// `credentialsSecret`) name settings or other objects and are kept.
pub fn redact_yaml_text(docs: &[Node], text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    fn walk(n: &Node, inside: bool, lines: &mut Vec<String>) {
        for (key, key_line, v) in n.entries() {
            let here = inside || key == "configOverrides" || key == "envOverrides";
            match &v.kind {
                Kind::Scalar(value) if inside && stored_value(key, value) != value.as_str() => {
                    let mut key_indent = 0;
                    if let Some(l) = lines.get_mut(key_line - 1) {
                        key_indent = l.len() - l.trim_start().len();
                        let raw_key = l
                            .trim_start()
                            .split(':')
                            .next()
                            .unwrap_or_default()
                            .to_string();
                        *l = format!("{}{raw_key}: {REDACTED}", &l[..key_indent]);
                    }
                    // A value on more lines (a block or folded scalar)
                    // continues while lines are indented deeper than its key.
                    for n in key_line + 1..=v.end_line {
                        let Some(l) = lines.get_mut(n - 1) else { break };
                        let indent = l.len() - l.trim_start().len();
                        if !l.trim().is_empty() && indent <= key_indent {
                            break;
                        }
                        l.clear();
                    }
                }
                _ => walk(v, here, lines),
            }
        }
        if let Kind::Seq(items) = &n.kind {
            for i in items {
                walk(i, inside, lines);
            }
        }
    }
    for d in docs {
        walk(d, false, &mut lines);
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
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
    fn only_secret_overrides_are_redacted_and_lines_stay() {
        let docs = parse_yaml("t.yaml", MANIFEST).unwrap_or_default();
        let stored = redact_yaml_text(&docs, MANIFEST);
        assert!(!stored.contains("hunter2"));
        assert!(stored.contains("        ldap.bind-password: <redacted>\n"));
        assert!(
            stored.contains("requestedSecretLifetime: 14d"),
            "a setting, not a secret"
        );
        assert_eq!(stored.lines().count(), MANIFEST.lines().count());
        // What is stored reads the same.
        let again = parse_yaml("t.yaml", &stored).unwrap_or_default();
        assert_eq!(
            manifests("t.yaml", &again).ok(),
            manifests("t.yaml", &docs).ok()
        );
        let block = "kind: TrinoCluster\nspec:\n  coordinators:\n    configOverrides:\n      config.properties:\n        ldap.bind-password: |\n          line-one-secret\n          line-two-secret\n        x: y\n";
        let docs = parse_yaml("b.yaml", block).unwrap_or_default();
        let stored = redact_yaml_text(&docs, block);
        assert!(
            !stored.contains("secret\n") && !stored.contains("line-one"),
            "{stored}"
        );
        assert!(stored.contains("        x: y"), "{stored}");
        assert!(parse_yaml("b.yaml", &stored).is_ok(), "{stored}");
    }
}
