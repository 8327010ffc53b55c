//! Whether the live checks could reach a cluster at all. When every check
//! that ran last ended in an error, the page says so once, at the top
//! ("Cannot reach the cluster: connection refused, since …"), instead of
//! leaving a person to read the same error on every item.

use crate::check::CheckStatus;
use crate::checklist::Checklist;

/// Every check's newest run ended in an error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unreachable {
    /// The most common error among them (the first in runbook order on a tie).
    pub reason: String,
    /// When the errors began: the earliest start of the erroring streaks,
    /// else the oldest erroring run.
    pub since: String,
    /// How many checks errored.
    pub checks: usize,
}

/// `Some` when at least one live check ran and every newest live result is
/// an error. Results a pushed configuration decided (items without a live
/// check) never reach the cluster, so they do not count either way.
pub fn unreachable(checklist: &Checklist) -> Option<Unreachable> {
    let ran: Vec<_> = checklist
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| i.automated)
        .filter_map(|i| i.check.as_ref().map(|c| (i, c)))
        .collect();
    if ran.is_empty() || ran.iter().any(|(_, c)| c.status != CheckStatus::Error) {
        return None;
    }
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for (_, c) in &ran {
        match reasons.iter_mut().find(|(r, _)| *r == c.reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((&c.reason, 1)),
        }
    }
    let top = reasons.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let reason = reasons
        .iter()
        .find(|(_, n)| *n == top)
        .map(|(r, _)| r.to_string())
        .unwrap_or_default();
    let since = ran
        .iter()
        .map(|(i, c)| {
            i.verdict
                .as_ref()
                .filter(|v| v.streak_status == Some(CheckStatus::Error))
                .and_then(|v| v.streak_since.clone())
                .unwrap_or_else(|| c.at.clone())
        })
        .min()
        .unwrap_or_default();
    Some(Unreachable {
        reason,
        since,
        checks: ran.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckResult, VerdictState};
    use crate::runbook::builtin_runbook;
    use std::collections::HashMap;

    fn result(item: &str, status: CheckStatus, reason: &str, at: &str) -> CheckResult {
        CheckResult {
            item_id: item.into(),
            status,
            reason: reason.into(),
            observed: String::new(),
            evidence: String::new(),
            duration_ms: 1,
            at: at.into(),
        }
    }

    fn list(checks: Vec<CheckResult>, verdicts: HashMap<String, VerdictState>) -> Checklist {
        let rb = builtin_runbook().expect("the built-in runbook parses");
        let checks = checks
            .into_iter()
            .map(|c| (c.item_id.to_string(), c))
            .collect();
        crate::checklist::build_checklist(
            &rb,
            &HashMap::new(),
            &HashMap::new(),
            &checks,
            &verdicts,
            crate::standing::Moment {
                now: chrono::DateTime::UNIX_EPOCH,
                today: chrono::NaiveDate::MIN,
            },
        )
    }

    #[test]
    fn every_check_erroring_is_one_banner_with_the_start_of_the_errors() {
        let refused = "connection refused";
        let mut verdicts = HashMap::new();
        verdicts.insert(
            "spill".to_string(),
            VerdictState {
                effective: None,
                effective_since: None,
                streak_status: Some(CheckStatus::Error),
                streak: 4,
                streak_since: Some("2026-12-01T08:00:00Z".into()),
            },
        );
        let l = list(
            vec![
                result("spill", CheckStatus::Error, refused, "2026-12-07T08:00:00Z"),
                result("tls", CheckStatus::Error, refused, "2026-12-07T08:00:00Z"),
                result(
                    "jvm",
                    CheckStatus::Error,
                    "timed out",
                    "2026-12-07T08:00:00Z",
                ),
                // Decided by a pushed configuration: not a live check, so
                // it neither reaches the cluster nor hides that nothing did.
                result(
                    "s3-connections",
                    CheckStatus::Pass,
                    "from the pushed configuration",
                    "2026-12-07T08:00:00Z",
                ),
            ],
            verdicts,
        );
        let u = unreachable(&l).expect("every check erred");
        assert_eq!(u.reason, refused);
        assert_eq!(u.since, "2026-12-01T08:00:00Z");
        assert_eq!(u.checks, 3);
    }

    #[test]
    fn one_answer_or_no_run_is_not_unreachable() {
        assert_eq!(unreachable(&list(vec![], HashMap::new())), None);
        let l = list(
            vec![
                result("spill", CheckStatus::Error, "x", "2026-12-07T08:00:00Z"),
                result("tls", CheckStatus::Fail, "y", "2026-12-07T08:00:00Z"),
            ],
            HashMap::new(),
        );
        assert_eq!(unreachable(&l), None);
    }
}
