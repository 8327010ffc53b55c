//! PostgreSQL: the `clusters` table (names unique without regard to ASCII
//! case, by the unique index on `lower(name)`, as SQLite's `COLLATE
//! NOCASE`).
//!
//! A clash with another cluster's name is an outcome, not an error, and it
//! must not spoil the caller's transaction: on PostgreSQL a failed
//! statement aborts the whole transaction (SQLite fails the statement
//! only). So an insert skips a clash with `ON CONFLICT DO NOTHING`, and an
//! update runs in a savepoint that is rolled back when it fails.

use super::PgRepos;
use crate::repo::clusters::{connection_json, write_outcome, ClusterRow, Write, COLUMNS};
use crate::repo::{ClusterRepo, DbResult};
use shipshape_domain::cluster::{Cluster, ValidCluster};
use sqlx::Connection;

#[async_trait::async_trait]
impl ClusterRepo for PgRepos {
    async fn insert(&mut self, c: &ValidCluster, at: &str) -> DbResult<Write> {
        let sql = format!(
            "INSERT INTO clusters (name, environment, coordinator_url, notes, connection, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT ((lower(name))) DO NOTHING RETURNING {COLUMNS}"
        );
        let result = sqlx::query_as::<_, ClusterRow>(&sql)
            .bind(&c.name)
            .bind(&c.environment)
            .bind(&c.coordinator_url)
            .bind(&c.notes)
            .bind(connection_json(&c.connection)?)
            .bind(at)
            .fetch_optional(self.c())
            .await;
        match result {
            // Nothing inserted: the name is taken.
            Ok(None) => Ok(Write::NameTaken),
            other => write_outcome(other),
        }
    }

    async fn update(&mut self, id: i64, c: &ValidCluster, at: &str) -> DbResult<Write> {
        let sql = format!(
            "UPDATE clusters SET name = $1, environment = $2, coordinator_url = $3, notes = $4,
             connection = $5, updated_at = $6 WHERE id = $7 RETURNING {COLUMNS}"
        );
        let connection = connection_json(&c.connection)?;
        let mut savepoint = self.c().begin().await?;
        let result = sqlx::query_as::<_, ClusterRow>(&sql)
            .bind(&c.name)
            .bind(&c.environment)
            .bind(&c.coordinator_url)
            .bind(&c.notes)
            .bind(connection)
            .bind(at)
            .bind(id)
            .fetch_optional(&mut *savepoint)
            .await;
        match &result {
            Ok(_) => savepoint.commit().await?,
            Err(_) => savepoint.rollback().await?,
        }
        write_outcome(result)
    }

    async fn reset_checks(&mut self, id: i64, at: &str, reason: &str) -> DbResult<()> {
        sqlx::query(
            "UPDATE clusters SET checks_reset_at = $1, checks_reset_reason = $2 WHERE id = $3",
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
            "UPDATE clusters SET archived_at = $1, updated_at = $2 WHERE id = $3 RETURNING {COLUMNS}"
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
        let sql = format!("SELECT {COLUMNS} FROM clusters WHERE id = $1");
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
        // By name without regard to ASCII case, as SQLite sorts a NOCASE column.
        let sql = format!("SELECT {COLUMNS} FROM clusters {filter} ORDER BY lower(name)");
        let rows = sqlx::query_as::<_, ClusterRow>(&sql)
            .fetch_all(self.c())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
