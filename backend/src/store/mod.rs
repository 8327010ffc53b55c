//! The database behind the repositories: the embedded SQLite file (the
//! default: no setup), or PostgreSQL when `database_url` is set (for
//! several replicas). Each has its own implementation of every repository
//! trait in [`crate::repo`]; this handle is the one place that picks
//! between them, when a connection or transaction is handed out.

pub mod leader;
pub mod postgres;
pub mod sqlite;
pub mod write_tx;

use crate::config::Config;
use crate::repo::{DbResult, Repos, WriteTx};
use sqlx::{PgPool, SqlitePool};

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
                crate::db::connect(&config.database_path()).await?,
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
    pub async fn read(&self) -> DbResult<Box<dyn Repos>> {
        Ok(match self {
            Store::Sqlite(p) => Box::new(sqlite::SqliteRepos::read(p).await?),
            Store::Postgres(p) => Box::new(postgres::PgRepos::read(p).await?),
        })
    }

    /// A write transaction holding the single-writer lock: every ledger
    /// append happens in one, so the chain never forks.
    pub async fn write(&self) -> DbResult<Box<dyn WriteTx>> {
        Ok(match self {
            Store::Sqlite(p) => Box::new(sqlite::SqliteRepos::write(p).await?),
            Store::Postgres(p) => Box::new(postgres::PgRepos::write(p).await?),
        })
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
            Store::Sqlite(_) => &crate::db::MIGRATOR,
            Store::Postgres(_) => &postgres::MIGRATOR,
        }
    }
}
