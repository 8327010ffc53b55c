//! PostgreSQL: the migrations table and the write probe.

use super::PgRepos;
use crate::repo::{DbResult, MetaRepo};

#[async_trait::async_trait]
impl MetaRepo for PgRepos {
    async fn applied_migrations(&mut self) -> DbResult<Vec<i64>> {
        // sqlx's PostgreSQL table: version BIGINT, success BOOLEAN.
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(self.c())
            .await
    }

    async fn probe_write(&mut self) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO view_meta (name, version) VALUES ('readyz-probe', 0)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version",
        )
        .execute(self.c())
        .await?;
        Ok(())
    }
}
