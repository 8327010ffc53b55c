//! What the database says about itself: which migrations it has applied,
//! whether it takes writes (for `/readyz`).

use super::{on_db, Conn, DbResult};

/// The database's own tables (sqlx's migrations, `view_meta`) on one
/// connection.
pub struct Meta<'c>(&'c mut Conn);

impl Conn {
    pub fn meta(&mut self) -> Meta<'_> {
        Meta(self)
    }
}

impl Meta<'_> {
    /// The versions of the migrations applied successfully.
    pub async fn applied_migrations(self) -> DbResult<Vec<i64>> {
        // sqlx's table: `success` is a BOOLEAN on both databases (an
        // integer 0 or 1 on SQLite, which a bare condition reads alike).
        on_db!(self.0, |db| sqlx::query_scalar::<_, i64>(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version"
        )
        .fetch_all(db)
        .await)
    }

    /// Writes a probe row (call in a write transaction that is then
    /// dropped, so nothing stays).
    pub async fn probe_write(self) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "INSERT INTO view_meta (name, version) VALUES ('readyz-probe', 0)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version"
        )
        .execute(db)
        .await
        // Each driver has its own result type: only success is kept.
        .map(|_| ()))
    }
}
