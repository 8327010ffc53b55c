//! The PostgreSQL implementation of every repository (for several
//! replicas on one database). The schema is `migrations/postgres`, the
//! same tables and rules as SQLite's. Writers are serialized by a
//! transaction-level advisory lock ([`WRITE_LOCK_KEY`]) instead of SQLite's
//! `BEGIN IMMEDIATE`, so ledger appends from every replica link to the tip
//! one at a time.

mod attachments;
mod calendar_links;
mod checks;
mod clusters;
mod item_state;
mod ledger;
pub mod login_failures;
mod meta;
mod notifications;
mod reminders;
mod tokens;
mod users;
mod verdicts;

use crate::repo::{DbResult, Repos, WriteTx};
use crate::store::write_tx::WriteConn;
use crate::store::StoreError;
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
/// ASCII; the same value as [`super::leader::LEADER_LOCK_KEY`]): it runs
/// the work that must happen once per install. Distinct from
/// [`WRITE_LOCK_KEY`], and from the key sqlx's migrator derives from the
/// database's name.
pub const LEADER_LOCK_KEY: i64 = 0x5348_4950_4c45_4144;

/// How long a writer waits for [`WRITE_LOCK_KEY`] (or any row lock in its
/// transaction) before it fails, as SQLite's busy timeout.
const WRITE_LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '10s'";

/// A pooled connection, or a write transaction on one.
pub enum PgRepos {
    Conn(PoolConnection<Postgres>),
    Tx(WriteConn<Postgres>),
}

impl PgRepos {
    fn c(&mut self) -> &mut PgConnection {
        match self {
            PgRepos::Conn(c) => c,
            PgRepos::Tx(t) => t,
        }
    }

    pub async fn read(pool: &PgPool) -> DbResult<PgRepos> {
        Ok(PgRepos::Conn(pool.acquire().await?))
    }

    /// A transaction holding [`WRITE_LOCK_KEY`] until it commits or rolls
    /// back. READ COMMITTED whatever the server's default: each statement
    /// after the lock then sees everything the previous holder committed
    /// (the chain's tip included); a REPEATABLE READ snapshot could be
    /// taken before the lock was granted and miss it. A connection whose
    /// commit failed is closed, never reused.
    pub async fn write(pool: &PgPool) -> DbResult<PgRepos> {
        let mut tx = WriteConn::begin(pool, "BEGIN ISOLATION LEVEL READ COMMITTED").await?;
        sqlx::query(WRITE_LOCK_TIMEOUT).execute(&mut *tx).await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        Ok(PgRepos::Tx(tx))
    }
}

crate::impl_repos!(PgRepos);

#[async_trait::async_trait]
impl WriteTx for PgRepos {
    async fn commit(self: Box<Self>) -> DbResult<()> {
        match *self {
            PgRepos::Tx(t) => t.commit().await,
            PgRepos::Conn(_) => Ok(()),
        }
    }

    fn repos(&mut self) -> &mut dyn Repos {
        self
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
        .after_release(crate::store::write_tx::postgres_on_release)
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
