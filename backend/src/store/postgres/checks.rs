//! PostgreSQL: the `check_results` table (append-only by triggers).

use super::PgRepos;
use crate::repo::checks::CheckRow;
use crate::repo::{CheckResultRepo, DbResult};
use shipshape_domain::check::CheckResult;

#[async_trait::async_trait]
impl CheckResultRepo for PgRepos {
    async fn insert(&mut self, cluster_id: i64, run_id: &str, r: &CheckResult) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO check_results (cluster_id, item_id, run_id, status, reason, observed, evidence, duration_ms, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        // DISTINCT ON keeps the first row of each item in the ORDER BY: the
        // newest (highest id), as SQLite's MAX(id) per item.
        let rows = sqlx::query_as::<_, CheckRow>(
            "SELECT DISTINCT ON (item_id) item_id, status, reason, observed, evidence, duration_ms, at
             FROM check_results WHERE cluster_id = $1 AND ($2::TEXT IS NULL OR at >= $2)
             ORDER BY item_id, id DESC",
        )
        .bind(cluster_id)
        .bind(since)
        .fetch_all(self.c())
        .await?;
        rows.into_iter().map(CheckRow::into_result).collect()
    }
}
