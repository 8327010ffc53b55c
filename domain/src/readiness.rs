//! Readiness arithmetic: how far a cluster is through the runbook.
//!
//! Readiness = items signed done / applicable items, where applicable means
//! not marked not-applicable. Recurring Day-2 tasks are shown with their own
//! progress but do not count towards the overall score: they are never
//! "finished", and their health is a matter of due dates.

use crate::cluster::Cluster;
use crate::runbook::Runbook;
use crate::signoff::ItemStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u32,
    pub not_applicable: u32,
    pub total: u32,
}

impl Progress {
    pub fn record(&mut self, status: ItemStatus) {
        self.total += 1;
        match status {
            ItemStatus::Done => self.done += 1,
            ItemStatus::NotApplicable => self.not_applicable += 1,
            ItemStatus::Open => {}
        }
    }

    pub fn applicable(&self) -> u32 {
        self.total - self.not_applicable
    }

    pub fn open(&self) -> u32 {
        self.applicable() - self.done
    }

    /// Whole percent, rounded down so that 100% means every applicable item
    /// is done; `None` when nothing applies.
    pub fn percent(&self) -> Option<u32> {
        let applicable = self.applicable();
        (applicable > 0).then(|| self.done * 100 / applicable)
    }

    pub fn is_complete(&self) -> bool {
        self.open() == 0
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

/// One cluster and its readiness, as the home page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetEntry {
    pub cluster: Cluster,
    pub readiness: Readiness,
    /// Signed-off items whose newest live check fails.
    pub regressed: u32,
}

/// Readiness of one cluster, given each item's status.
pub fn readiness(runbook: &Runbook, status_of: impl Fn(&str) -> ItemStatus) -> Readiness {
    let mut overall = Progress::default();
    let sections = runbook
        .sections
        .iter()
        .map(|section| {
            let mut progress = Progress::default();
            for item in &section.items {
                let status = status_of(&item.id);
                progress.record(status);
                if !item.is_recurring() {
                    overall.record(status);
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

    #[test]
    fn progress_counts_done_over_applicable() {
        let mut p = Progress::default();
        p.record(ItemStatus::Done);
        p.record(ItemStatus::NotApplicable);
        p.record(ItemStatus::Open);
        assert_eq!((p.done, p.applicable(), p.open()), (1, 2, 1));
        assert_eq!(p.percent(), Some(50));
        assert_eq!(p.fraction_label(), "1/2");
    }

    #[test]
    fn percent_rounds_down_so_100_means_complete() {
        let p = Progress {
            done: 199,
            not_applicable: 0,
            total: 200,
        };
        assert_eq!(p.percent(), Some(99));
        assert!(!p.is_complete());
        let p = Progress {
            done: 1,
            not_applicable: 0,
            total: 3,
        };
        assert_eq!(p.percent(), Some(33));
    }

    #[test]
    fn nothing_applicable_has_no_percent() {
        let p = Progress {
            done: 0,
            not_applicable: 2,
            total: 2,
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
        let r = readiness(&rb, |id| match id {
            "a" => ItemStatus::Done,
            "b" => ItemStatus::NotApplicable,
            "weekly" => ItemStatus::Done,
            _ => ItemStatus::Open,
        });
        assert_eq!(
            r.overall,
            Progress {
                done: 1,
                not_applicable: 1,
                total: 3
            }
        );
        assert_eq!(r.overall.percent(), Some(50));
        assert_eq!(r.sections.len(), 2);
        assert!(!r.sections[0].recurring);
        assert!(r.sections[1].recurring);
        assert_eq!(r.sections[1].progress.done, 1);
    }
}
