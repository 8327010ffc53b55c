//! SQLite: the `ledger` table (append-only by triggers), and its exports.

use super::SqliteRepos;
use crate::repo::ledger::{
    EntryRow, COLUMNS, NOTABLE_ACTIONS, SIGNOFF_ACTIONS, STANDING_ACTIONS, STATE_ACTIONS,
    WAIVER_ACTIONS,
};
use crate::repo::{DbResult, LedgerRepo};
use futures::stream::{BoxStream, StreamExt};
use shipshape_domain::export::ExportFilter;
use shipshape_domain::ledger::{EntryContent, LedgerEntry};
use shipshape_domain::signoff::SignoffAction;

/// An export's filters (see [`ExportFilter`]) as numbered parameters `?2`
/// to `?6`: cluster, from, to, actor, item, each ignored when NULL. Queries
/// bind `?1` and `?7` themselves.
const EXPORT_FILTER: &str = "(?2 IS NULL OR cluster_id = ?2)
         AND (?3 IS NULL OR at >= ?3)
         AND (?4 IS NULL OR at < ?4)
         AND (?5 IS NULL OR actor = ?5 COLLATE NOCASE)
         AND (?6 IS NULL OR item_id = ?6)";

/// Binds an export query's parameters: `?1` the seq it starts after,
/// `?2`..`?6` the [`EXPORT_FILTER`], `?7` where it ends (a limit or a seq).
fn bind_export<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    after_seq: i64,
    f: &'q ExportFilter,
    end: i64,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
    q.bind(after_seq)
        .bind(f.cluster_id)
        .bind(f.from_ts.as_deref())
        .bind(f.to_ts.as_deref())
        .bind(f.actor.as_deref())
        .bind(f.item_id.as_deref())
        .bind(end)
}

/// One text cell written by SQLite exactly as
/// [`shipshape_domain::csv::push_safe_field`] writes it: a `'` before a
/// cell a spreadsheet would run as a formula (or one that starts with `'`),
/// then quotes when it holds a comma, quote or line break, quotes doubled.
fn csv_text_cell(col: &str) -> String {
    let protected = format!(
        "(CASE WHEN substr({col}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13), '''') \
         THEN '''' || {col} ELSE {col} END)"
    );
    format!(
        "(CASE WHEN instr({col}, ',') OR instr({col}, '\"') OR instr({col}, char(10)) \
         OR instr({col}, char(13)) \
         THEN '\"' || replace({protected}, '\"', '\"\"') || '\"' ELSE {protected} END)"
    )
}

/// A whole number as [`shipshape_domain::export::push_csv_row`] writes it
/// (a negative one is protected; no number needs quotes).
fn csv_number_cell(col: &str) -> String {
    format!("(CASE WHEN {col} >= 0 THEN CAST({col} AS TEXT) ELSE '''' || {col} END)")
}

/// The SQL for one CSV record of a ledger row (CRLF-terminated), the same
/// text as [`shipshape_domain::export::push_csv_row`].
fn csv_line_sql() -> String {
    let cells = [
        csv_number_cell("seq"),
        csv_text_cell("at"),
        csv_text_cell("actor"),
        csv_number_cell("cluster_id"),
        csv_text_cell("item_id"),
        csv_text_cell("action"),
        csv_text_cell("note"),
        csv_text_cell("details"),
        csv_text_cell("prev_hash"),
        csv_text_cell("hash"),
        csv_text_cell("COALESCE(clusters.name, '')"),
    ];
    format!("{} || char(13, 10)", cells.join(" || ',' || "))
}

async fn entries<'a>(
    q: sqlx::query::QueryAs<'a, sqlx::Sqlite, EntryRow, sqlx::sqlite::SqliteArguments<'a>>,
    conn: &mut sqlx::SqliteConnection,
) -> DbResult<Vec<LedgerEntry>> {
    Ok(q.fetch_all(conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[async_trait::async_trait]
impl LedgerRepo for SqliteRepos {
    async fn tip(&mut self) -> DbResult<Option<(i64, String)>> {
        sqlx::query_as("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.c())
            .await
    }

    async fn tip_seq(&mut self) -> DbResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM ledger")
            .fetch_one(self.c())
            .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn notable_rows(
        &mut self,
        after: i64,
        through: i64,
        limit: i64,
    ) -> DbResult<Vec<EntryContent>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE seq > ? AND seq <= ?
             AND action IN {NOTABLE_ACTIONS} ORDER BY seq LIMIT ?"
        );
        let rows = sqlx::query_as::<_, EntryRow>(&sql)
            .bind(after)
            .bind(through)
            .bind(limit)
            .fetch_all(self.c())
            .await?;
        Ok(rows.into_iter().map(EntryRow::content).collect())
    }

    async fn earliest_at_after(&mut self, seq: i64) -> DbResult<Option<String>> {
        sqlx::query_scalar("SELECT MIN(at) FROM ledger WHERE seq > ?")
            .bind(seq)
            .fetch_one(self.c())
            .await
    }

    async fn latest_action(
        &mut self,
        cluster_id: i64,
        item_id: &str,
    ) -> DbResult<Option<SignoffAction>> {
        let sql = format!(
            "SELECT action FROM ledger WHERE cluster_id = ? AND item_id = ? AND action IN {SIGNOFF_ACTIONS}
             ORDER BY seq DESC LIMIT 1"
        );
        let action: Option<String> = sqlx::query_scalar(&sql)
            .bind(cluster_id)
            .bind(item_id)
            .fetch_optional(self.c())
            .await?;
        Ok(action.as_deref().and_then(SignoffAction::parse))
    }

    async fn insert_row(&mut self, e: &LedgerEntry) -> DbResult<()> {
        let c = &e.content;
        sqlx::query(&format!(
            "INSERT INTO ledger ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(c.seq)
        .bind(&c.at)
        .bind(&c.actor)
        .bind(c.cluster_id)
        .bind(&c.item_id)
        .bind(&c.action)
        .bind(&c.note)
        .bind(&c.details)
        .bind(&c.prev_hash)
        .bind(&e.hash)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn latest_signoff_rows(&mut self, cluster_id: i64) -> DbResult<Vec<LedgerEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE seq IN
             (SELECT MAX(seq) FROM ledger WHERE cluster_id = ? AND action IN {SIGNOFF_ACTIONS} GROUP BY item_id)"
        );
        entries(sqlx::query_as(&sql).bind(cluster_id), self.c()).await
    }

    async fn waiver_rows(&mut self, cluster_id: Option<i64>) -> DbResult<Vec<EntryContent>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE action IN {WAIVER_ACTIONS} AND (? IS NULL OR cluster_id = ?)
             ORDER BY seq"
        );
        let rows = sqlx::query_as::<_, EntryRow>(&sql)
            .bind(cluster_id)
            .bind(cluster_id)
            .fetch_all(self.c())
            .await?;
        Ok(rows.into_iter().map(EntryRow::content).collect())
    }

    async fn standing_rows(&mut self, cluster_id: Option<i64>) -> DbResult<Vec<EntryContent>> {
        let sql = format!(
            "SELECT seq, at, '' AS actor, cluster_id, item_id, action, '' AS note,
                    CASE WHEN action IN {WAIVER_ACTIONS} OR action IN ('check_verdict', 'cluster_changed') THEN details ELSE '' END AS details,
                    '' AS prev_hash, '' AS hash
             FROM ledger WHERE action IN {STANDING_ACTIONS} AND (? IS NULL OR cluster_id = ?)
             ORDER BY seq"
        );
        let rows = sqlx::query_as::<_, EntryRow>(&sql)
            .bind(cluster_id)
            .bind(cluster_id)
            .fetch_all(self.c())
            .await?;
        Ok(rows.into_iter().map(EntryRow::content).collect())
    }

    async fn newest_with_action(
        &mut self,
        cluster_id: i64,
        action: &str,
        limit: i64,
    ) -> DbResult<Vec<LedgerEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE cluster_id = ? AND action = ? ORDER BY seq DESC LIMIT ?"
        );
        entries(
            sqlx::query_as(&sql)
                .bind(cluster_id)
                .bind(action)
                .bind(limit),
            self.c(),
        )
        .await
    }

    async fn by_seq(&mut self, seq: i64) -> DbResult<Option<LedgerEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM ledger WHERE seq = ?");
        Ok(sqlx::query_as::<_, EntryRow>(&sql)
            .bind(seq)
            .fetch_optional(self.c())
            .await?
            .map(Into::into))
    }

    async fn item_history(&mut self, cluster_id: i64, item_id: &str) -> DbResult<Vec<LedgerEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE cluster_id = ? AND item_id = ? ORDER BY seq DESC"
        );
        entries(
            sqlx::query_as(&sql).bind(cluster_id).bind(item_id),
            self.c(),
        )
        .await
    }

    async fn has_item_history(&mut self, cluster_id: i64, item_id: &str) -> DbResult<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE cluster_id = ? AND item_id = ?")
                .bind(cluster_id)
                .bind(item_id)
                .fetch_one(self.c())
                .await?;
        Ok(n > 0)
    }

    fn stream_all(&mut self) -> BoxStream<'_, DbResult<LedgerEntry>> {
        static SQL: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM ledger ORDER BY seq"));
        sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .fetch(self.c())
            .map(|r| r.map(Into::into))
            .boxed()
    }

    fn stream_state_rows(&mut self) -> BoxStream<'_, DbResult<EntryContent>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM ledger WHERE action IN {STATE_ACTIONS} ORDER BY seq")
        });
        sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .fetch(self.c())
            .map(|r| r.map(EntryRow::content))
            .boxed()
    }

    async fn export_page(
        &mut self,
        f: &ExportFilter,
        after_seq: i64,
        limit: i64,
    ) -> DbResult<Vec<LedgerEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE seq > ?1
             AND {EXPORT_FILTER}
             ORDER BY seq LIMIT ?7"
        );
        entries(
            bind_export(sqlx::query_as(&sql), after_seq, f, limit),
            self.c(),
        )
        .await
    }

    async fn export_csv_page(
        &mut self,
        f: &ExportFilter,
        after_seq: i64,
        through_seq: i64,
    ) -> DbResult<Option<(i64, String)>> {
        // Built once: the statement text is the same for every range.
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT max(seq), group_concat(line, '' ORDER BY seq) FROM (
                   SELECT seq, {line} AS line FROM ledger
                   LEFT JOIN clusters ON clusters.id = ledger.cluster_id WHERE seq > ?1 AND seq <= ?7
                   AND {EXPORT_FILTER}
                   ORDER BY seq)",
                line = csv_line_sql()
            )
        });
        let (last, text): (Option<i64>, Option<String>) =
            bind_export(sqlx::query_as(SQL.as_str()), after_seq, f, through_seq)
                .fetch_one(self.c())
                .await?;
        Ok(last.zip(text))
    }

    async fn last_checkpoint(&mut self) -> DbResult<Option<LedgerEntry>> {
        let sql =
            format!("SELECT {COLUMNS} FROM ledger WHERE action = ? ORDER BY seq DESC LIMIT 1");
        Ok(sqlx::query_as::<_, EntryRow>(&sql)
            .bind(shipshape_domain::signing::CHECKPOINT_ACTION)
            .fetch_optional(self.c())
            .await?
            .map(Into::into))
    }
}
