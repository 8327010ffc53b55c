//! The ledger's write rules, the same for both databases (the SQL is in
//! [`crate::store::ledger`] and [`crate::store::item_state`]):
//!
//! - [`append`] links a row to the chain's tip and seals it; [`insert`]
//!   stores a sealed row and applies it to the read model in the same
//!   transaction. Call them in a [`WriteTx`](crate::store::WriteTx), which
//!   holds the single-writer lock, so nothing appends in between and the
//!   chain cannot fork.
//! - The read model (see [`shipshape_domain::item_state`]): `item_state`,
//!   one JSON state per cluster × item, and `item_state_daily`, each state
//!   as it stood at the end of every UTC day on which it changed (for the
//!   trend). [`apply`] folds one new row in; [`rebuild`] recomputes both
//!   tables from the ledger; `view_meta` says which fold version made them,
//!   and [`snapshot`] reads them back to compare with a rebuild.

use crate::store::{Conn, DbResult};
use chrono::NaiveDate;
use futures::StreamExt;
use shipshape_domain::ids::{ClusterId, ItemId, Seq};
use shipshape_domain::item_state::{day_of, Folded, ItemState, RowEffect, VERSION};
use shipshape_domain::ledger::{EntryContent, LedgerEntry};
use shipshape_domain::standing::ItemRecord;
use shipshape_domain::time::Timestamp;
use std::collections::HashMap;

/// The read model's name in `view_meta`.
const VIEW: &str = "item_state";

/// A row to append: everything but its place in the chain.
pub struct NewRow<'a> {
    pub at: Timestamp,
    pub actor: &'a str,
    pub cluster_id: ClusterId,
    pub item_id: &'a str,
    pub action: &'a str,
    pub note: String,
    pub details: String,
}

/// Inserts a sealed row and applies it to the read model, together (call
/// in the appending transaction).
pub async fn insert(c: &mut Conn, e: &LedgerEntry) -> DbResult<()> {
    c.ledger().insert_row(e).await?;
    apply(c, e.content()).await
}

/// Links a row to the chain tip, seals and inserts it. Call inside a
/// [`WriteTx`](crate::store::WriteTx) so that nothing appends in between.
pub async fn append(c: &mut Conn, row: NewRow<'_>) -> DbResult<LedgerEntry> {
    let (seq, prev_hash) = match c.ledger().tip().await? {
        Some((seq, hash)) => (Seq::new(seq.get() + 1), hash),
        None => (
            Seq::new(1),
            shipshape_domain::ledger::GENESIS_HASH.to_string(),
        ),
    };
    let entry = EntryContent {
        seq,
        at: row.at,
        actor: row.actor.to_string(),
        cluster_id: row.cluster_id,
        item_id: ItemId::new(row.item_id),
        action: row.action.to_string(),
        note: row.note,
        details: row.details,
        prev_hash,
    }
    .seal();
    insert(c, &entry).await?;
    Ok(entry)
}

fn decode(json: &str) -> DbResult<ItemState> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(format!("item_state: {e}").into()))
}

fn encode(state: &ItemState) -> DbResult<String> {
    serde_json::to_string(state).map_err(crate::store::encode_error)
}

fn parse_day(day: &str) -> DbResult<NaiveDate> {
    day.parse()
        .map_err(|e| sqlx::Error::Decode(format!("item_state_daily day {day:?}: {e}").into()))
}

/// Stores a changed state, and as the state at the end of `day`.
async fn keep(
    c: &mut Conn,
    cluster: ClusterId,
    item: &str,
    day: Option<NaiveDate>,
    state: &ItemState,
) -> DbResult<()> {
    let json = encode(state)?;
    c.item_state().store(cluster, item, &json).await?;
    if let Some(day) = day {
        c.item_state()
            .store_daily(cluster, item, day, &json)
            .await?;
    }
    Ok(())
}

/// Applies one new ledger row to the read model (call in the appending
/// transaction), as [`Folded::apply`] does.
pub async fn apply(c: &mut Conn, row: &EntryContent) -> DbResult<()> {
    let day = day_of(row);
    match RowEffect::of(row) {
        RowEffect::Nothing => return Ok(()),
        RowEffect::ChangesItem => {}
        RowEffect::ResetsClusterVerdicts => {
            for (item, json) in c.item_state().of_cluster(row.cluster_id).await? {
                let mut state = decode(&json)?;
                if state.reset_verdict(row.seq) {
                    keep(c, row.cluster_id, &item, day, &state).await?;
                }
            }
            return Ok(());
        }
    }
    let mut state = match c.item_state().state(row.cluster_id, &row.item_id).await? {
        Some(json) => decode(&json)?,
        None => ItemState::default(),
    };
    state.apply(row);
    keep(c, row.cluster_id, &row.item_id, day, &state).await
}

/// Every item state, by cluster and item.
pub async fn all_states(c: &mut Conn) -> DbResult<HashMap<ClusterId, HashMap<String, ItemState>>> {
    let mut out: HashMap<ClusterId, HashMap<String, ItemState>> = HashMap::new();
    for (cluster, item, json) in c.item_state().all_rows().await? {
        out.entry(cluster.into())
            .or_default()
            .insert(item, decode(&json)?);
    }
    Ok(out)
}

/// Each item's record as it stood at the end of the day before `first`
/// (of one cluster, or all).
pub async fn records_before(
    c: &mut Conn,
    first: NaiveDate,
    cluster_id: Option<ClusterId>,
) -> DbResult<HashMap<(ClusterId, ItemId), ItemRecord>> {
    c.item_state()
        .daily_before(first, cluster_id)
        .await?
        .into_iter()
        .map(|(c, i, json)| Ok(((ClusterId::new(c), ItemId::new(i)), decode(&json)?.record)))
        .collect()
}

/// Each record as it stood at the end of every day from `first` to `last`
/// on which it changed, by day (of one cluster, or all).
pub async fn records_between(
    c: &mut Conn,
    first: NaiveDate,
    last: NaiveDate,
    cluster_id: Option<ClusterId>,
) -> DbResult<Vec<(NaiveDate, ClusterId, ItemId, ItemRecord)>> {
    c.item_state()
        .daily_between(first, last, cluster_id)
        .await?
        .into_iter()
        .map(|(day, c, i, json)| {
            Ok((
                parse_day(&day)?,
                ClusterId::new(c),
                ItemId::new(i),
                decode(&json)?.record,
            ))
        })
        .collect()
}

/// Everything the read model holds, ordered (for comparing with a rebuild).
pub async fn snapshot(c: &mut Conn) -> DbResult<Folded> {
    let mut folded = Folded::default();
    for (cl, i, json) in c.item_state().all_rows().await? {
        folded.states.insert((cl.into(), i.into()), decode(&json)?);
    }
    for (cl, i, day, json) in c.item_state().all_daily_rows().await? {
        folded
            .daily
            .insert((cl.into(), i.into(), parse_day(&day)?), decode(&json)?);
    }
    Ok(folded)
}

/// What the ledger gives, folded from its rows (streamed: memory grows with
/// the states kept, not with the ledger).
pub async fn fold_ledger(c: &mut Conn) -> DbResult<Folded> {
    let mut folded = Folded::default();
    let mut rows = c.ledger().stream_state_rows();
    while let Some(row) = rows.next().await {
        folded.apply(&row?);
    }
    Ok(folded)
}

/// Recomputes the read model from the ledger and records the fold version
/// (call in a write transaction). Returns how many item states.
pub async fn rebuild(c: &mut Conn) -> DbResult<usize> {
    let folded = fold_ledger(c).await?;
    c.item_state().clear().await?;
    for ((cluster, item), state) in &folded.states {
        c.item_state()
            .store(*cluster, item, &encode(state)?)
            .await?;
    }
    for ((cluster, item, day), state) in &folded.daily {
        c.item_state()
            .store_daily(*cluster, item, *day, &encode(state)?)
            .await?;
    }
    c.item_state().set_view_version(VIEW, VERSION).await?;
    Ok(folded.states.len())
}

/// Whether the stored states were made by this version's fold.
pub async fn is_current(c: &mut Conn) -> DbResult<bool> {
    Ok(c.item_state().view_version(VIEW).await? == Some(VERSION))
}
