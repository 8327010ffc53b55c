//! The server's shutdown as the rest of it sees it (cheap to clone; one per
//! process, in [`crate::AppState`]), in three steps the server takes in
//! order on `SIGTERM`:
//!
//! 1. **draining**: `/readyz` answers 503 at once while everything else
//!    keeps serving, so load balancers stop sending new requests;
//! 2. **jobs stop**: each scheduled loop (checks, reminders, notifications,
//!    checkpoints, backups) stops at a safe point: between rounds, or by
//!    abandoning a round whose writes each commit in one transaction (so
//!    nothing is left half-written);
//! 3. **leader released**: once the jobs have stopped, the leader lock is
//!    given up so another replica takes over at its next try.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
pub struct Lifecycle {
    draining: Arc<AtomicBool>,
    stop_jobs: CancellationToken,
    release_leader: CancellationToken,
}

impl Lifecycle {
    /// Step 1: `/readyz` fails from now on.
    pub fn begin_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Step 2: scheduled work stops at its next safe point.
    pub fn stop_jobs(&self) {
        self.begin_draining();
        self.stop_jobs.cancel();
    }

    pub fn jobs_stopping(&self) -> bool {
        self.stop_jobs.is_cancelled()
    }

    /// `work`'s output, or `None` when the jobs are told to stop first
    /// (`work` is then dropped where it waits).
    pub async fn unless_stopped<F: Future>(&self, work: F) -> Option<F::Output> {
        tokio::select! {
            biased;
            _ = self.stop_jobs.cancelled() => None,
            out = work => Some(out),
        }
    }

    /// Step 3: the leader lock may go.
    pub fn release_leader(&self) {
        self.release_leader.cancel();
    }

    /// Resolves once [`Lifecycle::release_leader`] was called.
    pub async fn leader_released(&self) {
        self.release_leader.cancelled().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_until_the_jobs_are_told_to_stop() {
        let l = Lifecycle::default();
        assert!(!l.is_draining());
        assert_eq!(l.unless_stopped(async { 7 }).await, Some(7));
        l.begin_draining();
        assert!(l.is_draining() && !l.jobs_stopping());
        let waiting = l.clone();
        let pending =
            tokio::spawn(async move { waiting.unless_stopped(std::future::pending::<()>()).await });
        l.stop_jobs();
        assert_eq!(pending.await.ok(), Some(None));
        assert_eq!(l.unless_stopped(async { 7 }).await, None);
        l.release_leader();
        l.leader_released().await;
    }
}
