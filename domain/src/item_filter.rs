//! The cluster page's filter bar: which items each filter shows, and how
//! many. The page renders these answers; it does not decide them.

use crate::checklist::{check_failing, Checklist, ChecklistItem, ChecklistSection};
use crate::standing::Standing;

/// One button of the filter bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemFilter {
    All,
    /// Not counting yet: never signed off, revoked, or its sign-off expired.
    Open,
    /// Its live check's counting verdict fails, or a sign-off regressed.
    Failing,
    /// Counts today and stops counting within two weeks.
    Expiring,
    NotApplicable,
    Waived,
}

impl ItemFilter {
    /// In the order the bar shows them.
    pub const EVERY: [ItemFilter; 6] = [
        ItemFilter::All,
        ItemFilter::Open,
        ItemFilter::Failing,
        ItemFilter::Expiring,
        ItemFilter::NotApplicable,
        ItemFilter::Waived,
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
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemFilter::All => "All",
            ItemFilter::Open => "Open",
            ItemFilter::Failing => "Failing or regressed",
            ItemFilter::Expiring => "Expiring soon",
            ItemFilter::NotApplicable => "Not applicable",
            ItemFilter::Waived => "Waived",
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
            ItemFilter::Open => matches!(item.standing, Standing::Open | Standing::Expired),
            ItemFilter::Failing => {
                item.regressed
                    || item.standing == Standing::Regressed
                    || check_failing(item.verdict.as_ref())
            }
            ItemFilter::Expiring => item.expiring_soon,
            ItemFilter::NotApplicable => item.standing == Standing::NotApplicable,
            ItemFilter::Waived => item.standing == Standing::Waived,
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
    use crate::check::{CheckStatus, VerdictState};
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
        let all = [
            open,
            expired,
            done,
            drifted,
            failing_open,
            na,
            waived,
            expiring,
        ];
        let ids = |f: ItemFilter| -> Vec<&str> {
            all.iter()
                .filter(|i| f.matches(i))
                .map(|i| i.id.as_str())
                .collect()
        };
        assert_eq!(ids(ItemFilter::All).len(), 8);
        assert_eq!(ids(ItemFilter::Open), ["open", "expired", "failing-open"]);
        assert_eq!(ids(ItemFilter::Failing), ["drifted", "failing-open"]);
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
            ]
        );
        assert_eq!(
            ItemFilter::section_matching(&list.sections[0]),
            vec![ItemFilter::All, ItemFilter::Open, ItemFilter::NotApplicable]
        );
    }
}
