//! The one loop every scheduled job runs in: a round every interval, on the
//! leader replica only (see [`crate::store::leader`]), until the server
//! stops (see [`crate::lifecycle`]). Scheduled checks, reminders,
//! notifications, checkpoints, backups and the LDAP refresh each give only
//! their interval and their round.
//!
//! The loop stops between rounds. A round that must not be cut short
//! (one that only claims and hands off) just runs; a round that may be
//! abandoned wraps its own work in
//! [`Lifecycle::unless_stopped`](crate::lifecycle::Lifecycle::unless_stopped),
//! cleans up what it must, and ends its loop:
//!
//! ```ignore
//! let mut ticks = leader_ticks(&state, every, Start::Now).await;
//! while let Some(due) = ticks.next().await {
//!     // one round
//! }
//! ```

use crate::AppState;
use std::time::Duration;
use tokio::time::Instant;

/// When the first round runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At once.
    Now,
    /// After one whole interval.
    AfterOneInterval,
}

/// The rounds of one job: [`Ticks::next`] waits for the next interval
/// (rounds that run late are not bunched up: the next waits a whole
/// interval) on which this replica leads, and answers `None` once the
/// server is stopping. It answers the time the round was due (how late it
/// starts shows a busy runtime).
pub struct Ticks<'a> {
    state: &'a AppState,
    tick: tokio::time::Interval,
}

/// The rounds of a job that runs every `every` (at least a second).
pub async fn leader_ticks(state: &AppState, every: Duration, start: Start) -> Ticks<'_> {
    let mut tick = tokio::time::interval(every.max(Duration::from_secs(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    if start == Start::AfterOneInterval {
        // The first tick is now.
        tick.tick().await;
    }
    Ticks { state, tick }
}

impl Ticks<'_> {
    pub async fn next(&mut self) -> Option<Instant> {
        loop {
            let due = self
                .state
                .lifecycle
                .unless_stopped(self.tick.tick())
                .await?;
            if self.state.leader.is_leader() {
                return Some(due);
            }
        }
    }
}
