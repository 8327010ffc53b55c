//! Running a cluster's live checks and reading their latest results.
//!
//! All of a cluster's checks run concurrently (bounded by
//! `check_concurrency`), each under its own timeout; once one times out the
//! rest of that run are recorded as not run, so a hung cluster costs about
//! one `check_timeout_secs`. Alongside the checks, the run reads the
//! cluster's facts (versions, catalogs, settings) for fleet drift.
//!
//! Results are appended in one `BEGIN IMMEDIATE` transaction together with
//! what follows from them: each item's verdict state advances by the
//! flapping rule, and each change of a counting verdict becomes one
//! `check_verdict` ledger row (actor `shipshape`) in the same hash chain.

use super::connect::connect;
use super::{now, require};
use crate::{checks, AppState, ServiceError};
use futures::stream::{self, StreamExt};
use sha2::{Digest, Sha256};
use shipshape_domain::check::{
    status_label, trino_release_number, Check, CheckResult, CheckStatus, Releases, Verdict,
    VerdictChange, VerdictDetails, ACTION_VERDICT, VERDICT_ACTOR,
};
use shipshape_domain::connection::Connection;
use shipshape_domain::drift::ClusterFacts;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::role::Permission;
use shipshape_domain::time::Timestamp;
use shipshape_domain::user::User;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub async fn run_now(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<Vec<CheckResult>, ServiceError> {
    require(actor, Permission::RunChecks)?;
    run_cluster(state, cluster_id).await
}

/// Runs every automated item of one cluster (the scheduler calls this too).
/// A cluster whose connection cannot be set up (a CA file that cannot be
/// read, a secret variable that is not set) gets an `error` result on every
/// item saying so: the run is recorded either way.
pub async fn run_cluster(
    state: &AppState,
    cluster_id: ClusterId,
) -> Result<Vec<CheckResult>, ServiceError> {
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    let conn = &cluster.connection;
    let timeout = check_timeout(state, conn);
    let started_at = now();
    let run_id = format!("{cluster_id}-{started_at}");
    let items = automated_items(state);
    let setup = connect(state, &cluster.coordinator_url, conn, timeout).await;
    let releases = known_releases(state).await?;
    let run_started = Instant::now();
    let (mut results, facts) = match &setup {
        Err(reason) => {
            metrics::counter!("shipshape_check_errors_total", "kind" => "connect").increment(1);
            let results: Vec<CheckResult> = items
                .into_iter()
                .map(|(item_id, _)| error_result(item_id, reason.clone()))
                .collect();
            (results, None)
        }
        Ok(clients) => {
            let probe = checks::Probe {
                client: &clients.client,
                verifier: &clients.verifier,
                inspector: &clients.inspector,
                target: &clients.target,
                releases: &releases,
                worker_hosts: &conn.worker_hosts,
                hosts: state.clients.hosts(),
            };
            run_checks(state, &probe, items, timeout).await
        }
    };
    record_metrics(&results, run_started);
    // A live check that could not decide takes the pushed configuration's
    // verdict on its item, when there is one. Not when the cluster could
    // not be reached at all: that says nothing of the cluster as it runs.
    if setup.is_ok() {
        super::config_push::config_fallback(state, cluster_id, &mut results).await?;
    }
    record_run(
        state,
        cluster_id,
        &run_id,
        &started_at,
        &results,
        facts.as_ref(),
    )
    .await?;
    tracing::info!(
        cluster = cluster_id.get(),
        checks = results.len(),
        "checks run"
    );
    results.sort_by(|a, b| a.item_id.cmp(&b.item_id));
    Ok(results)
}

/// How long one check (or query) may take on a cluster: its connection's
/// own limit, else the configured one, and never less than a second.
fn check_timeout(state: &AppState, conn: &Connection) -> Duration {
    Duration::from_secs(
        conn.query_timeout_secs
            .map(u64::from)
            .unwrap_or(state.config.check_timeout_secs)
            .max(1),
    )
}

/// The runbook's items that have a live check, with their check.
fn automated_items(state: &AppState) -> Vec<(String, Check)> {
    state
        .runbook
        .items()
        .filter_map(|(_, i)| i.check.clone().map(|c| (i.id.clone(), c)))
        .collect()
}

/// An `error` result that no check produced: the reason is its evidence too.
fn error_result(item_id: String, reason: String) -> CheckResult {
    CheckResult {
        item_id: item_id.into(),
        status: CheckStatus::Error,
        reason: reason.clone(),
        observed: String::new(),
        evidence: reason,
        duration_ms: 0,
        at: now().to_string(),
    }
}

/// Every check of a run that could connect, at most `check_concurrency` at
/// a time, and the cluster's facts alongside them.
async fn run_checks(
    state: &AppState,
    probe: &checks::Probe<'_>,
    items: Vec<(String, Check)>,
    timeout: Duration,
) -> (Vec<CheckResult>, Option<ClusterFacts>) {
    // Once a check of this run got no answer in time, the rest are
    // not sent: a hung coordinator costs one wave of timeouts, not one
    // per check.
    let hung = AtomicBool::new(false);
    let checked = stream::iter(items)
        .map(|(item_id, check)| run_check(probe, &hung, item_id, check, timeout))
        .buffer_unordered(state.config.check_concurrency.max(1))
        .collect::<Vec<CheckResult>>();
    // Facts are a by-product: they never make a run longer than one
    // check timeout (a hung coordinator would otherwise hold the run
    // for each of their queries in turn).
    let read_facts = async {
        tokio::time::timeout(timeout, checks::facts::read(probe.client, probe.target))
            .await
            .ok()
    };
    tokio::join!(checked, read_facts)
}

/// One check of a run, unless an earlier one got no answer in time (then
/// it is recorded as not run); sets `hung` when this one took the whole
/// timeout.
async fn run_check(
    probe: &checks::Probe<'_>,
    hung: &AtomicBool,
    item_id: String,
    check: Check,
    timeout: Duration,
) -> CheckResult {
    if hung.load(Ordering::Relaxed) {
        metrics::counter!("shipshape_check_errors_total", "kind" => "skipped_after_timeout")
            .increment(1);
        let reason =
            format!("not run: an earlier check of this run got no answer within {timeout:?}");
        return error_result(item_id, reason);
    }
    let started = Instant::now();
    let obs = observe(probe, &check, timeout).await;
    if started.elapsed() >= timeout {
        hung.store(true, Ordering::Relaxed);
    }
    CheckResult {
        item_id: item_id.into(),
        status: obs.verdict.status,
        reason: obs.verdict.reason,
        observed: obs.verdict.observed,
        evidence: obs.evidence,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        at: now().to_string(),
    }
}

/// What one check observed; an error when it did not end within the
/// timeout and a second more, an outer limit: whatever a check does, it
/// ends.
async fn observe(
    probe: &checks::Probe<'_>,
    check: &Check,
    timeout: Duration,
) -> checks::Observation {
    match tokio::time::timeout(timeout + Duration::from_secs(1), checks::run(probe, check)).await {
        Ok(o) => o,
        Err(_) => {
            metrics::counter!("shipshape_check_errors_total", "kind" => "timeout").increment(1);
            checks::Observation {
                verdict: Verdict::error(format!("no answer within {timeout:?}")),
                evidence: String::new(),
            }
        }
    }
}

/// Counts a run's results by status and records how long each check and
/// the whole run took.
fn record_metrics(results: &[CheckResult], run_started: Instant) {
    for r in results {
        metrics::counter!("shipshape_check_results_total", "status" => r.status.as_str())
            .increment(1);
        if r.duration_ms > 0 {
            metrics::histogram!("shipshape_check_duration_seconds")
                .record(r.duration_ms as f64 / 1000.0);
        }
    }
    metrics::histogram!("shipshape_check_run_duration_seconds")
        .record(run_started.elapsed().as_secs_f64());
}

/// Appends a run's results, advances each item's verdict state, records
/// each change of a counting verdict in the ledger and stores the facts,
/// all in one transaction.
async fn record_run(
    state: &AppState,
    cluster_id: ClusterId,
    run_id: &str,
    started_at: &Timestamp,
    results: &[CheckResult],
    facts: Option<&ClusterFacts>,
) -> Result<(), ServiceError> {
    let at = now();
    let mut tx = state.db.write().await?;
    // A run that started before the check target changed checked the old
    // target: its results never count for the new one.
    let reset_at = tx
        .clusters()
        .by_id(cluster_id)
        .await?
        .and_then(|c| c.checks_reset_at);
    if reset_at.is_some_and(|r| r > *started_at) {
        tracing::info!(
            cluster = cluster_id.get(),
            "check target changed during the run: results dropped"
        );
        return Ok(());
    }
    record_results(state, &mut tx, cluster_id, run_id, results, at, None).await?;
    if let Some(f) = facts {
        let release = f.trino_version.as_deref().and_then(trino_release_number);
        tx.verdicts()
            .record_facts(cluster_id, f, release, at)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Appends results in a write transaction: each item's verdict state
/// advances by the flapping rule (`fail_after` overrides the item's own
/// count: a configuration verdict needs no second run to count), and each
/// change of a counting verdict becomes a `check_verdict` ledger row.
pub(crate) async fn record_results(
    state: &AppState,
    tx: &mut crate::store::WriteTx,
    cluster_id: ClusterId,
    run_id: &str,
    results: &[CheckResult],
    at: Timestamp,
    fail_after: Option<u32>,
) -> Result<(), ServiceError> {
    let mut verdicts = tx.verdicts().of_cluster(cluster_id).await?;
    for r in results {
        tx.checks().insert(cluster_id, run_id, r).await?;
        let fail_after = fail_after
            .or_else(|| state.runbook.item(&r.item_id).and_then(|i| i.fail_after))
            .unwrap_or(state.config.check_fail_after);
        let prev = verdicts.remove(r.item_id.as_str()).unwrap_or_default();
        let (next, change) = prev.advance(r.status, &r.at, fail_after);
        tx.verdicts()
            .upsert(cluster_id, &r.item_id, &next, at)
            .await?;
        if let Some(change) = change {
            let (note, details) = verdict_row(r, &change, run_id)?;
            crate::ledger::append(
                tx,
                crate::ledger::NewRow {
                    at,
                    actor: VERDICT_ACTOR,
                    cluster_id,
                    item_id: &r.item_id,
                    action: ACTION_VERDICT,
                    note,
                    details,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// The longest reason or observed value a verdict row keeps.
const VERDICT_TEXT_MAX: usize = 500;

fn clip(text: &str) -> String {
    let kept = shipshape_domain::check::prefix_within(text, VERDICT_TEXT_MAX);
    if kept.len() < text.len() {
        format!("{kept}…")
    } else {
        text.to_string()
    }
}

/// The note and details of a verdict-change ledger row: from and to, since
/// when, how many runs, and the SHA-256 of the evidence the run kept.
fn verdict_row(
    r: &CheckResult,
    change: &VerdictChange,
    run_id: &str,
) -> Result<(String, String), ServiceError> {
    let from = status_label(change.from);
    let to = change.to.as_str();
    let note = clip(&format!("{from} → {to}: {}", r.reason));
    let details = VerdictDetails {
        from: from.to_string(),
        to: to.to_string(),
        since: change.since.clone(),
        runs: change.runs,
        run_id: run_id.to_string(),
        observed: clip(&r.observed),
        evidence_sha256: hex::encode(Sha256::digest(r.evidence.as_bytes())),
    };
    let details = serde_json::to_string(&details)
        .map_err(|e| ServiceError::internal("verdict details", e))?;
    Ok((note, details))
}

/// The releases the "close to upstream" check judges against: the shipped
/// table, the config file's releases, and the newest release running on any
/// cluster that is not archived (dated by the day it was first seen).
pub(crate) async fn known_releases(state: &AppState) -> Result<Releases, ServiceError> {
    let releases = state.config.releases();
    let mut db = state.db.read().await?;
    let clusters = db.clusters().list(false).await?;
    let facts = db.verdicts().facts_all().await?;
    let newest = clusters
        .iter()
        .filter_map(|c| {
            let (f, _) = facts.get(&c.id)?;
            let v = trino_release_number(f.trino_version.as_deref()?)?;
            Some((v, c.name.as_str()))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)));
    let Some((version, cluster)) = newest else {
        return Ok(releases);
    };
    if releases.get(version).is_some() {
        return Ok(releases);
    }
    let Some(seen) = db.verdicts().first_seen(version).await? else {
        return Ok(releases);
    };
    Ok(releases.with_fleet(version, seen, cluster))
}

pub async fn latest(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<Vec<CheckResult>, ServiceError> {
    require(actor, Permission::Read)?;
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    Ok(state
        .db
        .read()
        .await?
        .checks()
        .latest_per_item(cluster_id, cluster.checks_reset_at)
        .await?)
}

/// Runs one statement on a cluster with its connection settings (for
/// evidence captured from a query); the error is a sentence for a person.
pub(crate) async fn query_cluster(
    state: &AppState,
    cluster: &shipshape_domain::cluster::Cluster,
    sql: &str,
) -> Result<crate::trino::QueryOutput, String> {
    let timeout = check_timeout(state, &cluster.connection);
    let c = connect(
        state,
        &cluster.coordinator_url,
        &cluster.connection,
        timeout,
    )
    .await?;
    crate::trino::query(&c.client, &c.target, sql)
        .await
        .map_err(|e| e.to_string())
}
