//! The `clusters` table. Clusters are archived, never deleted: their history
//! in the ledger refers to them.

use shipshape_domain::cluster::{Cluster, ValidCluster};
use shipshape_domain::connection::Connection;
use sqlx::{FromRow, SqliteExecutor};

#[derive(FromRow)]
struct ClusterRow {
    id: i64,
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
    connection: String,
    created_at: String,
    updated_at: String,
    archived_at: Option<String>,
    checks_reset_at: Option<String>,
    checks_reset_reason: Option<String>,
}

impl TryFrom<ClusterRow> for Cluster {
    type Error = sqlx::Error;
    fn try_from(r: ClusterRow) -> Result<Self, sqlx::Error> {
        let connection: Connection = serde_json::from_str(&r.connection)
            .map_err(|e| sqlx::Error::Decode(format!("cluster {} connection: {e}", r.id).into()))?;
        Ok(Cluster {
            id: r.id,
            name: r.name,
            environment: r.environment,
            coordinator_url: r.coordinator_url,
            notes: r.notes,
            connection,
            created_at: r.created_at,
            updated_at: r.updated_at,
            archived_at: r.archived_at,
            checks_reset_at: r.checks_reset_at,
            checks_reset_reason: r.checks_reset_reason,
        })
    }
}

fn connection_json(c: &Connection) -> Result<String, sqlx::Error> {
    serde_json::to_string(c).map_err(|e| sqlx::Error::Encode(e.into()))
}

const COLUMNS: &str = "id, name, environment, coordinator_url, notes, connection, created_at, updated_at, archived_at, checks_reset_at, checks_reset_reason";

/// Outcome of a write that may clash with another cluster's name.
pub enum Write {
    Done(Box<Cluster>),
    NameTaken,
    Missing,
}

pub async fn insert(
    db: impl SqliteExecutor<'_>,
    c: &ValidCluster,
    at: &str,
) -> Result<Write, sqlx::Error> {
    let sql = format!(
        "INSERT INTO clusters (name, environment, coordinator_url, notes, connection, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
    );
    let result = sqlx::query_as::<_, ClusterRow>(&sql)
        .bind(&c.name)
        .bind(&c.environment)
        .bind(&c.coordinator_url)
        .bind(&c.notes)
        .bind(connection_json(&c.connection)?)
        .bind(at)
        .bind(at)
        .fetch_one(db)
        .await;
    match result {
        Ok(row) => Ok(Write::Done(Box::new(row.try_into()?))),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(Write::NameTaken),
        Err(e) => Err(e),
    }
}

pub async fn update(
    db: impl SqliteExecutor<'_>,
    id: i64,
    c: &ValidCluster,
    at: &str,
) -> Result<Write, sqlx::Error> {
    let sql = format!(
        "UPDATE clusters SET name = ?, environment = ?, coordinator_url = ?, notes = ?, connection = ?,
         updated_at = ? WHERE id = ? RETURNING {COLUMNS}"
    );
    let result = sqlx::query_as::<_, ClusterRow>(&sql)
        .bind(&c.name)
        .bind(&c.environment)
        .bind(&c.coordinator_url)
        .bind(&c.notes)
        .bind(connection_json(&c.connection)?)
        .bind(at)
        .bind(id)
        .fetch_optional(db)
        .await;
    match result {
        Ok(Some(row)) => Ok(Write::Done(Box::new(row.try_into()?))),
        Ok(None) => Ok(Write::Missing),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(Write::NameTaken),
        Err(e) => Err(e),
    }
}

/// Marks the cluster's check target as changed at `at`: results from
/// before do not count.
pub async fn reset_checks(
    db: impl SqliteExecutor<'_>,
    id: i64,
    at: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE clusters SET checks_reset_at = ?, checks_reset_reason = ? WHERE id = ?")
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets or clears `archived_at`; `None` when there is no such cluster.
pub async fn set_archived(
    db: impl SqliteExecutor<'_>,
    id: i64,
    archived_at: Option<&str>,
    at: &str,
) -> Result<Option<Cluster>, sqlx::Error> {
    let sql = format!(
        "UPDATE clusters SET archived_at = ?, updated_at = ? WHERE id = ? RETURNING {COLUMNS}"
    );
    let row = sqlx::query_as::<_, ClusterRow>(&sql)
        .bind(archived_at)
        .bind(at)
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

pub async fn by_id(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<Cluster>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM clusters WHERE id = ?");
    let row = sqlx::query_as::<_, ClusterRow>(&sql)
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// All clusters by name; archived ones only when asked for.
pub async fn list(
    db: impl SqliteExecutor<'_>,
    include_archived: bool,
) -> Result<Vec<Cluster>, sqlx::Error> {
    let filter = if include_archived {
        ""
    } else {
        "WHERE archived_at IS NULL"
    };
    let sql = format!("SELECT {COLUMNS} FROM clusters {filter} ORDER BY name");
    let rows = sqlx::query_as::<_, ClusterRow>(&sql).fetch_all(db).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}
