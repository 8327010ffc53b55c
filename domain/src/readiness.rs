//! Readiness arithmetic: how far a cluster is through the runbook.
//!
//! **Score** = items done (signed off, within their validity period, newest
//! check not failing) / applicable items, where applicable means neither
//! marked not applicable nor covered by an approved waiver. Each item's
//! standing comes from [`crate::standing::assess`]. Recurring Day-2 tasks are
//! shown with their own progress but do not count towards the overall score:
//! they are never "finished", and their health is a matter of due dates.

use crate::cluster::Cluster;
use crate::runbook::{Item, Runbook};
use crate::standing::{Assessment, Standing};
use serde::{Deserialize, Serialize};

/// Counts of items by standing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u32,
    pub not_applicable: u32,
    pub total: u32,
    #[serde(default)]
    pub waived: u32,
    /// Signed off, but the newest live check fails.
    #[serde(default)]
    pub regressed: u32,
    /// Signed off longer ago than the item's validity period.
    #[serde(default)]
    pub expired: u32,
    /// Done or waived, and stop counting within two weeks.
    #[serde(default)]
    pub expiring_soon: u32,
}

impl Progress {
    pub fn record(&mut self, a: &Assessment) {
        self.total += 1;
        match a.standing {
            Standing::Done => self.done += 1,
            Standing::NotApplicable => self.not_applicable += 1,
            Standing::Waived => self.waived += 1,
            Standing::Regressed => self.regressed += 1,
            Standing::Expired => self.expired += 1,
            Standing::Open => {}
        }
        if a.expiring_soon {
            self.expiring_soon += 1;
        }
    }

    /// Items the score is over: all but those not applicable or waived.
    pub fn applicable(&self) -> u32 {
        self.total - self.not_applicable - self.waived
    }

    /// Applicable items not done: open, regressed or expired.
    pub fn outstanding(&self) -> u32 {
        self.applicable() - self.done
    }

    /// Items never signed off (or revoked): outstanding, minus the regressed
    /// and expired ones.
    pub fn open(&self) -> u32 {
        self.outstanding() - self.regressed - self.expired
    }

    /// Whole percent, rounded down so that 100% means every applicable item
    /// is done; `None` when nothing applies.
    pub fn percent(&self) -> Option<u32> {
        let applicable = self.applicable();
        (applicable > 0).then(|| self.done * 100 / applicable)
    }

    pub fn is_complete(&self) -> bool {
        self.outstanding() == 0
    }

    /// "12/20" or "—" when nothing applies.
    pub fn fraction_label(&self) -> String {
        if self.applicable() == 0 {
            "—".to_string()
        } else {
            format!("{}/{}", self.done, self.applicable())
        }
    }

    pub fn percent_label(&self) -> String {
        self.percent()
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "n/a".to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionReadiness {
    pub id: String,
    pub title: String,
    /// All of the section's items are recurring tasks.
    pub recurring: bool,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub overall: Progress,
    pub sections: Vec<SectionReadiness>,
}

/// One cluster and its readiness, as the fleet view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetEntry {
    pub cluster: Cluster,
    pub readiness: Readiness,
    /// Signed-off items whose newest live check fails.
    pub regressed: u32,
    /// Day-2 tasks past their grace period.
    #[serde(default)]
    pub overdue_tasks: u32,
    /// Waiver requests waiting for a manager.
    #[serde(default)]
    pub pending_waivers: u32,
}

/// Worst first: lowest score (clusters with nothing applicable last), then
/// most regressed, most overdue, then by name.
pub fn sort_worst_first(entries: &mut [FleetEntry]) {
    entries.sort_by(|a, b| {
        let score = |e: &FleetEntry| e.readiness.overall.percent().unwrap_or(u32::MAX);
        score(a)
            .cmp(&score(b))
            .then(b.regressed.cmp(&a.regressed))
            .then(b.overdue_tasks.cmp(&a.overdue_tasks))
            .then(
                a.cluster
                    .name
                    .to_lowercase()
                    .cmp(&b.cluster.name.to_lowercase()),
            )
    });
}

impl Readiness {
    /// The scored sections furthest from done (lowest share first, at most
    /// `n`, complete ones left out): what a phone's fleet card names.
    pub fn worst_sections(&self, n: usize) -> Vec<&SectionReadiness> {
        let mut open: Vec<&SectionReadiness> = self
            .sections
            .iter()
            .filter(|s| !s.recurring && s.progress.percent().is_some_and(|p| p < 100))
            .collect();
        open.sort_by_key(|s| s.progress.percent().unwrap_or(100));
        open.truncate(n);
        open
    }
}

/// Readiness of one cluster, given each item's assessment.
pub fn readiness(runbook: &Runbook, assess: impl Fn(&Item) -> Assessment) -> Readiness {
    let mut overall = Progress::default();
    let sections = runbook
        .sections
        .iter()
        .map(|section| {
            let mut progress = Progress::default();
            for item in &section.items {
                let a = assess(item);
                progress.record(&a);
                if !item.is_recurring() {
                    overall.record(&a);
                }
            }
            SectionReadiness {
                id: section.id.clone(),
                title: section.title.clone(),
                recurring: section.items.iter().all(|i| i.is_recurring()),
                progress,
            }
        })
        .collect();
    Readiness { overall, sections }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::parse_runbook;
    use crate::standing::{Assessment, Standing};

    const RB: &str = r#"
id = "t"
title = "T"
[[section]]
id = "s1"
title = "S1"
[[section.item]]
id = "a"
title = "A"
kind = "checklist"
why = "w"
source = "s"
[[section.item]]
id = "b"
title = "B"
kind = "checklist"
why = "w"
source = "s"
[[section.item]]
id = "c"
title = "C"
kind = "checklist"
why = "w"
source = "s"
[[section]]
id = "ops"
title = "Ops"
[[section.item]]
id = "weekly"
title = "W"
kind = "day2"
cadence = "weekly"
why = "w"
source = "s"
"#;

    fn a(standing: Standing) -> Assessment {
        Assessment {
            standing,
            signoff_expires_at: None,
            expiring_soon: false,
        }
    }

    #[test]
    fn progress_counts_done_over_applicable() {
        let mut p = Progress::default();
        p.record(&a(Standing::Done));
        p.record(&a(Standing::NotApplicable));
        p.record(&a(Standing::Open));
        assert_eq!((p.done, p.applicable(), p.open()), (1, 2, 1));
        assert_eq!(p.percent(), Some(50));
        assert_eq!(p.fraction_label(), "1/2");
    }

    #[test]
    fn waived_items_leave_the_score_and_regressed_or_expired_ones_count_against_it() {
        let mut p = Progress::default();
        for s in [
            Standing::Done,
            Standing::Waived,
            Standing::Regressed,
            Standing::Expired,
            Standing::Open,
        ] {
            p.record(&a(s));
        }
        p.record(&Assessment {
            expiring_soon: true,
            ..a(Standing::Done)
        });
        assert_eq!(p.total, 6);
        assert_eq!(p.applicable(), 5, "the waived item is out");
        assert_eq!(p.done, 2);
        assert_eq!((p.outstanding(), p.open()), (3, 1));
        assert_eq!((p.regressed, p.expired, p.waived), (1, 1, 1));
        assert_eq!(p.expiring_soon, 1);
        assert_eq!(p.percent(), Some(40));
        assert!(!p.is_complete());
    }

    #[test]
    fn worst_sections_are_the_least_done_scored_ones() {
        let section = |id: &str, done: u32, total: u32, recurring: bool| SectionReadiness {
            id: id.into(),
            title: id.into(),
            recurring,
            progress: Progress {
                done,
                total,
                ..Progress::default()
            },
        };
        let r = Readiness {
            overall: Progress::default(),
            sections: vec![
                section("half", 1, 2, false),
                section("full", 2, 2, false),
                section("none", 0, 3, false),
                section("day2", 0, 5, true),
                section("empty", 0, 0, false),
                section("most", 3, 4, false),
            ],
        };
        let ids: Vec<&str> = r.worst_sections(2).iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["none", "half"]);
        assert_eq!(r.worst_sections(9).len(), 3);
    }

    fn entry(name: &str, done: u32, total: u32, regressed: u32) -> FleetEntry {
        FleetEntry {
            cluster: crate::cluster::Cluster {
                id: crate::ids::ClusterId::new(1),
                name: name.into(),
                environment: "prod".into(),
                coordinator_url: "https://x".into(),
                notes: String::new(),
                connection: Default::default(),
                created_at: "2026-12-01T00:00:00.000000Z".into(),
                updated_at: "2026-12-01T00:00:00.000000Z".into(),
                archived_at: None,
                checks_reset_at: None,
                checks_reset_reason: None,
            },
            readiness: Readiness {
                overall: Progress {
                    done,
                    total,
                    ..Progress::default()
                },
                sections: vec![],
            },
            regressed,
            overdue_tasks: 0,
            pending_waivers: 0,
        }
    }

    #[test]
    fn the_fleet_sorts_worst_first() {
        let mut v = vec![
            entry("b", 5, 10, 0),
            entry("empty", 0, 0, 0),
            entry("a", 5, 10, 2),
            entry("c", 1, 10, 0),
            entry("d", 10, 10, 0),
        ];
        sort_worst_first(&mut v);
        let names: Vec<_> = v.iter().map(|e| e.cluster.name.as_str()).collect();
        assert_eq!(names, ["c", "a", "b", "d", "empty"]);
    }

    #[test]
    fn percent_rounds_down_so_100_means_complete() {
        let p = Progress {
            done: 199,
            not_applicable: 0,
            total: 200,
            ..Progress::default()
        };
        assert_eq!(p.percent(), Some(99));
        assert!(!p.is_complete());
        let p = Progress {
            done: 1,
            not_applicable: 0,
            total: 3,
            ..Progress::default()
        };
        assert_eq!(p.percent(), Some(33));
    }

    #[test]
    fn nothing_applicable_has_no_percent() {
        let p = Progress {
            done: 0,
            not_applicable: 2,
            total: 2,
            ..Progress::default()
        };
        assert_eq!(p.percent(), None);
        assert_eq!(p.percent_label(), "n/a");
        assert_eq!(p.fraction_label(), "—");
        assert!(p.is_complete());
        assert_eq!(Progress::default().percent(), None);
    }

    #[test]
    fn recurring_tasks_are_shown_but_not_scored() {
        let rb = parse_runbook("t.toml", RB).unwrap();
        let r = readiness(&rb, |item| match item.id.as_str() {
            "a" => a(Standing::Done),
            "b" => a(Standing::NotApplicable),
            "weekly" => a(Standing::Done),
            _ => a(Standing::Open),
        });
        assert_eq!(
            r.overall,
            Progress {
                done: 1,
                not_applicable: 1,
                total: 3,
                ..Progress::default()
            }
        );
        assert_eq!(r.overall.percent(), Some(50));
        assert_eq!(r.sections.len(), 2);
        assert!(!r.sections[0].recurring);
        assert!(r.sections[1].recurring);
        assert_eq!(r.sections[1].progress.done, 1);
    }
}
