//! What the cluster page shows of a cluster's configuration: the newest
//! push (who, when, from where, each file's SHA-256, what changed since
//! the push before), or, before the first push, which items pushing would
//! verify and how a pipeline pushes; and the upgrade preflight to the
//! newest release Shipshape knows.

use super::diff::FileChange;
use super::snapshot::PushedFileSummary;
use crate::preflight::Preflight;
use serde::{Deserialize, Serialize};

/// The runbook items the configuration verdicts decide (see
/// [`super::verdicts::config_verdicts`]; a test keeps the two in step).
pub const CONFIG_ITEMS: &[&str] = &[
    "coordinator-isolation",
    "spill",
    "memory-guardrails",
    "s3-connections",
    "file-formats",
    "centralized-logs",
    "joins",
    "fault-tolerant-execution",
    "authentication",
    "authorization",
    "audit",
    "resource-groups",
    "jvm",
    "worker-graceful-shutdown",
    "coordinator-graceful-shutdown",
    "max-execution-time-vs-shutdown",
    "certificate-lifetime",
    "graceful-shutdown-authorization",
    "worker-node-loss",
];

/// The newest push as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub source: String,
    pub files: Vec<PushedFileSummary>,
    pub changes: Vec<FileChange>,
    /// Whether this is the cluster's first push (its changes are every file).
    pub first: bool,
}

/// The configuration panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigPanel {
    pub pushed: Option<PushedView>,
    /// Items the configuration would verify that no live check decides
    /// (id, title): what a first push adds.
    pub would_verify: Vec<(String, String)>,
    /// The command a CI job runs to push.
    pub snippet: String,
    /// The upgrade preflight to the newest release covered, or why there
    /// is none.
    pub preflight: Result<Preflight, String>,
}

/// The command a pipeline runs on every merge.
pub fn push_snippet(cluster: &str) -> String {
    format!(
        "shipshape config push \\\n  --server \"$SHIPSHAPE_URL\" --token \"$SHIPSHAPE_TOKEN\" \\\n  \
         --cluster {cluster} --source \"$CI_COMMIT_SHA\" \\\n  etc/"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trino_config::set::config_set;
    use crate::trino_config::verdicts::config_verdicts;

    #[test]
    fn the_listed_items_are_the_ones_the_verdicts_decide() {
        // A configuration that gives every rule something to judge.
        let files: Vec<(String, String)> = [
            ("c/config.properties", "coordinator=true\n"),
            ("w/config.properties", "coordinator=false\n"),
            ("w/jvm.config", "-Xmx16G\n"),
            (
                "c/catalog/i.properties",
                "connector.name=iceberg\nfs.s3.enabled=true\n",
            ),
            (
                "deploy/trino.yaml",
                "kind: TrinoCluster\nspec:\n  coordinators:\n    roleGroups:\n      default: {}\n  workers:\n    roleGroups:\n      default: {}\n",
            ),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        let set = config_set(&files).unwrap_or_default();
        let mut decided: Vec<&str> = config_verdicts(&set).iter().map(|v| v.item).collect();
        decided.sort_unstable();
        let mut listed = CONFIG_ITEMS.to_vec();
        listed.sort_unstable();
        assert_eq!(decided, listed);
        assert!(push_snippet("etl-prod").contains("--cluster etl-prod"));
    }
}
