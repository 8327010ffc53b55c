//! The `notifications_sent` and `notify_cursor` tables: each event is sent
//! at most once per target; the cursor says up to which ledger row events
//! were looked for.

use super::{on_db, Conn, DbResult};
use shipshape_domain::ids::Seq;
use shipshape_domain::time::Timestamp;

/// The notification tables on one connection.
pub struct Notifications<'c>(&'c mut Conn);

impl Conn {
    pub fn notifications(&mut self) -> Notifications<'_> {
        Notifications(self)
    }
}

impl Notifications<'_> {
    /// Records an event for a target; `false` when it was recorded before
    /// (so it is not sent twice).
    pub async fn claim(
        self,
        event_id: &str,
        target: &str,
        kind: &str,
        at: Timestamp,
    ) -> DbResult<bool> {
        // A replica claiming the same event at once waits for the first
        // claim to commit, then inserts nothing: one claim wins.
        let r = on_db!(self.0, |db| {
            sqlx::query(
            "INSERT INTO notifications_sent (event_id, target, kind, sent_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id, target) DO NOTHING"
        )
        .bind(event_id)
        .bind(target)
        .bind(kind)
        .bind(at.to_string())
        .execute(db)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(r == 1)
    }

    /// The newest ledger row already looked at, if any.
    pub async fn cursor(self) -> DbResult<Option<i64>> {
        on_db!(self.0, |db| sqlx::query_scalar::<_, i64>(
            "SELECT seq FROM notify_cursor WHERE name = 'ledger'"
        )
        .fetch_optional(db)
        .await)
    }

    pub async fn set_cursor(self, seq: Seq) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "INSERT INTO notify_cursor (name, seq) VALUES ('ledger', $1)
             ON CONFLICT (name) DO UPDATE SET seq = excluded.seq"
        )
        .bind(seq.get())
        .execute(db)
        .await
        .map(|_| ()))
    }
}
