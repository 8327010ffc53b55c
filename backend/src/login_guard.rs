//! What keeps the login standing under a flood: failed logins limited per
//! (user name, address) pair, per address and for the whole install (the
//! domain's rule, [`shipshape_domain::login_limit`]). Only failures count,
//! recorded once a password check failed, so concurrent right passwords are
//! never refused. Password hashing itself waits for one of a few dedicated
//! threads (see `crate::password`), which is what bounds its memory. On
//! PostgreSQL the failures are kept in the database, so replicas share
//! them; the SQLite install is one process and keeps them in memory.

use crate::store::Store;
use shipshape_domain::login_limit::{verdict, LimitKey, LoginLimiter};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct LoginGuard {
    limiter: Arc<Mutex<LoginLimiter>>,
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl LoginGuard {
    pub fn keys(username: &str, address: Option<&str>) -> Vec<LimitKey> {
        LimitKey::for_attempt(username, address)
    }

    /// `Err(seconds)` while any key is locked out. A database that cannot
    /// be asked refuses nothing here (the login itself will fail on it).
    pub async fn check(&self, db: &Store, keys: &[LimitKey]) -> Result<(), i64> {
        let now = unix_now();
        match db {
            Store::Postgres(pool) => {
                match crate::store::postgres::login_failures::counts(pool, keys, now).await {
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
                if let Err(e) =
                    crate::store::postgres::login_failures::record(pool, keys, now).await
                {
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
                    if let Err(e) = crate::store::postgres::login_failures::clear(pool, key).await
                    {
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
