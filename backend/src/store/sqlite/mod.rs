//! The SQLite implementation of every repository (the embedded default):
//! one file, WAL journal, a single writer at a time (`BEGIN IMMEDIATE`).

mod attachments;
mod calendar_links;
mod checks;
mod clusters;
mod item_state;
mod ledger;
mod meta;
mod notifications;
mod reminders;
mod tokens;
mod users;
mod verdicts;

use crate::repo::{DbResult, Repos, WriteTx};
use crate::store::write_tx::WriteConn;
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

/// A pooled connection, a write transaction on one, or a connection of
/// its own (to a backup's copy of the file).
pub enum SqliteRepos {
    Conn(PoolConnection<Sqlite>),
    Tx(WriteConn<Sqlite>),
    Own(SqliteConnection),
}

impl SqliteRepos {
    fn c(&mut self) -> &mut SqliteConnection {
        match self {
            SqliteRepos::Conn(c) => c,
            SqliteRepos::Tx(t) => t,
            SqliteRepos::Own(c) => c,
        }
    }

    pub async fn read(pool: &SqlitePool) -> DbResult<SqliteRepos> {
        Ok(SqliteRepos::Conn(pool.acquire().await?))
    }

    /// `BEGIN IMMEDIATE`: takes SQLite's write lock at once, so every
    /// writer waits its turn (the busy timeout) instead of failing later.
    /// A connection whose commit failed is closed, never reused.
    pub async fn write(pool: &SqlitePool) -> DbResult<SqliteRepos> {
        Ok(SqliteRepos::Tx(
            WriteConn::begin(pool, "BEGIN IMMEDIATE").await?,
        ))
    }
}

crate::impl_repos!(SqliteRepos);

#[async_trait::async_trait]
impl WriteTx for SqliteRepos {
    async fn commit(self: Box<Self>) -> DbResult<()> {
        match *self {
            SqliteRepos::Tx(t) => t.commit().await,
            SqliteRepos::Conn(_) | SqliteRepos::Own(_) => Ok(()),
        }
    }

    fn repos(&mut self) -> &mut dyn Repos {
        self
    }
}
