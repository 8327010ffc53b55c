//! What only the embedded SQLite database does: the pool (one file, WAL
//! journal, a busy timeout, foreign keys on), its single writer, and the
//! few SQL fragments whose SQLite spelling differs from PostgreSQL's (same
//! names in [`super::postgres`]). The embedded migrations from
//! `migrations/sqlite` run before anything else; one that fails stops
//! start-up.
//!
//! `synchronous = FULL`: every commit waits until the WAL is on disk, so a
//! sign-off answered 201 survives a power loss (`NORMAL` in WAL mode may drop
//! the last commits then, though the file stays consistent). Measured with
//! `cargo bench -p shipshape --bench export -- signoffs` (8 concurrent
//! writers): see the README's "The sign-off ledger".

use super::write_tx::WriteConn;
use super::{DbResult, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use std::path::Path;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Opens (creating if needed) the database file and brings its schema up to date.
pub async fn connect(path: &Path) -> Result<SqlitePool, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
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
        .after_release(super::write_tx::sqlite_on_release)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A pooled connection, a write transaction on one, or a connection of
/// its own (to a backup's copy of the file).
pub enum SqliteConn {
    Conn(PoolConnection<Sqlite>),
    Tx(WriteConn<Sqlite>),
    Own(SqliteConnection),
}

impl SqliteConn {
    pub(crate) fn c(&mut self) -> &mut SqliteConnection {
        match self {
            SqliteConn::Conn(c) => c,
            SqliteConn::Tx(t) => t,
            SqliteConn::Own(c) => c,
        }
    }

    pub async fn read(pool: &SqlitePool) -> DbResult<SqliteConn> {
        Ok(SqliteConn::Conn(pool.acquire().await?))
    }

    /// `BEGIN IMMEDIATE`: takes SQLite's write lock at once, so every
    /// writer waits its turn (the busy timeout) instead of failing later.
    /// A connection whose commit failed is closed, never reused.
    pub async fn write(pool: &SqlitePool) -> DbResult<SqliteConn> {
        Ok(SqliteConn::Tx(
            WriteConn::begin(pool, "BEGIN IMMEDIATE").await?,
        ))
    }

    pub(crate) async fn commit(self) -> DbResult<()> {
        match self {
            SqliteConn::Tx(t) => t.commit().await,
            SqliteConn::Conn(_) | SqliteConn::Own(_) => Ok(()),
        }
    }
}

/// The first admin: SQLite has one writer, and `BEGIN IMMEDIATE` (every
/// write transaction) already holds it, so nothing more is taken.
pub(crate) async fn lock_first_admin(_: &mut SqliteConnection) -> DbResult<()> {
    Ok(())
}

/// User and cluster names match without regard to ASCII case: SQLite's
/// `NOCASE` folds ASCII only, as the columns' unique indexes do.
pub(crate) fn same_name(column: &str, param: &str) -> String {
    format!("{column} = {param} COLLATE NOCASE")
}

/// A list of integers is bound as one JSON text: SQLite has no array type.
pub(crate) fn in_list(column: &str, param: &str) -> String {
    format!("{column} IN (SELECT value FROM json_each({param}))")
}

/// The value bound for [`in_list`].
pub(crate) fn list_arg(values: &[i64]) -> DbResult<String> {
    serde_json::to_string(values).map_err(super::encode_error)
}

/// Character codes: SQLite's `char()` (PostgreSQL's is `chr()`).
pub(crate) fn chr(code: u32) -> String {
    format!("char({code})")
}

/// Whether `col` contains `needle` (SQLite's `instr` returns a position,
/// 0 for none, which is false in a condition).
pub(crate) fn contains(col: &str, needle: &str) -> String {
    format!("instr({col}, {needle})")
}

/// A number as text (SQLite has no `::` cast).
pub(crate) fn int_text(col: &str) -> String {
    format!("CAST({col} AS TEXT)")
}

/// Joins rows' texts: SQLite's aggregate is `group_concat`.
pub(crate) fn concat_rows(expr: &str, order: &str) -> String {
    format!("group_concat({expr}, '' ORDER BY {order})")
}
