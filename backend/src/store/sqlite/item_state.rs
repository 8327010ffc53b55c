//! SQLite: the read model's tables `item_state`, `item_state_daily` and
//! `view_meta`.

use super::SqliteRepos;
use crate::repo::{DbResult, ItemStateRepo};
use chrono::NaiveDate;

#[async_trait::async_trait]
impl ItemStateRepo for SqliteRepos {
    async fn of_cluster(&mut self, cluster_id: i64) -> DbResult<Vec<(String, String)>> {
        sqlx::query_as("SELECT item_id, state FROM item_state WHERE cluster_id = ?")
            .bind(cluster_id)
            .fetch_all(self.c())
            .await
    }

    async fn state(&mut self, cluster_id: i64, item_id: &str) -> DbResult<Option<String>> {
        sqlx::query_scalar("SELECT state FROM item_state WHERE cluster_id = ? AND item_id = ?")
            .bind(cluster_id)
            .bind(item_id)
            .fetch_optional(self.c())
            .await
    }

    async fn store(&mut self, cluster_id: i64, item_id: &str, state: &str) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO item_state (cluster_id, item_id, state) VALUES (?, ?, ?)
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
        sqlx::query(
            "INSERT INTO item_state_daily (cluster_id, item_id, day, state) VALUES (?, ?, ?, ?)
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
        sqlx::query_as(
            "SELECT d.cluster_id, d.item_id, d.state FROM item_state_daily d
             JOIN (SELECT cluster_id, item_id, MAX(day) AS day FROM item_state_daily
                   WHERE day < ? AND (? IS NULL OR cluster_id = ?) GROUP BY cluster_id, item_id) newest
             ON d.cluster_id = newest.cluster_id AND d.item_id = newest.item_id AND d.day = newest.day",
        )
        .bind(first.to_string())
        .bind(cluster_id)
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
        sqlx::query_as(
            "SELECT day, cluster_id, item_id, state FROM item_state_daily
             WHERE day >= ? AND day <= ? AND (? IS NULL OR cluster_id = ?) ORDER BY day",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .bind(cluster_id)
        .bind(cluster_id)
        .fetch_all(self.c())
        .await
    }

    async fn clear(&mut self) -> DbResult<()> {
        sqlx::query("DELETE FROM item_state")
            .execute(self.c())
            .await?;
        sqlx::query("DELETE FROM item_state_daily")
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn view_version(&mut self, name: &str) -> DbResult<Option<i64>> {
        sqlx::query_scalar("SELECT version FROM view_meta WHERE name = ?")
            .bind(name)
            .fetch_optional(self.c())
            .await
    }

    async fn set_view_version(&mut self, name: &str, version: i64) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO view_meta (name, version) VALUES (?, ?)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version",
        )
        .bind(name)
        .bind(version)
        .execute(self.c())
        .await?;
        Ok(())
    }
}
