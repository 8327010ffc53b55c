//! Failed-login limits: per user name and per client address, a number of
//! failures within a window; past it, further attempts are refused (HTTP
//! 429 with `Retry-After`) until the oldest failure in the window ages out.
//! A successful login clears the user name's failures. Memory is bounded:
//! at most [`MAX_KEYS`] keys are tracked, the stalest dropped first.

use std::collections::{HashMap, VecDeque};

/// Failures allowed per user name within the window.
pub const USER_FAILURES: usize = 5;
/// Failures allowed per client address within the window.
pub const ADDRESS_FAILURES: usize = 20;
/// The window, in seconds.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Keys tracked at most.
pub const MAX_KEYS: usize = 10_000;

/// What a limit is kept for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// Lower-cased, trimmed.
    User(String),
    Address(String),
}

impl LimitKey {
    pub fn user(name: &str) -> Self {
        LimitKey::User(name.trim().to_lowercase())
    }

    fn allowed(&self) -> usize {
        match self {
            LimitKey::User(_) => USER_FAILURES,
            LimitKey::Address(_) => ADDRESS_FAILURES,
        }
    }
}

/// Failure times (unix seconds) per key.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<LimitKey, VecDeque<i64>>,
}

impl LoginLimiter {
    fn prune(&mut self, key: &LimitKey, now: i64) {
        if let Some(times) = self.failures.get_mut(key) {
            while times.front().is_some_and(|t| *t <= now - WINDOW_SECS) {
                times.pop_front();
            }
            if times.is_empty() {
                self.failures.remove(key);
            }
        }
    }

    /// `Err(seconds to wait)` when any key is over its limit.
    pub fn check(&mut self, keys: &[LimitKey], now: i64) -> Result<(), i64> {
        let mut wait = 0;
        for key in keys {
            self.prune(key, now);
            if let Some(times) = self.failures.get(key) {
                if times.len() >= key.allowed() {
                    let oldest = times.front().copied().unwrap_or(now);
                    wait = wait.max(oldest + WINDOW_SECS - now);
                }
            }
        }
        if wait > 0 {
            Err(wait.max(1))
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&mut self, keys: &[LimitKey], now: i64) {
        for key in keys {
            if !self.failures.contains_key(key) && self.failures.len() >= MAX_KEYS {
                self.evict(now);
            }
            let times = self.failures.entry(key.clone()).or_default();
            times.push_back(now);
            // never more than the limit's worth per key
            while times.len() > key.allowed() {
                times.pop_front();
            }
        }
    }

    /// A successful login (whose attempt was counted when it arrived)
    /// clears the user name's failures, and takes back only that one
    /// attempt from the other keys (the address): a guesser who knows one
    /// password cannot reset the address's count of failures, and a team
    /// behind one address can log in as often as it likes.
    pub fn record_success(&mut self, keys: &[LimitKey]) {
        for key in keys {
            match key {
                LimitKey::User(_) => {
                    self.failures.remove(key);
                }
                _ => {
                    if let Some(times) = self.failures.get_mut(key) {
                        times.pop_back();
                    }
                }
            }
        }
    }

    fn evict(&mut self, now: i64) {
        self.failures
            .retain(|_, times| times.back().is_some_and(|t| *t > now - WINDOW_SECS));
        if self.failures.len() >= MAX_KEYS {
            if let Some(stalest) = self
                .failures
                .iter()
                .min_by_key(|(_, t)| t.back().copied().unwrap_or(i64::MIN))
                .map(|(k, _)| k.clone())
            {
                self.failures.remove(&stalest);
            }
        }
    }

    pub fn tracked(&self) -> usize {
        self.failures.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(user: &str, addr: &str) -> Vec<LimitKey> {
        vec![LimitKey::user(user), LimitKey::Address(addr.into())]
    }

    #[test]
    fn five_failures_for_a_name_lock_it_until_the_oldest_ages_out() {
        let mut l = LoginLimiter::default();
        let k = keys("Ada", "10.0.0.1");
        for t in 0..5 {
            assert!(l.check(&k, 100 + t).is_ok());
            l.record_failure(&k, 100 + t);
        }
        assert_eq!(l.check(&k, 105), Err(WINDOW_SECS - 5));
        // The same name from elsewhere is locked too (case-insensitive).
        assert!(l.check(&keys(" ADA ", "10.0.0.2"), 105).is_err());
        // Another name from the same address is not (yet).
        assert!(l.check(&keys("bob", "10.0.0.1"), 105).is_ok());
        // After the window, the oldest failure has aged out.
        assert!(l.check(&k, 100 + WINDOW_SECS).is_ok());
    }

    #[test]
    fn an_address_guessing_many_names_is_limited_and_success_clears_the_name_only() {
        let mut l = LoginLimiter::default();
        for n in 0..ADDRESS_FAILURES {
            let k = keys(&format!("user{n}"), "192.0.2.9");
            assert!(l.check(&k, 1000).is_ok());
            l.record_failure(&k, 1000);
        }
        assert!(l.check(&keys("another", "192.0.2.9"), 1001).is_err());
        let mut l = LoginLimiter::default();
        let k = keys("ada", "10.0.0.1");
        for _ in 0..4 {
            l.record_failure(&k, 10);
        }
        l.record_failure(&k, 10); // the successful attempt, counted on arrival
        l.record_success(&k);
        for _ in 0..4 {
            l.record_failure(&k, 11);
        }
        assert!(l.check(&k, 12).is_ok(), "the name's count started again");
    }

    #[test]
    fn many_successful_logins_from_one_address_are_never_limited() {
        let mut l = LoginLimiter::default();
        for n in 0..(3 * ADDRESS_FAILURES) {
            let k = keys(&format!("person{}", n % 4), "10.0.0.7");
            assert!(l.check(&k, 100).is_ok(), "login {n}");
            l.record_failure(&k, 100);
            l.record_success(&k);
        }
        // ...while failures from it still count.
        for n in 0..ADDRESS_FAILURES {
            let k = keys(&format!("guess{n}"), "10.0.0.7");
            l.record_failure(&k, 100);
        }
        assert!(l.check(&keys("person0", "10.0.0.7"), 101).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let mut l = LoginLimiter::default();
        for n in 0..(MAX_KEYS + 500) {
            l.record_failure(&[LimitKey::Address(format!("a{n}"))], n as i64);
        }
        assert!(l.tracked() <= MAX_KEYS);
    }
}
