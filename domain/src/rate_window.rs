//! A small keyed rate limit: at most `limit` events per key within a
//! sliding window, for anonymous entry points that cost the server
//! something (starting a single sign-on login stores its state). Memory is
//! bounded: at most `max_keys` keys, the stalest dropped first.

use std::collections::{HashMap, VecDeque};

#[derive(Debug)]
pub struct RateWindow {
    limit: usize,
    window_secs: i64,
    max_keys: usize,
    events: HashMap<String, VecDeque<i64>>,
}

impl RateWindow {
    pub fn new(limit: usize, window_secs: i64, max_keys: usize) -> RateWindow {
        RateWindow {
            limit: limit.max(1),
            window_secs: window_secs.max(1),
            max_keys: max_keys.max(1),
            events: HashMap::new(),
        }
    }

    /// Counts an event for `key` at `now` (unix seconds) if it is within
    /// the limit; else `Err(seconds until one ages out)` and nothing counts.
    pub fn take(&mut self, key: &str, now: i64) -> Result<(), i64> {
        let window = self.window_secs;
        if !self.events.contains_key(key) && self.events.len() >= self.max_keys {
            self.events
                .retain(|_, t| t.back().is_some_and(|last| *last > now - window));
            if self.events.len() >= self.max_keys {
                if let Some(stalest) = self
                    .events
                    .iter()
                    .min_by_key(|(_, t)| t.back().copied().unwrap_or(i64::MIN))
                    .map(|(k, _)| k.clone())
                {
                    self.events.remove(&stalest);
                }
            }
        }
        let times = self.events.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| *t <= now - window) {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + window - now).max(1));
        }
        times.push_back(now);
        Ok(())
    }

    pub fn tracked(&self) -> usize {
        self.events.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window_and_others_are_untouched() {
        let mut w = RateWindow::new(3, 60, 100);
        for t in 0..3 {
            assert!(w.take("a", 100 + t).is_ok());
        }
        assert_eq!(w.take("a", 103), Err(57));
        assert!(w.take("b", 103).is_ok());
        assert!(w.take("a", 160).is_ok(), "the first event aged out");
    }

    #[test]
    fn memory_stays_bounded() {
        let mut w = RateWindow::new(1, 60, 50);
        for n in 0..500 {
            let _ = w.take(&format!("k{n}"), 10);
        }
        assert!(w.tracked() <= 50);
    }
}
