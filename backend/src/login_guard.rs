//! What keeps the login standing under a flood: login attempts limited per
//! user name and per client address (the domain's [`LoginLimiter`]; an
//! attempt counts as a failure until it succeeds). Password hashing itself
//! runs on a few dedicated threads (see `crate::password`).

use shipshape_domain::login_limit::{LimitKey, LoginLimiter};
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
        let mut keys = vec![LimitKey::user(username)];
        if let Some(a) = address {
            keys.push(LimitKey::Address(a.to_string()));
        }
        keys
    }

    /// `Err(seconds)` while any key is locked out.
    pub fn check(&self, keys: &[LimitKey]) -> Result<(), i64> {
        match self.limiter.lock() {
            Ok(mut l) => l.check(keys, unix_now()),
            Err(_) => Ok(()),
        }
    }

    pub fn failed(&self, keys: &[LimitKey]) {
        if let Ok(mut l) = self.limiter.lock() {
            l.record_failure(keys, unix_now());
        }
    }

    /// A login with these keys succeeded: see
    /// [`LoginLimiter::record_success`](shipshape_domain::login_limit::LoginLimiter::record_success).
    pub fn succeeded(&self, keys: &[LimitKey]) {
        if let Ok(mut l) = self.limiter.lock() {
            l.record_success(keys);
        }
    }
}
