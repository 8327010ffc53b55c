//! All persistence, for both databases: the embedded SQLite file (the
//! default: no setup) and PostgreSQL when `database_url` is set (for
//! several replicas).
//!
//! - This module: the [`Store`] (a pool), [`Conn`] (one connection, for
//!   reads) and [`WriteTx`] (a write transaction holding the single-writer
//!   lock: SQLite's `BEGIN IMMEDIATE`, a transaction-level advisory lock on
//!   PostgreSQL; dropping it without [`WriteTx::commit`] rolls back).
//! - One file per table group ([`clusters`], [`ledger`], [`users`], …):
//!   its row types, column list and **one** SQL text per query, run on both
//!   databases (sqlx's SQLite driver binds `$1`-style numbered parameters
//!   as PostgreSQL does). A new table is one file here plus a migration per
//!   database in `migrations/`.
//! - [`sqlite`] and [`postgres`]: only what truly differs between the two
//!   (pools and locking, case folding, the first-admin lock, list binds, the
//!   CSV export's text functions), each difference saying why.
//!
//! Rules that are not SQL (sealing a ledger row, folding it into the read
//! model, rebuilding) live in [`crate::ledger`].

pub mod attachments;
pub mod calendar_links;
pub mod checks;
pub mod clusters;
pub mod item_state;
pub mod leader;
pub mod ledger;
pub mod login_failures;
pub mod meta;
pub mod notifications;
pub mod postgres;
pub mod reminders;
pub mod sqlite;
pub mod tokens;
pub mod users;
pub mod verdicts;
pub mod write_tx;

use crate::config::Config;
use sqlx::{PgPool, SqlitePool};
use std::ops::{Deref, DerefMut};

/// What every storage call returns.
pub type DbResult<T> = Result<T, sqlx::Error>;

/// Which database an install runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

/// A pool of connections to the install's database (cheap to clone).
#[derive(Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Store {
    /// Opens the configured database and brings its schema up to date (a
    /// failing migration stops start-up).
    pub async fn open(config: &Config) -> Result<Store, StoreError> {
        match &config.database_url {
            Some(url) => Ok(Store::Postgres(postgres::connect(url.expose()).await?)),
            None => Ok(Store::Sqlite(
                sqlite::connect(&config.database_path()).await?,
            )),
        }
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Store::Sqlite(_) => DbKind::Sqlite,
            Store::Postgres(_) => DbKind::Postgres,
        }
    }

    /// A connection for reads (and single-statement writes that need no
    /// lock: claims, cursors, token use).
    pub async fn read(&self) -> DbResult<Conn> {
        Ok(match self {
            Store::Sqlite(p) => Conn::Sqlite(sqlite::SqliteConn::read(p).await?),
            Store::Postgres(p) => Conn::Postgres(postgres::PgConn::read(p).await?),
        })
    }

    /// A write transaction holding the single-writer lock: every ledger
    /// append happens in one, so the chain never forks.
    pub async fn write(&self) -> DbResult<WriteTx> {
        Ok(WriteTx(match self {
            Store::Sqlite(p) => Conn::Sqlite(sqlite::SqliteConn::write(p).await?),
            Store::Postgres(p) => Conn::Postgres(postgres::PgConn::write(p).await?),
        }))
    }

    /// The SQLite pool, for what only the embedded database does (hot
    /// backups with `VACUUM INTO`).
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Store::Sqlite(p) => Some(p),
            Store::Postgres(_) => None,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }

    /// The embedded migrations for this database.
    pub fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self {
            Store::Sqlite(_) => &sqlite::MIGRATOR,
            Store::Postgres(_) => &postgres::MIGRATOR,
        }
    }
}

/// One connection to either database; each table's calls hang off it
/// (`conn.clusters().by_id(id)`).
pub enum Conn {
    Sqlite(sqlite::SqliteConn),
    Postgres(postgres::PgConn),
}

impl Conn {
    /// A connection of its own to another SQLite file (a backup's copy).
    pub fn own_sqlite(c: sqlx::SqliteConnection) -> Conn {
        Conn::Sqlite(sqlite::SqliteConn::Own(c))
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Conn::Sqlite(_) => DbKind::Sqlite,
            Conn::Postgres(_) => DbKind::Postgres,
        }
    }
}

/// A write transaction: the single-writer lock is held from
/// [`Store::write`] until [`WriteTx::commit`]; dropping it without
/// committing rolls back. Every table's calls work on it as on a [`Conn`].
pub struct WriteTx(Conn);

impl WriteTx {
    pub async fn commit(self) -> DbResult<()> {
        match self.0 {
            Conn::Sqlite(c) => c.commit().await,
            Conn::Postgres(c) => c.commit().await,
        }
    }
}

impl Deref for WriteTx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

/// Runs the same code on whichever database a [`Conn`] holds: `$c` is the
/// driver's connection, and `$d` (when named) the dialect module,
/// [`sqlite`] or [`postgres`], for the few SQL fragments that differ. The
/// body is written once and compiled for each driver.
macro_rules! on_db {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite(conn) => {
                let $c = conn.c();
                $body
            }
            $crate::store::Conn::Postgres(conn) => {
                let $c = conn.c();
                $body
            }
        }
    };
    ($conn:expr, |$c:ident, $d:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite(conn) => {
                let $c = conn.c();
                use $crate::store::sqlite as $d;
                $body
            }
            $crate::store::Conn::Postgres(conn) => {
                let $c = conn.c();
                use $crate::store::postgres as $d;
                $body
            }
        }
    };
}
pub(crate) use on_db;

/// A JSON/encoding failure of a column, as a database error.
pub(crate) fn encode_error(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Encode(e.into())
}

/// An optional stored timestamp; text that is not one fails the read loudly
/// (no writer stores one).
pub(crate) fn timestamp_opt(
    text: Option<String>,
) -> DbResult<Option<shipshape_domain::time::Timestamp>> {
    text.map(|t| {
        shipshape_domain::time::Timestamp::parse(&t)
            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))
    })
    .transpose()
}
