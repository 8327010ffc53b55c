//! PostgreSQL: the read model's tables `item_state`, `item_state_daily`
//! and `view_meta`.

use super::PgRepos;
use crate::repo::{DbResult, ItemStateRepo};
use chrono::NaiveDate;

#[async_trait::async_trait]
impl ItemStateRepo for PgRepos {
    async fn of_cluster(&mut self, cluster_id: i64) -> DbResult<Vec<(String, String)>> {
        sqlx::query_as("SELECT item_id, state FROM item_state WHERE cluster_id = $1")
            .bind(cluster_id)
            .fetch_all(self.c())
            .await
    }

    async fn state(&mut self, cluster_id: i64, item_id: &str) -> DbResult<Option<String>> {
        sqlx::query_scalar("SELECT state FROM item_state WHERE cluster_id = $1 AND item_id = $2")
            .bind(cluster_id)
            .bind(item_id)
            .fetch_optional(self.c())
            .await
    }

    async fn store(&mut self, cluster_id: i64, item_id: &str, state: &str) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO item_state (cluster_id, item_id, state) VALUES ($1, $2, $3)
             ON CONFLICT (cluster_id, item_id) DO UPDATE SET state = excluded.state",
        )
        .bind(cluster_id)
        .bind(item_id)
        .bind(state)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn store_daily(
        &mut self,
        cluster_id: i64,
        item_id: &str,
        day: NaiveDate,
        state: &str,
    ) -> DbResult<()> {
        // The day as TEXT (YYYY-MM-DD), as SQLite stores it, not a DATE.
        sqlx::query(
            "INSERT INTO item_state_daily (cluster_id, item_id, day, state) VALUES ($1, $2, $3, $4)
             ON CONFLICT (cluster_id, item_id, day) DO UPDATE SET state = excluded.state",
        )
        .bind(cluster_id)
        .bind(item_id)
        .bind(day.to_string())
        .bind(state)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn all_rows(&mut self) -> DbResult<Vec<(i64, String, String)>> {
        sqlx::query_as("SELECT cluster_id, item_id, state FROM item_state")
            .fetch_all(self.c())
            .await
    }

    async fn all_daily_rows(&mut self) -> DbResult<Vec<(i64, String, String, String)>> {
        sqlx::query_as("SELECT cluster_id, item_id, day, state FROM item_state_daily")
            .fetch_all(self.c())
            .await
    }

    async fn daily_before(
        &mut self,
        first: NaiveDate,
        cluster_id: Option<i64>,
    ) -> DbResult<Vec<(i64, String, String)>> {
        // The newest day before `first` per item: DISTINCT ON keeps the
        // first row of each (cluster, item) in the ORDER BY.
        sqlx::query_as(
            "SELECT DISTINCT ON (cluster_id, item_id) cluster_id, item_id, state
             FROM item_state_daily
             WHERE day < $1 AND ($2::BIGINT IS NULL OR cluster_id = $2)
             ORDER BY cluster_id, item_id, day DESC",
        )
        .bind(first.to_string())
        .bind(cluster_id)
        .fetch_all(self.c())
        .await
    }

    async fn daily_between(
        &mut self,
        first: NaiveDate,
        last: NaiveDate,
        cluster_id: Option<i64>,
    ) -> DbResult<Vec<(String, i64, String, String)>> {
        // Within a day by cluster and item: the order SQLite reads them in
        // (its index by day holds the primary key after it).
        sqlx::query_as(
            "SELECT day, cluster_id, item_id, state FROM item_state_daily
             WHERE day >= $1 AND day <= $2 AND ($3::BIGINT IS NULL OR cluster_id = $3)
             ORDER BY day, cluster_id, item_id",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .bind(cluster_id)
        .fetch_all(self.c())
        .await
    }

    async fn clear(&mut self) -> DbResult<()> {
        // DELETE, not TRUNCATE: TRUNCATE would lock readers out of both
        // tables until the rebuild commits; DELETE leaves them the old rows.
        sqlx::query("DELETE FROM item_state")
            .execute(self.c())
            .await?;
        sqlx::query("DELETE FROM item_state_daily")
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn view_version(&mut self, name: &str) -> DbResult<Option<i64>> {
        sqlx::query_scalar("SELECT version FROM view_meta WHERE name = $1")
            .bind(name)
            .fetch_optional(self.c())
            .await
    }

    async fn set_view_version(&mut self, name: &str, version: i64) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO view_meta (name, version) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version",
        )
        .bind(name)
        .bind(version)
        .execute(self.c())
        .await?;
        Ok(())
    }
}
