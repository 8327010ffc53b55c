//! A write transaction on a pooled connection that never goes back to the
//! pool still inside its transaction.
//!
//! sqlx's own `Transaction` rolls back on drop by queueing a `ROLLBACK`, and
//! counts the connection's transaction depth down only when that succeeds.
//! After "database or disk is full", SQLite may already have rolled the
//! whole transaction back by itself, so the `ROLLBACK` finds none and fails,
//! the depth stays at one, the connection returns to the pool, and every
//! later `BEGIN` on it fails ("attempted to call begin_with at non-zero
//! transaction depth") until a restart. Here, on both databases:
//!
//! - a failed commit is followed at once by an explicit rollback, and the
//!   connection is closed instead of reused, whatever the rollback said;
//! - a transaction dropped without a commit queues its rollback as before,
//!   and the pools' `after_release` hooks ([`sqlite_on_release`],
//!   [`postgres_on_release`]) close any connection that comes back still
//!   inside a transaction.

use futures::future::BoxFuture;
use sqlx::pool::{PoolConnection, PoolConnectionMetadata};
use sqlx::{Connection, Database, PgConnection, Pool, SqliteConnection, TransactionManager};
use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// How long the rollback after a failed commit may take before the
/// connection is closed anyway.
const ROLLBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A pooled connection inside a write transaction.
pub struct WriteConn<DB: Database> {
    conn: PoolConnection<DB>,
    open: bool,
}

impl<DB: Database> WriteConn<DB> {
    /// Takes a connection and begins a transaction on it with `statement`
    /// (`BEGIN IMMEDIATE`, or `BEGIN ISOLATION LEVEL …`).
    pub async fn begin(pool: &Pool<DB>, statement: &'static str) -> Result<Self, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        if let Err(e) =
            DB::TransactionManager::begin(&mut *conn, Some(Cow::Borrowed(statement))).await
        {
            if conn.is_in_transaction() {
                conn.close_on_drop();
            }
            return Err(e);
        }
        Ok(WriteConn { conn, open: true })
    }

    /// Commits. When the commit fails, the transaction is rolled back and
    /// the connection closed, so the pool never lends it out again.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        match DB::TransactionManager::commit(&mut *self.conn).await {
            Ok(()) => {
                self.open = false;
                Ok(())
            }
            Err(e) => {
                self.discard(&e).await;
                Err(e)
            }
        }
    }

    async fn discard(&mut self, cause: &sqlx::Error) {
        let rollback = tokio::time::timeout(
            ROLLBACK_TIMEOUT,
            DB::TransactionManager::rollback(&mut *self.conn),
        )
        .await;
        let rollback = match rollback {
            Ok(Ok(())) => "rolled back".to_string(),
            Ok(Err(e)) => format!("rollback failed too ({e})"),
            Err(_) => "rollback did not answer in time".to_string(),
        };
        tracing::warn!(error = %cause, rollback, "a commit failed: the connection is closed instead of going back to the pool");
        self.open = false;
        self.conn.close_on_drop();
    }
}

impl<DB: Database> Drop for WriteConn<DB> {
    fn drop(&mut self) {
        if self.open {
            // Runs before the connection's next use, i.e. before the pool's
            // release hook looks at it.
            DB::TransactionManager::start_rollback(&mut *self.conn);
        }
    }
}

impl<DB: Database> Deref for WriteConn<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        &self.conn
    }
}

impl<DB: Database> DerefMut for WriteConn<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.conn
    }
}

/// Whether a connection back from use may be lent out again.
fn fit_for_reuse(conn: &impl Connection) -> bool {
    if conn.is_in_transaction() {
        tracing::warn!("a connection came back still inside a transaction (its rollback failed): closed instead of reused");
        return false;
    }
    true
}

/// The SQLite pool's `after_release` hook. SQLite's worker runs commands in
/// order, so the ping waits for a rollback a dropped transaction queued;
/// only then is the connection's transaction depth known.
pub fn sqlite_on_release(
    conn: &mut SqliteConnection,
    _: PoolConnectionMetadata,
) -> BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        conn.ping().await?;
        Ok(fit_for_reuse(conn))
    })
}

/// The PostgreSQL pool's `after_release` hook (a dropped transaction's
/// rollback is counted at once there; sqlx's own release ping sends it).
pub fn postgres_on_release(
    conn: &mut PgConnection,
    _: PoolConnectionMetadata,
) -> BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move { Ok(fit_for_reuse(conn)) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use sqlx::{Sqlite, SqlitePool};

    /// One connection, so the next write gets the one the last used.
    async fn pool(dir: &tempfile::TempDir, hook: bool) -> SqlitePool {
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("t.db"))
            .create_if_missing(true);
        let mut pool = SqlitePoolOptions::new().max_connections(1);
        if hook {
            pool = pool.after_release(sqlite_on_release);
        }
        let pool = pool.connect_with(options).await.unwrap();
        sqlx::query("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        pool
    }

    /// What SQLite does after "database or disk is full": it rolls the
    /// transaction back by itself, under sqlx's feet.
    async fn lose_transaction(conn: &mut SqliteConnection) {
        sqlx::query("INSERT INTO t VALUES (0)")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("ROLLBACK").execute(conn).await.unwrap();
    }

    #[tokio::test]
    async fn sqlx_alone_hands_out_a_connection_still_in_its_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir, false).await;
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        lose_transaction(&mut tx).await;
        assert!(tx.commit().await.is_err());
        let e = pool.begin_with("BEGIN IMMEDIATE").await.unwrap_err();
        assert!(e.to_string().contains("non-zero transaction depth"), "{e}");
    }

    #[tokio::test]
    async fn after_a_failed_commit_or_rollback_the_next_write_works() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir, true).await;
        // A commit that fails: rolled back, the connection closed.
        let mut tx = WriteConn::<Sqlite>::begin(&pool, "BEGIN IMMEDIATE")
            .await
            .unwrap();
        lose_transaction(&mut tx).await;
        assert!(tx.commit().await.is_err());
        let mut tx = WriteConn::<Sqlite>::begin(&pool, "BEGIN IMMEDIATE")
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A transaction dropped whose rollback fails: the release hook
        // closes its connection.
        let mut tx = WriteConn::<Sqlite>::begin(&pool, "BEGIN IMMEDIATE")
            .await
            .unwrap();
        lose_transaction(&mut tx).await;
        drop(tx);
        for n in 2..12 {
            let mut tx = WriteConn::<Sqlite>::begin(&pool, "BEGIN IMMEDIATE")
                .await
                .unwrap();
            sqlx::query("INSERT INTO t VALUES (?)")
                .bind(n)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        // An ordinary rollback keeps its connection fit for use.
        let tx = WriteConn::<Sqlite>::begin(&pool, "BEGIN IMMEDIATE")
            .await
            .unwrap();
        drop(tx);
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 11);
    }
}
