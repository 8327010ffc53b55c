//! Readiness of every cluster at a glance, and how it changed over time.

use super::{moment, require};
use crate::{AppState, ServiceError};
use shipshape_domain::cluster::Cluster;
use shipshape_domain::day2::TaskState;
use shipshape_domain::drift::{fleet_drift, DriftRow, FleetMember};
use shipshape_domain::ids::ClusterId;
use shipshape_domain::readiness::{readiness, sort_worst_first, FleetEntry};
use shipshape_domain::role::Permission;
use shipshape_domain::standing::{assess, ItemRecord};
use shipshape_domain::trend::{point_on, trend_from_states, window, TrendCluster, TrendPoint};
use shipshape_domain::user::User;
use shipshape_domain::waiver::WaiverState;
use std::collections::{HashMap, HashSet};

/// Which clusters the fleet view shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FleetQuery {
    pub include_archived: bool,
    /// Only clusters of this environment (case-insensitive); `None`: all.
    pub environment: Option<String>,
}

fn matches(cluster: &Cluster, q: &FleetQuery) -> bool {
    q.environment
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .is_none_or(|e| cluster.environment.eq_ignore_ascii_case(e))
}

/// Every matching cluster's score per section with its counts, worst first.
pub async fn fleet(
    state: &AppState,
    actor: &User,
    q: &FleetQuery,
) -> Result<Vec<FleetEntry>, ServiceError> {
    require(actor, Permission::Read)?;
    entries(state, q).await
}

/// [`fleet`] without asking who reads: for `/metrics`, which has its own
/// token.
pub(crate) async fn entries(
    state: &AppState,
    q: &FleetQuery,
) -> Result<Vec<FleetEntry>, ServiceError> {
    let at = moment(state)?;
    let clusters = state
        .db
        .read()
        .await?
        .clusters()
        .list(q.include_archived)
        .await?;
    // The read model: O(clusters × items), whatever the ledger's length.
    let states = state.read_cache.states(&state.db).await?;
    let failing = state.db.read().await?.verdicts().failing_all().await?;
    let mut overdue: HashMap<ClusterId, u32> = HashMap::new();
    for t in super::day2::task_states_of_all_clusters(state).await? {
        if t.state == TaskState::Overdue {
            *overdue.entry(t.cluster_id).or_default() += 1;
        }
    }
    let no_states = HashMap::new();
    let no_failures = HashSet::new();
    let mut entries: Vec<FleetEntry> = clusters
        .into_iter()
        .filter(|c| matches(c, q))
        .map(|cluster| {
            let items = states.get(&cluster.id).unwrap_or(&no_states);
            let failing = failing.get(&cluster.id).unwrap_or(&no_failures);
            let readiness = readiness(&state.runbook, |item| {
                let record = items
                    .get(&item.id)
                    .map(|s| ItemRecord {
                        verdict: None,
                        ..s.record.clone()
                    })
                    .unwrap_or_default();
                assess(&record, item.valid_for_days, failing.contains(&item.id), at)
            });
            let pending_waivers = items
                .values()
                .filter_map(|s| s.record.waiver.as_ref())
                .filter(|w| w.state(at.today) == WaiverState::Pending)
                .count() as u32;
            FleetEntry {
                regressed: readiness.overall.regressed,
                overdue_tasks: overdue.get(&cluster.id).copied().unwrap_or(0),
                pending_waivers,
                cluster,
                readiness,
            }
        })
        .collect();
    sort_worst_first(&mut entries);
    Ok(entries)
}

/// Clusters that differ from their siblings in one environment (Trino and
/// Java versions, catalogs, spill and execution-time settings), from each
/// cluster's newest check run; archived clusters are left out.
pub async fn drift(
    state: &AppState,
    actor: &User,
    q: &FleetQuery,
) -> Result<Vec<DriftRow>, ServiceError> {
    require(actor, Permission::Read)?;
    let mut db = state.db.read().await?;
    let clusters = db.clusters().list(false).await?;
    let mut facts = db.verdicts().facts_all().await?;
    let members: Vec<FleetMember> = clusters
        .into_iter()
        .filter(|c| matches(c, q))
        .filter_map(|c| {
            let (facts, _) = facts.remove(&c.id)?;
            Some(FleetMember {
                cluster_id: c.id,
                name: c.name,
                environment: c.environment,
                facts,
            })
        })
        .collect();
    Ok(fleet_drift(&members))
}

/// The environments clusters are registered in, for the filter.
pub async fn environments(state: &AppState, actor: &User) -> Result<Vec<String>, ServiceError> {
    require(actor, Permission::Read)?;
    let mut envs: Vec<String> = state
        .db
        .read()
        .await?
        .clusters()
        .list(true)
        .await?
        .into_iter()
        .map(|c| c.environment)
        .collect();
    envs.sort_by_key(|e| e.to_lowercase());
    envs.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    Ok(envs)
}

/// Readiness at the end of each of the last 90 days, for one cluster or the
/// matching fleet pooled, replayed from the ledger.
pub async fn readiness_trend(
    state: &AppState,
    actor: &User,
    cluster_id: Option<ClusterId>,
    q: &FleetQuery,
) -> Result<Vec<TrendPoint>, ServiceError> {
    require(actor, Permission::Read)?;
    let today = moment(state)?.today;
    let clusters: Vec<TrendCluster> = state
        .db
        .read()
        .await?
        .clusters()
        .list(q.include_archived)
        .await?
        .iter()
        .filter(|c| cluster_id.is_none_or(|id| id == c.id) && matches(c, q))
        .map(|c| TrendCluster {
            id: c.id,
            registered_on: c.created_at.instant().date_naive(),
        })
        .collect();
    if cluster_id.is_some() && clusters.is_empty() {
        return Err(ServiceError::NotFound("cluster"));
    }
    // The days before today from the read model's daily states (the states
    // before the window and the changes within it), kept across writes
    // (see `ReadCache::past_trend`); today from the current states.
    let (first, last) = window(today);
    let key = format!("{cluster_id:?}|{:?}|{}", q.environment, q.include_archived);
    let past = state
        .read_cache
        .past_trend(&state.db, key, today, &clusters, async {
            let Some(yesterday) = last.pred_opt() else {
                return Ok(Vec::new());
            };
            let initial =
                crate::ledger::records_before(&mut state.db.read().await?, first, cluster_id)
                    .await?;
            let changes = crate::ledger::records_between(
                &mut state.db.read().await?,
                first,
                yesterday,
                cluster_id,
            )
            .await?;
            Ok(trend_from_states(
                &state.runbook,
                &clusters,
                initial,
                &changes,
                first,
                yesterday,
            ))
        })
        .await?;
    let states = state.read_cache.states(&state.db).await?;
    let now = point_on(&state.runbook, &clusters, today, |c, i| {
        states
            .get(&c)
            .and_then(|items| items.get(i))
            .map(|s| &s.record)
    });
    let mut points = past.as_ref().clone();
    points.extend(now);
    Ok(points)
}
