//! `shipshape config check DIR`: a cluster's configuration read from a
//! directory as the team keeps it in Git (property files and `jvm.config`,
//! at any depth), judged by the domain's configuration verdicts and, for a
//! target release, by the upgrade preflight. Nothing is stored and no
//! value is printed: verdicts name keys, files and lines only.

use crate::ServiceError;
use shipshape_domain::preflight::{preflight, Preflight};
use shipshape_domain::trino_config::set::{
    cluster_side, config_set, is_config_file, is_trino_manifest, is_yaml,
};
use shipshape_domain::trino_config::verdicts::{config_verdicts, ConfigVerdict};
use std::path::Path;

/// More files than a cluster's configuration holds: a wrong directory.
const MAX_FILES: usize = 2000;
/// No configuration file is this large.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
const MAX_DEPTH: usize = 8;

/// What the check asks besides the directory.
#[derive(Debug, Clone, Default)]
pub struct ConfigCheckRequest {
    /// The release the cluster runs, if known.
    pub from: Option<u32>,
    /// The release to check an upgrade to.
    pub to: Option<u32>,
    /// The Java feature version the nodes run, if known.
    pub java: Option<u32>,
}

/// The verdicts, the preflight when a target was given, and how many files
/// were read.
#[derive(Debug, Clone)]
pub struct ConfigReport {
    pub files: Vec<String>,
    pub verdicts: Vec<ConfigVerdict>,
    pub preflight: Option<Preflight>,
}

/// Reads `dir` and judges it.
pub fn check_config_dir(
    dir: &Path,
    request: &ConfigCheckRequest,
) -> Result<ConfigReport, ServiceError> {
    let files = read_config_dir(dir)?;
    if files.is_empty() {
        return Err(ServiceError::Refused(format!(
            "{} holds no configuration file (*.properties, jvm.config or a TrinoCluster YAML manifest)",
            dir.display()
        )));
    }
    let set = config_set(&files).map_err(|errors| {
        ServiceError::Refused(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let preflight = match request.to {
        Some(to) => Some(
            preflight(&cluster_side(&set, request.from, request.java), to)
                .map_err(|e| ServiceError::Refused(e.to_string()))?,
        ),
        None => None,
    };
    Ok(ConfigReport {
        files: files.into_iter().map(|(name, _)| name).collect(),
        verdicts: config_verdicts(&set),
        preflight,
    })
}

/// Every configuration file under `dir`, named relative to it with `/`,
/// sorted; symbolic links are not followed.
pub fn read_config_dir(dir: &Path) -> Result<Vec<(String, String)>, ServiceError> {
    let refuse =
        |path: &Path, why: String| ServiceError::Refused(format!("{}: {why}", path.display()));
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| refuse(&d, format!("cannot be read ({e})")))?;
        for entry in entries {
            let entry = entry.map_err(|e| refuse(&d, format!("cannot be read ({e})")))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| refuse(&path, format!("cannot be read ({e})")))?;
            if kind.is_dir() && depth < MAX_DEPTH {
                stack.push((path, depth + 1));
                continue;
            }
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if !kind.is_file() || !is_config_file(&name) {
                continue;
            }
            if out.len() >= MAX_FILES {
                return Err(refuse(
                    dir,
                    format!(
                        "more than {MAX_FILES} configuration files: is this the right directory?"
                    ),
                ));
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > MAX_FILE_BYTES {
                return Err(refuse(
                    &path,
                    format!("{size} bytes; a configuration file is at most {MAX_FILE_BYTES}"),
                ));
            }
            let bytes =
                std::fs::read(&path).map_err(|e| refuse(&path, format!("cannot be read ({e})")))?;
            // Java reads property files as ISO 8859-1 (with \u escapes);
            // UTF-8 text is what Git repositories hold, so other bytes are
            // taken one for one.
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
            };
            // YAML that names no TrinoCluster (Helm values, Secrets) is
            // not the cluster's configuration: left out, never sent.
            if is_yaml(&name) && !is_trino_manifest(&text) {
                continue;
            }
            out.push((name, text));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_directory_is_read_at_any_depth_and_judged() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "coordinator/etc/config.properties",
            "coordinator=true\n",
        );
        write(
            dir.path(),
            "coordinator/etc/catalog/hive.properties",
            "connector.name=hive\nhive.s3.endpoint=x\n",
        );
        write(dir.path(), "coordinator/etc/jvm.config", "-Xmx8G\n");
        write(dir.path(), "notes.md", "not read");
        let report = check_config_dir(
            dir.path(),
            &ConfigCheckRequest {
                from: Some(476),
                to: Some(483),
                java: None,
            },
        )
        .unwrap();
        assert_eq!(
            report.files,
            [
                "coordinator/etc/catalog/hive.properties",
                "coordinator/etc/config.properties",
                "coordinator/etc/jvm.config"
            ]
        );
        assert!(report
            .verdicts
            .iter()
            .any(|v| v.item == "coordinator-isolation"));
        let p = report.preflight.unwrap();
        assert!(p.findings.iter().any(|f| f
            .at
            .as_ref()
            .is_some_and(|at| at.to_string() == "coordinator/etc/catalog/hive.properties:2")));
    }

    #[test]
    fn bad_input_is_refused_with_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let e = check_config_dir(dir.path(), &ConfigCheckRequest::default()).unwrap_err();
        assert!(e.to_string().contains("holds no configuration file"), "{e}");
        write(dir.path(), "etc/config.properties", "a=1\nb=\\uzz\n");
        let e = check_config_dir(dir.path(), &ConfigCheckRequest::default()).unwrap_err();
        assert!(e.to_string().starts_with("etc/config.properties:2:"), "{e}");
        write(dir.path(), "etc/config.properties", "a=1\n");
        let e = check_config_dir(
            dir.path(),
            &ConfigCheckRequest {
                to: Some(999),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("not a release Shipshape knows"),
            "{e}"
        );
        let e = check_config_dir(&dir.path().join("missing"), &ConfigCheckRequest::default())
            .unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
    }
}
