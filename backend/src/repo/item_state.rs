//! The `item_state` table: the read model (see
//! [`shipshape_domain::item_state`]), one JSON state per cluster × item.
//! [`apply`] runs inside the transaction that appends each ledger row;
//! [`rebuild`] recomputes every state from the ledger; `view_meta` says
//! which fold version the stored states were made with.

use futures::StreamExt;
use shipshape_domain::item_state::{changes_state, ItemState, VERSION};
use shipshape_domain::ledger::EntryContent;
use sqlx::{SqliteConnection, SqliteExecutor};
use std::collections::{BTreeMap, HashMap};

const VIEW: &str = "item_state";

fn decode(json: &str) -> Result<ItemState, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(format!("item_state: {e}").into()))
}

fn encode(state: &ItemState) -> Result<String, sqlx::Error> {
    serde_json::to_string(state).map_err(|e| sqlx::Error::Encode(e.into()))
}

/// Applies one new ledger row (call in the appending transaction).
pub async fn apply(conn: &mut SqliteConnection, row: &EntryContent) -> Result<(), sqlx::Error> {
    if !changes_state(&row.action) {
        return Ok(());
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
    sqlx::query(
        "INSERT INTO item_state (cluster_id, item_id, state) VALUES (?, ?, ?)
         ON CONFLICT (cluster_id, item_id) DO UPDATE SET state = excluded.state",
    )
    .bind(row.cluster_id)
    .bind(&row.item_id)
    .bind(encode(&state)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every item state of one cluster, by item.
pub async fn of_cluster(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
) -> Result<HashMap<String, ItemState>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT item_id, state FROM item_state WHERE cluster_id = ?")
            .bind(cluster_id)
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|(item, json)| Ok((item, decode(&json)?)))
        .collect()
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

/// Every stored state, ordered (for comparing with a rebuild).
pub async fn snapshot(
    db: impl SqliteExecutor<'_>,
) -> Result<BTreeMap<(i64, String), ItemState>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT cluster_id, item_id, state FROM item_state")
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|(c, i, json)| Ok(((c, i), decode(&json)?)))
        .collect()
}

/// The states the ledger gives, folded from its rows (streamed, so memory
/// grows with clusters × items, not with the ledger).
pub async fn fold_ledger(
    conn: &mut SqliteConnection,
) -> Result<BTreeMap<(i64, String), ItemState>, sqlx::Error> {
    let mut states: BTreeMap<(i64, String), ItemState> = BTreeMap::new();
    let mut rows = super::ledger::stream_state_rows(&mut *conn);
    while let Some(row) = rows.next().await {
        let row = row?;
        states
            .entry((row.cluster_id, row.item_id.clone()))
            .or_default()
            .apply(&row);
    }
    Ok(states)
}

/// Recomputes every state from the ledger and records the fold version
/// (call in a `BEGIN IMMEDIATE` transaction). Returns how many states.
pub async fn rebuild(conn: &mut SqliteConnection) -> Result<usize, sqlx::Error> {
    let states = fold_ledger(&mut *conn).await?;
    sqlx::query("DELETE FROM item_state")
        .execute(&mut *conn)
        .await?;
    for ((cluster, item), state) in &states {
        sqlx::query("INSERT INTO item_state (cluster_id, item_id, state) VALUES (?, ?, ?)")
            .bind(cluster)
            .bind(item)
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
    Ok(states.len())
}

/// Whether the stored states were made by this version's fold.
pub async fn is_current(db: impl SqliteExecutor<'_>) -> Result<bool, sqlx::Error> {
    let v: Option<i64> = sqlx::query_scalar("SELECT version FROM view_meta WHERE name = ?")
        .bind(VIEW)
        .fetch_optional(db)
        .await?;
    Ok(v == Some(VERSION))
}
