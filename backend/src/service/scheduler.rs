//! The check scheduler: every `check_interval_secs`, runs the live checks of
//! every active cluster, `cluster_concurrency` clusters at a time. Each
//! check has its own timeout, so a hung cluster holds one slot for at most
//! that long and never delays the others beyond it. A failed round is logged
//! and the next one runs as usual. When the server stops, a round under way
//! is abandoned: each cluster's results commit in one transaction, so a
//! cluster is recorded whole or not at all.

use super::checks::run_cluster;
use crate::{AppState, ServiceError};
use futures::stream::{self, StreamExt};
use shipshape_domain::ids::ClusterId;
use std::time::{Duration, Instant};

/// What one round did.
#[derive(Debug, Clone, Default)]
pub struct Round {
    pub clusters: usize,
    pub checks: usize,
    pub failed_clusters: usize,
    pub elapsed: Duration,
    /// The slowest single cluster's run.
    pub slowest: Duration,
}

/// Runs every active cluster's checks once.
pub async fn run_round(state: &AppState) -> Result<Round, ServiceError> {
    let started = Instant::now();
    let clusters = state.db.read().await?.clusters().list(false).await?;
    let concurrency = state.config.cluster_concurrency.max(1);
    let ids: Vec<ClusterId> = clusters.iter().map(|c| c.id).collect();
    let outcomes: Vec<(Result<usize, ServiceError>, Duration)> = stream::iter(ids)
        .map(|id| {
            let state = state.clone();
            async move {
                let t = Instant::now();
                let r = run_cluster(&state, id).await.map(|results| results.len());
                (r, t.elapsed())
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut round = Round {
        clusters: clusters.len(),
        elapsed: Duration::ZERO,
        ..Round::default()
    };
    for (r, took) in outcomes {
        round.slowest = round.slowest.max(took);
        match r {
            Ok(n) => round.checks += n,
            Err(e) => {
                round.failed_clusters += 1;
                tracing::warn!(error = %e, "a cluster's scheduled checks could not run");
            }
        }
    }
    round.elapsed = started.elapsed();
    Ok(round)
}

/// Runs rounds forever at the configured interval (0 disables the scheduler).
pub async fn run_forever(state: AppState) {
    let every = state.config.check_interval_secs;
    if every == 0 {
        tracing::info!("scheduled checks are off (check_interval_secs = 0)");
        return;
    }
    use crate::jobs::{leader_ticks, Start};
    let stopping = &state.lifecycle;
    let mut ticks = leader_ticks(&state, Duration::from_secs(every), Start::Now).await;
    while let Some(due) = ticks.next().await {
        // How late the round starts against its schedule (a busy runtime or
        // a round longer than the interval shows here).
        metrics::gauge!("shipshape_scheduler_lag_seconds").set(due.elapsed().as_secs_f64());
        let Some(round) = stopping.unless_stopped(run_round(&state)).await else {
            tracing::info!("scheduled check round abandoned: the server is stopping (no cluster's results are half-written)");
            break;
        };
        match round {
            Ok(r) => {
                metrics::gauge!("shipshape_scheduler_last_round_seconds")
                    .set(r.elapsed.as_secs_f64());
                tracing::info!(
                    clusters = r.clusters,
                    checks = r.checks,
                    failed = r.failed_clusters,
                    elapsed_ms = r.elapsed.as_millis() as u64,
                    "scheduled checks done"
                )
            }
            Err(e) => tracing::error!(error = %e, "scheduled check round failed"),
        }
    }
}
