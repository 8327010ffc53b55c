//! The `check_verdicts`, `cluster_facts` and `trino_versions_seen` tables:
//! the counting verdict per cluster × item (kept with each run), the newest
//! facts a run read about each cluster, and the Trino releases seen running.

use super::{on_db, Conn, DbResult};
use chrono::NaiveDate;
use shipshape_domain::check::{CheckStatus, VerdictState};
use shipshape_domain::drift::ClusterFacts;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::time::Timestamp;
use sqlx::FromRow;
use std::collections::{HashMap, HashSet};

#[derive(FromRow)]
struct VerdictRow {
    item_id: String,
    effective: Option<String>,
    effective_since: Option<String>,
    streak_status: String,
    streak: i64,
    streak_since: String,
}

impl VerdictRow {
    fn into_state(self) -> (String, VerdictState) {
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

fn failing_map(rows: Vec<(i64, String)>) -> HashMap<ClusterId, HashSet<String>> {
    let mut out: HashMap<ClusterId, HashSet<String>> = HashMap::new();
    for (cluster, item) in rows {
        out.entry(ClusterId::new(cluster)).or_default().insert(item);
    }
    out
}

fn facts_json(facts: &ClusterFacts) -> DbResult<String> {
    serde_json::to_string(facts).map_err(super::encode_error)
}

fn facts_map(rows: Vec<(i64, String, String)>) -> HashMap<ClusterId, (ClusterFacts, String)> {
    rows.into_iter()
        .filter_map(|(id, json, at)| {
            Some((ClusterId::new(id), (serde_json::from_str(&json).ok()?, at)))
        })
        .collect()
}

fn seen_day(seen: Option<String>) -> Option<NaiveDate> {
    seen.as_deref()
        .and_then(shipshape_domain::time::parse_ts)
        .map(|t| t.date_naive())
}

/// The verdict and facts tables on one connection.
pub struct Verdicts<'c>(&'c mut Conn);

impl Conn {
    pub fn verdicts(&mut self) -> Verdicts<'_> {
        Verdicts(self)
    }
}

impl Verdicts<'_> {
    /// Every item's verdict state on one cluster.
    pub async fn of_cluster(
        self,
        cluster_id: ClusterId,
    ) -> DbResult<HashMap<String, VerdictState>> {
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, VerdictRow>(
            "SELECT item_id, effective, effective_since, streak_status, streak, streak_since
             FROM check_verdicts WHERE cluster_id = $1"
        )
        .bind(cluster_id.get())
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(VerdictRow::into_state).collect())
    }

    /// Stores one item's state after a run.
    pub async fn upsert(
        self,
        cluster_id: ClusterId,
        item_id: &str,
        s: &VerdictState,
        at: Timestamp,
    ) -> DbResult<()> {
        on_db!(self.0, |db| {
            sqlx::query(
            "INSERT INTO check_verdicts (cluster_id, item_id, effective, effective_since, streak_status, streak, streak_since, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (cluster_id, item_id) DO UPDATE SET
               effective = excluded.effective, effective_since = excluded.effective_since,
               streak_status = excluded.streak_status, streak = excluded.streak,
               streak_since = excluded.streak_since, updated_at = excluded.updated_at"
        )
        .bind(cluster_id.get())
        .bind(item_id)
        .bind(s.effective.map(CheckStatus::as_str))
        .bind(&s.effective_since)
        .bind(s.streak_status.unwrap_or(CheckStatus::Error).as_str())
        .bind(i64::from(s.streak.max(1)))
        .bind(s.streak_since.clone().unwrap_or_else(|| at.to_string()))
        .bind(at.to_string())
        .execute(db)
        .await
        .map(|_| ())
        })
    }

    /// Forgets a cluster's verdict states and facts: its check target changed.
    pub async fn reset_cluster(self, cluster_id: ClusterId) -> DbResult<()> {
        on_db!(self.0, |db| {
            sqlx::query("DELETE FROM check_verdicts WHERE cluster_id = $1")
                .bind(cluster_id.get())
                .execute(&mut *db)
                .await?;
            sqlx::query("DELETE FROM cluster_facts WHERE cluster_id = $1")
                .bind(cluster_id.get())
                .execute(&mut *db)
                .await?;
        });
        Ok(())
    }

    /// Per cluster, the items whose counting verdict is `fail`.
    pub async fn failing_all(self) -> DbResult<HashMap<ClusterId, HashSet<String>>> {
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, (i64, String)>(
            "SELECT cluster_id, item_id FROM check_verdicts WHERE effective = 'fail'"
        )
        .fetch_all(db)
        .await)?;
        Ok(failing_map(rows))
    }

    /// Stores the newest facts of a cluster; a release number seen for the
    /// first time is remembered with this cluster and time.
    pub async fn record_facts(
        self,
        cluster_id: ClusterId,
        facts: &ClusterFacts,
        release: Option<u32>,
        at: Timestamp,
    ) -> DbResult<()> {
        let json = facts_json(facts)?;
        on_db!(self.0, |db| {
            sqlx::query(
                "INSERT INTO cluster_facts (cluster_id, facts, at) VALUES ($1, $2, $3)
                 ON CONFLICT (cluster_id) DO UPDATE SET facts = excluded.facts, at = excluded.at",
            )
            .bind(cluster_id.get())
            .bind(&json)
            .bind(at.to_string())
            .execute(&mut *db)
            .await?;
            if let Some(v) = release {
                // The first sighting stays: a later one inserts nothing.
                sqlx::query(
                    "INSERT INTO trino_versions_seen (version, first_seen, cluster_id) VALUES ($1, $2, $3)
                     ON CONFLICT (version) DO NOTHING",
                )
                .bind(i64::from(v))
                .bind(at.to_string())
                .bind(cluster_id.get())
                .execute(&mut *db)
                .await?;
            }
        });
        Ok(())
    }

    /// Every cluster's newest facts (clusters whose facts cannot be read
    /// are left out) and when they were read.
    pub async fn facts_all(self) -> DbResult<HashMap<ClusterId, (ClusterFacts, String)>> {
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, (i64, String, String)>(
            "SELECT cluster_id, facts, at FROM cluster_facts"
        )
        .fetch_all(db)
        .await)?;
        Ok(facts_map(rows))
    }

    /// The day a release number was first seen running, if it was.
    pub async fn first_seen(self, version: u32) -> DbResult<Option<NaiveDate>> {
        let seen = on_db!(self.0, |db| sqlx::query_scalar::<_, String>(
            "SELECT first_seen FROM trino_versions_seen WHERE version = $1"
        )
        .bind(i64::from(version))
        .fetch_optional(db)
        .await)?;
        Ok(seen_day(seen))
    }
}
