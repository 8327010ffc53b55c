//! The `check_verdicts`, `cluster_facts` and `trino_versions_seen` tables:
//! the counting verdict per cluster × item (kept with each run), the newest
//! facts a run read about each cluster, and the Trino releases seen running.

use super::DbResult;
use chrono::NaiveDate;
use shipshape_domain::check::{CheckStatus, VerdictState};
use shipshape_domain::drift::ClusterFacts;
use sqlx::FromRow;
use std::collections::{HashMap, HashSet};

#[async_trait::async_trait]
pub trait VerdictRepo: Send {
    /// Every item's verdict state on one cluster.
    async fn of_cluster(&mut self, cluster_id: i64) -> DbResult<HashMap<String, VerdictState>>;
    /// Stores one item's state after a run.
    async fn upsert(
        &mut self,
        cluster_id: i64,
        item_id: &str,
        s: &VerdictState,
        at: &str,
    ) -> DbResult<()>;
    /// Forgets a cluster's verdict states and facts: its check target changed.
    async fn reset_cluster(&mut self, cluster_id: i64) -> DbResult<()>;
    /// Per cluster, the items whose counting verdict is `fail`.
    async fn failing_all(&mut self) -> DbResult<HashMap<i64, HashSet<String>>>;
    /// Stores the newest facts of a cluster; a release number seen for the
    /// first time is remembered with this cluster and time.
    async fn record_facts(
        &mut self,
        cluster_id: i64,
        facts: &ClusterFacts,
        release: Option<u32>,
        at: &str,
    ) -> DbResult<()>;
    /// Every cluster's newest facts (clusters whose facts cannot be read
    /// are left out) and when they were read.
    async fn facts_all(&mut self) -> DbResult<HashMap<i64, (ClusterFacts, String)>>;
    /// The day a release number was first seen running, if it was.
    async fn first_seen(&mut self, version: u32) -> DbResult<Option<NaiveDate>>;
}

#[derive(FromRow)]
pub(crate) struct VerdictRow {
    pub item_id: String,
    pub effective: Option<String>,
    pub effective_since: Option<String>,
    pub streak_status: String,
    pub streak: i64,
    pub streak_since: String,
}

impl VerdictRow {
    pub(crate) fn into_state(self) -> (String, VerdictState) {
        (
            self.item_id,
            VerdictState {
                effective: self.effective.as_deref().and_then(CheckStatus::parse),
                effective_since: self.effective_since,
                streak_status: CheckStatus::parse(&self.streak_status),
                streak: u32::try_from(self.streak).unwrap_or(u32::MAX),
                streak_since: Some(self.streak_since),
            },
        )
    }
}

pub(crate) fn failing_map(rows: Vec<(i64, String)>) -> HashMap<i64, HashSet<String>> {
    let mut out: HashMap<i64, HashSet<String>> = HashMap::new();
    for (cluster, item) in rows {
        out.entry(cluster).or_default().insert(item);
    }
    out
}

pub(crate) fn facts_json(facts: &ClusterFacts) -> DbResult<String> {
    serde_json::to_string(facts).map_err(|e| sqlx::Error::Encode(e.into()))
}

pub(crate) fn facts_map(rows: Vec<(i64, String, String)>) -> HashMap<i64, (ClusterFacts, String)> {
    rows.into_iter()
        .filter_map(|(id, json, at)| Some((id, (serde_json::from_str(&json).ok()?, at))))
        .collect()
}

pub(crate) fn seen_day(seen: Option<String>) -> Option<NaiveDate> {
    seen.as_deref()
        .and_then(shipshape_domain::time::parse_ts)
        .map(|t| t.date_naive())
}
