//! The `clusters` table. Clusters are archived, never deleted: their history
//! in the ledger refers to them. Names are unique without regard to ASCII
//! case (SQLite's `COLLATE NOCASE` unique index, PostgreSQL's on
//! `lower(name)`).
//!
//! A clash with another cluster's name is an outcome, not an error, and it
//! must not spoil the caller's transaction: on PostgreSQL a failed
//! statement aborts the whole transaction (SQLite fails the statement
//! only). So an insert skips a clash with `ON CONFLICT DO NOTHING`, and an
//! update runs in a savepoint that is rolled back when it fails.

use super::{on_db, Conn, DbResult};
use shipshape_domain::cluster::{Cluster, ValidCluster};
use shipshape_domain::connection::Connection;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::time::Timestamp;
use sqlx::{Connection as _, FromRow};

/// Outcome of a write that may clash with another cluster's name.
pub enum Write {
    Done(Box<Cluster>),
    NameTaken,
    Missing,
}

#[derive(FromRow)]
struct ClusterRow {
    #[sqlx(try_from = "i64")]
    id: ClusterId,
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
    connection: String,
    #[sqlx(try_from = "String")]
    created_at: Timestamp,
    #[sqlx(try_from = "String")]
    updated_at: Timestamp,
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
            archived_at: super::timestamp_opt(r.archived_at)?,
            checks_reset_at: super::timestamp_opt(r.checks_reset_at)?,
            checks_reset_reason: r.checks_reset_reason,
        })
    }
}

fn connection_json(c: &Connection) -> DbResult<String> {
    serde_json::to_string(c).map_err(super::encode_error)
}

/// Maps an insert's or update's result: a name clash is an outcome, not an
/// error.
fn write_outcome(result: DbResult<Option<ClusterRow>>) -> DbResult<Write> {
    match result {
        Ok(Some(row)) => Ok(Write::Done(Box::new(row.try_into()?))),
        Ok(None) => Ok(Write::Missing),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(Write::NameTaken),
        Err(e) => Err(e),
    }
}

const COLUMNS: &str = "id, name, environment, coordinator_url, notes, connection, created_at, updated_at, archived_at, checks_reset_at, checks_reset_reason";

/// The `clusters` table on one connection.
pub struct Clusters<'c>(&'c mut Conn);

impl Conn {
    pub fn clusters(&mut self) -> Clusters<'_> {
        Clusters(self)
    }
}

impl Clusters<'_> {
    pub async fn insert(self, c: &ValidCluster, at: Timestamp) -> DbResult<Write> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "INSERT INTO clusters (name, environment, coordinator_url, notes, connection, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
            )
        });
        let connection = connection_json(c.connection())?;
        let result = on_db!(self.0, |db| sqlx::query_as::<_, ClusterRow>(SQL.as_str())
            .bind(c.name())
            .bind(c.environment())
            .bind(c.coordinator_url())
            .bind(c.notes())
            .bind(&connection)
            .bind(at.to_string())
            .fetch_optional(db)
            .await);
        match result {
            // Nothing inserted: the name is taken.
            Ok(None) => Ok(Write::NameTaken),
            other => write_outcome(other),
        }
    }

    pub async fn update(self, id: ClusterId, c: &ValidCluster, at: Timestamp) -> DbResult<Write> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "UPDATE clusters SET name = $1, environment = $2, coordinator_url = $3, notes = $4,
                 connection = $5, updated_at = $6 WHERE id = $7 RETURNING {COLUMNS}"
            )
        });
        let connection = connection_json(c.connection())?;
        let result = on_db!(self.0, |db| {
            let mut savepoint = db.begin().await?;
            let result = sqlx::query_as::<_, ClusterRow>(SQL.as_str())
                .bind(c.name())
                .bind(c.environment())
                .bind(c.coordinator_url())
                .bind(c.notes())
                .bind(&connection)
                .bind(at.to_string())
                .bind(id.get())
                .fetch_optional(&mut *savepoint)
                .await;
            match &result {
                Ok(_) => savepoint.commit().await?,
                Err(_) => savepoint.rollback().await?,
            }
            result
        });
        write_outcome(result)
    }

    /// Marks the cluster's check target as changed at `at`: results from
    /// before do not count.
    pub async fn reset_checks(self, id: ClusterId, at: Timestamp, reason: &str) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE clusters SET checks_reset_at = $1, checks_reset_reason = $2 WHERE id = $3"
        )
        .bind(at.to_string())
        .bind(reason)
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// Sets or clears `archived_at`; `None` when there is no such cluster.
    pub async fn set_archived(
        self,
        id: ClusterId,
        archived_at: Option<Timestamp>,
        at: Timestamp,
    ) -> DbResult<Option<Cluster>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("UPDATE clusters SET archived_at = $1, updated_at = $2 WHERE id = $3 RETURNING {COLUMNS}")
        });
        let row = on_db!(self.0, |db| sqlx::query_as::<_, ClusterRow>(SQL.as_str())
            .bind(archived_at.map(|t| t.to_string()))
            .bind(at.to_string())
            .bind(id.get())
            .fetch_optional(db)
            .await)?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn by_id(self, id: ClusterId) -> DbResult<Option<Cluster>> {
        static SQL: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM clusters WHERE id = $1"));
        let row = on_db!(self.0, |db| sqlx::query_as::<_, ClusterRow>(SQL.as_str())
            .bind(id.get())
            .fetch_optional(db)
            .await)?;
        row.map(TryInto::try_into).transpose()
    }

    /// All clusters by name (without regard to ASCII case, on both
    /// databases); archived ones only when asked for.
    pub async fn list(self, include_archived: bool) -> DbResult<Vec<Cluster>> {
        static ALL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM clusters ORDER BY lower(name)")
        });
        static ACTIVE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM clusters WHERE archived_at IS NULL ORDER BY lower(name)")
        });
        let sql = if include_archived { &ALL } else { &ACTIVE };
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, ClusterRow>(sql.as_str())
            .fetch_all(db)
            .await)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
