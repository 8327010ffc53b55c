//! Upgrade preflight: "can this cluster go to Trino N?"
//!
//! Every change of [`changes::CHANGES`] made by a release after the one the
//! cluster runs and up to the target is checked against what is known of the
//! cluster: the property keys of its configuration (each with the file and
//! line it came from), its catalogs' connectors, and the Java it runs. A
//! blocker means the server or a catalog would refuse to start; a warning is
//! something to change that does not stop it. Java minimums come from the
//! same table the Java check uses.

pub mod changes;

pub use changes::{Change, Severity, Subject, CHANGES};

use crate::check::java_requirement;
use serde::{Deserialize, Serialize};

/// Where a key was read: a file of the pushed configuration and its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What is known of the cluster.
#[derive(Debug, Clone, Default)]
pub struct ClusterSide {
    /// The Trino release it runs, if known.
    pub release: Option<u32>,
    /// The Java feature version its nodes run (the oldest, if they differ).
    pub java: Option<u32>,
    /// Every property key of its configuration, with where it was set.
    pub properties: Vec<(String, Place)>,
    /// Every catalog's `connector.name`, with where it was set.
    pub connectors: Vec<(String, Place)>,
    /// Whether configuration was pushed at all (without it, only the Java
    /// and the changes every cluster meets can be judged).
    pub has_config: bool,
}

/// One thing the upgrade meets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub release: u32,
    /// The key, prefix, connector or topic.
    pub subject: String,
    pub what: String,
    pub fix: String,
    /// Where the cluster sets it, when it comes from its configuration.
    pub at: Option<Place>,
}

/// The answer for one target release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    pub from: Option<u32>,
    pub to: u32,
    pub findings: Vec<Finding>,
    /// What could not be judged, and why (no configuration pushed, the
    /// running release or Java unknown).
    pub unknowns: Vec<String>,
}

impl Preflight {
    pub fn blockers(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Blocker)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    /// Ready: no blocker found (what is unknown is listed beside it).
    pub fn ready(&self) -> bool {
        self.blockers().next().is_none()
    }
}

/// A target that cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    #[error("Trino {to} is not a release Shipshape knows (the newest it knows is {newest})")]
    Unknown { to: u32, newest: u32 },
    #[error("the cluster already runs Trino {from}; pick a newer release than {to}")]
    NotNewer { from: u32, to: u32 },
}

/// The newest release the change table covers.
pub const NEWEST_COVERED: u32 = 483;

/// What going from the cluster's release to `to` meets.
pub fn preflight(cluster: &ClusterSide, to: u32) -> Result<Preflight, PreflightError> {
    if to > NEWEST_COVERED {
        return Err(PreflightError::Unknown {
            to,
            newest: NEWEST_COVERED,
        });
    }
    if let Some(from) = cluster.release.filter(|from| *from >= to) {
        return Err(PreflightError::NotNewer { from, to });
    }
    let crossed = |release: u32| release <= to && cluster.release.is_none_or(|from| release > from);
    let mut findings = Vec::new();
    let mut unknowns = Vec::new();
    if cluster.release.is_none() {
        unknowns.push(format!(
            "the release the cluster runs is unknown: every change up to Trino {to} is listed"
        ));
    }
    if !cluster.has_config {
        unknowns.push(
            "no configuration was pushed: removed and renamed properties cannot be looked for"
                .to_string(),
        );
    }
    java_finding(cluster, to, &mut findings, &mut unknowns);
    for change in CHANGES.iter().filter(|c| crossed(c.release)) {
        findings.extend(meets(change, cluster));
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.release.cmp(&b.release))
            .then(a.subject.cmp(&b.subject))
    });
    Ok(Preflight {
        from: cluster.release,
        to,
        findings,
        unknowns,
    })
}

fn java_finding(
    cluster: &ClusterSide,
    to: u32,
    findings: &mut Vec<Finding>,
    unknowns: &mut Vec<String>,
) {
    let Some((since, need)) = java_requirement(to) else {
        return;
    };
    match cluster.java {
        Some(java) if java < need => findings.push(Finding {
            severity: Severity::Blocker,
            release: since,
            subject: "Java".into(),
            what: format!("Trino {since} and later need Java {need}; the cluster runs Java {java}"),
            fix: format!("run the nodes on Java {need} or later (and update jvm.config)"),
            at: None,
        }),
        Some(_) => {}
        None => unknowns.push(format!(
            "the Java the cluster runs is unknown: Trino {to} needs Java {need}"
        )),
    }
}

/// The findings one change makes on a cluster: one per place it is set.
fn meets(change: &Change, cluster: &ClusterSide) -> Vec<Finding> {
    let finding = |subject: &str, at: Option<Place>| Finding {
        severity: change.severity,
        release: change.release,
        subject: subject.to_string(),
        what: change.what.to_string(),
        fix: change.fix.to_string(),
        at,
    };
    let keys = |matches: &dyn Fn(&str) -> bool| -> Vec<Finding> {
        cluster
            .properties
            .iter()
            .filter(|(k, _)| matches(k))
            .map(|(k, at)| finding(k, Some(at.clone())))
            .collect()
    };
    match change.subject {
        Subject::Property(key) => keys(&|k| k == key),
        Subject::PropertyPrefix(prefix) => keys(&|k| k.starts_with(prefix)),
        Subject::Connector(name) => cluster
            .connectors
            .iter()
            .filter(|(c, _)| c.eq_ignore_ascii_case(name))
            .map(|(c, at)| finding(&format!("connector {c}"), Some(at.clone())))
            .collect(),
        Subject::Everyone(topic) => vec![finding(topic, None)],
    }
}

#[cfg(test)]
mod tests;
