//! `shipshape config push` and `shipshape preflight`: a pipeline sends a
//! cluster's configuration files to a running server, and asks it whether
//! the cluster can go to a Trino release. Exit codes: 0 pushed / ready,
//! 1 the server refused the files / blockers found, 2 usage or connection
//! error.

use crate::api_client::{refused, usage, ApiClient, ClusterOnServer};
use crate::cli::CliError;
use clap::Args;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde::{Deserialize, Serialize};
use shipshape_backend::service::config_check::read_config_dir;
use shipshape_domain::preflight::{Preflight, Severity};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct PushArgs {
    // The token must be an SRE's or an admin's.
    #[command(flatten)]
    pub target: ClusterOnServer,
    /// Where the files come from (a commit, a job URL), kept with the push.
    #[arg(long, default_value = "")]
    pub source: String,
    /// Property files and jvm.config, or directories holding them (read
    /// at any depth, named relative to the directory).
    #[arg(value_name = "FILE_OR_DIR", required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub target: ClusterOnServer,
    /// The Trino release to go to (default: the newest Shipshape knows).
    #[arg(long, value_name = "RELEASE")]
    pub to: Option<u32>,
    /// Also write the answer as JUnit XML (a test case per finding).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct PushedFile {
    name: String,
    text: String,
}

#[derive(Serialize)]
struct PushBody {
    files: Vec<PushedFile>,
    source: String,
}

#[derive(Deserialize)]
struct PushedVerdict {
    item_id: String,
    status: String,
    reason: String,
    #[serde(default)]
    recorded: bool,
}

#[derive(Deserialize)]
struct PushOutcome {
    seq: i64,
    changed: bool,
    #[serde(default)]
    changes: Vec<serde_json::Value>,
    verdicts: Vec<PushedVerdict>,
}

/// A file argument's name as pushed: the path as given, without a root,
/// `.` parts or a drive (the server refuses `..`).
fn pushed_name(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn read_files(paths: &[PathBuf]) -> Result<Vec<PushedFile>, CliError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = read_config_dir(p).map_err(|e| usage(e.to_string()))?;
            files.extend(
                found
                    .into_iter()
                    .map(|(name, text)| PushedFile { name, text }),
            );
        } else {
            let bytes = std::fs::read(p)
                .map_err(|e| usage(format!("{}: cannot be read ({e})", p.display())))?;
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                // Java reads property files as ISO 8859-1.
                Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
            };
            files.push(PushedFile {
                name: pushed_name(p),
                text,
            });
        }
    }
    if files.is_empty() {
        return Err(usage(
            "no configuration file (*.properties, jvm.config or a TrinoCluster YAML manifest) found",
        ));
    }
    Ok(files)
}

pub async fn push(args: PushArgs) -> Result<(), CliError> {
    let files = read_files(&args.paths)?;
    let (api, id) = ApiClient::for_cluster(&args.target, Duration::from_secs(60)).await?;
    let body = PushBody {
        files,
        source: args.source,
    };
    let r = api
        .send(
            api.post(&format!("/api/v1/clusters/{id}/config"))
                .json(&body),
        )
        .await?;
    let status = r.status().as_u16();
    if status == 422 {
        return Err(CliError::Failed(match refused("pushing", r).await {
            CliError::Message(m) => m,
            other => other.to_string(),
        }));
    }
    if status != 200 && status != 201 {
        return Err(refused("pushing", r).await);
    }
    let outcome: PushOutcome = api.json(r).await?;
    if outcome.changed {
        println!(
            "pushed {} file(s) as ledger row {} ({} file change(s))",
            body.files.len(),
            outcome.seq,
            outcome.changes.len()
        );
    } else {
        println!(
            "unchanged since ledger row {}: nothing recorded",
            outcome.seq
        );
    }
    for v in &outcome.verdicts {
        let mark = if v.recorded {
            ""
        } else {
            " (beside the live check)"
        };
        println!("{:<26} {:<5} {}{mark}", v.item_id, v.status, v.reason);
    }
    Ok(())
}

fn preflight_text(cluster: &str, p: &Preflight) -> String {
    let from = p.from.map(|f| f.to_string()).unwrap_or_else(|| "?".into());
    let mut out = format!(
        "{cluster}: Trino {from} → {}: {} blocker(s), {} warning(s)\n",
        p.to,
        p.blockers().count(),
        p.warnings().count()
    );
    for f in &p.findings {
        let kind = match f.severity {
            Severity::Blocker => "BLOCKER",
            Severity::Warning => "warning",
        };
        let at = f.at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
        out.push_str(&format!(
            "{kind:<8} {} {}: {}{at}\n         fix: {}\n",
            f.release, f.subject, f.what, f.fix
        ));
    }
    for u in &p.unknowns {
        out.push_str(&format!("unknown  {u}\n"));
    }
    out
}

fn preflight_junit(cluster: &str, p: &Preflight) -> Result<String, CliError> {
    let mut suite = TestSuite::new(format!("preflight {cluster} to {}", p.to));
    if p.findings.is_empty() {
        let mut case = TestCase::new("no blocker and no warning", TestCaseStatus::success());
        case.set_classname("preflight");
        suite.add_test_case(case);
    }
    for f in &p.findings {
        let status = match f.severity {
            Severity::Blocker => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{} (fix: {})", f.what, f.fix))
                    .set_type("blocker");
                s
            }
            Severity::Warning => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("warning: {} (fix: {})", f.what, f.fix));
                s
            }
        };
        let mut case = TestCase::new(format!("{} {}", f.release, f.subject), status);
        case.set_classname("preflight");
        suite.add_test_case(case);
    }
    let mut report = Report::new("shipshape preflight");
    report.add_test_suite(suite);
    report.to_string().map_err(usage)
}

pub async fn preflight(args: PreflightArgs) -> Result<(), CliError> {
    let (api, id) = ApiClient::for_cluster(&args.target, Duration::from_secs(30)).await?;
    let mut req = api.get(&format!("/api/v1/clusters/{id}/preflight"));
    if let Some(to) = args.to {
        req = req.query(&[("to", to)]);
    }
    let r = api.send(req).await?;
    let status = r.status().as_u16();
    if status != 200 && status != 412 {
        return Err(refused("asking the preflight", r).await);
    }
    let result: Preflight = api.json(r).await?;
    if let Some(file) = &args.junit {
        std::fs::write(file, preflight_junit(&args.target.cluster, &result)?)
            .map_err(|e| usage(format!("{}: cannot be written ({e})", file.display())))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result).map_err(usage)?);
    } else {
        print!("{}", preflight_text(&args.target.cluster, &result));
    }
    if result.ready() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "cluster '{}' cannot go to Trino {}: {} blocker(s)",
            args.target.cluster,
            result.to,
            result.blockers().count()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::pushed_name;
    use std::path::Path;

    #[test]
    fn file_arguments_are_named_without_a_root() {
        assert_eq!(
            pushed_name(Path::new("/etc/trino/config.properties")),
            "etc/trino/config.properties"
        );
        assert_eq!(pushed_name(Path::new("./etc/jvm.config")), "etc/jvm.config");
        assert_eq!(pushed_name(Path::new("../x/jvm.config")), "../x/jvm.config");
    }
}
