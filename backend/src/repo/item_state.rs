//! The read model's tables (see [`shipshape_domain::item_state`]):
//! `item_state`, one JSON state per cluster × item, and `item_state_daily`,
//! each state as it stood at the end of every UTC day on which it changed
//! (for the trend). [`apply`] runs inside the transaction that appends each
//! ledger row; [`rebuild`] recomputes both from the ledger; `view_meta`
//! says which fold version they were made with.
//!
//! The trait holds the SQL (states as JSON text); the functions here decode
//! them and apply the domain's fold, the same for every database.

use super::{DbResult, Repos};
use chrono::NaiveDate;
use futures::StreamExt;
use shipshape_domain::item_state::{day_of, Folded, ItemState, RowEffect, VERSION};
use shipshape_domain::ledger::EntryContent;
use shipshape_domain::standing::ItemRecord;
use std::collections::HashMap;

const VIEW: &str = "item_state";

#[async_trait::async_trait]
pub trait ItemStateRepo: Send {
    /// `(item, state)` of every item of one cluster.
    async fn of_cluster(&mut self, cluster_id: i64) -> DbResult<Vec<(String, String)>>;
    /// One item's state.
    async fn state(&mut self, cluster_id: i64, item_id: &str) -> DbResult<Option<String>>;
    /// Stores an item's current state.
    async fn store(&mut self, cluster_id: i64, item_id: &str, state: &str) -> DbResult<()>;
    /// Stores an item's state as it stands at the end of `day`.
    async fn store_daily(
        &mut self,
        cluster_id: i64,
        item_id: &str,
        day: NaiveDate,
        state: &str,
    ) -> DbResult<()>;
    /// `(cluster, item, state)` of every item.
    async fn all_rows(&mut self) -> DbResult<Vec<(i64, String, String)>>;
    /// `(cluster, item, day, state)` of every daily row.
    async fn all_daily_rows(&mut self) -> DbResult<Vec<(i64, String, String, String)>>;
    /// The newest daily state before `first` of each item (of one cluster,
    /// or all): `(cluster, item, state)`.
    async fn daily_before(
        &mut self,
        first: NaiveDate,
        cluster_id: Option<i64>,
    ) -> DbResult<Vec<(i64, String, String)>>;
    /// Daily states from `first` to `last`, by day: `(day, cluster, item,
    /// state)`.
    async fn daily_between(
        &mut self,
        first: NaiveDate,
        last: NaiveDate,
        cluster_id: Option<i64>,
    ) -> DbResult<Vec<(String, i64, String, String)>>;
    /// Empties both tables (for a rebuild).
    async fn clear(&mut self) -> DbResult<()>;
    /// The fold version a derived view was built with.
    async fn view_version(&mut self, name: &str) -> DbResult<Option<i64>>;
    async fn set_view_version(&mut self, name: &str, version: i64) -> DbResult<()>;
}

fn decode(json: &str) -> DbResult<ItemState> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(format!("item_state: {e}").into()))
}

fn encode(state: &ItemState) -> DbResult<String> {
    serde_json::to_string(state).map_err(|e| sqlx::Error::Encode(e.into()))
}

fn parse_day(day: &str) -> DbResult<NaiveDate> {
    day.parse()
        .map_err(|e| sqlx::Error::Decode(format!("item_state_daily day {day:?}: {e}").into()))
}

/// Stores a changed state, and as the state at the end of `day`.
async fn keep(
    r: &mut dyn ItemStateRepo,
    cluster: i64,
    item: &str,
    day: Option<NaiveDate>,
    state: &ItemState,
) -> DbResult<()> {
    let json = encode(state)?;
    r.store(cluster, item, &json).await?;
    if let Some(day) = day {
        r.store_daily(cluster, item, day, &json).await?;
    }
    Ok(())
}

/// Applies one new ledger row (call in the appending transaction), as
/// [`Folded::apply`] does.
pub async fn apply(r: &mut dyn ItemStateRepo, row: &EntryContent) -> DbResult<()> {
    let day = day_of(row);
    match RowEffect::of(row) {
        RowEffect::Nothing => return Ok(()),
        RowEffect::ChangesItem => {}
        RowEffect::ResetsClusterVerdicts => {
            for (item, json) in r.of_cluster(row.cluster_id).await? {
                let mut state = decode(&json)?;
                if state.reset_verdict(row.seq) {
                    keep(r, row.cluster_id, &item, day, &state).await?;
                }
            }
            return Ok(());
        }
    }
    let mut state = match r.state(row.cluster_id, &row.item_id).await? {
        Some(json) => decode(&json)?,
        None => ItemState::default(),
    };
    state.apply(row);
    keep(r, row.cluster_id, &row.item_id, day, &state).await
}

/// Every item state, by cluster and item.
pub async fn all(r: &mut dyn ItemStateRepo) -> DbResult<HashMap<i64, HashMap<String, ItemState>>> {
    let mut out: HashMap<i64, HashMap<String, ItemState>> = HashMap::new();
    for (cluster, item, json) in r.all_rows().await? {
        out.entry(cluster).or_default().insert(item, decode(&json)?);
    }
    Ok(out)
}

/// Each item's record as it stood at the end of the day before `first`
/// (of one cluster, or all).
pub async fn records_before(
    r: &mut dyn ItemStateRepo,
    first: NaiveDate,
    cluster_id: Option<i64>,
) -> DbResult<HashMap<(i64, String), ItemRecord>> {
    r.daily_before(first, cluster_id)
        .await?
        .into_iter()
        .map(|(c, i, json)| Ok(((c, i), decode(&json)?.record)))
        .collect()
}

/// Each record as it stood at the end of every day from `first` to `last`
/// on which it changed, by day (of one cluster, or all).
pub async fn records_between(
    r: &mut dyn ItemStateRepo,
    first: NaiveDate,
    last: NaiveDate,
    cluster_id: Option<i64>,
) -> DbResult<Vec<(NaiveDate, i64, String, ItemRecord)>> {
    r.daily_between(first, last, cluster_id)
        .await?
        .into_iter()
        .map(|(day, c, i, json)| Ok((parse_day(&day)?, c, i, decode(&json)?.record)))
        .collect()
}

/// Everything stored, ordered (for comparing with a rebuild).
pub async fn snapshot(r: &mut dyn ItemStateRepo) -> DbResult<Folded> {
    let mut folded = Folded::default();
    for (c, i, json) in r.all_rows().await? {
        folded.states.insert((c, i), decode(&json)?);
    }
    for (c, i, day, json) in r.all_daily_rows().await? {
        folded
            .daily
            .insert((c, i, parse_day(&day)?), decode(&json)?);
    }
    Ok(folded)
}

/// What the ledger gives, folded from its rows (streamed: memory grows with
/// the states kept, not with the ledger).
pub async fn fold_ledger(r: &mut dyn super::LedgerRepo) -> DbResult<Folded> {
    let mut folded = Folded::default();
    let mut rows = r.stream_state_rows();
    while let Some(row) = rows.next().await {
        folded.apply(&row?);
    }
    Ok(folded)
}

/// Recomputes both tables from the ledger and records the fold version
/// (call in a write transaction). Returns how many item states.
pub async fn rebuild(r: &mut dyn Repos) -> DbResult<usize> {
    let folded = fold_ledger(r.ledger()).await?;
    let states = r.item_state();
    states.clear().await?;
    for ((cluster, item), state) in &folded.states {
        states.store(*cluster, item, &encode(state)?).await?;
    }
    for ((cluster, item, day), state) in &folded.daily {
        states
            .store_daily(*cluster, item, *day, &encode(state)?)
            .await?;
    }
    states.set_view_version(VIEW, VERSION).await?;
    Ok(folded.states.len())
}

/// Whether the stored states were made by this version's fold.
pub async fn is_current(r: &mut dyn ItemStateRepo) -> DbResult<bool> {
    Ok(r.view_version(VIEW).await? == Some(VERSION))
}
