//! Running a cluster's live checks and reading their latest results.
//!
//! All of a cluster's checks run concurrently (bounded by
//! `check_concurrency`), each under its own timeout, so one hung check costs
//! at most `check_timeout_secs`. Results are appended in one transaction.

use super::{now, require};
use crate::trino::{http_client, Auth, Target};
use crate::{checks, repo, AppState, ServiceError};
use futures::stream::{self, StreamExt};
use shipshape_domain::check::{CheckResult, Verdict};
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;
use std::time::{Duration, Instant};

pub async fn run_now(
    state: &AppState,
    actor: &User,
    cluster_id: i64,
) -> Result<Vec<CheckResult>, ServiceError> {
    require(actor, Permission::RunChecks)?;
    run_cluster(state, cluster_id).await
}

/// Runs every automated item of one cluster (the scheduler calls this too).
pub async fn run_cluster(
    state: &AppState,
    cluster_id: i64,
) -> Result<Vec<CheckResult>, ServiceError> {
    let cluster = repo::clusters::by_id(&state.pool, cluster_id)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))?;
    let cfg = &state.config;
    let timeout = Duration::from_secs(cfg.check_timeout_secs.max(1));
    let base_url = url::Url::parse(&format!("{}/", cluster.coordinator_url))
        .map_err(|e| ServiceError::internal("stored coordinator URL", e))?;
    let target = Target {
        base_url,
        user: cfg.check_user.clone(),
        auth: Auth::None,
        query_timeout: timeout,
    };
    let client = http_client(Duration::from_secs(5).min(timeout), None, false)
        .map_err(|e| ServiceError::internal("check client", e))?;
    let run_id = format!("{cluster_id}-{}", now());
    let items: Vec<_> = state
        .runbook
        .items()
        .filter_map(|(_, i)| i.check.clone().map(|c| (i.id.clone(), c)))
        .collect();
    let results: Vec<CheckResult> = stream::iter(items)
        .map(|(item_id, check)| {
            let (client, target) = (&client, &target);
            async move {
                let started = Instant::now();
                // A second, outer limit: whatever a check does, it ends.
                let obs = match tokio::time::timeout(
                    timeout + Duration::from_secs(1),
                    checks::run(client, target, &check),
                )
                .await
                {
                    Ok(o) => o,
                    Err(_) => checks::Observation {
                        verdict: Verdict::error(format!("no answer within {timeout:?}")),
                        evidence: String::new(),
                    },
                };
                CheckResult {
                    item_id,
                    status: obs.verdict.status,
                    reason: obs.verdict.reason,
                    observed: obs.verdict.observed,
                    evidence: obs.evidence,
                    duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
                    at: now(),
                }
            }
        })
        .buffer_unordered(cfg.check_concurrency.max(1))
        .collect()
        .await;
    let mut tx = state.pool.begin().await?;
    for r in &results {
        repo::checks::insert(&mut tx, cluster_id, &run_id, r).await?;
    }
    tx.commit().await?;
    tracing::info!(cluster = cluster_id, checks = results.len(), "checks run");
    let mut results = results;
    results.sort_by(|a, b| a.item_id.cmp(&b.item_id));
    Ok(results)
}

pub async fn latest(
    state: &AppState,
    actor: &User,
    cluster_id: i64,
) -> Result<Vec<CheckResult>, ServiceError> {
    require(actor, Permission::Read)?;
    repo::clusters::by_id(&state.pool, cluster_id)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))?;
    Ok(repo::checks::latest_per_item(&state.pool, cluster_id).await?)
}
