//! The `check_results` table: appended per run, read newest per item.

use shipshape_domain::check::{CheckResult, CheckStatus};
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

#[derive(FromRow)]
struct Row {
    item_id: String,
    status: String,
    reason: String,
    observed: String,
    evidence: String,
    duration_ms: i64,
    at: String,
}

impl Row {
    fn into_result(self) -> Result<CheckResult, sqlx::Error> {
        let status = CheckStatus::parse(&self.status).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown check status {:?}", self.status).into())
        })?;
        Ok(CheckResult {
            item_id: self.item_id,
            status,
            reason: self.reason,
            observed: self.observed,
            evidence: self.evidence,
            duration_ms: self.duration_ms,
            at: self.at,
        })
    }
}

pub async fn insert(
    conn: &mut SqliteConnection,
    cluster_id: i64,
    run_id: &str,
    r: &CheckResult,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO check_results (cluster_id, item_id, run_id, status, reason, observed, evidence, duration_ms, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(cluster_id)
    .bind(&r.item_id)
    .bind(run_id)
    .bind(r.status.as_str())
    .bind(&r.reason)
    .bind(&r.observed)
    .bind(&r.evidence)
    .bind(r.duration_ms)
    .bind(&r.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest result per item of one cluster, among results at or after
/// `since` (the cluster's last check-target change), if given.
pub async fn latest_per_item(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
    since: Option<&str>,
) -> Result<Vec<CheckResult>, sqlx::Error> {
    let rows = sqlx::query_as::<_, Row>(
        "SELECT c.item_id, c.status, c.reason, c.observed, c.evidence, c.duration_ms, c.at FROM check_results c
         JOIN (SELECT MAX(id) AS id FROM check_results
               WHERE cluster_id = ? AND (? IS NULL OR at >= ?) GROUP BY item_id) newest ON c.id = newest.id
         ORDER BY c.item_id",
    )
    .bind(cluster_id)
    .bind(since)
    .bind(since)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(Row::into_result).collect()
}
