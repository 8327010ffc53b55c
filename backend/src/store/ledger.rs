//! The `ledger` table: append and read, never update or delete (the
//! schema's triggers refuse both), and its exports. Sign-off rows carry an
//! action of `done`, `not_applicable` or `revoked`; item state is read from
//! the newest of them. Waiver rows (`waiver_requested`, `waiver_approved`,
//! `waiver_rejected`), Day-2 completions (`completed`) and live-check
//! verdict changes (`check_verdict`, by the server itself) share the chain.
//!
//! [`crate::ledger::append`] links a row to the tip, seals it and applies
//! it to the read model: call it in a [`super::WriteTx`], which holds the
//! single-writer lock, so nothing appends in between and the chain cannot
//! fork.

use super::{on_db, Conn, DbResult};
use futures::stream::{BoxStream, StreamExt};
use shipshape_domain::export::ExportFilter;
use shipshape_domain::ids::{ClusterId, ItemId, Seq};
use shipshape_domain::ledger::{EntryContent, LedgerEntry};
use shipshape_domain::ledger_action::LedgerAction;
use shipshape_domain::signoff::SignoffAction;
use shipshape_domain::time::Timestamp;
use sqlx::FromRow;
use std::sync::LazyLock;

/// An SQL list of the action names a [`LedgerAction`] group holds, as
/// `format!` writes it: `('done', 'not_applicable', 'revoked')`.
pub(crate) struct Actions(fn(LedgerAction) -> bool);

impl std::fmt::Display for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&LedgerAction::sql_list(self.0))
    }
}

pub(crate) const SIGNOFF_ACTIONS: Actions = Actions(LedgerAction::is_signoff);
pub(crate) const WAIVER_ACTIONS: Actions = Actions(LedgerAction::is_waiver);
/// What standing and the trend replay.
pub(crate) const STANDING_ACTIONS: Actions = Actions(LedgerAction::moves_standing);
/// Standing rows whose details standing reads (all but sign-offs').
pub(crate) const DETAILED_STANDING_ACTIONS: Actions = Actions(detailed_standing);
/// The rows the read model folds (see [`crate::ledger`]).
pub(crate) const STATE_ACTIONS: Actions = Actions(LedgerAction::feeds_read_model);
pub(crate) const NOTABLE_ACTIONS: Actions = Actions(LedgerAction::is_notable);

fn detailed_standing(a: LedgerAction) -> bool {
    a.moves_standing() && !a.is_signoff()
}

pub(crate) const COLUMNS: &str =
    "seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash";

/// A stored row; a timestamp that is not RFC 3339 fails the read loudly
/// (no writer ever stored one).
#[derive(FromRow)]
pub(crate) struct EntryRow {
    #[sqlx(try_from = "i64")]
    pub seq: Seq,
    #[sqlx(try_from = "String")]
    pub at: Timestamp,
    pub actor: String,
    #[sqlx(try_from = "i64")]
    pub cluster_id: ClusterId,
    #[sqlx(try_from = "String")]
    pub item_id: ItemId,
    pub action: String,
    pub note: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<EntryRow> for LedgerEntry {
    fn from(r: EntryRow) -> Self {
        LedgerEntry::from_stored(
            EntryContent {
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
            r.hash,
        )
    }
}

impl EntryRow {
    pub(crate) fn content(self) -> EntryContent {
        LedgerEntry::from(self).into_content()
    }
}

fn entries(rows: Vec<EntryRow>) -> Vec<LedgerEntry> {
    rows.into_iter().map(Into::into).collect()
}

fn contents(rows: Vec<EntryRow>) -> Vec<EntryContent> {
    rows.into_iter().map(EntryRow::content).collect()
}

/// An export's filters (see [`ExportFilter`]) as parameters `$2` to `$6`:
/// cluster, from, to, actor, item, each ignored when NULL. Queries bind
/// `$1` and `$7` themselves. `actor_matches` compares `actor` with `$5`
/// without regard to ASCII case (the dialect's `same_name`).
fn export_filter(actor_matches: &str) -> String {
    format!(
        "($2 IS NULL OR cluster_id = $2)
         AND ($3 IS NULL OR at >= $3)
         AND ($4 IS NULL OR at < $4)
         AND ($5 IS NULL OR {actor_matches})
         AND ($6 IS NULL OR item_id = $6)"
    )
}

/// Binds an export query's parameters: `$1` the seq it starts after,
/// `$2`..`$6` the [`export_filter`], `$7` where it ends (a limit or a seq).
macro_rules! bind_export {
    ($q:expr, $after_seq:expr, $f:expr, $end:expr) => {
        $q.bind($after_seq)
            .bind($f.cluster_id())
            .bind($f.from_ts().as_deref())
            .bind($f.to_ts().as_deref())
            .bind($f.actor().as_deref())
            .bind($f.item_id().as_deref())
            .bind($end)
    };
}

/// The dialect's spellings the CSV text needs (the same names in
/// [`super::sqlite`] and [`super::postgres`]).
struct CsvDialect {
    chr: fn(u32) -> String,
    contains: fn(&str, &str) -> String,
    int_text: fn(&str) -> String,
}

/// One text cell written by the database exactly as
/// [`shipshape_domain::csv::push_safe_field`] writes it: a `'` before a
/// cell a spreadsheet would run as a formula (or one that starts with `'`),
/// then quotes when it holds a comma, quote or line break, quotes doubled.
/// (substr counts characters on both databases, so a multi-byte first
/// character is compared whole, as Rust's `starts_with` does.)
fn csv_text_cell(col: &str, d: &CsvDialect) -> String {
    let protected = format!(
        "(CASE WHEN substr({col}, 1, 1) IN ('=', '+', '-', '@', {tab}, {cr}, '''') \
         THEN '''' || {col} ELSE {col} END)",
        tab = (d.chr)(9),
        cr = (d.chr)(13),
    );
    format!(
        "(CASE WHEN {comma} OR {quote} OR {lf} OR {cr} \
         THEN '\"' || replace({protected}, '\"', '\"\"') || '\"' ELSE {protected} END)",
        comma = (d.contains)(col, "','"),
        quote = (d.contains)(col, "'\"'"),
        lf = (d.contains)(col, &(d.chr)(10)),
        cr = (d.contains)(col, &(d.chr)(13)),
    )
}

/// A whole number as [`shipshape_domain::export::push_csv_row`] writes it
/// (a negative one is protected; no number needs quotes).
fn csv_number_cell(col: &str, d: &CsvDialect) -> String {
    let text = (d.int_text)(col);
    format!("(CASE WHEN {col} >= 0 THEN {text} ELSE '''' || {text} END)")
}

/// The SQL for one CSV record of a ledger row (CRLF-terminated), the same
/// text as [`shipshape_domain::export::push_csv_row`].
fn csv_line_sql(d: &CsvDialect) -> String {
    let cells = [
        csv_number_cell("seq", d),
        csv_text_cell("at", d),
        csv_text_cell("actor", d),
        csv_number_cell("cluster_id", d),
        csv_text_cell("item_id", d),
        csv_text_cell("action", d),
        csv_text_cell("note", d),
        csv_text_cell("details", d),
        csv_text_cell("prev_hash", d),
        csv_text_cell("hash", d),
        csv_text_cell("COALESCE(clusters.name, '')", d),
    ];
    format!(
        "{} || {} || {}",
        cells.join(" || ',' || "),
        (d.chr)(13),
        (d.chr)(10)
    )
}

/// The `ledger` table on one connection.
pub struct Ledger<'c>(&'c mut Conn);

impl Conn {
    pub fn ledger(&mut self) -> Ledger<'_> {
        Ledger(self)
    }
}

impl Ledger<'_> {
    /// The newest row's seq and hash: what the next row links to.
    pub async fn tip(self) -> DbResult<Option<(Seq, String)>> {
        let tip = on_db!(self.0, |db| sqlx::query_as::<_, (i64, String)>(
            "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1"
        )
        .fetch_optional(db)
        .await)?;
        Ok(tip.map(|(seq, hash)| (Seq::new(seq), hash)))
    }

    /// The newest row's seq, 0 for an empty ledger.
    pub async fn tip_seq(self) -> DbResult<i64> {
        let seq = on_db!(self.0, |db| sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MAX(seq) FROM ledger"
        )
        .fetch_one(db)
        .await)?;
        Ok(seq.unwrap_or(0))
    }

    /// Rows after `after` up to `through` whose action may be worth a
    /// notification (verdict changes and waivers), in chain order, at most
    /// `limit`.
    pub async fn notable_rows(
        self,
        after: i64,
        through: i64,
        limit: i64,
    ) -> DbResult<Vec<EntryContent>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS} FROM ledger WHERE seq > $1 AND seq <= $2
                 AND action IN {NOTABLE_ACTIONS} ORDER BY seq LIMIT $3"
            )
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(after)
            .bind(through)
            .bind(limit)
            .fetch_all(db)
            .await)?;
        Ok(contents(rows))
    }

    /// The earliest timestamp among rows after `seq` (none when `seq` is
    /// the tip): tells whether anything written since then is dated in the
    /// past.
    pub async fn earliest_at_after(self, seq: Seq) -> DbResult<Option<String>> {
        on_db!(self.0, |db| sqlx::query_scalar::<_, Option<String>>(
            "SELECT MIN(at) FROM ledger WHERE seq > $1"
        )
        .bind(seq.get())
        .fetch_one(db)
        .await)
    }

    /// The newest sign-off action on one item of one cluster.
    pub async fn latest_action(
        self,
        cluster_id: ClusterId,
        item_id: &str,
    ) -> DbResult<Option<SignoffAction>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT action FROM ledger WHERE cluster_id = $1 AND item_id = $2 AND action IN {SIGNOFF_ACTIONS}
                 ORDER BY seq DESC LIMIT 1"
            )
        });
        let action = on_db!(self.0, |db| sqlx::query_scalar::<_, String>(SQL.as_str())
            .bind(cluster_id.get())
            .bind(item_id)
            .fetch_optional(db)
            .await)?;
        Ok(action.as_deref().and_then(SignoffAction::parse))
    }

    /// Inserts a sealed row as it is (see [`crate::ledger::insert`], which
    /// also applies it to the read model).
    pub async fn insert_row(self, e: &LedgerEntry) -> DbResult<()> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO ledger ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            )
        });
        let c = &e.content();
        on_db!(self.0, |db| sqlx::query(SQL.as_str())
            .bind(c.seq.get())
            .bind(c.at.to_string())
            .bind(&c.actor)
            .bind(c.cluster_id.get())
            .bind(c.item_id.as_str())
            .bind(&c.action)
            .bind(&c.note)
            .bind(&c.details)
            .bind(&c.prev_hash)
            .bind(e.hash())
            .execute(db)
            .await
            // Each driver has its own result type: only success is kept.
            .map(|_| ()))
    }

    /// The newest sign-off row per item of one cluster, whole (with
    /// details, which name its evidence files), in chain order.
    pub async fn latest_signoff_rows(self, cluster_id: ClusterId) -> DbResult<Vec<LedgerEntry>> {
        // The newest sign-off row per item: the partial index
        // `ledger_signoffs_by_cluster_item` (both databases) answers the
        // inner query.
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS} FROM ledger WHERE seq IN
                 (SELECT MAX(seq) FROM ledger WHERE cluster_id = $1 AND action IN {SIGNOFF_ACTIONS} GROUP BY item_id)
                 ORDER BY seq"
            )
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(cluster_id.get())
            .fetch_all(db)
            .await)?;
        Ok(entries(rows))
    }

    /// Waiver rows of one cluster or all, in chain order.
    pub async fn waiver_rows(self, cluster_id: Option<ClusterId>) -> DbResult<Vec<EntryContent>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS} FROM ledger WHERE action IN {WAIVER_ACTIONS}
                 AND ($1 IS NULL OR cluster_id = $1) ORDER BY seq"
            )
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(cluster_id.map(ClusterId::get))
            .fetch_all(db)
            .await)?;
        Ok(contents(rows))
    }

    /// Sign-off, waiver and verdict-change rows of one cluster or all, in
    /// chain order: what the readiness trend replays. Only what standing
    /// depends on is read (times, actions, waiver details); actor, note and
    /// hashes come back empty, which keeps a replay of a long ledger cheap.
    pub async fn standing_rows(self, cluster_id: Option<ClusterId>) -> DbResult<Vec<EntryContent>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT seq, at, CAST('' AS TEXT) AS actor, cluster_id, item_id, action, CAST('' AS TEXT) AS note,
                        CASE WHEN action IN {DETAILED_STANDING_ACTIONS}
                             THEN details ELSE '' END AS details,
                        CAST('' AS TEXT) AS prev_hash, CAST('' AS TEXT) AS hash
                 FROM ledger WHERE action IN {STANDING_ACTIONS} AND ($1 IS NULL OR cluster_id = $1)
                 ORDER BY seq"
            )
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(cluster_id.map(ClusterId::get))
            .fetch_all(db)
            .await)?;
        Ok(contents(rows))
    }

    /// The newest rows with `action` of one cluster, newest first, at most
    /// `limit`.
    pub async fn newest_with_action(
        self,
        cluster_id: ClusterId,
        action: &str,
        limit: i64,
    ) -> DbResult<Vec<LedgerEntry>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS} FROM ledger WHERE cluster_id = $1 AND action = $2 ORDER BY seq DESC LIMIT $3"
            )
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(cluster_id.get())
            .bind(action)
            .bind(limit)
            .fetch_all(db)
            .await)?;
        Ok(entries(rows))
    }

    /// The row with this seq, if any.
    pub async fn by_seq(self, seq: Seq) -> DbResult<Option<LedgerEntry>> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {COLUMNS} FROM ledger WHERE seq = $1"));
        let row = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(seq.get())
            .fetch_optional(db)
            .await)?;
        Ok(row.map(Into::into))
    }

    /// Every row about one item of one cluster, newest first.
    pub async fn item_history(
        self,
        cluster_id: ClusterId,
        item_id: &str,
    ) -> DbResult<Vec<LedgerEntry>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS} FROM ledger WHERE cluster_id = $1 AND item_id = $2 ORDER BY seq DESC"
            )
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(cluster_id.get())
            .bind(item_id)
            .fetch_all(db)
            .await)?;
        Ok(entries(rows))
    }

    pub async fn has_item_history(self, cluster_id: ClusterId, item_id: &str) -> DbResult<bool> {
        // Whether one row exists: nothing to decode, so no boolean or
        // integer type that differs between the databases.
        on_db!(self.0, |db| sqlx::query(
            "SELECT 1 FROM ledger WHERE cluster_id = $1 AND item_id = $2 LIMIT 1"
        )
        .bind(cluster_id.get())
        .bind(item_id)
        .fetch_optional(db)
        .await
        .map(|row| row.is_some()))
    }

    /// One page of rows after `after_seq` that match an export filter, in
    /// chain order (keyset paging keeps memory constant for any ledger
    /// size).
    pub async fn export_page(
        self,
        f: &ExportFilter,
        after_seq: Seq,
        limit: i64,
    ) -> DbResult<Vec<LedgerEntry>> {
        let after_seq = after_seq.get();
        let rows = on_db!(self.0, |db, d| {
            static SQL: LazyLock<String> = LazyLock::new(|| {
                format!(
                    "SELECT {COLUMNS} FROM ledger WHERE seq > $1
                     AND {filter}
                     ORDER BY seq LIMIT $7",
                    filter = export_filter(&d::same_name("actor", "$5"))
                )
            });
            bind_export!(
                sqlx::query_as::<_, EntryRow>(SQL.as_str()),
                after_seq,
                f,
                limit
            )
            .fetch_all(db)
            .await
        })?;
        Ok(entries(rows))
    }

    /// The rows with `after_seq < seq <= through_seq` that match an export
    /// filter, written as CSV by the database itself in chain order (the
    /// same text as [`shipshape_domain::export::push_csv_row`]), with the
    /// last seq among them, or `None` when none match. Ranges are
    /// independent, so several can be read at once.
    pub async fn export_csv_page(
        self,
        f: &ExportFilter,
        after_seq: i64,
        through_seq: i64,
    ) -> DbResult<Option<(i64, String)>> {
        let (last, text) = on_db!(self.0, |db, d| {
            // Built once per database: the statement text is the same for
            // every range.
            static SQL: LazyLock<String> = LazyLock::new(|| {
                let line = csv_line_sql(&CsvDialect {
                    chr: d::chr,
                    contains: d::contains,
                    int_text: d::int_text,
                });
                format!(
                    "SELECT max(seq), {text} FROM (
                       SELECT seq, {line} AS line FROM ledger
                       LEFT JOIN clusters ON clusters.id = ledger.cluster_id WHERE seq > $1 AND seq <= $7
                       AND {filter}
                     ) page",
                    text = d::concat_rows("line", "seq"),
                    filter = export_filter(&d::same_name("actor", "$5"))
                )
            });
            bind_export!(
                sqlx::query_as::<_, (Option<i64>, Option<String>)>(SQL.as_str()),
                after_seq,
                f,
                through_seq
            )
            .fetch_one(db)
            .await
        })?;
        Ok(last.zip(text))
    }

    /// The newest checkpoint row (signed by the server; see
    /// [`shipshape_domain::checkpoint`]), if any.
    pub async fn last_checkpoint(self) -> DbResult<Option<LedgerEntry>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM ledger WHERE action = $1 ORDER BY seq DESC LIMIT 1")
        });
        let row = on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .bind(shipshape_domain::checkpoint::CHECKPOINT_ACTION)
            .fetch_optional(db)
            .await)?;
        Ok(row.map(Into::into))
    }
}

impl<'c> Ledger<'c> {
    /// Every row in chain order, streamed (constant memory for any ledger
    /// size).
    pub fn stream_all(self) -> BoxStream<'c, DbResult<LedgerEntry>> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {COLUMNS} FROM ledger ORDER BY seq"));
        on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .fetch(db)
            .map(|r| r.map(LedgerEntry::from))
            .boxed())
    }

    /// The rows the read model folds, in chain order, streamed.
    pub fn stream_state_rows(self) -> BoxStream<'c, DbResult<EntryContent>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM ledger WHERE action IN {STATE_ACTIONS} ORDER BY seq")
        });
        on_db!(self.0, |db| sqlx::query_as::<_, EntryRow>(SQL.as_str())
            .fetch(db)
            .map(|r| r.map(EntryRow::content))
            .boxed())
    }
}
