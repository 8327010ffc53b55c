//! The SQLite pool: WAL journal, a busy timeout, foreign keys on, and the
//! embedded migrations from `migrations/` run before anything else. A
//! migration that fails stops start-up.
//!
//! `synchronous = FULL`: every commit waits until the WAL is on disk, so a
//! sign-off answered 201 survives a power loss (`NORMAL` in WAL mode may drop
//! the last commits then, though the file stays consistent). Measured with
//! `cargo bench -p shipshape --bench export -- signoffs` (8 concurrent
//! writers): see the README's "The sign-off ledger".

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

pub use crate::store::StoreError as DbError;

/// Opens (creating if needed) the database file and brings its schema up to date.
pub async fn connect(path: &Path) -> Result<SqlitePool, DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Dir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
        // A connection still inside a transaction is closed, not reused.
        .after_release(crate::store::write_tx::sqlite_on_release)
        .connect_with(options)
        .await
        .map_err(|source| DbError::Open {
            path: path.display().to_string(),
            source,
        })?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
