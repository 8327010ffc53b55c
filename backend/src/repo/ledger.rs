//! The `ledger` table: append and read, never update or delete (the schema's
//! triggers refuse both). Sign-off rows carry an action of `done`,
//! `not_applicable` or `revoked`; item state is read from the newest of them.
//! Waiver rows (`waiver_requested`, `waiver_approved`, `waiver_rejected`),
//! Day-2 completions (`completed`) and live-check verdict changes
//! (`check_verdict`, by the server itself) share the chain.

use futures::stream::{BoxStream, StreamExt};
use shipshape_domain::ledger::{EntryContent, LedgerEntry};
use shipshape_domain::signoff::SignoffAction;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

const SIGNOFF_ACTIONS: &str = "('done', 'not_applicable', 'revoked')";
const WAIVER_ACTIONS: &str = "('waiver_requested', 'waiver_approved', 'waiver_rejected')";
const STANDING_ACTIONS: &str = "('done', 'not_applicable', 'revoked', 'waiver_requested', 'waiver_approved', 'waiver_rejected', 'check_verdict', 'cluster_changed')";
/// The rows the read model folds (see [`super::item_state`]).
const STATE_ACTIONS: &str = "('done', 'not_applicable', 'revoked', 'waiver_requested', 'waiver_approved', 'waiver_rejected', 'check_verdict', 'completed', 'cluster_changed')";
/// An export's filters (see [`shipshape_domain::export::ExportFilter`]) as
/// numbered parameters `?2` to `?6`: cluster, from, to, actor, item, each
/// ignored when NULL. Queries bind `?1` and `?7` themselves.
const EXPORT_FILTER: &str = "(?2 IS NULL OR cluster_id = ?2)
         AND (?3 IS NULL OR at >= ?3)
         AND (?4 IS NULL OR at < ?4)
         AND (?5 IS NULL OR actor = ?5 COLLATE NOCASE)
         AND (?6 IS NULL OR item_id = ?6)";
const COLUMNS: &str = "seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash";

#[derive(FromRow)]
struct EntryRow {
    seq: i64,
    at: String,
    actor: String,
    cluster_id: i64,
    item_id: String,
    action: String,
    note: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<EntryRow> for LedgerEntry {
    fn from(r: EntryRow) -> Self {
        LedgerEntry {
            content: EntryContent {
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                cluster_id: r.cluster_id,
                item_id: r.item_id,
                action: r.action,
                note: r.note,
                details: r.details,
                prev_hash: r.prev_hash,
            },
            hash: r.hash,
        }
    }
}

/// The newest row's seq and hash: what the next row links to.
pub async fn tip(conn: &mut SqliteConnection) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
        .fetch_optional(conn)
        .await
}

/// The newest row's seq, 0 for an empty ledger.
pub async fn tip_seq(db: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM ledger")
        .fetch_one(db)
        .await?;
    Ok(seq.unwrap_or(0))
}

/// Rows after `after` up to `through` whose action may be worth a
/// notification (verdict changes and waivers), in chain order, at most
/// `limit`.
pub async fn notable_rows(
    db: impl SqliteExecutor<'_>,
    after: i64,
    through: i64,
    limit: i64,
) -> Result<Vec<EntryContent>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger WHERE seq > ? AND seq <= ?
         AND action IN ('check_verdict', 'waiver_requested', 'waiver_approved', 'waiver_rejected')
         ORDER BY seq LIMIT ?"
    );
    let rows = sqlx::query_as::<_, EntryRow>(&sql)
        .bind(after)
        .bind(through)
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LedgerEntry::from(r).content)
        .collect())
}

/// The earliest timestamp among rows after `seq` (none when `seq` is the
/// tip): tells whether anything written since then is dated in the past.
pub async fn earliest_at_after(
    db: impl SqliteExecutor<'_>,
    seq: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(at) FROM ledger WHERE seq > ?")
        .bind(seq)
        .fetch_one(db)
        .await
}

/// The newest sign-off action on one item of one cluster.
pub async fn latest_action(
    conn: &mut SqliteConnection,
    cluster_id: i64,
    item_id: &str,
) -> Result<Option<SignoffAction>, sqlx::Error> {
    let sql = format!(
        "SELECT action FROM ledger WHERE cluster_id = ? AND item_id = ? AND action IN {SIGNOFF_ACTIONS}
         ORDER BY seq DESC LIMIT 1"
    );
    let action: Option<String> = sqlx::query_scalar(&sql)
        .bind(cluster_id)
        .bind(item_id)
        .fetch_optional(conn)
        .await?;
    Ok(action.as_deref().and_then(SignoffAction::parse))
}

/// Inserts a sealed row and applies it to the read model, together (call
/// in the appending transaction).
pub async fn insert(conn: &mut SqliteConnection, e: &LedgerEntry) -> Result<(), sqlx::Error> {
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
    .execute(&mut *conn)
    .await?;
    super::item_state::apply(conn, c).await
}

/// The newest sign-off row per item of one cluster, whole (with details,
/// which name its evidence files).
pub async fn latest_signoff_rows(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger WHERE seq IN
         (SELECT MAX(seq) FROM ledger WHERE cluster_id = ? AND action IN {SIGNOFF_ACTIONS} GROUP BY item_id)"
    );
    let rows = sqlx::query_as::<_, EntryRow>(&sql)
        .bind(cluster_id)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Waiver rows of one cluster or all, in chain order.
pub async fn waiver_rows(
    db: impl SqliteExecutor<'_>,
    cluster_id: Option<i64>,
) -> Result<Vec<EntryContent>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger WHERE action IN {WAIVER_ACTIONS} AND (? IS NULL OR cluster_id = ?)
         ORDER BY seq"
    );
    let rows = sqlx::query_as::<_, EntryRow>(&sql)
        .bind(cluster_id)
        .bind(cluster_id)
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LedgerEntry::from(r).content)
        .collect())
}

/// Sign-off, waiver and verdict-change rows of one cluster or all, in chain
/// order: what the readiness trend replays. Only what standing depends on is read (times,
/// actions, waiver details); actor, note and hashes come back empty, which
/// keeps a replay of a long ledger cheap.
pub async fn standing_rows(
    db: impl SqliteExecutor<'_>,
    cluster_id: Option<i64>,
) -> Result<Vec<EntryContent>, sqlx::Error> {
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
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LedgerEntry::from(r).content)
        .collect())
}

/// The newest rows with `action` of one cluster, newest first, at most `limit`.
pub async fn newest_with_action(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
    action: &str,
    limit: i64,
) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger WHERE cluster_id = ? AND action = ? ORDER BY seq DESC LIMIT ?"
    );
    let rows = sqlx::query_as::<_, EntryRow>(&sql)
        .bind(cluster_id)
        .bind(action)
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The row with this seq, if any.
pub async fn by_seq(
    db: impl SqliteExecutor<'_>,
    seq: i64,
) -> Result<Option<LedgerEntry>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM ledger WHERE seq = ?");
    Ok(sqlx::query_as::<_, EntryRow>(&sql)
        .bind(seq)
        .fetch_optional(db)
        .await?
        .map(Into::into))
}

/// A row to append: everything but its place in the chain.
pub struct NewRow<'a> {
    pub at: String,
    pub actor: &'a str,
    pub cluster_id: i64,
    pub item_id: &'a str,
    pub action: &'a str,
    pub note: String,
    pub details: String,
}

/// Links a row to the chain tip, seals and inserts it. Call inside a
/// `BEGIN IMMEDIATE` transaction so that nothing appends in between.
pub async fn append(
    conn: &mut SqliteConnection,
    row: NewRow<'_>,
) -> Result<LedgerEntry, sqlx::Error> {
    let (seq, prev_hash) = match tip(&mut *conn).await? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, shipshape_domain::ledger::GENESIS_HASH.to_string()),
    };
    let entry = EntryContent {
        seq,
        at: row.at,
        actor: row.actor.to_string(),
        cluster_id: row.cluster_id,
        item_id: row.item_id.to_string(),
        action: row.action.to_string(),
        note: row.note,
        details: row.details,
        prev_hash,
    }
    .seal();
    insert(conn, &entry).await?;
    Ok(entry)
}

/// Every row about one item of one cluster, newest first.
pub async fn item_history(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
    item_id: &str,
) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger WHERE cluster_id = ? AND item_id = ? ORDER BY seq DESC"
    );
    let rows = sqlx::query_as::<_, EntryRow>(&sql)
        .bind(cluster_id)
        .bind(item_id)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every row in chain order, streamed (constant memory for any ledger size).
pub fn stream_all<'e>(
    db: impl SqliteExecutor<'e> + 'e,
) -> BoxStream<'e, Result<LedgerEntry, sqlx::Error>> {
    sqlx::query_as::<_, EntryRow>("SELECT seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash FROM ledger ORDER BY seq")
        .fetch(db)
        .map(|r| r.map(Into::into))
        .boxed()
}

/// The rows the read model folds, in chain order, streamed.
pub fn stream_state_rows<'e>(
    db: impl SqliteExecutor<'e> + 'e,
) -> BoxStream<'e, Result<EntryContent, sqlx::Error>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {COLUMNS} FROM ledger WHERE action IN {STATE_ACTIONS} ORDER BY seq")
    });
    sqlx::query_as::<_, EntryRow>(SQL.as_str())
        .fetch(db)
        .map(|r| r.map(|r| LedgerEntry::from(r).content))
        .boxed()
}

pub async fn has_item_history(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
    item_id: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE cluster_id = ? AND item_id = ?")
            .bind(cluster_id)
            .bind(item_id)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// Binds an export query's parameters: `?1` the seq it starts after,
/// `?2`..`?6` the [`EXPORT_FILTER`], `?7` where it ends (a limit or a seq).
fn bind_export<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    after_seq: i64,
    f: &'q shipshape_domain::export::ExportFilter,
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

/// One page of rows after `after_seq` that match an export filter, in chain
/// order (keyset paging keeps memory constant for any ledger size).
pub async fn export_page(
    db: impl SqliteExecutor<'_>,
    f: &shipshape_domain::export::ExportFilter,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<LedgerEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger WHERE seq > ?1
         AND {EXPORT_FILTER}
         ORDER BY seq LIMIT ?7"
    );
    let rows = bind_export(sqlx::query_as::<_, EntryRow>(&sql), after_seq, f, limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
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
    ];
    format!("{} || char(13, 10)", cells.join(" || ',' || "))
}

/// The rows with `after_seq < seq <= through_seq` that match an export
/// filter, written as CSV by SQLite itself in chain order, with the last
/// seq among them, or `None` when none match. One row crosses from SQLite
/// per range instead of thousands, and ranges are independent, so several
/// can be read at once; a test keeps the text equal to the Rust encoder's
/// ([`shipshape_domain::export::push_csv_row`]).
pub async fn export_csv_page(
    db: impl SqliteExecutor<'_>,
    f: &shipshape_domain::export::ExportFilter,
    after_seq: i64,
    through_seq: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    // Built once: the statement text is the same for every range.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT max(seq), group_concat(line, '' ORDER BY seq) FROM (
               SELECT seq, {line} AS line FROM ledger WHERE seq > ?1 AND seq <= ?7
               AND {EXPORT_FILTER}
               ORDER BY seq)",
            line = csv_line_sql()
        )
    });
    let (last, text): (Option<i64>, Option<String>) =
        bind_export(sqlx::query_as(SQL.as_str()), after_seq, f, through_seq)
            .fetch_one(db)
            .await?;
    Ok(last.zip(text))
}

/// The newest checkpoint row (signed by the server; see
/// [`shipshape_domain::signing`]), if any. Checkpoints come every few
/// thousand rows at most, so the backward scan from the tip is short.
pub async fn last_checkpoint(
    db: impl SqliteExecutor<'_>,
) -> Result<Option<LedgerEntry>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM ledger WHERE action = ? ORDER BY seq DESC LIMIT 1");
    Ok(sqlx::query_as::<_, EntryRow>(&sql)
        .bind(shipshape_domain::signing::CHECKPOINT_ACTION)
        .fetch_optional(db)
        .await?
        .map(Into::into))
}
