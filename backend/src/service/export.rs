//! Exports of the ledger for auditors, as a stream of rows read a page at a
//! time: constant memory for any number of rows. Every role may export
//! (reading is all it does); writes stay refused to auditors elsewhere.

use super::require;
use crate::{AppState, ServiceError};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use shipshape_domain::export::{
    push_jsonl_row, validate_export, ExportFilter, ExportQuery, LEDGER_ITEMS,
};
use shipshape_domain::ids::{ClusterId, Seq};
use shipshape_domain::ledger::LedgerEntry;
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;

const PAGE: i64 = 2000;

/// Checks the caller and the filters before anything is sent, so a bad
/// request gets a clear error instead of a broken download.
/// A cluster or item that names nothing (no such cluster; an item neither in
/// the runbook nor in any cluster's history) is refused, rather than
/// answered with an empty export that looks like "nothing happened".
pub async fn prepare(
    state: &AppState,
    actor: &User,
    q: &ExportQuery,
) -> Result<ExportFilter, ServiceError> {
    require(actor, Permission::Read)?;
    let filter = validate_export(q)?;
    let mut errors = shipshape_domain::fields::FieldErrors::new();
    if let Some(id) = filter.cluster_id() {
        if state
            .db
            .read()
            .await?
            .clusters()
            .by_id(id.into())
            .await?
            .is_none()
        {
            errors.add("cluster", format!("There is no cluster {id}."));
        }
    }
    if let Some(item) = filter.item_id() {
        let known = state.runbook.item(item).is_some()
            || LEDGER_ITEMS.iter().any(|(id, _)| *id == item)
            || state
                .read_cache
                .states(&state.db)
                .await?
                .values()
                .any(|items| items.contains_key(item));
        if !known {
            errors.add(
                "item",
                format!("No item `{item}` is in the runbook or in any cluster's history."),
            );
        }
    }
    errors.into_result(()).map_err(ServiceError::Invalid)?;
    Ok(filter)
}

/// The items an export can be filtered by, as `(id, label)`: the runbook's
/// in its order, then items no longer in it that still have history.
pub async fn item_choices(
    state: &AppState,
    actor: &User,
) -> Result<Vec<(String, String)>, ServiceError> {
    require(actor, Permission::Read)?;
    let mut out: Vec<(String, String)> = state
        .runbook
        .items()
        .map(|(_, i)| (i.id.clone(), i.title.clone()))
        .collect();
    let mut retired: Vec<String> = state
        .read_cache
        .states(&state.db)
        .await?
        .values()
        .flat_map(|items| items.keys())
        .filter(|id| !id.starts_with('_') && state.runbook.item(id).is_none())
        .cloned()
        .collect();
    retired.sort();
    retired.dedup();
    out.extend(retired.into_iter().map(|id| {
        let label = format!("{id} (no longer in the runbook)");
        (id, label)
    }));
    out.extend(
        LEDGER_ITEMS
            .iter()
            .map(|(id, label)| (id.to_string(), label.to_string())),
    );
    Ok(out)
}

/// Every cluster's name by id (archived ones too), for the CSV's
/// `cluster_name` column.
pub async fn cluster_names(
    state: &AppState,
) -> Result<std::collections::HashMap<ClusterId, String>, ServiceError> {
    Ok(state
        .db
        .read()
        .await?
        .clusters()
        .list(true)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// The matching rows in chain order, a page at a time. A database error
/// ends the stream with that error (the response is then cut short, and the
/// failure logged).
pub fn pages(
    state: AppState,
    filter: ExportFilter,
) -> BoxStream<'static, Result<Vec<LedgerEntry>, ServiceError>> {
    stream::unfold(Some((state, filter, Seq::new(0))), |cursor| async move {
        let (state, filter, after) = cursor?;
        let page = match state.db.read().await {
            Ok(mut db) => db.ledger().export_page(&filter, after, PAGE).await,
            Err(e) => Err(e),
        };
        match page {
            Ok(page) if page.is_empty() => None,
            Ok(page) => {
                let last = page.last().map(|e| e.content().seq).unwrap_or(after);
                Some((Ok(page), Some((state, filter, last))))
            }
            Err(e) => Some((Err(ServiceError::from(e)), None)),
        }
    })
    .boxed()
}

/// How many chain positions one CSV range covers, and how many ranges are
/// read at once (one per core here; each on its own pooled connection).
const CSV_RANGE: i64 = 2000;
const CSV_RANGES_AT_ONCE: usize = 2;

/// The matching rows as CSV records, written by the database a range of
/// the chain at a time (see [`crate::store::ledger::Ledger::export_csv_page`]), two ranges
/// read at once and sent in order: the same text as encoding [`pages`] with
/// [`shipshape_domain::export::push_csv_row`]. The export covers the chain
/// as it stood when it started; rows appended meanwhile are not in it.
pub fn csv_pages(
    state: AppState,
    filter: ExportFilter,
) -> BoxStream<'static, Result<String, ServiceError>> {
    let ranges = async move {
        let tip = state.db.read().await?.ledger().tip_seq().await?;
        let pages = stream::iter((0..tip).step_by(CSV_RANGE as usize))
            .map(move |after| {
                let (state, filter) = (state.clone(), filter.clone());
                let through = (after + CSV_RANGE).min(tip);
                async move {
                    state
                        .db
                        .read()
                        .await?
                        .ledger()
                        .export_csv_page(&filter, after, through)
                        .await
                }
            })
            .buffered(CSV_RANGES_AT_ONCE)
            // A range with no matching row gives nothing to send.
            .try_filter_map(|page| async move { Ok(page.map(|(_, text)| text)) })
            .map_err(ServiceError::from);
        Ok::<_, ServiceError>(pages)
    };
    stream::once(ranges).try_flatten().boxed()
}

/// [`pages`] written as JSON Lines, a page of text at a time.
pub fn jsonl_pages(
    state: AppState,
    filter: ExportFilter,
) -> BoxStream<'static, Result<String, ServiceError>> {
    pages(state, filter)
        .map(|page| {
            page.map(|rows| {
                let mut buf = String::with_capacity(rows.len() * 320);
                for row in &rows {
                    push_jsonl_row(&mut buf, row);
                }
                buf
            })
        })
        .boxed()
}

/// [`pages`], a row at a time.
pub fn rows(
    state: AppState,
    filter: ExportFilter,
) -> BoxStream<'static, Result<LedgerEntry, ServiceError>> {
    pages(state, filter)
        .flat_map(|page| match page {
            Ok(rows) => stream::iter(rows.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(e) => stream::iter(vec![Err(e)]),
        })
        .boxed()
}
