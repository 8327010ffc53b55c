//! Checkpoints: the server signs the ledger's head with its own key, as a
//! row of the same chain (see [`shipshape_domain::checkpoint`]), so that rows
//! up to a checkpoint cannot be rewritten, even re-hashed, without the key.
//!
//! A checkpoint is appended once `checkpoint_every_rows` rows were added since
//! the last one, and at least every `checkpoint_interval_secs` while rows were
//! added (counted from the last checkpoint, or from the server's start when
//! there is none); a background loop looks every few seconds. The server
//! signs only what it has checked: the rows since the last checkpoint (the
//! whole chain the first time) must recompute and link, and that checkpoint
//! must verify with this server's key; otherwise it refuses, and says why.
//!
//! The row: action `checkpoint`, actor `shipshape`, item `_checkpoint`,
//! `cluster_id` of the row it signs (the ledger's `cluster_id` references
//! `clusters`, so there is no cluster 0 to use; the row signed names a real
//! one), `details` the signed seq and hash, the public key and the signature.
//! It is appended like every row: in a `BEGIN IMMEDIATE` transaction that
//! reads the tip, so it always signs the row right before it.

use crate::{AppState, ServiceError};
use chrono::{DateTime, Utc};
use shipshape_domain::chain::ChainVerifier;
use shipshape_domain::checkpoint::{
    checkpoint_due, verify_checkpoint, CheckpointDetails, CHECKPOINT_ACTION, CHECKPOINT_ACTOR,
    CHECKPOINT_ITEM,
};
use shipshape_domain::export::ExportFilter;
use shipshape_domain::ids::Seq;
use shipshape_domain::ledger::LedgerEntry;
use std::time::Duration;

/// How often the loop looks whether a checkpoint is due (cheap: the tip and
/// the newest checkpoint row).
const POLL: Duration = Duration::from_secs(2);
/// Rows read at a time while checking the chain before signing.
const PAGE: i64 = 2000;

/// When to sign.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// By the configured row count and interval; without a checkpoint yet,
    /// the interval counts from `since` (the server's start).
    IfDue { since: DateTime<Utc> },
    /// Whenever there is a row to sign.
    Now,
}

/// Appends a checkpoint if one is due; `since` is when the server started.
pub async fn checkpoint_if_due(
    state: &AppState,
    since: DateTime<Utc>,
) -> Result<Option<LedgerEntry>, ServiceError> {
    checkpoint(state, Rule::IfDue { since }).await
}

/// Appends a checkpoint now if any row was added since the last one
/// (`shipshape ledger checkpoint`).
pub async fn checkpoint_now(state: &AppState) -> Result<Option<LedgerEntry>, ServiceError> {
    checkpoint(state, Rule::Now).await
}

fn due(state: &AppState, rule: Rule, tip_seq: Seq, last: Option<&LedgerEntry>) -> bool {
    let last_seq = last.map_or(0, |e| e.content().seq.get());
    let unsigned = u64::try_from(tip_seq.get() - last_seq).unwrap_or(0);
    match rule {
        Rule::Now => unsigned > 0,
        Rule::IfDue { since } => {
            let from = last.map(|e| e.content().at.instant()).unwrap_or(since);
            let secs = u64::try_from((Utc::now() - from).num_seconds()).unwrap_or(0);
            checkpoint_due(
                unsigned,
                secs,
                state.config.checkpoint_every_rows,
                state.config.checkpoint_interval_secs,
            )
        }
    }
}

fn refuse(what: String) -> ServiceError {
    ServiceError::Conflict(format!("no checkpoint signed: {what}"))
}

/// A verifier positioned after the newest checkpoint (checked with this
/// server's key), or at the start of the chain when there is none.
fn start_after(
    state: &AppState,
    last: Option<&LedgerEntry>,
) -> Result<ChainVerifier, ServiceError> {
    let key = state.ledger_key.public_key();
    let Some(cp) = last else {
        return Ok(ChainVerifier::with_key(Some(key)));
    };
    let seq = cp.content().seq;
    if cp.content().hash() != cp.hash() {
        return Err(refuse(format!(
            "the last checkpoint, seq {seq}, does not match its hash (the row was altered)"
        )));
    }
    verify_checkpoint(cp.content(), &cp.content().prev_hash, &key).map_err(|e| {
        refuse(format!(
            "the last checkpoint, seq {seq}, does not verify with this server's key: {e}"
        ))
    })?;
    Ok(ChainVerifier::resume(seq, cp.hash(), Some(key)))
}

/// Feeds the rows after the verifier's position, up to `upto`, to it.
async fn check_rows(
    conn: &mut crate::store::Conn,
    v: &mut ChainVerifier,
    upto: Seq,
) -> Result<(), ServiceError> {
    let everything = ExportFilter::default();
    loop {
        let after = v.next().0.prev();
        if after >= upto {
            return Ok(());
        }
        let page = conn.ledger().export_page(&everything, after, PAGE).await?;
        if page.is_empty() {
            return Ok(());
        }
        for e in page.iter().filter(|e| e.content().seq <= upto) {
            v.push(e).map_err(|b| {
                refuse(format!(
                    "the ledger chain is broken at seq {}: {}",
                    b.seq, b.reason
                ))
            })?;
        }
    }
}

async fn checkpoint(state: &AppState, rule: Rule) -> Result<Option<LedgerEntry>, ServiceError> {
    let mut conn = state.db.read().await?;
    // A cheap look first, without the write lock.
    let Some((tip_seq, _)) = conn.ledger().tip().await? else {
        return Ok(None);
    };
    let last = conn.ledger().last_checkpoint().await?;
    if !due(state, rule, tip_seq, last.as_ref()) {
        return Ok(None);
    }
    // Check what is to be signed, still without the lock (this may be the
    // whole chain the first time)...
    let mut verifier = start_after(state, last.as_ref())?;
    check_rows(&mut conn, &mut verifier, tip_seq).await?;
    drop(conn);

    // ...then, holding it, the rows that came meanwhile, and sign the tip.
    let mut tx = state.db.write().await?;
    let Some((tip_seq, _)) = tx.ledger().tip().await? else {
        return Ok(None);
    };
    let last_now = tx.ledger().last_checkpoint().await?;
    if last_now.as_ref().map(|e| e.content().seq) != last.as_ref().map(|e| e.content().seq) {
        // Another process signed meanwhile: start from its checkpoint.
        verifier = start_after(state, last_now.as_ref())?;
    }
    if !due(state, rule, tip_seq, last_now.as_ref()) {
        return Ok(None);
    }
    check_rows(&mut tx, &mut verifier, tip_seq).await?;
    let (next, signed_hash) = verifier.next();
    let (signed_seq, signed_hash) = (next.prev(), signed_hash.to_string());
    if signed_seq != tip_seq {
        return Err(refuse(format!(
            "the ledger ends at seq {tip_seq}, but its rows were read only up to seq {signed_seq}"
        )));
    }
    let signed_row = tx
        .ledger()
        .by_seq(signed_seq)
        .await?
        .ok_or_else(|| refuse(format!("row {signed_seq} vanished")))?;
    let details = CheckpointDetails::sign(state.ledger_key.secret(), signed_seq, &signed_hash)
        .to_json()
        .map_err(|e| ServiceError::internal("checkpoint details", e))?;
    let entry = crate::ledger::append(
        &mut tx,
        crate::ledger::NewRow {
            at: super::now(),
            actor: CHECKPOINT_ACTOR,
            cluster_id: signed_row.content().cluster_id,
            item_id: CHECKPOINT_ITEM,
            action: CHECKPOINT_ACTION,
            note: String::new(),
            details,
        },
    )
    .await?;
    if entry.content().prev_hash != signed_hash {
        return Err(ServiceError::Internal(format!(
            "checkpoint seq {} links to {}, not to the signed hash {signed_hash}",
            entry.content().seq,
            entry.content().prev_hash
        )));
    }
    tx.commit().await?;
    tracing::info!(
        seq = entry.content().seq.get(),
        signed_seq = signed_seq.get(),
        fingerprint = %state.ledger_key.public_key().fingerprint(),
        "ledger checkpoint signed"
    );
    Ok(Some(entry))
}

/// Looks every few seconds whether a checkpoint is due, forever. A failure
/// (a broken chain, a checkpoint by another key) is logged when it first
/// happens and whenever it changes, not at every look.
pub async fn run_forever(state: AppState) {
    use crate::jobs::{leader_ticks, Start};
    let since = Utc::now();
    let mut failing: Option<String> = None;
    let stopping = &state.lifecycle;
    let mut ticks = leader_ticks(&state, POLL, Start::Now).await;
    while let Some(_due) = ticks.next().await {
        // A checkpoint is one transaction: abandoned, it leaves nothing.
        let Some(done) = stopping
            .unless_stopped(checkpoint_if_due(&state, since))
            .await
        else {
            break;
        };
        match done {
            Ok(_) => failing = None,
            Err(e) => {
                let message = e.to_string();
                if failing.as_deref() != Some(message.as_str()) {
                    tracing::error!(error = %message, "ledger checkpoint failed");
                }
                failing = Some(message);
            }
        }
    }
}
