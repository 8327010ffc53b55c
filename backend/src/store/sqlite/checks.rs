//! SQLite: the `check_results` table.

use super::SqliteRepos;
use crate::repo::checks::CheckRow;
use crate::repo::{CheckResultRepo, DbResult};
use shipshape_domain::check::CheckResult;

#[async_trait::async_trait]
impl CheckResultRepo for SqliteRepos {
    async fn insert(&mut self, cluster_id: i64, run_id: &str, r: &CheckResult) -> DbResult<()> {
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
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn latest_per_item(
        &mut self,
        cluster_id: i64,
        since: Option<&str>,
    ) -> DbResult<Vec<CheckResult>> {
        let rows = sqlx::query_as::<_, CheckRow>(
            "SELECT c.item_id, c.status, c.reason, c.observed, c.evidence, c.duration_ms, c.at FROM check_results c
             JOIN (SELECT MAX(id) AS id FROM check_results
                   WHERE cluster_id = ? AND (? IS NULL OR at >= ?) GROUP BY item_id) newest ON c.id = newest.id
             ORDER BY c.item_id",
        )
        .bind(cluster_id)
        .bind(since)
        .bind(since)
        .fetch_all(self.c())
        .await?;
        rows.into_iter().map(CheckRow::into_result).collect()
    }
}
