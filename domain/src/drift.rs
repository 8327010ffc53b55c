//! Fleet drift: within one environment, clusters that differ from their
//! siblings in what should be the same everywhere (Trino version, Java
//! version, catalogs, spill and execution-time settings).
//!
//! The facts come from each cluster's newest check run. Per environment and
//! fact, the value most clusters share is the usual one; a cluster with
//! another value drifts. When no value is shared by more clusters than any
//! other (a tie), every cluster with a known value is listed and there is
//! no usual value. A cluster whose fact could not be read is left out of
//! that fact's comparison.

use crate::ids::ClusterId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a check run learnt about a cluster, each fact if it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterFacts {
    pub trino_version: Option<String>,
    /// The Java versions the nodes run, distinct and sorted, joined by ", ".
    pub java_version: Option<String>,
    /// `SHOW CATALOGS`, sorted, joined by ", ".
    pub catalogs: Option<String>,
    /// The `spill_enabled` session property's value.
    pub spill_enabled: Option<String>,
    /// The `query_max_execution_time` session property's value.
    pub max_execution_time: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    TrinoVersion,
    JavaVersion,
    Catalogs,
    SpillEnabled,
    MaxExecutionTime,
}

impl Fact {
    pub const ALL: [Fact; 5] = [
        Fact::TrinoVersion,
        Fact::JavaVersion,
        Fact::Catalogs,
        Fact::SpillEnabled,
        Fact::MaxExecutionTime,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Fact::TrinoVersion => "trino_version",
            Fact::JavaVersion => "java_version",
            Fact::Catalogs => "catalogs",
            Fact::SpillEnabled => "spill_enabled",
            Fact::MaxExecutionTime => "max_execution_time",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Fact::TrinoVersion => "Trino version",
            Fact::JavaVersion => "Java version",
            Fact::Catalogs => "Catalogs",
            Fact::SpillEnabled => "Spill enabled",
            Fact::MaxExecutionTime => "Max execution time",
        }
    }
}

impl ClusterFacts {
    pub fn get(&self, fact: Fact) -> Option<&str> {
        match fact {
            Fact::TrinoVersion => self.trino_version.as_deref(),
            Fact::JavaVersion => self.java_version.as_deref(),
            Fact::Catalogs => self.catalogs.as_deref(),
            Fact::SpillEnabled => self.spill_enabled.as_deref(),
            Fact::MaxExecutionTime => self.max_execution_time.as_deref(),
        }
    }

    pub fn set(&mut self, fact: Fact, value: Option<String>) {
        let slot = match fact {
            Fact::TrinoVersion => &mut self.trino_version,
            Fact::JavaVersion => &mut self.java_version,
            Fact::Catalogs => &mut self.catalogs,
            Fact::SpillEnabled => &mut self.spill_enabled,
            Fact::MaxExecutionTime => &mut self.max_execution_time,
        };
        *slot = value;
    }
}

/// A cluster and its newest facts, as the drift rule takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetMember {
    pub cluster_id: ClusterId,
    pub name: String,
    pub environment: String,
    pub facts: ClusterFacts,
}

/// One cluster that differs from its siblings in one fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRow {
    pub environment: String,
    pub cluster_id: ClusterId,
    pub cluster: String,
    pub fact: Fact,
    pub value: String,
    /// The value most of its siblings share; `None` when no value is shared
    /// by more clusters than the others (a tie).
    pub usual: Option<String>,
    /// How many clusters of the environment have the usual value.
    pub usual_count: u32,
    /// How many clusters of the environment reported this fact.
    pub compared: u32,
}

/// Every cluster that differs from its siblings, ordered by environment,
/// fact, then cluster name.
pub fn fleet_drift(members: &[FleetMember]) -> Vec<DriftRow> {
    let mut by_env: BTreeMap<String, Vec<&FleetMember>> = BTreeMap::new();
    for m in members {
        by_env
            .entry(m.environment.trim().to_lowercase())
            .or_default()
            .push(m);
    }
    let mut rows = Vec::new();
    for siblings in by_env.values() {
        if siblings.len() < 2 {
            continue;
        }
        for fact in Fact::ALL {
            let known: Vec<(&FleetMember, &str)> = siblings
                .iter()
                .filter_map(|m| Some((*m, m.facts.get(fact)?)))
                .collect();
            let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
            for (_, v) in &known {
                *counts.entry(*v).or_default() += 1;
            }
            if counts.len() < 2 {
                continue;
            }
            let top = counts.values().copied().max().unwrap_or(0);
            let leaders: Vec<&str> = counts
                .iter()
                .filter(|(_, n)| **n == top)
                .map(|(v, _)| *v)
                .collect();
            let usual = (leaders.len() == 1).then(|| leaders[0]);
            for (m, v) in &known {
                if usual == Some(*v) {
                    continue;
                }
                rows.push(DriftRow {
                    environment: m.environment.clone(),
                    cluster_id: m.cluster_id,
                    cluster: m.name.clone(),
                    fact,
                    value: v.to_string(),
                    usual: usual.map(str::to_string),
                    usual_count: if usual.is_some() { top } else { 0 },
                    compared: known.len() as u32,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        a.environment
            .to_lowercase()
            .cmp(&b.environment.to_lowercase())
            .then(a.fact.cmp(&b.fact))
            .then(a.cluster.to_lowercase().cmp(&b.cluster.to_lowercase()))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, name: &str, env: &str, version: &str, catalogs: &str) -> FleetMember {
        FleetMember {
            cluster_id: id.into(),
            name: name.into(),
            environment: env.into(),
            facts: ClusterFacts {
                trino_version: Some(version.into()),
                java_version: Some("25".into()),
                catalogs: Some(catalogs.into()),
                spill_enabled: Some("true".into()),
                max_execution_time: Some("1h".into()),
            },
        }
    }

    #[test]
    fn the_odd_cluster_of_an_environment_is_listed_with_the_usual_value() {
        let mut odd = member(3, "prod-c", "prod", "479", "hive, iceberg");
        odd.facts.spill_enabled = Some("false".into());
        let members = vec![
            member(1, "prod-a", "prod", "483", "hive, iceberg, system"),
            member(2, "prod-b", "Prod", "483", "hive, iceberg, system"),
            odd,
            // another environment may differ freely
            member(4, "stage-a", "staging", "470", "tpch"),
        ];
        let rows = fleet_drift(&members);
        let facts: Vec<(Fact, &str, &str)> = rows
            .iter()
            .map(|r| (r.fact, r.cluster.as_str(), r.value.as_str()))
            .collect();
        assert_eq!(
            facts,
            vec![
                (Fact::TrinoVersion, "prod-c", "479"),
                (Fact::Catalogs, "prod-c", "hive, iceberg"),
                (Fact::SpillEnabled, "prod-c", "false"),
            ]
        );
        assert_eq!(rows[0].usual.as_deref(), Some("483"));
        assert_eq!((rows[0].usual_count, rows[0].compared), (2, 3));
    }

    #[test]
    fn a_tie_lists_every_cluster_without_a_usual_value() {
        let rows = fleet_drift(&[
            member(1, "a", "prod", "483", "x"),
            member(2, "b", "prod", "479", "x"),
        ]);
        assert_eq!(rows.len(), 2);
        assert!(rows
            .iter()
            .all(|r| r.usual.is_none() && r.fact == Fact::TrinoVersion));
    }

    #[test]
    fn unknown_facts_and_lone_clusters_are_not_drift() {
        let mut b = member(2, "b", "prod", "483", "x");
        b.facts.trino_version = None;
        assert!(fleet_drift(&[member(1, "a", "prod", "479", "x"), b]).is_empty());
        assert!(fleet_drift(&[member(1, "a", "prod", "479", "x")]).is_empty());
        assert_eq!(Fact::parse("catalogs"), Some(Fact::Catalogs));
    }
}
