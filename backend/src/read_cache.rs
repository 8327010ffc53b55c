//! The read model, decoded, kept in memory between requests for as long as
//! the ledger's tip does not move (every change to the read model comes
//! with a new ledger row, in the same transaction). Each read asks the
//! database for the tip (one index lookup) and reloads only when it moved;
//! a rebuild clears the cache. Derived answers that cost more than the
//! states (the trend) are kept under the same rule.

use crate::repo;
use shipshape_domain::item_state::ItemState;
use shipshape_domain::trend::TrendPoint;
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Every item state, by cluster and item.
pub type AllStates = HashMap<i64, HashMap<String, ItemState>>;

#[derive(Default)]
struct Inner {
    tip: i64,
    states: Option<Arc<AllStates>>,
    trends: HashMap<String, Arc<Vec<TrendPoint>>>,
}

/// Shared by every request (cheap to clone).
#[derive(Clone, Default)]
pub struct ReadCache {
    inner: Arc<Mutex<Inner>>,
}

impl ReadCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets everything (after a rebuild).
    pub fn clear(&self) {
        *self.lock() = Inner::default();
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
    pub async fn states(&self, pool: &SqlitePool) -> Result<Arc<AllStates>, sqlx::Error> {
        let tip = repo::ledger::tip_seq(pool).await?;
        if let Some(s) = self.at_tip(tip).states.clone() {
            return Ok(s);
        }
        // Read after the tip: at least as new as it, so never stale for it.
        let states = Arc::new(repo::item_state::all(pool).await?);
        let mut inner = self.at_tip(tip);
        inner.states = Some(states.clone());
        Ok(states)
    }

    /// A trend kept under `key`, or `compute`d and kept.
    pub async fn trend<F>(
        &self,
        pool: &SqlitePool,
        key: String,
        compute: F,
    ) -> Result<Arc<Vec<TrendPoint>>, crate::ServiceError>
    where
        F: std::future::Future<Output = Result<Vec<TrendPoint>, crate::ServiceError>>,
    {
        let tip = repo::ledger::tip_seq(pool).await?;
        if let Some(t) = self.at_tip(tip).trends.get(&key).cloned() {
            return Ok(t);
        }
        let trend = Arc::new(compute.await?);
        let mut inner = self.at_tip(tip);
        if inner.trends.len() > 256 {
            inner.trends.clear();
        }
        inner.trends.insert(key, trend.clone());
        Ok(trend)
    }
}
