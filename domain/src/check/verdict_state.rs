//! Flapping and verdict changes: which verdict of an item's live check
//! *counts*, given the runs so far.
//!
//! A pass or a warning counts at once. A failure (or an error: the check
//! could not be run) counts only after `fail_after` runs in a row gave that
//! same verdict, so one failed run on a flaky network does not mark a
//! signed-off item regressed. Until then the verdict that counted before
//! stays. Each time the counting verdict changes, the caller records one
//! ledger row ([`VerdictChange`]), never one per run.

use super::CheckStatus;
use serde::{Deserialize, Serialize};

/// Failing runs in a row before a failure counts, unless the runbook item or
/// the server's config says otherwise.
pub const DEFAULT_FAIL_AFTER: u32 = 2;

/// The ledger action of a verdict change; its actor is [`VERDICT_ACTOR`].
pub const ACTION_VERDICT: &str = crate::ledger_action::LedgerAction::CheckVerdict.as_str();

/// Who records verdict changes in the ledger: the server itself.
pub const VERDICT_ACTOR: &str = "shipshape";

/// Where an item's live check stands after its runs so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictState {
    /// The verdict that counts; `None` until one has (never run, or the
    /// first runs failed fewer than `fail_after` times).
    pub effective: Option<CheckStatus>,
    /// When the runs that made `effective` count began.
    pub effective_since: Option<String>,
    /// The newest run's verdict, and how many runs in a row gave it.
    pub streak_status: Option<CheckStatus>,
    pub streak: u32,
    /// When that streak began.
    pub streak_since: Option<String>,
}

/// The counting verdict changed: one ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictChange {
    pub from: Option<CheckStatus>,
    pub to: CheckStatus,
    /// When the runs that made `to` count began.
    pub since: String,
    /// How many runs in a row gave `to`.
    pub runs: u32,
}

/// What the ledger row's `details` hold (besides the evidence digest the
/// caller adds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictDetails {
    /// `not_run` when no verdict counted before.
    pub from: String,
    pub to: String,
    pub since: String,
    pub runs: u32,
    pub run_id: String,
    pub observed: String,
    /// SHA-256 (hex) of the evidence the run kept.
    pub evidence_sha256: String,
}

impl VerdictDetails {
    /// The verdict a `check_verdict` row's `details` say counts from then on.
    pub fn parse_to(details: &str) -> Option<CheckStatus> {
        serde_json::from_str::<VerdictDetails>(details)
            .ok()
            .and_then(|d| CheckStatus::parse(&d.to))
    }
}

/// The label of a possibly-absent verdict, as rows and pages show it.
pub fn status_label(s: Option<CheckStatus>) -> &'static str {
    s.map(CheckStatus::as_str).unwrap_or("not_run")
}

/// What a page says about an item's verdict beyond the newest run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerdictNote {
    /// The failure counts: since when, and for how many runs in a row.
    FailingSince { since: String, runs: u32 },
    /// The newest runs gave `status`, which does not count yet; `counted`
    /// still does.
    NotCountedYet {
        status: CheckStatus,
        runs: u32,
        counted: Option<CheckStatus>,
    },
}

impl VerdictState {
    /// The note a page shows beside the newest result, if any.
    pub fn note(&self) -> Option<VerdictNote> {
        if let Some((since, runs)) = self.failing() {
            return Some(VerdictNote::FailingSince {
                since: since.to_string(),
                runs,
            });
        }
        match self.streak_status {
            Some(s) if self.effective != Some(s) => Some(VerdictNote::NotCountedYet {
                status: s,
                runs: self.streak,
                counted: self.effective,
            }),
            _ => None,
        }
    }

    /// The state after one more run with verdict `raw` at `at`, and the
    /// change of the counting verdict if there is one. `fail_after` below 1
    /// is taken as 1.
    pub fn advance(
        &self,
        raw: CheckStatus,
        at: &str,
        fail_after: u32,
    ) -> (Self, Option<VerdictChange>) {
        let (streak, streak_since) = if self.streak_status == Some(raw) {
            (
                self.streak.saturating_add(1),
                self.streak_since.clone().unwrap_or_else(|| at.to_string()),
            )
        } else {
            (1, at.to_string())
        };
        let counts = match raw {
            CheckStatus::Pass | CheckStatus::Warn => true,
            CheckStatus::Fail | CheckStatus::Error => streak >= fail_after.max(1),
        };
        let changes = counts && self.effective != Some(raw);
        let next = VerdictState {
            effective: if counts { Some(raw) } else { self.effective },
            effective_since: if changes {
                Some(streak_since.clone())
            } else {
                self.effective_since.clone()
            },
            streak_status: Some(raw),
            streak,
            streak_since: Some(streak_since.clone()),
        };
        let change = changes.then_some(VerdictChange {
            from: self.effective,
            to: raw,
            since: streak_since,
            runs: streak,
        });
        (next, change)
    }

    /// Failing and counted: "failing since <time> (<n> runs)" on a page.
    pub fn failing(&self) -> Option<(&str, u32)> {
        if self.effective != Some(CheckStatus::Fail) {
            return None;
        }
        let since = self.effective_since.as_deref()?;
        let runs = if self.streak_status == Some(CheckStatus::Fail) {
            self.streak
        } else {
            0
        };
        Some((since, runs))
    }

    /// The newest run failed (or errored) but has not counted yet: how many
    /// runs in a row so far.
    pub fn pending_failure(&self, fail_after: u32) -> Option<u32> {
        match self.streak_status {
            Some(s @ (CheckStatus::Fail | CheckStatus::Error))
                if self.effective != Some(s) && self.streak < fail_after.max(1) =>
            {
                Some(self.streak)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckStatus::*;

    /// Runs the statuses through from nothing; returns the final state and
    /// every change as (from, to).
    fn run(statuses: &[CheckStatus], fail_after: u32) -> (VerdictState, Vec<(String, String)>) {
        let mut state = VerdictState::default();
        let mut changes = Vec::new();
        for (i, s) in statuses.iter().enumerate() {
            let (next, change) = state.advance(*s, &format!("t{i}"), fail_after);
            if let Some(c) = change {
                changes.push((status_label(c.from).to_string(), c.to.as_str().to_string()));
            }
            state = next;
        }
        (state, changes)
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn one_failed_run_does_not_count_two_do() {
        let (s, changes) = run(&[Pass, Fail, Pass], 2);
        assert_eq!(s.effective, Some(Pass));
        assert_eq!(changes, pairs(&[("not_run", "pass")]));
        let (s, changes) = run(&[Pass, Fail, Fail], 2);
        assert_eq!(s.effective, Some(Fail));
        assert_eq!(changes, pairs(&[("not_run", "pass"), ("pass", "fail")]));
        // "failing since" is the first failing run of the streak.
        assert_eq!(s.failing(), Some(("t1", 2)));
        let (s, _) = run(&[Pass, Fail, Fail, Fail], 2);
        assert_eq!(s.failing(), Some(("t1", 3)));
    }

    #[test]
    fn one_pass_recovers_and_changes_are_recorded_once() {
        let (s, changes) = run(&[Fail, Fail, Fail, Fail, Pass, Pass, Pass], 2);
        assert_eq!(s.effective, Some(Pass));
        assert_eq!(
            changes,
            pairs(&[("not_run", "fail"), ("fail", "pass")]),
            "once per change, never once per run"
        );
        assert_eq!(s.failing(), None);
    }

    #[test]
    fn fail_after_one_counts_at_once_and_larger_values_wait() {
        let (s, _) = run(&[Pass, Fail], 1);
        assert_eq!(s.effective, Some(Fail));
        let (s, _) = run(&[Pass, Fail, Fail], 3);
        assert_eq!(s.effective, Some(Pass));
        assert_eq!(s.pending_failure(3), Some(2));
        let (s, _) = run(&[Pass, Fail, Fail, Fail], 3);
        assert_eq!(s.effective, Some(Fail));
        assert_eq!(s.pending_failure(3), None);
        // 0 is taken as 1.
        let (s, _) = run(&[Fail], 0);
        assert_eq!(s.effective, Some(Fail));
    }

    #[test]
    fn errors_need_a_streak_too_and_do_not_break_a_counted_failure() {
        // A flaky network: one error between passes changes nothing.
        let (s, changes) = run(&[Pass, Error, Pass, Error, Pass], 2);
        assert_eq!(s.effective, Some(Pass));
        assert_eq!(changes, pairs(&[("not_run", "pass")]));
        // Two errors in a row count: anything → error is a change.
        let (s, changes) = run(&[Pass, Error, Error], 2);
        assert_eq!(s.effective, Some(Error));
        assert_eq!(changes, pairs(&[("not_run", "pass"), ("pass", "error")]));
        // A counted failure stays through one error run.
        let (s, changes) = run(&[Fail, Fail, Error, Fail], 2);
        assert_eq!(s.effective, Some(Fail));
        assert_eq!(changes, pairs(&[("not_run", "fail")]));
        assert_eq!(s.failing(), Some(("t0", 1)));
    }

    #[test]
    fn warnings_count_at_once_and_are_changes() {
        let (s, changes) = run(&[Pass, Warn, Warn, Pass], 2);
        assert_eq!(s.effective, Some(Pass));
        assert_eq!(
            changes,
            pairs(&[("not_run", "pass"), ("pass", "warn"), ("warn", "pass")])
        );
    }

    #[test]
    fn a_first_failure_waits_like_any_other() {
        let (s, changes) = run(&[Fail], 2);
        assert_eq!(s.effective, None);
        assert!(changes.is_empty());
        assert_eq!(s.pending_failure(2), Some(1));
    }

    #[test]
    fn notes_say_since_when_or_that_a_failure_does_not_count_yet() {
        let (s, _) = run(&[Pass, Fail, Fail, Fail], 2);
        assert_eq!(
            s.note(),
            Some(VerdictNote::FailingSince {
                since: "t1".into(),
                runs: 3
            })
        );
        let (s, _) = run(&[Pass, Fail], 2);
        assert_eq!(
            s.note(),
            Some(VerdictNote::NotCountedYet {
                status: Fail,
                runs: 1,
                counted: Some(Pass)
            })
        );
        let (s, _) = run(&[Pass, Pass], 2);
        assert_eq!(s.note(), None);
    }

    #[test]
    fn details_name_the_new_verdict() {
        let d = VerdictDetails {
            from: "pass".into(),
            to: "fail".into(),
            since: "t".into(),
            runs: 2,
            run_id: "1-t".into(),
            observed: "false".into(),
            evidence_sha256: "00".into(),
        };
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(VerdictDetails::parse_to(&json), Some(Fail));
        assert_eq!(VerdictDetails::parse_to("{}"), None);
    }
}
