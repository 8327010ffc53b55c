//! What one item's line says, on the checklist and in the printable report
//! alike: one state (never two that contradict each other) and who did the
//! last thing to it, in words that say what happened.
//!
//! - A Day-2 task shows its schedule: "Done until 2026-12-14", "Due
//!   2026-12-08", "Overdue since 2026-12-01", and who last did it.
//! - A waived item shows "Waived" alone, not "Open" beside it.
//! - A revoked sign-off says "revoked by sam on 2026-12-01", never "sam"
//!   as if sam had signed it.

use crate::checklist::ChecklistItem;
use crate::day2::TaskState;
use crate::signoff::ItemStatus;
use crate::standing::Standing;
use crate::time::Timestamp;

/// The state and the last action of one item, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLine {
    /// A CSS-friendly key: a standing (`done`, `waived`, …) or a task state
    /// (`task-upcoming`, `task-due`, `task-overdue`).
    pub key: String,
    /// The one state shown: "Done", "Waived", "Due 2026-12-08", …
    pub state: String,
    /// Who did the last thing and when: "sam · 2026-12-01", "revoked by
    /// sam · 2026-12-01", "last done by sam · 2026-12-01", "not signed off".
    pub last: String,
    /// The same as a sentence for the item's details, when there is one:
    /// "Revoked by sam on 2026-12-01 10:00 UTC".
    pub who: Option<Who>,
}

/// Who did the newest thing to an item, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// "Signed off", "Revoked", "Not applicable", "Last done".
    pub what: &'static str,
    pub by: String,
    pub at: Timestamp,
}

/// The line of one item.
pub fn item_line(item: &ChecklistItem) -> ItemLine {
    if let Some(task) = &item.task {
        let (key, state) = match task.state {
            TaskState::Upcoming if task.last_at.is_some() => {
                ("task-upcoming", format!("Done until {}", task.due))
            }
            TaskState::Upcoming => ("task-upcoming", format!("Next due {}", task.due)),
            TaskState::Due => ("task-due", format!("Due {}", task.due)),
            TaskState::Overdue => ("task-overdue", format!("Overdue since {}", task.due)),
        };
        let who = match (&task.last_by, &task.last_at) {
            (Some(by), Some(at)) => Some(Who {
                what: "Last done",
                by: by.clone(),
                at: *at,
            }),
            _ => None,
        };
        let last = who
            .as_ref()
            .map(|w| format!("last done by {} · {}", w.by, w.at.date_text()))
            .unwrap_or_else(|| "never done".to_string());
        return ItemLine {
            key: key.to_string(),
            state,
            last,
            who,
        };
    }
    let who = match (&item.by, &item.at) {
        (Some(by), Some(at)) => Some(Who {
            what: match item.status {
                ItemStatus::Open => "Revoked",
                ItemStatus::Done => "Signed off",
                ItemStatus::NotApplicable => "Not applicable",
            },
            by: by.clone(),
            at: *at,
        }),
        _ => None,
    };
    let last = match &who {
        Some(w) if item.status == ItemStatus::Open => {
            format!("revoked by {} · {}", w.by, w.at.date_text())
        }
        Some(w) => format!("{} · {}", w.by, w.at.date_text()),
        None if item.standing == Standing::Waived => "waived, not signed off".to_string(),
        None => "not signed off".to_string(),
    };
    ItemLine {
        key: item.standing.as_str().to_string(),
        state: item.standing.label().to_string(),
        last,
        who,
    }
}

/// How long the item's sign-off counts, for an item with a validity
/// period: "until 2026-12-14", or "expired 2026-12-14" once it stopped.
pub fn validity(item: &ChecklistItem) -> Option<String> {
    item.expires_at.map(|e| {
        let day = e.date_text();
        if item.standing == Standing::Expired {
            format!("expired {day}")
        } else {
            format!("until {day}")
        }
    })
}

/// What a section's heading and the section index say beside its title:
/// "12/20" for a scored section; for Day-2 tasks, which are not scored,
/// how many are overdue or due ("Day-2: 1 overdue, 2 due", "Day-2: none
/// due").
pub fn section_label(section: &crate::checklist::ChecklistSection) -> String {
    if !section.recurring {
        return section.progress.fraction_label();
    }
    let count = |state| {
        section
            .items
            .iter()
            .filter(|i| i.task.as_ref().is_some_and(|t| t.state == state))
            .count()
    };
    let parts: Vec<String> = [(TaskState::Overdue, "overdue"), (TaskState::Due, "due")]
        .into_iter()
        .filter_map(|(state, word)| {
            let n = count(state);
            (n > 0).then(|| format!("{n} {word}"))
        })
        .collect();
    if parts.is_empty() {
        "Day-2: none due".to_string()
    } else {
        format!("Day-2: {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::ItemTask;
    use crate::runbook::builtin_runbook;
    use chrono::NaiveDate;

    fn any_item(standing: Standing, status: ItemStatus) -> ChecklistItem {
        let rb = builtin_runbook().expect("the built-in runbook parses");
        let list = crate::checklist::build_checklist(
            &rb,
            &Default::default(),
            &Default::default(),
            &Default::default(),
            &Default::default(),
            crate::standing::Moment {
                now: chrono::DateTime::UNIX_EPOCH,
                today: NaiveDate::MIN,
            },
        );
        let mut item = list.sections[0].items[0].clone();
        item.standing = standing;
        item.status = status;
        item
    }

    #[test]
    fn a_day2_section_counts_due_tasks_not_a_score() {
        let rb = builtin_runbook().expect("the built-in runbook parses");
        let mut list = crate::checklist::build_checklist(
            &rb,
            &Default::default(),
            &Default::default(),
            &Default::default(),
            &Default::default(),
            crate::standing::Moment {
                now: chrono::DateTime::UNIX_EPOCH,
                today: NaiveDate::MIN,
            },
        );
        let day2 = list
            .sections
            .iter_mut()
            .find(|s| s.recurring)
            .expect("the runbook has a Day-2 section");
        assert_eq!(section_label(day2), "Day-2: none due");
        let due = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        for (item, state) in
            day2.items
                .iter_mut()
                .zip([TaskState::Overdue, TaskState::Due, TaskState::Due])
        {
            item.task = Some(ItemTask {
                state,
                due,
                last_by: None,
                last_at: None,
                last_outcome: None,
            });
        }
        assert_eq!(section_label(day2), "Day-2: 1 overdue, 2 due");
        let scored = list.sections.iter().find(|s| !s.recurring).expect("scored");
        assert_eq!(section_label(scored), scored.progress.fraction_label());
    }

    #[test]
    fn a_revoked_signoff_says_revoked_by_whom() {
        let mut item = any_item(Standing::Open, ItemStatus::Open);
        item.by = Some("sam".into());
        item.at = Some("2026-12-01T10:00:00Z".into());
        let line = item_line(&item);
        assert_eq!(line.state, "Open");
        assert_eq!(line.last, "revoked by sam · 2026-12-01");
        assert_eq!(line.who.map(|w| w.what), Some("Revoked"));
    }

    #[test]
    fn a_waived_item_shows_waived_alone() {
        let item = any_item(Standing::Waived, ItemStatus::Open);
        let line = item_line(&item);
        assert_eq!(line.state, "Waived");
        assert_eq!(line.key, "waived");
        assert_eq!(line.last, "waived, not signed off");
    }

    #[test]
    fn a_day2_task_shows_its_schedule() {
        let mut item = any_item(Standing::Open, ItemStatus::Open);
        let due = NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date");
        item.task = Some(ItemTask {
            state: TaskState::Upcoming,
            due,
            last_by: Some("sam".into()),
            last_at: Some("2026-12-07T09:00:00Z".into()),
            last_outcome: None,
        });
        let line = item_line(&item);
        assert_eq!(line.state, "Done until 2026-12-14");
        assert_eq!(line.last, "last done by sam · 2026-12-07");
        if let Some(t) = item.task.as_mut() {
            t.state = TaskState::Overdue;
            t.last_by = None;
            t.last_at = None;
        }
        let line = item_line(&item);
        assert_eq!(line.state, "Overdue since 2026-12-14");
        assert_eq!(line.key, "task-overdue");
        assert_eq!(line.last, "never done");
    }

    #[test]
    fn validity_says_until_or_expired_with_the_day() {
        let mut item = any_item(Standing::Done, ItemStatus::Done);
        item.expires_at = None;
        assert_eq!(validity(&item), None);
        item.expires_at = Some("2026-12-14T09:00:00.000000Z".into());
        assert_eq!(validity(&item).as_deref(), Some("until 2026-12-14"));
        item.standing = Standing::Expired;
        assert_eq!(validity(&item).as_deref(), Some("expired 2026-12-14"));
    }
}
