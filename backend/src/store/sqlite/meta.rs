//! SQLite: the migrations table and the write probe.

use super::SqliteRepos;
use crate::repo::{DbResult, MetaRepo};

#[async_trait::async_trait]
impl MetaRepo for SqliteRepos {
    async fn applied_migrations(&mut self) -> DbResult<Vec<i64>> {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(self.c())
            .await
    }

    async fn probe_write(&mut self) -> DbResult<()> {
        sqlx::query("INSERT OR REPLACE INTO view_meta (name, version) VALUES ('readyz-probe', 0)")
            .execute(self.c())
            .await?;
        Ok(())
    }
}
