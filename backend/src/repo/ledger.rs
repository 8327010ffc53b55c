//! The `ledger` table: append and read, never update or delete (the
//! schema's triggers refuse both). Sign-off rows carry an action of `done`,
//! `not_applicable` or `revoked`; item state is read from the newest of
//! them. Waiver rows (`waiver_requested`, `waiver_approved`,
//! `waiver_rejected`), Day-2 completions (`completed`) and live-check
//! verdict changes (`check_verdict`, by the server itself) share the chain.
//!
//! [`append`] links a row to the tip, seals it and applies it to the read
//! model: call it in a [`super::WriteTx`], which holds the single-writer
//! lock, so nothing appends in between and the chain cannot fork.

use super::{DbResult, Repos};
use futures::stream::BoxStream;
use shipshape_domain::export::ExportFilter;
use shipshape_domain::ledger::{EntryContent, LedgerEntry};
use shipshape_domain::signoff::SignoffAction;
use sqlx::FromRow;

#[async_trait::async_trait]
pub trait LedgerRepo: Send {
    /// The newest row's seq and hash: what the next row links to.
    async fn tip(&mut self) -> DbResult<Option<(i64, String)>>;
    /// The newest row's seq, 0 for an empty ledger.
    async fn tip_seq(&mut self) -> DbResult<i64>;
    /// Rows after `after` up to `through` whose action may be worth a
    /// notification (verdict changes and waivers), in chain order, at most
    /// `limit`.
    async fn notable_rows(
        &mut self,
        after: i64,
        through: i64,
        limit: i64,
    ) -> DbResult<Vec<EntryContent>>;
    /// The earliest timestamp among rows after `seq` (none when `seq` is
    /// the tip): tells whether anything written since then is dated in the
    /// past.
    async fn earliest_at_after(&mut self, seq: i64) -> DbResult<Option<String>>;
    /// The newest sign-off action on one item of one cluster.
    async fn latest_action(
        &mut self,
        cluster_id: i64,
        item_id: &str,
    ) -> DbResult<Option<SignoffAction>>;
    /// Inserts a sealed row as it is (see [`insert`], which also applies it
    /// to the read model).
    async fn insert_row(&mut self, e: &LedgerEntry) -> DbResult<()>;
    /// The newest sign-off row per item of one cluster, whole (with
    /// details, which name its evidence files).
    async fn latest_signoff_rows(&mut self, cluster_id: i64) -> DbResult<Vec<LedgerEntry>>;
    /// Waiver rows of one cluster or all, in chain order.
    async fn waiver_rows(&mut self, cluster_id: Option<i64>) -> DbResult<Vec<EntryContent>>;
    /// Sign-off, waiver and verdict-change rows of one cluster or all, in
    /// chain order: what the readiness trend replays. Only what standing
    /// depends on is read (times, actions, waiver details); actor, note and
    /// hashes come back empty, which keeps a replay of a long ledger cheap.
    async fn standing_rows(&mut self, cluster_id: Option<i64>) -> DbResult<Vec<EntryContent>>;
    /// The newest rows with `action` of one cluster, newest first, at most
    /// `limit`.
    async fn newest_with_action(
        &mut self,
        cluster_id: i64,
        action: &str,
        limit: i64,
    ) -> DbResult<Vec<LedgerEntry>>;
    /// The row with this seq, if any.
    async fn by_seq(&mut self, seq: i64) -> DbResult<Option<LedgerEntry>>;
    /// Every row about one item of one cluster, newest first.
    async fn item_history(&mut self, cluster_id: i64, item_id: &str) -> DbResult<Vec<LedgerEntry>>;
    async fn has_item_history(&mut self, cluster_id: i64, item_id: &str) -> DbResult<bool>;
    /// Every row in chain order, streamed (constant memory for any ledger
    /// size).
    fn stream_all(&mut self) -> BoxStream<'_, DbResult<LedgerEntry>>;
    /// The rows the read model folds, in chain order, streamed.
    fn stream_state_rows(&mut self) -> BoxStream<'_, DbResult<EntryContent>>;
    /// One page of rows after `after_seq` that match an export filter, in
    /// chain order (keyset paging keeps memory constant for any ledger
    /// size).
    async fn export_page(
        &mut self,
        f: &ExportFilter,
        after_seq: i64,
        limit: i64,
    ) -> DbResult<Vec<LedgerEntry>>;
    /// The rows with `after_seq < seq <= through_seq` that match an export
    /// filter, written as CSV by the database itself in chain order (the
    /// same text as [`shipshape_domain::export::push_csv_row`]), with the
    /// last seq among them, or `None` when none match. Ranges are
    /// independent, so several can be read at once.
    async fn export_csv_page(
        &mut self,
        f: &ExportFilter,
        after_seq: i64,
        through_seq: i64,
    ) -> DbResult<Option<(i64, String)>>;
    /// The newest checkpoint row (signed by the server; see
    /// [`shipshape_domain::signing`]), if any.
    async fn last_checkpoint(&mut self) -> DbResult<Option<LedgerEntry>>;
}

pub(crate) const SIGNOFF_ACTIONS: &str = "('done', 'not_applicable', 'revoked')";
pub(crate) const WAIVER_ACTIONS: &str =
    "('waiver_requested', 'waiver_approved', 'waiver_rejected')";
pub(crate) const STANDING_ACTIONS: &str = "('done', 'not_applicable', 'revoked', 'waiver_requested', 'waiver_approved', 'waiver_rejected', 'check_verdict', 'cluster_changed')";
/// The rows the read model folds (see [`super::item_state`]).
pub(crate) const STATE_ACTIONS: &str = "('done', 'not_applicable', 'revoked', 'waiver_requested', 'waiver_approved', 'waiver_rejected', 'check_verdict', 'completed', 'cluster_changed')";
pub(crate) const NOTABLE_ACTIONS: &str =
    "('check_verdict', 'waiver_requested', 'waiver_approved', 'waiver_rejected')";
pub(crate) const COLUMNS: &str =
    "seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash";

#[derive(FromRow)]
pub(crate) struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub cluster_id: i64,
    pub item_id: String,
    pub action: String,
    pub note: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
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

impl EntryRow {
    pub(crate) fn content(self) -> EntryContent {
        LedgerEntry::from(self).content
    }
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

/// Inserts a sealed row and applies it to the read model, together (call
/// in the appending transaction).
pub async fn insert(r: &mut dyn Repos, e: &LedgerEntry) -> DbResult<()> {
    r.ledger().insert_row(e).await?;
    super::item_state::apply(r.item_state(), &e.content).await
}

/// Links a row to the chain tip, seals and inserts it. Call inside a
/// [`super::WriteTx`] so that nothing appends in between.
pub async fn append(r: &mut dyn Repos, row: NewRow<'_>) -> DbResult<LedgerEntry> {
    let (seq, prev_hash) = match r.ledger().tip().await? {
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
    insert(r, &entry).await?;
    Ok(entry)
}
