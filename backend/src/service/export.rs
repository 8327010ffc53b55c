//! Exports of the ledger for auditors, as a stream of rows read a page at a
//! time: constant memory for any number of rows. Every role may export
//! (reading is all it does); writes stay refused to auditors elsewhere.

use super::require;
use crate::{repo, AppState, ServiceError};
use futures::stream::{self, BoxStream, StreamExt};
use shipshape_domain::export::{validate_export, ExportFilter, ExportQuery};
use shipshape_domain::ledger::LedgerEntry;
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;

const PAGE: i64 = 2000;

/// Checks the caller and the filters before anything is sent, so a bad
/// request gets a clear error instead of a broken download.
pub fn prepare(actor: &User, q: &ExportQuery) -> Result<ExportFilter, ServiceError> {
    require(actor, Permission::Read)?;
    Ok(validate_export(q)?)
}

/// The matching rows in chain order, a page at a time. A database error
/// ends the stream with that error (the response is then cut short, and the
/// failure logged).
pub fn pages(
    state: AppState,
    filter: ExportFilter,
) -> BoxStream<'static, Result<Vec<LedgerEntry>, ServiceError>> {
    stream::unfold(Some((state, filter, 0i64)), |cursor| async move {
        let (state, filter, after) = cursor?;
        match repo::ledger::export_page(&state.pool, &filter, after, PAGE).await {
            Ok(page) if page.is_empty() => None,
            Ok(page) => {
                let last = page.last().map(|e| e.content.seq).unwrap_or(after);
                Some((Ok(page), Some((state, filter, last))))
            }
            Err(e) => Some((Err(ServiceError::from(e)), None)),
        }
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
