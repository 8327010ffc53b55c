//! Leader election: the work that must happen once per install (scheduled
//! checks, reminders, notifications, checkpoints, scheduled backups) runs
//! on one replica at a time.
//!
//! On SQLite there is one server per database file, so it always leads. On
//! PostgreSQL every replica campaigns for a session-level advisory lock
//! (`pg_try_advisory_lock`) on a connection of its own, kept out of the
//! pool so the lock is never handed to a request. The database releases the
//! lock when that connection ends, so a leader that dies (even `kill -9`:
//! the kernel closes its socket) frees it at once, and a follower takes it
//! at its next try, within one `leader_interval_secs`. The leader checks its
//! connection at the same interval and steps down as soon as it fails, so
//! two replicas never both believe they lead for longer than that. A
//! replica that stops on `SIGTERM` gives the lock up itself once its
//! scheduled work has stopped ([`crate::lifecycle`]), so a follower takes
//! over at its next try, without waiting for the process to end.

use super::postgres::LEADER_LOCK_KEY;
use super::Store;
use crate::lifecycle::Lifecycle;
use sqlx::{Connection, PgConnection, PgPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Whether this replica leads (cheap to clone; shared by every task).
#[derive(Clone)]
pub struct Leader {
    leading: Arc<AtomicBool>,
}

impl Leader {
    /// SQLite: leads from the start. PostgreSQL: follows until
    /// [`campaign`] wins the lock.
    pub fn new(db: &Store) -> Leader {
        let leading = matches!(db, Store::Sqlite(_));
        metrics::gauge!("shipshape_leader").set(if leading { 1.0 } else { 0.0 });
        Leader {
            leading: Arc::new(AtomicBool::new(leading)),
        }
    }

    /// Whether the once-only work should run here now.
    pub fn is_leader(&self) -> bool {
        self.leading.load(Ordering::SeqCst)
    }

    fn set(&self, leading: bool) {
        let was = self.leading.swap(leading, Ordering::SeqCst);
        metrics::gauge!("shipshape_leader").set(if leading { 1.0 } else { 0.0 });
        if was != leading {
            if leading {
                tracing::info!("this replica is now the leader: it runs scheduled checks, reminders, notifications, checkpoints and backups");
            } else {
                tracing::warn!(
                    "this replica is no longer the leader: another replica runs the scheduled work"
                );
            }
        }
    }
}

/// Campaigns for the leader lock until the server releases it on shutdown
/// (PostgreSQL only; on SQLite, where the one server leads, it only says so
/// and returns).
pub async fn campaign(db: Store, leader: Leader, every: Duration, lifecycle: Lifecycle) {
    let Store::Postgres(pool) = db else {
        leader.set(true);
        return;
    };
    tracing::info!(
        interval_secs = every.as_secs(),
        "following: this replica waits for the leader lock before running scheduled work"
    );
    let mut held: Option<PgConnection> = None;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = lifecycle.leader_released() => {
                step_down(held, &leader, every).await;
                return;
            }
        }
        held = match held {
            Some(conn) => keep(conn, every).await,
            None => try_take(&pool, every).await,
        };
        leader.set(held.is_some());
    }
}

/// Gives the lock up (if held) on shutdown: unlocked and its connection
/// closed, so the next follower to try wins.
async fn step_down(held: Option<PgConnection>, leader: &Leader, every: Duration) {
    leader.leading.store(false, Ordering::SeqCst);
    metrics::gauge!("shipshape_leader").set(0.0);
    let Some(mut conn) = held else {
        return;
    };
    let unlock = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1)")
        .bind(LEADER_LOCK_KEY)
        .fetch_one(&mut conn);
    if let Err(e) = tokio::time::timeout(every, unlock)
        .await
        .unwrap_or(Err(sqlx::Error::PoolTimedOut))
    {
        tracing::warn!(error = %e, "could not unlock the leader lock; closing its connection frees it");
    }
    let _ = tokio::time::timeout(every, conn.close()).await;
    tracing::info!("stopping: gave up the leader lock; another replica takes over at its next try");
}

/// Checks that the connection holding the lock is alive; `None` when not
/// (the lock went with it).
async fn keep(mut conn: PgConnection, every: Duration) -> Option<PgConnection> {
    match tokio::time::timeout(every, conn.ping()).await {
        Ok(Ok(())) => Some(conn),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "the leader's database connection failed");
            None
        }
        Err(_) => {
            tracing::error!("the leader's database connection did not answer in time");
            None
        }
    }
}

/// Takes the lock on a connection of its own if no other replica holds it.
async fn try_take(pool: &PgPool, every: Duration) -> Option<PgConnection> {
    let attempt = async {
        // Detached: the connection leaves the pool for good, so the lock it
        // holds is never lent to a request and ends only with it.
        let mut conn = pool.acquire().await?.detach();
        let won: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LEADER_LOCK_KEY)
            .fetch_one(&mut conn)
            .await?;
        Ok::<_, sqlx::Error>(won.then_some(conn))
    };
    match tokio::time::timeout(every, attempt).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "could not try the leader lock");
            None
        }
        Err(_) => None,
    }
}
