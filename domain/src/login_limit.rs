//! Failed-login limits. Only failures count (an attempt whose password is
//! still being checked counts for nothing, so a morning rush of right
//! passwords behind one proxy is never refused), and they count per
//! (user name, client address) pair, per client address, and for the whole
//! install. So a guesser locks out the pair and the address they guess
//! from, never another person's right password from another address, and a
//! guesser spread over many addresses meets the global cap. Past a limit,
//! further attempts are refused (HTTP 429 with `Retry-After`) until the
//! oldest failure in the window ages out. A success clears its pair only.
//! Memory is bounded: at most [`MAX_KEYS`] keys are tracked, the stalest
//! dropped first.

use std::collections::{HashMap, VecDeque};

/// Failures allowed per (user name, address) pair within the window.
pub const PAIR_FAILURES: usize = 5;
/// Failures allowed per client address within the window.
pub const ADDRESS_FAILURES: usize = 20;
/// Failures allowed across the whole install within the window.
pub const GLOBAL_FAILURES: usize = 1000;
/// The window, in seconds.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Keys tracked at most.
pub const MAX_KEYS: usize = 10_000;

/// What a limit is kept for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// A user name (lower-cased, trimmed) from one address.
    Pair(String, String),
    Address(String),
    Global,
}

impl LimitKey {
    /// The keys one attempt counts against. Without a known address (no
    /// connection info), `-` stands for it.
    pub fn for_attempt(username: &str, address: Option<&str>) -> Vec<LimitKey> {
        let address = address.unwrap_or("-").to_string();
        vec![
            LimitKey::Pair(username.trim().to_lowercase(), address.clone()),
            LimitKey::Address(address),
            LimitKey::Global,
        ]
    }

    pub fn allowed(&self) -> usize {
        match self {
            LimitKey::Pair(..) => PAIR_FAILURES,
            LimitKey::Address(_) => ADDRESS_FAILURES,
            LimitKey::Global => GLOBAL_FAILURES,
        }
    }

    /// A stable text form, for a shared store (`p:user@address`,
    /// `a:address`, `g`).
    pub fn storage_key(&self) -> String {
        match self {
            LimitKey::Pair(u, a) => format!("p:{u}@{a}"),
            LimitKey::Address(a) => format!("a:{a}"),
            LimitKey::Global => "g".into(),
        }
    }
}

/// The rule both the in-memory limiter and a shared store apply: given each
/// key's failures within the window (count and oldest time), `Err(seconds
/// to wait)` when any key is at its limit.
pub fn verdict(counts: &[(LimitKey, usize, i64)], now: i64) -> Result<(), i64> {
    let wait = counts
        .iter()
        .filter(|(k, n, _)| *n >= k.allowed())
        .map(|(_, _, oldest)| oldest + WINDOW_SECS - now)
        .max()
        .unwrap_or(0);
    if wait > 0 {
        Err(wait)
    } else {
        Ok(())
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
        let mut counts = Vec::new();
        for key in keys {
            self.prune(key, now);
            if let Some(times) = self.failures.get(key) {
                counts.push((
                    key.clone(),
                    times.len(),
                    times.front().copied().unwrap_or(now),
                ));
            }
        }
        verdict(&counts, now)
    }

    /// A failed attempt (wrong name or password), counted once it failed.
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

    /// A successful login clears its (name, address) pair, and nothing
    /// else: a guesser who knows one password cannot reset the address's
    /// or the install's count of failures.
    pub fn record_success(&mut self, keys: &[LimitKey]) {
        for key in keys {
            if matches!(key, LimitKey::Pair(..)) {
                self.failures.remove(key);
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
                .filter(|(k, _)| **k != LimitKey::Global)
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
        LimitKey::for_attempt(user, Some(addr))
    }

    #[test]
    fn five_failures_lock_the_pair_not_the_name_from_elsewhere() {
        let mut l = LoginLimiter::default();
        let k = keys("Ada", "10.0.0.1");
        for t in 0..5 {
            assert!(l.check(&k, 100 + t).is_ok());
            l.record_failure(&k, 100 + t);
        }
        assert_eq!(l.check(&k, 105), Err(WINDOW_SECS - 5));
        // The same name (case-insensitive) from the same address: locked.
        assert!(l.check(&keys(" ADA ", "10.0.0.1"), 105).is_err());
        // The same name from another address: the person's right password
        // still gets through (the break-glass admin is never locked out by
        // someone else's guesses).
        assert!(l.check(&keys("ada", "10.0.0.2"), 105).is_ok());
        // Another name from the same address is not (yet).
        assert!(l.check(&keys("bob", "10.0.0.1"), 105).is_ok());
        // After the window, the oldest failure has aged out.
        assert!(l.check(&k, 100 + WINDOW_SECS).is_ok());
    }

    #[test]
    fn an_address_guessing_many_names_is_limited_and_success_clears_the_pair_only() {
        let mut l = LoginLimiter::default();
        for n in 0..ADDRESS_FAILURES {
            let k = keys(&format!("user{n}"), "192.0.2.9");
            assert!(l.check(&k, 1000).is_ok());
            l.record_failure(&k, 1000);
        }
        assert!(l.check(&keys("another", "192.0.2.9"), 1001).is_err());
        assert!(l.check(&keys("another", "192.0.2.10"), 1001).is_ok());
        let mut l = LoginLimiter::default();
        let k = keys("ada", "10.0.0.1");
        for _ in 0..4 {
            l.record_failure(&k, 10);
        }
        l.record_success(&k);
        for _ in 0..4 {
            l.record_failure(&k, 11);
        }
        assert!(l.check(&k, 12).is_ok(), "the pair's count started again");
        assert!(
            l.check(&keys("x", "10.0.0.1"), 12).is_ok(),
            "8 failures are under the address's limit"
        );
    }

    #[test]
    fn successes_never_count_however_many_at_once() {
        let mut l = LoginLimiter::default();
        for n in 0..(3 * ADDRESS_FAILURES) {
            let k = keys(&format!("person{}", n % 4), "10.0.0.7");
            assert!(l.check(&k, 100).is_ok(), "login {n}");
            l.record_success(&k);
        }
        for n in 0..ADDRESS_FAILURES {
            l.record_failure(&keys(&format!("guess{n}"), "10.0.0.7"), 100);
        }
        assert!(l.check(&keys("person0", "10.0.0.7"), 101).is_err());
    }

    #[test]
    fn failures_spread_over_many_addresses_meet_the_global_cap() {
        let mut l = LoginLimiter::default();
        for n in 0..GLOBAL_FAILURES {
            l.record_failure(&keys("admin", &format!("a{n}")), 500);
        }
        assert!(l.check(&keys("someone", "fresh"), 501).is_err());
        assert!(l
            .check(&keys("someone", "fresh"), 500 + WINDOW_SECS)
            .is_ok());
    }

    #[test]
    fn the_verdict_waits_for_the_oldest_failure_of_the_fullest_key() {
        let k = LimitKey::Address("x".into());
        assert_eq!(
            verdict(&[(k.clone(), ADDRESS_FAILURES, 10)], 20),
            Err(WINDOW_SECS - 10)
        );
        assert_eq!(verdict(&[(k, ADDRESS_FAILURES - 1, 10)], 20), Ok(()));
        assert_eq!(
            LimitKey::Pair("a".into(), "b".into()).storage_key(),
            "p:a@b"
        );
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
