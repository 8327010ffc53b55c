//! The checklist of a cluster, signing items off, item history, and ledger
//! verification.
//!
//! Appends are serialized by SQLite's write lock, taken up front with
//! `BEGIN IMMEDIATE`: reading the chain tip, checking the item's state and
//! inserting the new row happen as one step, so concurrent sign-offs all land
//! and the chain never forks (the schema's UNIQUE `prev_hash` backs this up).

use super::evidence::IncomingFile;
use super::{now, require};
use crate::{AppState, ServiceError};
use futures::TryStreamExt;
use shipshape_domain::attachment::DetailsFiles;
use shipshape_domain::chain::{ChainVerifier, Verification};
use shipshape_domain::checklist::{build_checklist, Checklist, HistoryEntry};
use shipshape_domain::cluster::Cluster;
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::role::Permission;
use shipshape_domain::signoff::{
    sign_refusal, validate_signoff, ItemStatus, SignRefusal, SignoffAction,
};
use shipshape_domain::user::User;

pub async fn checklist(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<(Cluster, Checklist), ServiceError> {
    require(actor, Permission::Read)?;
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    // The read model: this cluster's item states, whatever the ledger's length.
    let states = state.read_cache.states(&state.db).await?;
    let mut latest = std::collections::HashMap::new();
    let mut waivers = std::collections::HashMap::new();
    for (item, s) in states.get(&cluster_id).into_iter().flatten() {
        if let Some(signoff) = &s.record.signoff {
            latest.insert(item.clone(), signoff.clone());
        }
        if let Some(waiver) = &s.record.waiver {
            waivers.insert(item.clone(), waiver.clone());
        }
    }
    let checks = state
        .db
        .read()
        .await?
        .checks()
        .latest_per_item(cluster_id, cluster.checks_reset_at)
        .await?
        .into_iter()
        .map(|c| (c.item_id.to_string(), c))
        .collect();
    let verdicts = state
        .db
        .read()
        .await?
        .verdicts()
        .of_cluster(cluster_id)
        .await?;
    let at = super::moment(state)?;
    let mut list = build_checklist(&state.runbook, &latest, &waivers, &checks, &verdicts, at);
    list.attach_tasks(&super::day2::schedules(state, &cluster).await?);
    Ok((cluster, list))
}

/// Whether `actor` may sign this item of this cluster: asked before an
/// upload's body is read, and again when the row is written.
pub async fn may_sign(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    item_id: &str,
) -> Result<(), ServiceError> {
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    match sign_refusal(actor.role, cluster.is_archived()) {
        Some(SignRefusal::Role) => return Err(ServiceError::Forbidden),
        Some(SignRefusal::Archived) => {
            return Err(ServiceError::Conflict(
                "This cluster is archived: restore it before signing items off.".into(),
            ))
        }
        None => {}
    }
    if state.runbook.item(item_id).is_none() {
        return Err(ServiceError::NotFound("item"));
    }
    Ok(())
}

/// Records a sign-off, a not-applicable or a revocation as a new ledger row.
pub async fn sign(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    item_id: &str,
    action: SignoffAction,
    note: &str,
) -> Result<HistoryEntry, ServiceError> {
    sign_with_evidence(
        state,
        actor,
        cluster_id,
        item_id,
        action,
        note,
        Vec::new(),
        "",
    )
    .await
}

/// [`sign`] with evidence files; the row's `details` name every file, so
/// its hash covers them.
#[allow(clippy::too_many_arguments)]
pub async fn sign_with_evidence(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    item_id: &str,
    action: SignoffAction,
    note: &str,
    files: Vec<IncomingFile>,
    evidence_as_of: &str,
) -> Result<HistoryEntry, ServiceError> {
    may_sign(state, actor, cluster_id, item_id).await?;
    let mut tx = state.db.write().await?;
    let current = ItemStatus::from_latest(tx.ledger().latest_action(cluster_id, item_id).await?);
    let valid = validate_signoff(action, note, current)?;
    let mut errors = FieldErrors::new();
    let as_of = super::evidence::evidence_as_of(evidence_as_of, &mut errors);
    super::evidence::check_count(state, files.len(), &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let at = now();
    let (attached, metas) = super::evidence::accept(state, actor, files, as_of, &at).await?;
    let details = if attached.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&DetailsFiles {
            attachments: attached,
        })
        .map_err(|e| ServiceError::internal("sign-off details", e))?
    };
    let entry = crate::ledger::append(
        &mut tx,
        crate::ledger::NewRow {
            at,
            actor: &actor.username,
            cluster_id,
            item_id,
            action: valid.action().as_str(),
            note: valid.note().to_string(),
            details,
        },
    )
    .await?;
    let seq = entry.content().seq;
    for m in &metas {
        tx.attachments().insert(seq, m).await?;
    }
    tx.commit().await?;
    tracing::info!(seq = seq.get(), cluster = cluster_id.get(), item = item_id, action = action.as_str(), by = %actor.username, "ledger row appended");
    Ok(entry.into())
}

/// An item's history on a cluster, newest first. Items no longer in the
/// runbook keep their history.
pub async fn history(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    item_id: &str,
) -> Result<Vec<HistoryEntry>, ServiceError> {
    require(actor, Permission::Read)?;
    super::cluster_by_id(state, cluster_id).await?;
    if state.runbook.item(item_id).is_none()
        && !state
            .db
            .read()
            .await?
            .ledger()
            .has_item_history(cluster_id, item_id)
            .await?
    {
        return Err(ServiceError::NotFound("item"));
    }
    let rows = state
        .db
        .read()
        .await?
        .ledger()
        .item_history(cluster_id, item_id)
        .await?;
    Ok(rows.into_iter().map(HistoryEntry::from).collect())
}

/// Walks the whole chain in order, in constant memory, and reports the first
/// break; every checkpoint row is checked against this server's key (its
/// signature, and that the hash it signed is still the recomputed hash of
/// the row it names). Needs no acting user: the CLI calls it too.
pub async fn verify_ledger(state: &AppState) -> Result<Verification, ServiceError> {
    verify_ledger_with(state, state.ledger_key.public_key()).await
}

/// [`verify_ledger`] with checkpoints checked against `trusted` instead
/// (`shipshape ledger verify --public-key`).
pub async fn verify_ledger_with(
    state: &AppState,
    trusted: shipshape_domain::signing::PublicKey,
) -> Result<Verification, ServiceError> {
    let mut verifier = ChainVerifier::with_key(Some(trusted));
    let mut db = state.db.read().await?;
    let mut rows = db.ledger().stream_all();
    while let Some(entry) = rows.try_next().await? {
        if let Err(b) = verifier.push(&entry) {
            return Ok(verifier.finish(Some(b)));
        }
    }
    Ok(verifier.finish(None))
}
