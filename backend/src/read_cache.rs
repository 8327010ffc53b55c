//! The read model, decoded, kept in memory between requests for as long as
//! the ledger's tip does not move (every change to the read model comes
//! with a new ledger row, in the same transaction). Each read asks the
//! database for the tip (one index lookup) and reloads only when it moved;
//! a rebuild clears the cache.
//!
//! The trend's past days outlive the tip: rows are appended with the time
//! they are written, so a new row changes today's point and no earlier
//! one. The past days are kept per scope and day, and reused while every
//! row written since is dated today or later (one indexed `MIN(at)` over
//! the new rows says so); today's point comes from the current states.

use crate::store::Store;
use chrono::NaiveDate;
use shipshape_domain::item_state::ItemState;
use shipshape_domain::time::format_ts;
use shipshape_domain::trend::{TrendCluster, TrendPoint};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Every item state, by cluster and item.
pub type AllStates = HashMap<shipshape_domain::ids::ClusterId, HashMap<String, ItemState>>;

#[derive(Default)]
struct Inner {
    tip: i64,
    states: Option<Arc<AllStates>>,
}

/// A scope's trend before `today`, valid for rows up to `through_tip`.
struct PastTrend {
    today: NaiveDate,
    clusters: Vec<TrendCluster>,
    through_tip: i64,
    points: Arc<Vec<TrendPoint>>,
}

/// Shared by every request (cheap to clone).
#[derive(Clone, Default)]
pub struct ReadCache {
    inner: Arc<Mutex<Inner>>,
    past: Arc<Mutex<HashMap<String, PastTrend>>>,
}

impl ReadCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets everything (after a rebuild).
    pub fn clear(&self) {
        *self.lock() = Inner::default();
        self.past_lock().clear();
    }

    fn past_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, PastTrend>> {
        self.past.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entries kept for `tip`, after dropping those of an older tip.
    fn at_tip(&self, tip: i64) -> std::sync::MutexGuard<'_, Inner> {
        let mut inner = self.lock();
        if inner.tip != tip {
            *inner = Inner {
                tip,
                ..Inner::default()
            };
        }
        inner
    }

    /// Every item state, from memory while the ledger's tip has not moved.
    pub async fn states(&self, store: &Store) -> Result<Arc<AllStates>, sqlx::Error> {
        let mut db = store.read().await?;
        let tip = db.ledger().tip_seq().await?;
        if let Some(s) = self.at_tip(tip).states.clone() {
            return Ok(s);
        }
        // Read after the tip: at least as new as it, so never stale for it.
        let states = Arc::new(crate::ledger::all_states(&mut db).await?);
        let mut inner = self.at_tip(tip);
        inner.states = Some(states.clone());
        Ok(states)
    }

    /// The trend's days before `today` for one scope (`key` and its
    /// `clusters`), kept until the day turns, the clusters change or a row
    /// dated before today arrives; else `compute`d and kept.
    pub async fn past_trend<F>(
        &self,
        store: &Store,
        key: String,
        today: NaiveDate,
        clusters: &[TrendCluster],
        compute: F,
    ) -> Result<Arc<Vec<TrendPoint>>, crate::ServiceError>
    where
        F: std::future::Future<Output = Result<Vec<TrendPoint>, crate::ServiceError>>,
    {
        let tip = store.read().await?.ledger().tip_seq().await?;
        let kept = self.past_lock().get(&key).and_then(|p| {
            (p.today == today && p.clusters == clusters).then(|| (p.through_tip, p.points.clone()))
        });
        if let Some((through, points)) = kept {
            let still_valid = through == tip || {
                let start = today.and_hms_opt(0, 0, 0).map(|t| format_ts(t.and_utc()));
                let earliest = store
                    .read()
                    .await?
                    .ledger()
                    .earliest_at_after(through.into())
                    .await?;
                matches!((earliest, start), (Some(e), Some(s)) if e >= s)
            };
            if still_valid {
                if let Some(p) = self.past_lock().get_mut(&key) {
                    p.through_tip = p.through_tip.max(tip);
                }
                return Ok(points);
            }
        }
        // The tip is read before computing: rows that land meanwhile are
        // checked at the next read.
        let points = Arc::new(compute.await?);
        let mut past = self.past_lock();
        if past.len() > 256 {
            past.clear();
        }
        past.insert(
            key,
            PastTrend {
                today,
                clusters: clusters.to_vec(),
                through_tip: tip,
                points: points.clone(),
            },
        );
        Ok(points)
    }
}
