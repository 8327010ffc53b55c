//! `/api/v1/fleet`: every cluster's score per section with its counts, worst
//! first; readiness over the last 90 days for the fleet or one cluster; and
//! fleet drift (clusters that differ from their siblings).

use super::extract::{ClusterPath, CurrentUser};
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use shipshape_backend::service::{fleet, report};
use shipshape_domain::drift::DriftRow;
use shipshape_domain::readiness::FleetEntry;
use shipshape_domain::report::ClusterReport;
use shipshape_domain::trend::TrendPoint;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FleetParams {
    /// Only this environment (case-insensitive).
    pub env: Option<String>,
    pub archived: bool,
}

impl FleetParams {
    fn query(self) -> fleet::FleetQuery {
        fleet::FleetQuery {
            include_archived: self.archived,
            environment: self.env,
        }
    }
}

#[derive(Serialize)]
pub struct FleetBody {
    /// How the score is computed, in words.
    pub score: &'static str,
    pub clusters: Vec<FleetEntry>,
}

const SCORE: &str = "done / applicable over checklist items: done = signed off, within its re-certification period and its newest live check not failing; applicable = not marked not applicable and not covered by an approved waiver. Day-2 tasks are not scored.";

pub async fn list(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(p): Query<FleetParams>,
) -> ApiResult<Json<FleetBody>> {
    let clusters = fleet::fleet(&state.app, &user, &p.query()).await?;
    Ok(Json(FleetBody {
        score: SCORE,
        clusters,
    }))
}

pub async fn trend(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(p): Query<FleetParams>,
) -> ApiResult<Json<Vec<TrendPoint>>> {
    Ok(Json(
        fleet::readiness_trend(&state.app, &user, None, &p.query()).await?,
    ))
}

/// `GET /api/v1/fleet/drift?env=`: clusters that differ from their
/// siblings in one environment.
pub async fn drift(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(p): Query<FleetParams>,
) -> ApiResult<Json<DriftBody>> {
    let clusters = fleet::drift(&state.app, &user, &p.query()).await?;
    Ok(Json(DriftBody {
        rule: DRIFT_RULE,
        drift: clusters,
    }))
}

#[derive(Serialize)]
pub struct DriftBody {
    /// How drift is decided, in words.
    pub rule: &'static str,
    pub drift: Vec<DriftRow>,
}

const DRIFT_RULE: &str = "within one environment, per fact (trino_version, java_version, catalogs, spill_enabled, max_execution_time) from each cluster's newest check run: the value most clusters share is usual and every other cluster is listed; on a tie every cluster is listed with usual = null";

pub async fn cluster_trend(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Vec<TrendPoint>>> {
    let q = fleet::FleetQuery {
        include_archived: true,
        environment: None,
    };
    Ok(Json(
        fleet::readiness_trend(&state.app, &user, Some(id), &q).await?,
    ))
}

pub async fn cluster_report(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<ClusterReport>> {
    Ok(Json(report::cluster_report(&state.app, &user, id).await?))
}
