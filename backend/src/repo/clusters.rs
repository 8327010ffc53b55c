//! The `clusters` table. Clusters are archived, never deleted: their history
//! in the ledger refers to them.

use super::DbResult;
use shipshape_domain::cluster::{Cluster, ValidCluster};
use shipshape_domain::connection::Connection;
use sqlx::FromRow;

/// Outcome of a write that may clash with another cluster's name.
pub enum Write {
    Done(Box<Cluster>),
    NameTaken,
    Missing,
}

#[async_trait::async_trait]
pub trait ClusterRepo: Send {
    async fn insert(&mut self, c: &ValidCluster, at: &str) -> DbResult<Write>;
    async fn update(&mut self, id: i64, c: &ValidCluster, at: &str) -> DbResult<Write>;
    /// Marks the cluster's check target as changed at `at`: results from
    /// before do not count.
    async fn reset_checks(&mut self, id: i64, at: &str, reason: &str) -> DbResult<()>;
    /// Sets or clears `archived_at`; `None` when there is no such cluster.
    async fn set_archived(
        &mut self,
        id: i64,
        archived_at: Option<&str>,
        at: &str,
    ) -> DbResult<Option<Cluster>>;
    async fn by_id(&mut self, id: i64) -> DbResult<Option<Cluster>>;
    /// All clusters by name; archived ones only when asked for.
    async fn list(&mut self, include_archived: bool) -> DbResult<Vec<Cluster>>;
}

#[derive(FromRow)]
pub(crate) struct ClusterRow {
    pub id: i64,
    pub name: String,
    pub environment: String,
    pub coordinator_url: String,
    pub notes: String,
    pub connection: String,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    pub checks_reset_at: Option<String>,
    pub checks_reset_reason: Option<String>,
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

pub(crate) fn connection_json(c: &Connection) -> DbResult<String> {
    serde_json::to_string(c).map_err(|e| sqlx::Error::Encode(e.into()))
}

/// Maps an insert's or update's result: a name clash is an outcome, not an
/// error.
pub(crate) fn write_outcome(result: DbResult<Option<ClusterRow>>) -> DbResult<Write> {
    match result {
        Ok(Some(row)) => Ok(Write::Done(Box::new(row.try_into()?))),
        Ok(None) => Ok(Write::Missing),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(Write::NameTaken),
        Err(e) => Err(e),
    }
}

pub(crate) const COLUMNS: &str = "id, name, environment, coordinator_url, notes, connection, created_at, updated_at, archived_at, checks_reset_at, checks_reset_reason";
