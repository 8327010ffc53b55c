//! A cluster's configuration from named file texts (as kept in Git: e.g.
//! `coordinator/etc/config.properties`, `etc/jvm.config`,
//! `etc/catalog/hive.properties`): the [`ConfigSet`] the configuration
//! verdicts read, and what the upgrade preflight needs of it.

use super::manifest::{manifests, parse_yaml};
use super::properties::{parse, ParseError};
use super::verdicts::{parse_jvm_config, ConfigFile, ConfigSet};
use crate::preflight::{ClusterSide, Place};

/// Whether a file name is one the configuration is read from: property
/// files, `jvm.config`, and YAML (Stackable `TrinoCluster` manifests).
pub fn is_config_file(name: &str) -> bool {
    name.ends_with(".properties")
        || name.ends_with("jvm.config")
        || is_yaml(name)
        || is_resource_groups_json(name)
}

/// The file resource groups are read from (`resource-groups.config-file`).
pub fn is_resource_groups_json(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.ends_with(".json") && file.contains("resource-groups")
}

pub fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// A YAML file that names no `TrinoCluster` is not Trino's (Helm values,
/// other resources): it is not read, so it cannot fail a push either.
pub fn is_trino_manifest(text: &str) -> bool {
    text.contains("TrinoCluster")
}

/// Reads every file; every malformed one is reported (file and line), not
/// just the first.
pub fn config_set(files: &[(String, String)]) -> Result<ConfigSet, Vec<ParseError>> {
    let mut set = ConfigSet::default();
    let mut errors = Vec::new();
    for (name, text) in files {
        let text = &super::redact::normalize_newlines(text).into_owned();
        if name.ends_with("jvm.config") {
            set.jvm.push(parse_jvm_config(name, text));
        } else if is_resource_groups_json(name) {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => set.resource_groups.push((name.clone(), v)),
                Err(e) => errors.push(ParseError {
                    file: name.clone(),
                    line: e.line(),
                    message: format!("not JSON: {e}"),
                }),
            }
        } else if is_yaml(name) {
            if !is_trino_manifest(text) {
                continue;
            }
            match parse_yaml(name, text).and_then(|docs| manifests(name, &docs)) {
                Ok(found) => set.manifests.extend(found),
                Err(e) => errors.push(e),
            }
        } else if name.ends_with(".properties") {
            match parse(name, text) {
                Ok(properties) => set.files.push(ConfigFile {
                    name: name.clone(),
                    properties,
                }),
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

/// What the preflight knows of a cluster from its configuration, with the
/// release and Java it runs when those are known. A catalog is a property
/// file under a `catalog` directory; its `connector.name` names the
/// connector.
pub fn cluster_side(set: &ConfigSet, release: Option<u32>, java: Option<u32>) -> ClusterSide {
    let mut side = ClusterSide {
        release,
        java,
        has_config: !set.files.is_empty() || !set.jvm.is_empty() || !set.manifests.is_empty(),
        ..ClusterSide::default()
    };
    for f in &set.files {
        let is_catalog = f.name.split('/').rev().nth(1) == Some("catalog");
        for p in &f.properties.entries {
            let at = Place {
                file: f.name.clone(),
                line: p.line,
            };
            if is_catalog && p.key == "connector.name" {
                side.connectors.push((p.value.clone(), at.clone()));
            }
            side.properties.push((p.key.clone(), at));
        }
    }
    side
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preflight::{preflight, Severity};

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn catalogs_name_connectors_and_every_key_keeps_its_place() {
        let set = config_set(&files(&[
            (
                "etc/config.properties",
                "coordinator=true\nnode-scheduler.include-coordinator=false\n",
            ),
            (
                "etc/catalog/hive.properties",
                "connector.name=hive\nhive.s3.aws-access-key=x\n",
            ),
            ("etc/jvm.config", "-Xmx16G\n"),
            ("README.md", "ignored"),
        ]))
        .unwrap();
        assert_eq!(set.files.len(), 2);
        assert_eq!(set.jvm.len(), 1);
        let side = cluster_side(&set, Some(476), Some(24));
        assert!(side.has_config);
        assert_eq!(side.connectors.len(), 1);
        assert_eq!(side.connectors[0].0, "hive");
        assert_eq!(
            side.connectors[0].1.to_string(),
            "etc/catalog/hive.properties:1"
        );
        let (key, at) = &side.properties[3];
        assert_eq!(key, "hive.s3.aws-access-key");
        assert_eq!(at.to_string(), "etc/catalog/hive.properties:2");
        // The preflight to 483 finds the Java and the legacy S3 keys, at their places.
        let p = preflight(&side, 483).unwrap();
        assert!(p
            .findings
            .iter()
            .any(|f| f.subject == "Java" && f.severity == Severity::Blocker));
        assert!(!p.ready());
    }

    #[test]
    fn every_malformed_file_is_named_with_its_line() {
        let errors = config_set(&files(&[
            ("a/config.properties", "ok=1\nbad=\\u12\n"),
            ("b/config.properties", "x=1\ncontinued=\\"),
            ("c/config.properties", "fine=1"),
        ]))
        .unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text[0].starts_with("a/config.properties:2:"), "{text:?}");
        assert!(text[1].starts_with("b/config.properties:2:"), "{text:?}");
    }

    #[test]
    fn no_files_is_no_configuration() {
        let set = config_set(&[]).unwrap();
        assert!(!cluster_side(&set, None, None).has_config);
        assert!(!is_config_file("notes.txt") && is_config_file("x/jvm.config"));
    }
}
