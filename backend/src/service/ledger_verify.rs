//! `GET /api/v1/ledger/verify` for any logged-in caller: the whole chain
//! walked and every checkpoint checked, at most
//! [`crate::heavy::VERIFICATIONS_AT_ONCE`] at a time, and reused while
//! nothing changed.
//!
//! A result is kept with the chain's tip (seq and hash) it was computed at,
//! for at most [`CACHE_FOR`]: a caller who finds the same tip gets it back
//! (`cached: true`) without the walk and without a place among the running
//! verifications. Rows are only ever appended, so a new row moves the tip
//! and the next call walks the chain again. The time limit bounds how long
//! a row changed behind the server's back (in the database, keeping the
//! tip) could go unnoticed here; `shipshape ledger verify` always walks.

use crate::{AppState, ServiceError};
use shipshape_domain::chain::Verification;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a verification is reused for the same tip.
pub const CACHE_FOR: Duration = Duration::from_secs(300);

type Tip = Option<(shipshape_domain::ids::Seq, String)>;

struct Kept {
    tip: Tip,
    at: Instant,
    result: Verification,
}

/// The newest verification and the tip it was computed at (cheap to clone).
#[derive(Clone, Default)]
pub struct VerifyCache {
    kept: Arc<Mutex<Option<Kept>>>,
}

impl VerifyCache {
    fn get(&self, tip: &Tip) -> Option<Verification> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|k| &k.tip == tip && k.at.elapsed() < CACHE_FOR)
            .map(|k| k.result.clone())
    }

    fn put(&self, tip: Tip, result: Verification) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(Kept {
            tip,
            at: Instant::now(),
            result,
        });
    }
}

/// A verification and whether it was reused.
#[derive(Debug, Clone)]
pub struct Verified {
    pub result: Verification,
    pub cached: bool,
}

async fn tip(state: &AppState) -> Result<Tip, ServiceError> {
    let mut conn = state.db.read().await?;
    Ok(conn.ledger().tip().await?)
}

/// The kept result for `tip`, counted as reused.
fn reused(state: &AppState, tip: &Tip) -> Option<Verified> {
    let result = state.verify_cache.get(tip)?;
    metrics::counter!("shipshape_ledger_verify_total", "result" => "cached").increment(1);
    Some(Verified {
        result,
        cached: true,
    })
}

/// The chain verified against the server's key, or the kept result for an
/// unchanged tip. `Busy` when too many walks run already.
pub async fn verify(state: &AppState) -> Result<Verified, ServiceError> {
    let before = tip(state).await?;
    if let Some(v) = reused(state, &before) {
        return Ok(v);
    }
    let _place = state.heavy.verification().await?;
    // Another caller may have walked the same chain while this one waited.
    if let Some(v) = reused(state, &before) {
        return Ok(v);
    }
    let result = super::signoffs::verify_ledger(state).await?;
    metrics::counter!("shipshape_ledger_verify_total", "result" => "computed").increment(1);
    // Kept only when no row was appended during the walk: the result is
    // then exactly the chain up to that tip.
    if tip(state).await? == before {
        state.verify_cache.put(before, result.clone());
    }
    Ok(Verified {
        result,
        cached: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(entries: u64) -> Verification {
        Verification {
            ok: true,
            entries,
            head: "h".into(),
            broken_seq: None,
            reason: None,
            checkpoints: 0,
            signed_head: None,
        }
    }

    #[test]
    fn a_result_is_kept_for_its_tip_only() {
        let c = VerifyCache::default();
        let tip = Some((shipshape_domain::ids::Seq::new(3), "abc".to_string()));
        assert!(c.get(&tip).is_none());
        c.put(tip.clone(), v(3));
        assert_eq!(c.get(&tip).map(|r| r.entries), Some(3));
        assert!(c
            .get(&Some((
                shipshape_domain::ids::Seq::new(4),
                "def".to_string()
            )))
            .is_none());
        assert!(c
            .get(&Some((
                shipshape_domain::ids::Seq::new(3),
                "other".to_string()
            )))
            .is_none());
        assert!(c.get(&None).is_none());
    }
}
