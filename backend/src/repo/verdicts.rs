//! The `check_verdicts`, `cluster_facts` and `trino_versions_seen` tables:
//! the counting verdict per cluster × item (kept with each run), the newest
//! facts a run read about each cluster, and the Trino releases seen running.

use chrono::NaiveDate;
use shipshape_domain::check::{CheckStatus, VerdictState};
use shipshape_domain::drift::ClusterFacts;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};
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

/// Every item's verdict state on one cluster.
pub async fn of_cluster(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
) -> Result<HashMap<String, VerdictState>, sqlx::Error> {
    let rows = sqlx::query_as::<_, VerdictRow>(
        "SELECT item_id, effective, effective_since, streak_status, streak, streak_since
         FROM check_verdicts WHERE cluster_id = ?",
    )
    .bind(cluster_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(VerdictRow::into_state).collect())
}

/// Stores one item's state after a run.
pub async fn upsert(
    conn: &mut SqliteConnection,
    cluster_id: i64,
    item_id: &str,
    s: &VerdictState,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO check_verdicts (cluster_id, item_id, effective, effective_since, streak_status, streak, streak_since, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster_id, item_id) DO UPDATE SET
           effective = excluded.effective, effective_since = excluded.effective_since,
           streak_status = excluded.streak_status, streak = excluded.streak,
           streak_since = excluded.streak_since, updated_at = excluded.updated_at",
    )
    .bind(cluster_id)
    .bind(item_id)
    .bind(s.effective.map(CheckStatus::as_str))
    .bind(&s.effective_since)
    .bind(s.streak_status.unwrap_or(CheckStatus::Error).as_str())
    .bind(i64::from(s.streak.max(1)))
    .bind(s.streak_since.as_deref().unwrap_or(at))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a cluster's verdict states and facts: its check target changed.
pub async fn reset_cluster(
    conn: &mut SqliteConnection,
    cluster_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM check_verdicts WHERE cluster_id = ?")
        .bind(cluster_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM cluster_facts WHERE cluster_id = ?")
        .bind(cluster_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Per cluster, the items whose counting verdict is `fail`.
pub async fn failing_all(
    db: impl SqliteExecutor<'_>,
) -> Result<HashMap<i64, HashSet<String>>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT cluster_id, item_id FROM check_verdicts WHERE effective = 'fail'")
            .fetch_all(db)
            .await?;
    let mut out: HashMap<i64, HashSet<String>> = HashMap::new();
    for (cluster, item) in rows {
        out.entry(cluster).or_default().insert(item);
    }
    Ok(out)
}

/// Stores the newest facts of a cluster; a release number seen for the
/// first time is remembered with this cluster and time.
pub async fn record_facts(
    conn: &mut SqliteConnection,
    cluster_id: i64,
    facts: &ClusterFacts,
    release: Option<u32>,
    at: &str,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(facts).map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query(
        "INSERT INTO cluster_facts (cluster_id, facts, at) VALUES (?, ?, ?)
         ON CONFLICT (cluster_id) DO UPDATE SET facts = excluded.facts, at = excluded.at",
    )
    .bind(cluster_id)
    .bind(json)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    if let Some(v) = release {
        sqlx::query(
            "INSERT INTO trino_versions_seen (version, first_seen, cluster_id) VALUES (?, ?, ?)
             ON CONFLICT (version) DO NOTHING",
        )
        .bind(i64::from(v))
        .bind(at)
        .bind(cluster_id)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Every cluster's newest facts (clusters whose facts cannot be read are
/// left out) and when they were read.
pub async fn facts_all(
    db: impl SqliteExecutor<'_>,
) -> Result<HashMap<i64, (ClusterFacts, String)>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT cluster_id, facts, at FROM cluster_facts")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, json, at)| Some((id, (serde_json::from_str(&json).ok()?, at))))
        .collect())
}

/// The day a release number was first seen running, if it was.
pub async fn first_seen(
    db: impl SqliteExecutor<'_>,
    version: u32,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    let seen: Option<String> =
        sqlx::query_scalar("SELECT first_seen FROM trino_versions_seen WHERE version = ?")
            .bind(i64::from(version))
            .fetch_optional(db)
            .await?;
    Ok(seen
        .as_deref()
        .and_then(shipshape_domain::time::parse_ts)
        .map(|t| t.date_naive()))
}
