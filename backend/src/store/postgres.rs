//! What only PostgreSQL does (for several replicas on one database): the
//! pool, the advisory locks that serialize writers across replicas and
//! elect a leader, and the few SQL fragments whose PostgreSQL spelling
//! differs from SQLite's (same names in [`super::sqlite`]). The schema is
//! `migrations/postgres`, the same tables and rules as SQLite's. Writers
//! are serialized by a transaction-level advisory lock ([`WRITE_LOCK_KEY`])
//! instead of SQLite's `BEGIN IMMEDIATE`, so ledger appends from every
//! replica link to the tip one at a time.

use super::write_tx::WriteConn;
use super::{DbResult, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Postgres};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The advisory lock every write transaction holds ("SHIPWRIT" in ASCII):
/// one writer at a time across all replicas, as SQLite's single writer.
/// Fixed forever: replicas of different versions must agree on it.
pub const WRITE_LOCK_KEY: i64 = 0x5348_4950_5752_4954;

/// The session-level advisory lock the leader replica holds ("SHIPLEAD" in
/// ASCII): it runs the work that must happen once per install. Distinct
/// from [`WRITE_LOCK_KEY`], and from the key sqlx's migrator derives from
/// the database's name.
pub const LEADER_LOCK_KEY: i64 = 0x5348_4950_4c45_4144;

/// How long a writer waits for [`WRITE_LOCK_KEY`] (or any row lock in its
/// transaction) before it fails, as SQLite's busy timeout.
const WRITE_LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '10s'";

/// A pooled connection, or a write transaction on one.
pub enum PgConn {
    Conn(PoolConnection<Postgres>),
    Tx(WriteConn<Postgres>),
}

impl PgConn {
    pub(crate) fn c(&mut self) -> &mut PgConnection {
        match self {
            PgConn::Conn(c) => c,
            PgConn::Tx(t) => t,
        }
    }

    pub async fn read(pool: &PgPool) -> DbResult<PgConn> {
        Ok(PgConn::Conn(pool.acquire().await?))
    }

    /// A transaction holding [`WRITE_LOCK_KEY`] until it commits or rolls
    /// back. READ COMMITTED whatever the server's default: each statement
    /// after the lock then sees everything the previous holder committed
    /// (the chain's tip included); a REPEATABLE READ snapshot could be
    /// taken before the lock was granted and miss it. A connection whose
    /// commit failed is closed, never reused.
    pub async fn write(pool: &PgPool) -> DbResult<PgConn> {
        let mut tx = WriteConn::begin(pool, "BEGIN ISOLATION LEVEL READ COMMITTED").await?;
        sqlx::query(WRITE_LOCK_TIMEOUT).execute(&mut *tx).await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        Ok(PgConn::Tx(tx))
    }

    pub(crate) async fn commit(self) -> DbResult<()> {
        match self {
            PgConn::Tx(t) => t.commit().await,
            PgConn::Conn(_) => Ok(()),
        }
    }
}

/// Opens a pool on `url` and brings the schema up to date (a failing
/// migration stops start-up). Replicas starting together do not race:
/// sqlx's PostgreSQL migrator holds a session-level `pg_advisory_lock`
/// (keyed by the database's name) while it migrates, so one applies the
/// migrations and the others wait, then find nothing left to do.
pub async fn connect(url: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url).map_err(|source| StoreError::Open {
        path: "database_url".to_string(),
        source,
    })?;
    let shown = describe(&options);
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(15))
        .after_release(super::write_tx::postgres_on_release)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            path: shown,
            source,
        })?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Where a URL points, for messages: host, port and database, never the
/// user name or password.
fn describe(o: &PgConnectOptions) -> String {
    format!(
        "postgres://{}:{}/{}",
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or_default()
    )
}

/// The first admin: two replicas' first-run setups could each see no
/// user, so the write lock is taken here (held already in a write
/// transaction; taken again it is a no-op) before counting users.
pub(crate) async fn lock_first_admin(c: &mut PgConnection) -> DbResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK_KEY)
        .execute(c)
        .await?;
    Ok(())
}

/// User and cluster names match without regard to ASCII case: `lower` in
/// the "C" collation folds ASCII only, as SQLite's `NOCASE` does.
pub(crate) fn same_name(column: &str, param: &str) -> String {
    format!("lower({column}) = lower({param} COLLATE \"C\")")
}

/// A list of integers is bound as an array: PostgreSQL has array types.
pub(crate) fn in_list(column: &str, param: &str) -> String {
    format!("{column} = ANY({param})")
}

/// The value bound for [`in_list`].
pub(crate) fn list_arg(values: &[i64]) -> DbResult<Vec<i64>> {
    Ok(values.to_vec())
}

/// Character codes: PostgreSQL's `chr()` (SQLite's is `char()`).
pub(crate) fn chr(code: u32) -> String {
    format!("chr({code})")
}

/// Whether `col` contains `needle` (`strpos` returns a position, and
/// PostgreSQL wants a boolean in a condition).
pub(crate) fn contains(col: &str, needle: &str) -> String {
    format!("strpos({col}, {needle}) > 0")
}

/// A number as text.
pub(crate) fn int_text(col: &str) -> String {
    format!("{col}::TEXT")
}

/// Joins rows' texts: PostgreSQL's aggregate is `string_agg`.
pub(crate) fn concat_rows(expr: &str, order: &str) -> String {
    format!("string_agg({expr}, '' ORDER BY {order})")
}

impl super::Conn {
    /// The PostgreSQL connection underneath, for what only it does (the
    /// store migration's bulk copy); `None` on SQLite.
    pub fn pg(&mut self) -> Option<&mut PgConnection> {
        match self {
            super::Conn::Postgres(c) => Some(c.c()),
            super::Conn::Sqlite(_) => None,
        }
    }
}
