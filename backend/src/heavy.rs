//! Bounds on the expensive reads any logged-in caller (an auditor or a
//! read-only token included) may start: building an evidence bundle (the
//! whole ledger, every attached file, compressed) and verifying the whole
//! hash chain. At most [`BUNDLES_AT_ONCE`] and [`VERIFICATIONS_AT_ONCE`] run
//! on this server; one more is refused at once with
//! [`ServiceError::Busy`] (429 with `Retry-After`), never queued, so a
//! burst of requests costs nothing but the refusals.
//!
//! A permit is held for as long as the work runs: for a bundle, until its
//! builder has stopped and its download is over or dropped. The running
//! count is the gauge `shipshape_heavy_work_running{work}`; refusals count
//! in `shipshape_heavy_work_refused_total{work}`.

use crate::ServiceError;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Evidence bundles built (and downloaded) at once.
pub const BUNDLES_AT_ONCE: usize = 2;
/// Full ledger verifications at once (a cached answer needs none).
pub const VERIFICATIONS_AT_ONCE: usize = 2;
/// What `Retry-After` says to a refused caller.
pub const RETRY_AFTER_SECS: i64 = 10;

/// The permits, shared by every request (cheap to clone).
#[derive(Clone)]
pub struct HeavyWork {
    bundles: Arc<Semaphore>,
    verifications: Arc<Semaphore>,
}

impl Default for HeavyWork {
    fn default() -> Self {
        HeavyWork {
            bundles: Arc::new(Semaphore::new(BUNDLES_AT_ONCE)),
            verifications: Arc::new(Semaphore::new(VERIFICATIONS_AT_ONCE)),
        }
    }
}

/// One running piece of work; dropping it frees its place.
#[derive(Debug)]
pub struct HeavyPermit {
    _permit: OwnedSemaphorePermit,
    work: &'static str,
}

impl Drop for HeavyPermit {
    fn drop(&mut self) {
        metrics::gauge!("shipshape_heavy_work_running", "work" => self.work).decrement(1.0);
    }
}

fn take(
    sem: &Arc<Semaphore>,
    work: &'static str,
    busy: impl FnOnce() -> String,
) -> Result<HeavyPermit, ServiceError> {
    match sem.clone().try_acquire_owned() {
        Ok(permit) => {
            metrics::gauge!("shipshape_heavy_work_running", "work" => work).increment(1.0);
            Ok(HeavyPermit {
                _permit: permit,
                work,
            })
        }
        Err(_) => {
            metrics::counter!("shipshape_heavy_work_refused_total", "work" => work).increment(1);
            Err(ServiceError::Busy(busy(), RETRY_AFTER_SECS))
        }
    }
}

impl HeavyWork {
    /// A place for one evidence bundle, or `Busy`.
    pub fn bundle(&self) -> Result<HeavyPermit, ServiceError> {
        take(&self.bundles, "bundle", || {
            format!("{BUNDLES_AT_ONCE} evidence bundles are being built already")
        })
    }

    /// A place for one full ledger verification, or `Busy`.
    pub fn verification(&self) -> Result<HeavyPermit, ServiceError> {
        take(&self.verifications, "ledger_verify", || {
            format!("{VERIFICATIONS_AT_ONCE} ledger verifications are running already")
        })
    }

    /// Bundles running now.
    pub fn bundles_running(&self) -> usize {
        BUNDLES_AT_ONCE - self.bundles.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_third_is_refused_until_one_ends() {
        let h = HeavyWork::default();
        let a = h.bundle().unwrap();
        let _b = h.bundle().unwrap();
        assert_eq!(h.bundles_running(), 2);
        match h.bundle() {
            Err(ServiceError::Busy(m, secs)) => {
                assert!(m.contains("evidence bundles"), "{m}");
                assert_eq!(secs, RETRY_AFTER_SECS);
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        // Verifications have their own places.
        assert!(h.verification().is_ok());
        drop(a);
        assert_eq!(h.bundles_running(), 1);
        assert!(h.bundle().is_ok());
    }
}
