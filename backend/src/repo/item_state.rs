//! The read model's tables (see [`shipshape_domain::item_state`]):
//! `item_state`, one JSON state per cluster × item, and `item_state_daily`,
//! each state as it stood at the end of every UTC day on which it changed
//! (for the trend). [`apply`] runs inside the transaction that appends each
//! ledger row; [`rebuild`] recomputes both from the ledger; `view_meta`
//! says which fold version they were made with.

use chrono::NaiveDate;
use futures::StreamExt;
use shipshape_domain::item_state::{day_of, Folded, ItemState, RowEffect, VERSION};
use shipshape_domain::ledger::EntryContent;
use shipshape_domain::standing::ItemRecord;
use sqlx::{SqliteConnection, SqliteExecutor};
use std::collections::HashMap;

const VIEW: &str = "item_state";

fn decode(json: &str) -> Result<ItemState, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(format!("item_state: {e}").into()))
}

fn encode(state: &ItemState) -> Result<String, sqlx::Error> {
    serde_json::to_string(state).map_err(|e| sqlx::Error::Encode(e.into()))
}

fn parse_day(day: &str) -> Result<NaiveDate, sqlx::Error> {
    day.parse()
        .map_err(|e| sqlx::Error::Decode(format!("item_state_daily day {day:?}: {e}").into()))
}

async fn store(
    conn: &mut SqliteConnection,
    cluster: i64,
    item: &str,
    day: Option<NaiveDate>,
    state: &ItemState,
) -> Result<(), sqlx::Error> {
    let json = encode(state)?;
    sqlx::query(
        "INSERT INTO item_state (cluster_id, item_id, state) VALUES (?, ?, ?)
         ON CONFLICT (cluster_id, item_id) DO UPDATE SET state = excluded.state",
    )
    .bind(cluster)
    .bind(item)
    .bind(&json)
    .execute(&mut *conn)
    .await?;
    if let Some(day) = day {
        sqlx::query(
            "INSERT INTO item_state_daily (cluster_id, item_id, day, state) VALUES (?, ?, ?, ?)
             ON CONFLICT (cluster_id, item_id, day) DO UPDATE SET state = excluded.state",
        )
        .bind(cluster)
        .bind(item)
        .bind(day.to_string())
        .bind(&json)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Applies one new ledger row (call in the appending transaction), as
/// [`Folded::apply`] does.
pub async fn apply(conn: &mut SqliteConnection, row: &EntryContent) -> Result<(), sqlx::Error> {
    let day = day_of(row);
    match RowEffect::of(row) {
        RowEffect::Nothing => return Ok(()),
        RowEffect::ChangesItem => {}
        RowEffect::ResetsClusterVerdicts => {
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT item_id, state FROM item_state WHERE cluster_id = ?")
                    .bind(row.cluster_id)
                    .fetch_all(&mut *conn)
                    .await?;
            for (item, json) in rows {
                let mut state = decode(&json)?;
                if state.reset_verdict(row.seq) {
                    store(conn, row.cluster_id, &item, day, &state).await?;
                }
            }
            return Ok(());
        }
    }
    let stored: Option<String> =
        sqlx::query_scalar("SELECT state FROM item_state WHERE cluster_id = ? AND item_id = ?")
            .bind(row.cluster_id)
            .bind(&row.item_id)
            .fetch_optional(&mut *conn)
            .await?;
    let mut state = match stored {
        Some(json) => decode(&json)?,
        None => ItemState::default(),
    };
    state.apply(row);
    store(conn, row.cluster_id, &row.item_id, day, &state).await
}

/// Every item state, by cluster and item.
pub async fn all(
    db: impl SqliteExecutor<'_>,
) -> Result<HashMap<i64, HashMap<String, ItemState>>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT cluster_id, item_id, state FROM item_state")
            .fetch_all(db)
            .await?;
    let mut out: HashMap<i64, HashMap<String, ItemState>> = HashMap::new();
    for (cluster, item, json) in rows {
        out.entry(cluster).or_default().insert(item, decode(&json)?);
    }
    Ok(out)
}

/// Each item's record as it stood at the end of the day before `first`
/// (of one cluster, or all).
pub async fn records_before(
    db: impl SqliteExecutor<'_>,
    first: NaiveDate,
    cluster_id: Option<i64>,
) -> Result<HashMap<(i64, String), ItemRecord>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT d.cluster_id, d.item_id, d.state FROM item_state_daily d
         JOIN (SELECT cluster_id, item_id, MAX(day) AS day FROM item_state_daily
               WHERE day < ? AND (? IS NULL OR cluster_id = ?) GROUP BY cluster_id, item_id) newest
         ON d.cluster_id = newest.cluster_id AND d.item_id = newest.item_id AND d.day = newest.day",
    )
    .bind(first.to_string())
    .bind(cluster_id)
    .bind(cluster_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(c, i, json)| Ok(((c, i), decode(&json)?.record)))
        .collect()
}

/// Each record as it stood at the end of every day from `first` to `last`
/// on which it changed, by day (of one cluster, or all).
pub async fn records_between(
    db: impl SqliteExecutor<'_>,
    first: NaiveDate,
    last: NaiveDate,
    cluster_id: Option<i64>,
) -> Result<Vec<(NaiveDate, i64, String, ItemRecord)>, sqlx::Error> {
    let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT day, cluster_id, item_id, state FROM item_state_daily
         WHERE day >= ? AND day <= ? AND (? IS NULL OR cluster_id = ?) ORDER BY day",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .bind(cluster_id)
    .bind(cluster_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(day, c, i, json)| Ok((parse_day(&day)?, c, i, decode(&json)?.record)))
        .collect()
}

/// Everything stored, ordered (for comparing with a rebuild).
pub async fn snapshot(conn: &mut SqliteConnection) -> Result<Folded, sqlx::Error> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT cluster_id, item_id, state FROM item_state")
            .fetch_all(&mut *conn)
            .await?;
    let mut folded = Folded::default();
    for (c, i, json) in rows {
        folded.states.insert((c, i), decode(&json)?);
    }
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT cluster_id, item_id, day, state FROM item_state_daily")
            .fetch_all(&mut *conn)
            .await?;
    for (c, i, day, json) in rows {
        folded
            .daily
            .insert((c, i, parse_day(&day)?), decode(&json)?);
    }
    Ok(folded)
}

/// What the ledger gives, folded from its rows (streamed: memory grows with
/// the states kept, not with the ledger).
pub async fn fold_ledger(conn: &mut SqliteConnection) -> Result<Folded, sqlx::Error> {
    let mut folded = Folded::default();
    let mut rows = super::ledger::stream_state_rows(&mut *conn);
    while let Some(row) = rows.next().await {
        folded.apply(&row?);
    }
    Ok(folded)
}

/// Recomputes both tables from the ledger and records the fold version
/// (call in a `BEGIN IMMEDIATE` transaction). Returns how many item states.
pub async fn rebuild(conn: &mut SqliteConnection) -> Result<usize, sqlx::Error> {
    let folded = fold_ledger(&mut *conn).await?;
    sqlx::query("DELETE FROM item_state")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM item_state_daily")
        .execute(&mut *conn)
        .await?;
    for ((cluster, item), state) in &folded.states {
        sqlx::query("INSERT INTO item_state (cluster_id, item_id, state) VALUES (?, ?, ?)")
            .bind(cluster)
            .bind(item)
            .bind(encode(state)?)
            .execute(&mut *conn)
            .await?;
    }
    for ((cluster, item, day), state) in &folded.daily {
        sqlx::query(
            "INSERT INTO item_state_daily (cluster_id, item_id, day, state) VALUES (?, ?, ?, ?)",
        )
        .bind(cluster)
        .bind(item)
        .bind(day.to_string())
        .bind(encode(state)?)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO view_meta (name, version) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version",
    )
    .bind(VIEW)
    .bind(VERSION)
    .execute(&mut *conn)
    .await?;
    Ok(folded.states.len())
}

/// Whether the stored states were made by this version's fold.
pub async fn is_current(db: impl SqliteExecutor<'_>) -> Result<bool, sqlx::Error> {
    let v: Option<i64> = sqlx::query_scalar("SELECT version FROM view_meta WHERE name = ?")
        .bind(VIEW)
        .fetch_optional(db)
        .await?;
    Ok(v == Some(VERSION))
}
