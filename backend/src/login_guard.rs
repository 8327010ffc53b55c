//! What keeps the login standing under a flood: failed logins limited per
//! (user name, address) pair, per address and for the whole install (the
//! domain's rule, [`shipshape_domain::login_limit`]). Only failures count,
//! recorded once a password check failed, so concurrent right passwords are
//! never refused. Password hashing itself waits for one of a few dedicated
//! threads (see `crate::password`), which is what bounds its memory. On
//! PostgreSQL the failures are kept in the database, so replicas share
//! them; the SQLite install is one process and keeps them in memory.
//!
//! Why not `governor`'s keyed rate limiters: they meter every request
//! (GCRA, a token bucket) in one process's memory. Here only *failed*
//! password checks may count (a rush of right passwords must never be
//! refused), the window's failures must be shared by every replica through
//! PostgreSQL, and a person must be told how long to wait (`Retry-After`
//! from the oldest failure in the window). None of that is a token bucket;
//! the rule is the domain's [`LoginLimiter`], tested there.

use crate::store::Store;
use shipshape_domain::login_limit::{verdict, LimitKey, LoginLimiter};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct LoginGuard {
    limiter: Arc<Mutex<LoginLimiter>>,
    /// Password checks under way per client address (this process).
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
}

/// Password checks one address may have under way at once. Failures count
/// only once they failed, so without this a flood of concurrent attempts
/// would all be hashed before the first failure counted; with it, a flood
/// from one address costs at most this many hashes before its failures
/// refuse it, while a rush of people logging in together behind one
/// address (up to this many at the same instant) is not refused.
pub const IN_FLIGHT_PER_ADDRESS: usize = 32;

/// One password check under way; released when dropped.
pub struct InFlight {
    map: Arc<Mutex<HashMap<String, usize>>>,
    address: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut m) = self.map.lock() {
            if let Some(n) = m.get_mut(&self.address) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    m.remove(&self.address);
                }
            }
        }
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl LoginGuard {
    pub fn keys(username: &str, address: Option<&str>) -> Vec<LimitKey> {
        LimitKey::for_attempt(username, address)
    }

    /// A place for one password check from `address`, or `None` while the
    /// address has [`IN_FLIGHT_PER_ADDRESS`] under way.
    pub fn begin(&self, address: Option<&str>) -> Option<InFlight> {
        let address = address.unwrap_or("-").to_string();
        let mut m = self
            .in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = m.entry(address.clone()).or_insert(0);
        if *n >= IN_FLIGHT_PER_ADDRESS {
            return None;
        }
        *n += 1;
        Some(InFlight {
            map: self.in_flight.clone(),
            address,
        })
    }

    /// `Err(seconds)` while any key is locked out. A database that cannot
    /// be asked refuses nothing here (the login itself will fail on it).
    pub async fn check(&self, db: &Store, keys: &[LimitKey]) -> Result<(), i64> {
        let now = unix_now();
        match db {
            Store::Postgres(pool) => {
                match crate::store::login_failures::counts(pool, keys, now).await {
                    Ok(counts) => verdict(&counts, now),
                    Err(e) => {
                        tracing::warn!(error = %e, "login limiter: cannot read failures");
                        Ok(())
                    }
                }
            }
            Store::Sqlite(_) => match self.limiter.lock() {
                Ok(mut l) => l.check(keys, now),
                Err(_) => Ok(()),
            },
        }
    }

    pub async fn failed(&self, db: &Store, keys: &[LimitKey]) {
        let now = unix_now();
        match db {
            Store::Postgres(pool) => {
                if let Err(e) = crate::store::login_failures::record(pool, keys, now).await {
                    tracing::warn!(error = %e, "login limiter: cannot record a failure");
                }
            }
            Store::Sqlite(_) => {
                if let Ok(mut l) = self.limiter.lock() {
                    l.record_failure(keys, now);
                }
            }
        }
    }

    /// A login with these keys succeeded: its pair starts again (see
    /// [`LoginLimiter::record_success`]).
    pub async fn succeeded(&self, db: &Store, keys: &[LimitKey]) {
        match db {
            Store::Postgres(pool) => {
                for key in keys.iter().filter(|k| matches!(k, LimitKey::Pair(..))) {
                    if let Err(e) = crate::store::login_failures::clear(pool, key).await {
                        tracing::warn!(error = %e, "login limiter: cannot clear a pair");
                    }
                }
            }
            Store::Sqlite(_) => {
                if let Ok(mut l) = self.limiter.lock() {
                    l.record_success(keys);
                }
            }
        }
    }
}
