//! SQLite: the `clusters` table.

use super::SqliteRepos;
use crate::repo::clusters::{connection_json, write_outcome, ClusterRow, Write, COLUMNS};
use crate::repo::{ClusterRepo, DbResult};
use shipshape_domain::cluster::{Cluster, ValidCluster};

#[async_trait::async_trait]
impl ClusterRepo for SqliteRepos {
    async fn insert(&mut self, c: &ValidCluster, at: &str) -> DbResult<Write> {
        let sql = format!(
            "INSERT INTO clusters (name, environment, coordinator_url, notes, connection, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        );
        let result = sqlx::query_as::<_, ClusterRow>(&sql)
            .bind(&c.name)
            .bind(&c.environment)
            .bind(&c.coordinator_url)
            .bind(&c.notes)
            .bind(connection_json(&c.connection)?)
            .bind(at)
            .bind(at)
            .fetch_optional(self.c())
            .await;
        write_outcome(result)
    }

    async fn update(&mut self, id: i64, c: &ValidCluster, at: &str) -> DbResult<Write> {
        let sql = format!(
            "UPDATE clusters SET name = ?, environment = ?, coordinator_url = ?, notes = ?, connection = ?,
             updated_at = ? WHERE id = ? RETURNING {COLUMNS}"
        );
        let result = sqlx::query_as::<_, ClusterRow>(&sql)
            .bind(&c.name)
            .bind(&c.environment)
            .bind(&c.coordinator_url)
            .bind(&c.notes)
            .bind(connection_json(&c.connection)?)
            .bind(at)
            .bind(id)
            .fetch_optional(self.c())
            .await;
        write_outcome(result)
    }

    async fn reset_checks(&mut self, id: i64, at: &str, reason: &str) -> DbResult<()> {
        sqlx::query(
            "UPDATE clusters SET checks_reset_at = ?, checks_reset_reason = ? WHERE id = ?",
        )
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn set_archived(
        &mut self,
        id: i64,
        archived_at: Option<&str>,
        at: &str,
    ) -> DbResult<Option<Cluster>> {
        let sql = format!(
            "UPDATE clusters SET archived_at = ?, updated_at = ? WHERE id = ? RETURNING {COLUMNS}"
        );
        let row = sqlx::query_as::<_, ClusterRow>(&sql)
            .bind(archived_at)
            .bind(at)
            .bind(id)
            .fetch_optional(self.c())
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn by_id(&mut self, id: i64) -> DbResult<Option<Cluster>> {
        let sql = format!("SELECT {COLUMNS} FROM clusters WHERE id = ?");
        let row = sqlx::query_as::<_, ClusterRow>(&sql)
            .bind(id)
            .fetch_optional(self.c())
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn list(&mut self, include_archived: bool) -> DbResult<Vec<Cluster>> {
        let filter = if include_archived {
            ""
        } else {
            "WHERE archived_at IS NULL"
        };
        let sql = format!("SELECT {COLUMNS} FROM clusters {filter} ORDER BY name");
        let rows = sqlx::query_as::<_, ClusterRow>(&sql)
            .fetch_all(self.c())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
