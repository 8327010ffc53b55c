//! Waivers: SREs request them, managers approve or reject them, and every
//! step is a ledger row (see `shipshape_domain::waiver` for the rules).
//!
//! Each step runs in a `BEGIN IMMEDIATE` transaction: the item's waiver rows
//! are read and the new row appended as one step, so two managers deciding
//! the same request at once cannot both succeed.

use super::{moment, now, require};
use crate::{AppState, ServiceError};
use serde::{Deserialize, Serialize};
use shipshape_domain::cluster::Cluster;
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::role::Permission;
use shipshape_domain::signoff::{sign_refusal, SignRefusal};
use shipshape_domain::standing::waivers_from;
use shipshape_domain::user::User;
use shipshape_domain::waiver::{
    self, validate_decision, validate_request, DecisionDetails, Waiver, WaiverState, WaiverView,
};

/// A waiver request as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WaiverInput {
    pub kind: String,
    pub reason: String,
    pub expires_on: String,
}

/// A manager's decision as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    /// `approve` or `reject`.
    pub decision: String,
    pub note: String,
}

fn view(
    state: &AppState,
    cluster: &Cluster,
    waiver: Waiver,
    today: chrono::NaiveDate,
) -> WaiverView {
    WaiverView {
        cluster_id: cluster.id,
        cluster_name: cluster.name.clone(),
        item_title: state
            .runbook
            .item(&waiver.item_id)
            .map(|i| i.title.clone())
            .unwrap_or_else(|| waiver.item_id.clone().into()),
        state: waiver.state(today),
        waiver,
    }
}

/// Records a waiver request on an item of a cluster.
pub async fn request(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    item_id: &str,
    input: &WaiverInput,
) -> Result<WaiverView, ServiceError> {
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    match sign_refusal(actor.role, cluster.is_archived()) {
        Some(SignRefusal::Role) => return Err(ServiceError::Forbidden),
        Some(SignRefusal::Archived) => {
            return Err(ServiceError::Conflict(
                "This cluster is archived: restore it before asking for waivers.".into(),
            ))
        }
        None => {}
    }
    let item = state
        .runbook
        .item(item_id)
        .ok_or(ServiceError::NotFound("item"))?;
    if item.is_recurring() {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "kind",
            "Day-2 tasks are not scored and cannot be waived; record the work instead.",
        )));
    }
    let at = moment(state)?;
    let mut tx = state.db.write().await?;
    let rows = tx.ledger().waiver_rows(Some(cluster_id)).await?;
    let current = waivers_from(rows.iter().filter(|r| r.item_id == item_id));
    let valid = validate_request(
        &input.kind,
        &input.reason,
        &input.expires_on,
        at.today,
        current.get(item_id),
    )?;
    let details = serde_json::to_string(&valid.details())
        .map_err(|e| ServiceError::internal("waiver details", e))?;
    let entry = crate::ledger::append(
        &mut tx,
        crate::ledger::NewRow {
            at: now(),
            actor: &actor.username,
            cluster_id,
            item_id,
            action: waiver::ACTION_REQUESTED,
            note: valid.reason().to_string(),
            details,
        },
    )
    .await?;
    tx.commit().await?;
    let c = entry.content();
    tracing::info!(seq = c.seq.get(), cluster = cluster_id.get(), item = item_id, by = %actor.username, "waiver requested");
    let waiver = Waiver {
        request_seq: c.seq.into(),
        item_id: c.item_id.clone(),
        kind: valid.kind(),
        reason: c.note.clone(),
        expires_on: valid.expires_on(),
        requested_by: c.actor.clone(),
        requested_at: c.at,
        decision: None,
    };
    Ok(view(state, &cluster, waiver, at.today))
}

/// Approves or rejects the waiver requested in ledger row `request_seq`.
pub async fn decide(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    request_seq: i64,
    input: &DecisionInput,
) -> Result<WaiverView, ServiceError> {
    require(actor, Permission::DecideWaivers)?;
    let approve = match input.decision.trim() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "decision",
                "Choose approve or reject.",
            )))
        }
    };
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    let at = moment(state)?;
    let mut tx = state.db.write().await?;
    let request = tx
        .ledger()
        .by_seq(request_seq.into())
        .await?
        .filter(|r| {
            r.content().cluster_id == cluster_id && r.content().action == waiver::ACTION_REQUESTED
        })
        .ok_or(ServiceError::NotFound("waiver"))?;
    let item_id = request.content().item_id.clone();
    let rows = tx.ledger().waiver_rows(Some(cluster_id)).await?;
    let current = waivers_from(rows.iter().filter(|r| r.item_id == item_id))
        .remove(item_id.as_str())
        .filter(|w| w.request_seq == request_seq)
        .ok_or_else(|| {
            ServiceError::Conflict("A newer waiver request for this item replaced this one.".into())
        })?;
    let note = validate_decision(&current, approve, &actor.username, &input.note, at.today)
        .map_err(|refusal| {
            ServiceError::Invalid(FieldErrors::single("decision", refusal.message()))
        })?;
    let details = serde_json::to_string(&DecisionDetails {
        waiver_request_seq: request_seq,
    })
    .map_err(|e| ServiceError::internal("waiver decision details", e))?;
    let entry = crate::ledger::append(
        &mut tx,
        crate::ledger::NewRow {
            at: now(),
            actor: &actor.username,
            cluster_id,
            item_id: &item_id,
            action: if approve {
                waiver::ACTION_APPROVED
            } else {
                waiver::ACTION_REJECTED
            },
            note: note.clone(),
            details,
        },
    )
    .await?;
    tx.commit().await?;
    let c = entry.content();
    tracing::info!(seq = c.seq.get(), cluster = cluster_id.get(), item = %item_id, request = request_seq, approve, by = %actor.username, "waiver decided");
    let waiver = Waiver {
        decision: Some(waiver::Decision {
            approved: approve,
            by: c.actor.clone(),
            at: c.at,
            note,
        }),
        ..current
    };
    Ok(view(state, &cluster, waiver, at.today))
}

/// Every item's newest waiver on every cluster (or one), most pressing
/// first: waiting for a decision, then approved by expiry date, then the rest.
pub async fn list(
    state: &AppState,
    actor: &User,
    cluster_id: Option<ClusterId>,
) -> Result<Vec<WaiverView>, ServiceError> {
    require(actor, Permission::Read)?;
    let at = moment(state)?;
    let clusters = state.db.read().await?.clusters().list(true).await?;
    let rows = state
        .db
        .read()
        .await?
        .ledger()
        .waiver_rows(cluster_id)
        .await?;
    let mut out = Vec::new();
    for c in clusters
        .iter()
        .filter(|c| cluster_id.is_none_or(|id| id == c.id))
    {
        let mut mine: Vec<WaiverView> = waivers_from(rows.iter().filter(|r| r.cluster_id == c.id))
            .into_values()
            .map(|w| view(state, c, w, at.today))
            .collect();
        out.append(&mut mine);
    }
    let rank = |s: WaiverState| match s {
        WaiverState::Pending => 0,
        WaiverState::Approved => 1,
        WaiverState::Expired => 2,
        WaiverState::Rejected => 3,
    };
    out.sort_by(|a, b| {
        rank(a.state)
            .cmp(&rank(b.state))
            .then(a.waiver.expires_on.cmp(&b.waiver.expires_on))
            .then(a.waiver.request_seq.cmp(&b.waiver.request_seq))
    });
    Ok(out)
}
