//! Bounds on the expensive reads any logged-in caller (an auditor or a
//! read-only token included) may start: building an evidence bundle (the
//! whole ledger, every attached file, compressed) and verifying the whole
//! hash chain. At most [`BUNDLES_AT_ONCE`] and [`VERIFICATIONS_AT_ONCE`] run
//! on this server; one more waits at most [`WAIT`] for a place (so a
//! download just finishing does not turn the next one away), then is
//! refused with [`ServiceError::Busy`] (429 with `Retry-After`): a burst of
//! requests costs nothing but the waits and the refusals.
//!
//! A permit is held for as long as the work runs: for a bundle, until its
//! builder has stopped and its download is over or dropped. The running
//! count is the gauge `shipshape_heavy_work_running{work}`; refusals count
//! in `shipshape_heavy_work_refused_total{work}`.

use crate::ServiceError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Evidence bundles built (and downloaded) at once.
pub const BUNDLES_AT_ONCE: usize = 2;
/// Full ledger verifications at once (a cached answer needs none).
pub const VERIFICATIONS_AT_ONCE: usize = 2;
/// What `Retry-After` says to a refused caller.
pub const RETRY_AFTER_SECS: i64 = 10;
/// How long a request waits for a place before it is refused.
pub const WAIT: Duration = Duration::from_secs(2);

/// The permits, shared by every request (cheap to clone).
#[derive(Clone)]
pub struct HeavyWork {
    bundles: Arc<Semaphore>,
    verifications: Arc<Semaphore>,
    wait: Duration,
}

impl Default for HeavyWork {
    fn default() -> Self {
        HeavyWork::waiting(WAIT)
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

async fn take(
    sem: &Arc<Semaphore>,
    wait: Duration,
    work: &'static str,
    busy: impl FnOnce() -> String,
) -> Result<HeavyPermit, ServiceError> {
    let permit = match sem.clone().try_acquire_owned() {
        Ok(p) => Some(p),
        Err(_) => tokio::time::timeout(wait, sem.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok),
    };
    match permit {
        Some(permit) => {
            metrics::gauge!("shipshape_heavy_work_running", "work" => work).increment(1.0);
            Ok(HeavyPermit {
                _permit: permit,
                work,
            })
        }
        None => {
            metrics::counter!("shipshape_heavy_work_refused_total", "work" => work).increment(1);
            Err(ServiceError::Busy(busy(), RETRY_AFTER_SECS))
        }
    }
}

impl HeavyWork {
    /// Places that a request waits for at most `wait`.
    pub fn waiting(wait: Duration) -> HeavyWork {
        HeavyWork {
            bundles: Arc::new(Semaphore::new(BUNDLES_AT_ONCE)),
            verifications: Arc::new(Semaphore::new(VERIFICATIONS_AT_ONCE)),
            wait,
        }
    }

    /// A place for one evidence bundle, or `Busy`.
    pub async fn bundle(&self) -> Result<HeavyPermit, ServiceError> {
        take(&self.bundles, self.wait, "bundle", || {
            format!("{BUNDLES_AT_ONCE} evidence bundles are being built already")
        })
        .await
    }

    /// A place for one full ledger verification, or `Busy`.
    pub async fn verification(&self) -> Result<HeavyPermit, ServiceError> {
        take(&self.verifications, self.wait, "ledger_verify", || {
            format!("{VERIFICATIONS_AT_ONCE} ledger verifications are running already")
        })
        .await
    }

    /// Bundles running now.
    pub fn bundles_running(&self) -> usize {
        BUNDLES_AT_ONCE - self.bundles.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_third_is_refused_until_one_ends() {
        let h = HeavyWork::waiting(Duration::from_millis(50));
        let a = h.bundle().await.unwrap();
        let _b = h.bundle().await.unwrap();
        assert_eq!(h.bundles_running(), 2);
        match h.bundle().await {
            Err(ServiceError::Busy(m, secs)) => {
                assert!(m.contains("evidence bundles"), "{m}");
                assert_eq!(secs, RETRY_AFTER_SECS);
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        // Verifications have their own places.
        assert!(h.verification().await.is_ok());
        drop(a);
        assert_eq!(h.bundles_running(), 1);
        assert!(h.bundle().await.is_ok());
    }

    #[tokio::test]
    async fn a_place_freed_while_waiting_is_taken() {
        let h = HeavyWork::waiting(Duration::from_secs(5));
        let a = h.bundle().await.unwrap();
        let _b = h.bundle().await.unwrap();
        let freeing = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(a);
        });
        assert!(h.bundle().await.is_ok());
        freeing.await.unwrap();
    }
}
