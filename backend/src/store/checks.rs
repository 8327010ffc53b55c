//! The `check_results` table: appended per run, read newest per item
//! (append-only: PostgreSQL's triggers refuse updates and deletes).

use super::{on_db, Conn, DbResult};
use shipshape_domain::check::{CheckResult, CheckStatus};
use shipshape_domain::ids::ClusterId;
use shipshape_domain::time::Timestamp;
use sqlx::FromRow;

#[derive(FromRow)]
struct CheckRow {
    item_id: String,
    status: String,
    reason: String,
    observed: String,
    evidence: String,
    duration_ms: i64,
    at: String,
}

impl CheckRow {
    fn into_result(self) -> DbResult<CheckResult> {
        let status = CheckStatus::parse(&self.status).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown check status {:?}", self.status).into())
        })?;
        Ok(CheckResult {
            item_id: self.item_id.into(),
            status,
            reason: self.reason,
            observed: self.observed,
            evidence: self.evidence,
            duration_ms: self.duration_ms,
            at: self.at,
        })
    }
}

/// The `check_results` table on one connection.
pub struct CheckResults<'c>(&'c mut Conn);

impl Conn {
    pub fn checks(&mut self) -> CheckResults<'_> {
        CheckResults(self)
    }
}

impl CheckResults<'_> {
    pub async fn insert(
        self,
        cluster_id: ClusterId,
        run_id: &str,
        r: &CheckResult,
    ) -> DbResult<()> {
        on_db!(self.0, |db| {
            sqlx::query(
            "INSERT INTO check_results (cluster_id, item_id, run_id, status, reason, observed, evidence, duration_ms, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(cluster_id.get())
        .bind(r.item_id.as_str())
        .bind(run_id)
        .bind(r.status.as_str())
        .bind(&r.reason)
        .bind(&r.observed)
        .bind(&r.evidence)
        .bind(r.duration_ms)
        .bind(&r.at)
        .execute(db)
        .await
        .map(|_| ())
        })
    }

    /// The newest result per item of one cluster, among results at or after
    /// `since` (the cluster's last check-target change), if given.
    pub async fn latest_per_item(
        self,
        cluster_id: ClusterId,
        since: Option<Timestamp>,
    ) -> DbResult<Vec<CheckResult>> {
        // The newest row of each item is the one with the highest id (the
        // same on both databases; PostgreSQL's DISTINCT ON is not in SQLite).
        let rows = on_db!(self.0, |db| {
            sqlx::query_as::<_, CheckRow>(
            "SELECT c.item_id, c.status, c.reason, c.observed, c.evidence, c.duration_ms, c.at FROM check_results c
             JOIN (SELECT MAX(id) AS id FROM check_results
                   WHERE cluster_id = $1 AND ($2 IS NULL OR at >= $2) GROUP BY item_id) newest ON c.id = newest.id
             ORDER BY c.item_id"
        )
        .bind(cluster_id.get())
        .bind(since.map(|t| t.to_string()))
        .fetch_all(db)
        .await
        })?;
        rows.into_iter().map(CheckRow::into_result).collect()
    }
}
