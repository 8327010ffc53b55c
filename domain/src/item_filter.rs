//! The cluster page's filter bar: which items each filter shows, and how
//! many. The page renders these answers; it does not decide them.

use crate::check::CheckStatus;
use crate::checklist::{check_failing, Checklist, ChecklistItem, ChecklistSection};
use crate::standing::Standing;

/// One button of the filter bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemFilter {
    All,
    /// Not counting yet: never signed off, revoked, or its sign-off expired.
    /// Day-2 tasks are not here: they are not scored, so "Open" counts the
    /// same items as the score's outstanding ones.
    Open,
    /// Its live check's counting verdict fails, a sign-off regressed, or
    /// the newest check could not run (an error is not drift, yet someone
    /// has to look).
    Failing,
    /// Counts today and stops counting within two weeks.
    Expiring,
    NotApplicable,
    Waived,
    /// Day-2 tasks that are due or overdue.
    Day2Due,
}

impl ItemFilter {
    /// In the order the bar shows them.
    pub const EVERY: [ItemFilter; 7] = [
        ItemFilter::All,
        ItemFilter::Open,
        ItemFilter::Failing,
        ItemFilter::Expiring,
        ItemFilter::NotApplicable,
        ItemFilter::Waived,
        ItemFilter::Day2Due,
    ];

    /// The value in the page's query string (`?filter=…`).
    pub fn key(self) -> &'static str {
        match self {
            ItemFilter::All => "all",
            ItemFilter::Open => "open",
            ItemFilter::Failing => "failing",
            ItemFilter::Expiring => "expiring",
            ItemFilter::NotApplicable => "not_applicable",
            ItemFilter::Waived => "waived",
            ItemFilter::Day2Due => "day2_due",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemFilter::All => "All",
            ItemFilter::Open => "Open",
            ItemFilter::Failing => "Failing or erroring",
            ItemFilter::Expiring => "Expiring soon",
            ItemFilter::NotApplicable => "Not applicable",
            ItemFilter::Waived => "Waived",
            ItemFilter::Day2Due => "Day-2 due",
        }
    }

    /// Reads the query value; anything unknown or missing shows everything,
    /// so an old or mistyped link still opens the page.
    pub fn from_key(key: Option<&str>) -> ItemFilter {
        ItemFilter::EVERY
            .into_iter()
            .find(|f| Some(f.key()) == key)
            .unwrap_or(ItemFilter::All)
    }

    pub fn matches(self, item: &ChecklistItem) -> bool {
        match self {
            ItemFilter::All => true,
            ItemFilter::Open => {
                item.cadence.is_none()
                    && matches!(item.standing, Standing::Open | Standing::Expired)
            }
            ItemFilter::Failing => {
                item.regressed
                    || item.standing == Standing::Regressed
                    || check_failing(item.verdict.as_ref())
                    || item
                        .check
                        .as_ref()
                        .is_some_and(|c| c.status == CheckStatus::Error)
            }
            ItemFilter::Expiring => item.expiring_soon,
            ItemFilter::NotApplicable => item.standing == Standing::NotApplicable,
            ItemFilter::Waived => item.standing == Standing::Waived,
            ItemFilter::Day2Due => item
                .task
                .as_ref()
                .is_some_and(|t| t.state != crate::day2::TaskState::Upcoming),
        }
    }

    /// The filters an item shows under, for a page that switches filters
    /// without asking the server again.
    pub fn all_matching(item: &ChecklistItem) -> Vec<ItemFilter> {
        ItemFilter::EVERY
            .into_iter()
            .filter(|f| f.matches(item))
            .collect()
    }

    /// The filters under which a section has at least one item to show.
    pub fn section_matching(section: &ChecklistSection) -> Vec<ItemFilter> {
        ItemFilter::EVERY
            .into_iter()
            .filter(|f| section.items.iter().any(|i| f.matches(i)))
            .collect()
    }
}

/// How many of the checklist's items each filter shows, in bar order.
pub fn filter_counts(checklist: &Checklist) -> Vec<(ItemFilter, usize)> {
    let items: Vec<&ChecklistItem> = checklist
        .sections
        .iter()
        .flat_map(|s| s.items.iter())
        .collect();
    ItemFilter::EVERY
        .into_iter()
        .map(|f| (f, items.iter().filter(|i| f.matches(i)).count()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckResult, VerdictState};
    use crate::readiness::Progress;
    use crate::signoff::ItemStatus;

    fn item(id: &str, standing: Standing) -> ChecklistItem {
        ChecklistItem {
            id: id.into(),
            title: id.into(),
            cadence: None,
            config: None,
            why: String::new(),
            verify: vec![],
            correction: None,
            source: String::new(),
            status: match standing {
                Standing::Open => ItemStatus::Open,
                Standing::NotApplicable => ItemStatus::NotApplicable,
                _ => ItemStatus::Done,
            },
            by: None,
            at: None,
            note: None,
            automated: false,
            check: None,
            verdict: None,
            regressed: false,
            standing,
            valid_for_days: None,
            expires_at: None,
            expiring_soon: false,
            waiver: None,
            task: None,
        }
    }

    fn failing_verdict() -> VerdictState {
        VerdictState {
            effective: Some(CheckStatus::Fail),
            effective_since: Some("2026-12-01T00:00:00Z".into()),
            streak_status: Some(CheckStatus::Fail),
            streak: 2,
            streak_since: Some("2026-12-01T00:00:00Z".into()),
        }
    }

    fn checklist(items: Vec<ChecklistItem>) -> Checklist {
        Checklist {
            runbook_id: "r".into(),
            runbook_title: "R".into(),
            overall: Progress::default(),
            regressed: 0,
            sections: vec![ChecklistSection {
                id: "s".into(),
                title: "S".into(),
                summary: None,
                recurring: false,
                progress: Progress::default(),
                items,
            }],
            retired: vec![],
        }
    }

    #[test]
    fn unknown_or_missing_keys_show_everything() {
        assert_eq!(ItemFilter::from_key(None), ItemFilter::All);
        assert_eq!(ItemFilter::from_key(Some("bogus")), ItemFilter::All);
        for f in ItemFilter::EVERY {
            assert_eq!(ItemFilter::from_key(Some(f.key())), f);
        }
    }

    #[test]
    fn each_filter_picks_its_items() {
        let open = item("open", Standing::Open);
        let expired = item("expired", Standing::Expired);
        let done = item("done", Standing::Done);
        let regressed = Standing::Regressed;
        let mut drifted = item("drifted", regressed);
        drifted.regressed = true;
        // Never signed off, yet its check fails: failing, and still open.
        let mut failing_open = item("failing-open", Standing::Open);
        failing_open.verdict = Some(failing_verdict());
        let na = item("na", Standing::NotApplicable);
        let waived = item("waived", Standing::Waived);
        let mut expiring = item("expiring", Standing::Done);
        expiring.expiring_soon = true;
        // The cluster could not be reached: an error, listed with failures.
        let mut erroring = item("erroring", Standing::Done);
        erroring.check = Some(CheckResult {
            item_id: "erroring".into(),
            status: CheckStatus::Error,
            reason: "connection refused".into(),
            observed: String::new(),
            evidence: String::new(),
            duration_ms: 1,
            at: "2026-12-01T00:00:00Z".into(),
        });
        // A Day-2 task never done is not "open" (it is not scored); when
        // due it shows under "Day-2 due".
        let mut task = item("task", Standing::Open);
        task.cadence = Some(crate::runbook::Cadence::Weekly);
        task.task = Some(crate::checklist::ItemTask {
            state: crate::day2::TaskState::Overdue,
            due: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
            last_by: None,
            last_at: None,
            last_outcome: None,
        });
        let all = [
            open,
            expired,
            done,
            drifted,
            failing_open,
            na,
            waived,
            expiring,
            erroring,
            task,
        ];
        let ids = |f: ItemFilter| -> Vec<&str> {
            all.iter()
                .filter(|i| f.matches(i))
                .map(|i| i.id.as_str())
                .collect()
        };
        assert_eq!(ids(ItemFilter::All).len(), 10);
        assert_eq!(ids(ItemFilter::Open), ["open", "expired", "failing-open"]);
        assert_eq!(
            ids(ItemFilter::Failing),
            ["drifted", "failing-open", "erroring"]
        );
        assert_eq!(ids(ItemFilter::Day2Due), ["task"]);
        assert_eq!(ids(ItemFilter::Expiring), ["expiring"]);
        assert_eq!(ids(ItemFilter::NotApplicable), ["na"]);
        assert_eq!(ids(ItemFilter::Waived), ["waived"]);
    }

    #[test]
    fn a_warning_or_a_failure_not_counted_yet_is_not_failing() {
        let mut once = item("once", Standing::Done);
        once.verdict = Some(VerdictState {
            effective: Some(CheckStatus::Pass),
            effective_since: None,
            streak_status: Some(CheckStatus::Fail),
            streak: 1,
            streak_since: None,
        });
        assert!(!ItemFilter::Failing.matches(&once));
        let mut warn = item("warn", Standing::Done);
        warn.verdict = Some(VerdictState {
            effective: Some(CheckStatus::Warn),
            effective_since: None,
            streak_status: Some(CheckStatus::Warn),
            streak: 3,
            streak_since: None,
        });
        assert!(!ItemFilter::Failing.matches(&warn));
    }

    #[test]
    fn counts_follow_the_bar_order_and_sections_know_their_filters() {
        let mut na = item("na", Standing::NotApplicable);
        na.expiring_soon = false;
        let list = checklist(vec![
            item("a", Standing::Open),
            na,
            item("b", Standing::Done),
        ]);
        let counts = filter_counts(&list);
        assert_eq!(
            counts,
            vec![
                (ItemFilter::All, 3),
                (ItemFilter::Open, 1),
                (ItemFilter::Failing, 0),
                (ItemFilter::Expiring, 0),
                (ItemFilter::NotApplicable, 1),
                (ItemFilter::Waived, 0),
                (ItemFilter::Day2Due, 0),
            ]
        );
        assert_eq!(
            ItemFilter::section_matching(&list.sections[0]),
            vec![ItemFilter::All, ItemFilter::Open, ItemFilter::NotApplicable]
        );
    }
}
