//! The read model's tables (see [`shipshape_domain::item_state`]):
//! `item_state`, one JSON state per cluster × item, and `item_state_daily`,
//! each state as it stood at the end of every UTC day on which it changed
//! (for the trend); `view_meta` says which fold version they were made
//! with. The day is stored as TEXT (`YYYY-MM-DD`) on both databases, not as
//! a DATE.
//!
//! Only the SQL is here (states as JSON text); decoding them, applying a
//! ledger row and rebuilding from the ledger are in [`crate::ledger`].

use super::{on_db, Conn, DbResult};
use chrono::NaiveDate;
use shipshape_domain::ids::ClusterId;

/// The read model's tables on one connection.
pub struct ItemStateTable<'c>(&'c mut Conn);

impl Conn {
    pub fn item_state(&mut self) -> ItemStateTable<'_> {
        ItemStateTable(self)
    }
}

impl ItemStateTable<'_> {
    /// `(item, state)` of every item of one cluster.
    pub async fn of_cluster(self, cluster_id: ClusterId) -> DbResult<Vec<(String, String)>> {
        on_db!(self.0, |db| sqlx::query_as::<_, (String, String)>(
            "SELECT item_id, state FROM item_state WHERE cluster_id = $1"
        )
        .bind(cluster_id.get())
        .fetch_all(db)
        .await)
    }

    /// One item's state.
    pub async fn state(self, cluster_id: ClusterId, item_id: &str) -> DbResult<Option<String>> {
        on_db!(self.0, |db| sqlx::query_scalar::<_, String>(
            "SELECT state FROM item_state WHERE cluster_id = $1 AND item_id = $2"
        )
        .bind(cluster_id.get())
        .bind(item_id)
        .fetch_optional(db)
        .await)
    }

    /// Stores an item's current state.
    pub async fn store(self, cluster_id: ClusterId, item_id: &str, state: &str) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "INSERT INTO item_state (cluster_id, item_id, state) VALUES ($1, $2, $3)
             ON CONFLICT (cluster_id, item_id) DO UPDATE SET state = excluded.state"
        )
        .bind(cluster_id.get())
        .bind(item_id)
        .bind(state)
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// Stores an item's state as it stands at the end of `day`.
    pub async fn store_daily(
        self,
        cluster_id: ClusterId,
        item_id: &str,
        day: NaiveDate,
        state: &str,
    ) -> DbResult<()> {
        // The day as TEXT (YYYY-MM-DD) on both databases, not a DATE.
        let day = day.to_string();
        on_db!(self.0, |db| sqlx::query(
            "INSERT INTO item_state_daily (cluster_id, item_id, day, state) VALUES ($1, $2, $3, $4)
             ON CONFLICT (cluster_id, item_id, day) DO UPDATE SET state = excluded.state"
        )
        .bind(cluster_id.get())
        .bind(item_id)
        .bind(&day)
        .bind(state)
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// `(cluster, item, state)` of every item.
    pub async fn all_rows(self) -> DbResult<Vec<(i64, String, String)>> {
        on_db!(self.0, |db| sqlx::query_as::<_, (i64, String, String)>(
            "SELECT cluster_id, item_id, state FROM item_state"
        )
        .fetch_all(db)
        .await)
    }

    /// `(cluster, item, day, state)` of every daily row.
    pub async fn all_daily_rows(self) -> DbResult<Vec<(i64, String, String, String)>> {
        on_db!(self.0, |db| sqlx::query_as::<
            _,
            (i64, String, String, String),
        >(
            "SELECT cluster_id, item_id, day, state FROM item_state_daily"
        )
        .fetch_all(db)
        .await)
    }

    /// The newest daily state before `first` of each item (of one cluster,
    /// or all): `(cluster, item, state)`.
    pub async fn daily_before(
        self,
        first: NaiveDate,
        cluster_id: Option<ClusterId>,
    ) -> DbResult<Vec<(i64, String, String)>> {
        // The newest day before `first` per item, joined back to its row
        // (the same on both databases; PostgreSQL's DISTINCT ON is not in
        // SQLite). Ordered by cluster and item, as DISTINCT ON gave them.
        let first = first.to_string();
        on_db!(self.0, |db| {
            sqlx::query_as::<_, (i64, String, String)>(
            "SELECT d.cluster_id, d.item_id, d.state FROM item_state_daily d
             JOIN (SELECT cluster_id, item_id, MAX(day) AS day FROM item_state_daily
                   WHERE day < $1 AND ($2 IS NULL OR cluster_id = $2) GROUP BY cluster_id, item_id) newest
             ON d.cluster_id = newest.cluster_id AND d.item_id = newest.item_id AND d.day = newest.day
             ORDER BY d.cluster_id, d.item_id"
        )
        .bind(&first)
        .bind(cluster_id.map(ClusterId::get))
        .fetch_all(db)
        .await
        })
    }

    /// Daily states from `first` to `last`, by day: `(day, cluster, item,
    /// state)`.
    pub async fn daily_between(
        self,
        first: NaiveDate,
        last: NaiveDate,
        cluster_id: Option<ClusterId>,
    ) -> DbResult<Vec<(String, i64, String, String)>> {
        // Within a day by cluster and item: the order SQLite reads them in
        // (its index by day holds the primary key after it), spelled out.
        let (first, last) = (first.to_string(), last.to_string());
        on_db!(self.0, |db| sqlx::query_as::<
            _,
            (String, i64, String, String),
        >(
            "SELECT day, cluster_id, item_id, state FROM item_state_daily
             WHERE day >= $1 AND day <= $2 AND ($3 IS NULL OR cluster_id = $3)
             ORDER BY day, cluster_id, item_id"
        )
        .bind(&first)
        .bind(&last)
        .bind(cluster_id.map(ClusterId::get))
        .fetch_all(db)
        .await)
    }

    /// Empties both tables (for a rebuild).
    pub async fn clear(self) -> DbResult<()> {
        // DELETE, not TRUNCATE: on PostgreSQL TRUNCATE would lock readers
        // out of both tables until the rebuild commits; DELETE leaves them
        // the old rows.
        on_db!(self.0, |db| {
            sqlx::query("DELETE FROM item_state")
                .execute(&mut *db)
                .await?;
            sqlx::query("DELETE FROM item_state_daily")
                .execute(&mut *db)
                .await?;
        });
        Ok(())
    }

    /// The fold version a derived view was built with.
    pub async fn view_version(self, name: &str) -> DbResult<Option<i64>> {
        on_db!(self.0, |db| sqlx::query_scalar::<_, i64>(
            "SELECT version FROM view_meta WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(db)
        .await)
    }

    pub async fn set_view_version(self, name: &str, version: i64) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "INSERT INTO view_meta (name, version) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version"
        )
        .bind(name)
        .bind(version)
        .execute(db)
        .await
        .map(|_| ()))
    }
}
