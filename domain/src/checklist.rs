//! The checklist of one cluster: the runbook joined with each item's newest
//! sign-off, ready to render or serialize. Also the history row shown per item.

use crate::check::{CheckResult, CheckStatus, VerdictState};
use crate::ids::Seq;
use crate::ledger::LedgerEntry;
use crate::readiness::{readiness, Progress};
use crate::runbook::{Cadence, Runbook, Snippet};
use crate::signoff::ItemStatus;
pub use crate::standing::LatestSignoff;
use crate::standing::{assess, ItemRecord, Moment, Standing};
use crate::time::Timestamp;
use crate::waiver::{Waiver, WaiverState};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub runbook_id: String,
    pub runbook_title: String,
    pub overall: Progress,
    /// How many signed-off items currently fail their check.
    pub regressed: u32,
    pub sections: Vec<ChecklistSection>,
    /// Items with history on this cluster that the current runbook no longer
    /// has: their history is kept and still readable.
    pub retired: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistSection {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub recurring: bool,
    pub progress: Progress,
    pub items: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub id: String,
    pub title: String,
    pub cadence: Option<Cadence>,
    pub config: Option<Snippet>,
    pub why: String,
    pub verify: Vec<String>,
    pub correction: Option<String>,
    pub source: String,
    pub status: ItemStatus,
    /// Who made the newest sign-off, when, and with which note.
    pub by: Option<String>,
    pub at: Option<Timestamp>,
    pub note: Option<String>,
    /// The runbook gives this item a live check.
    pub automated: bool,
    /// Its newest live-check result, if it ran.
    pub check: Option<CheckResult>,
    /// Which verdict counts after the flapping rule, since when, and the
    /// newest run's streak.
    pub verdict: Option<VerdictState>,
    /// Signed off, yet its check's counting verdict fails: the cluster drifted.
    pub regressed: bool,
    /// Where the item stands, all rules applied (see [`crate::standing`]).
    pub standing: Standing,
    /// Re-certification period from the runbook, in days.
    pub valid_for_days: Option<u32>,
    /// When the current sign-off stops counting, for items with a period.
    pub expires_at: Option<Timestamp>,
    /// Done or waived, and stops counting within two weeks.
    pub expiring_soon: bool,
    /// The newest waiver request, and where it stands today.
    pub waiver: Option<ItemWaiver>,
    /// For a Day-2 task: its schedule on this cluster (Day-2 tasks are not
    /// signed off or scored; they are done on a schedule).
    #[serde(default)]
    pub task: Option<ItemTask>,
}

/// A Day-2 task's schedule as its checklist row shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTask {
    pub state: crate::day2::TaskState,
    pub due: chrono::NaiveDate,
    /// The newest completion: who, when it was recorded, its outcome.
    pub last_by: Option<String>,
    pub last_at: Option<Timestamp>,
    pub last_outcome: Option<crate::day2::Outcome>,
}

/// A waiver as shown beside its item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemWaiver {
    #[serde(flatten)]
    pub waiver: Waiver,
    pub state: WaiverState,
}

impl ChecklistItem {
    /// Whether the checklist offers to sign the item off: a Day-2 task is
    /// not signed off, its completions are recorded on the Day-2 page.
    pub fn takes_signoffs(&self) -> bool {
        self.task.is_none()
    }

    /// Whether a waiver may be asked for it: Day-2 tasks (items with a
    /// cadence) are not scored and cannot be waived.
    pub fn can_be_waived(&self) -> bool {
        self.cadence.is_none()
    }
}

impl Checklist {
    /// Puts each Day-2 task's schedule on its item, so the checklist and
    /// the report show "done until", "due" or "overdue" where the task is.
    pub fn attach_tasks(&mut self, tasks: &[crate::day2::TaskView]) {
        for item in self.sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
            item.task = tasks.iter().find(|t| t.id == item.id).map(|t| ItemTask {
                state: t.state,
                due: t.due,
                last_by: t.last.as_ref().map(|c| c.by.clone()),
                last_at: t.last.as_ref().map(|c| c.at),
                last_outcome: t.last.as_ref().map(|c| c.outcome),
            });
        }
    }

    pub fn item(&self, id: &str) -> Option<&ChecklistItem> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .find(|i| i.id == id)
    }
}

/// The live check's counting verdict is a failure (after the flapping rule
/// of [`crate::check::VerdictState`]). Errors are not evidence of drift.
pub fn check_failing(verdict: Option<&VerdictState>) -> bool {
    verdict.is_some_and(|v| v.effective == Some(CheckStatus::Fail))
}

/// Joins the runbook with the newest sign-off, waiver and check result per
/// item id, judged at `at`.
pub fn build_checklist(
    runbook: &Runbook,
    latest: &HashMap<String, LatestSignoff>,
    waivers: &HashMap<String, Waiver>,
    checks: &HashMap<String, CheckResult>,
    verdicts: &HashMap<String, VerdictState>,
    at: Moment,
) -> Checklist {
    let status_of = |id: &str| ItemStatus::from_latest(latest.get(id).map(|l| l.action));
    let record_of = |id: &str| ItemRecord {
        signoff: latest.get(id).cloned(),
        waiver: waivers.get(id).cloned(),
        verdict: verdicts.get(id).and_then(|v| v.effective),
    };
    let assess_item = |item: &crate::runbook::Item| {
        assess(
            &record_of(&item.id),
            item.valid_for_days,
            check_failing(verdicts.get(&item.id)),
            at,
        )
    };
    let score = readiness(runbook, assess_item);
    let sections: Vec<ChecklistSection> = runbook
        .sections
        .iter()
        .zip(score.sections)
        .map(|(section, sr)| ChecklistSection {
            id: section.id.clone(),
            title: section.title.clone(),
            summary: section.summary.clone(),
            recurring: sr.recurring,
            progress: sr.progress,
            items: section
                .items
                .iter()
                .map(|item| {
                    let last = latest.get(&item.id);
                    let status = status_of(&item.id);
                    let check = checks.get(&item.id).cloned();
                    let a = assess_item(item);
                    ChecklistItem {
                        regressed: a.standing == Standing::Regressed,
                        standing: a.standing,
                        valid_for_days: item.valid_for_days,
                        expires_at: a.signoff_expires_at.map(Timestamp::new),
                        expiring_soon: a.expiring_soon,
                        waiver: waivers.get(&item.id).map(|w| ItemWaiver {
                            state: w.state(at.today),
                            waiver: w.clone(),
                        }),
                        automated: item.check.is_some(),
                        check,
                        verdict: verdicts.get(&item.id).cloned(),
                        id: item.id.clone(),
                        title: item.title.clone(),
                        cadence: item.cadence(),
                        config: item.config.clone(),
                        why: item.why.clone(),
                        verify: item.verify.clone(),
                        correction: item.correction.clone(),
                        source: item.source.clone(),
                        status,
                        by: last.map(|l| l.by.clone()),
                        at: last.map(|l| l.at),
                        note: last.map(|l| l.note.clone()).filter(|n| !n.is_empty()),
                        task: None,
                    }
                })
                .collect(),
        })
        .collect();
    let regressed = sections
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| i.regressed)
        .count() as u32;
    let mut retired: Vec<String> = latest
        .keys()
        .filter(|id| runbook.item(id).is_none())
        .cloned()
        .collect();
    retired.sort();
    Checklist {
        runbook_id: runbook.id.clone(),
        runbook_title: runbook.title.clone(),
        overall: score.overall,
        regressed,
        sections,
        retired,
    }
}

/// One row of an item's history as shown to people and the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: Seq,
    pub at: Timestamp,
    pub actor: String,
    pub status: String,
    pub note: String,
    /// Evidence files attached to the row.
    #[serde(default)]
    pub files: Vec<crate::attachment::AttachedFile>,
    pub hash: String,
    pub prev_hash: String,
}

impl From<LedgerEntry> for HistoryEntry {
    fn from(e: LedgerEntry) -> Self {
        let files = crate::attachment::DetailsFiles::of(&e.content().details);
        let (c, hash) = e.into_parts();
        HistoryEntry {
            files,
            seq: c.seq,
            at: c.at,
            actor: c.actor,
            status: c.action,
            note: c.note,
            hash,
            prev_hash: c.prev_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::builtin_runbook;
    use crate::signoff::SignoffAction;
    use chrono::TimeZone;

    fn now() -> Moment {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .unwrap();
        Moment {
            now,
            today: now.date_naive(),
        }
    }

    #[test]
    fn expired_signoffs_and_approved_waivers_change_the_score() {
        use crate::waiver::{Decision, WaiverKind};
        let rb = builtin_runbook().unwrap();
        let mut latest = HashMap::new();
        latest.insert(
            "backups".to_string(),
            LatestSignoff {
                at: "2026-10-01T09:00:00.000000Z".into(),
                ..signed(SignoffAction::Done, "alice")
            },
        );
        latest.insert("spill".to_string(), signed(SignoffAction::Done, "alice"));
        let base = build_checklist(
            &rb,
            &latest,
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            now(),
        );
        let backups = base.item("backups").unwrap();
        assert_eq!(backups.standing, Standing::Expired);
        assert_eq!(backups.status, ItemStatus::Done, "the ledger status stays");
        assert_eq!(
            backups.expires_at.map(|t| t.to_string()).as_deref(),
            Some("2026-10-31T09:00:00.000000Z")
        );
        assert_eq!((base.overall.done, base.overall.expired), (1, 1));
        let mut waivers = HashMap::new();
        waivers.insert(
            "tls".to_string(),
            Waiver {
                request_seq: 9,
                item_id: "tls".into(),
                kind: WaiverKind::AcceptedRisk,
                reason: "private network".into(),
                expires_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                requested_by: "sam".into(),
                requested_at: "2026-11-20T09:00:00.000000Z".into(),
                decision: Some(Decision {
                    approved: true,
                    by: "maya".into(),
                    at: "2026-11-21T09:00:00.000000Z".into(),
                    note: String::new(),
                }),
            },
        );
        let waived = build_checklist(
            &rb,
            &latest,
            &waivers,
            &HashMap::new(),
            &HashMap::new(),
            now(),
        );
        let tls = waived.item("tls").unwrap();
        assert_eq!(tls.standing, Standing::Waived);
        assert!(tls.expiring_soon);
        assert_eq!(tls.waiver.as_ref().unwrap().state, WaiverState::Approved);
        assert_eq!(waived.overall.applicable(), base.overall.applicable() - 1);
        assert_eq!(waived.overall.expiring_soon, 1);
    }

    fn signed(action: SignoffAction, by: &str) -> LatestSignoff {
        LatestSignoff {
            action,
            by: by.into(),
            at: "2026-11-22T10:00:00.000000Z".into(),
            note: String::new(),
        }
    }

    #[test]
    fn an_empty_ledger_leaves_everything_open() {
        let rb = builtin_runbook().unwrap();
        let c = build_checklist(
            &rb,
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            now(),
        );
        assert_eq!(c.overall.done, 0);
        assert_eq!(
            c.overall.total as usize,
            rb.items().filter(|(_, i)| !i.is_recurring()).count()
        );
        assert!(c
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .all(|i| i.status == ItemStatus::Open && i.by.is_none()));
        assert!(c.retired.is_empty());
    }

    fn result(item: &str, status: CheckStatus) -> CheckResult {
        CheckResult {
            item_id: item.into(),
            status,
            reason: "r".into(),
            observed: "o".into(),
            evidence: String::new(),
            duration_ms: 1,
            at: "t".into(),
        }
    }

    #[test]
    fn a_signed_item_whose_check_fails_is_regressed() {
        let rb = builtin_runbook().unwrap();
        let mut latest = HashMap::new();
        latest.insert("spill".to_string(), signed(SignoffAction::Done, "alice"));
        latest.insert(
            "workers-active".to_string(),
            signed(SignoffAction::Done, "alice"),
        );
        let mut checks = HashMap::new();
        checks.insert("spill".to_string(), result("spill", CheckStatus::Fail));
        checks.insert(
            "workers-active".to_string(),
            result("workers-active", CheckStatus::Error),
        );
        checks.insert(
            "max-execution-time-vs-shutdown".to_string(),
            result("max-execution-time-vs-shutdown", CheckStatus::Fail),
        );
        // Each result counted (as after enough runs in a row).
        let verdicts: HashMap<String, VerdictState> = checks
            .iter()
            .map(|(id, r)| {
                let (state, _) = VerdictState::default().advance(r.status, "t", 1);
                (id.clone(), state)
            })
            .collect();
        let c = build_checklist(&rb, &latest, &HashMap::new(), &checks, &verdicts, now());
        assert!(c.item("spill").unwrap().regressed);
        assert!(
            !c.item("workers-active").unwrap().regressed,
            "an error is not evidence of drift"
        );
        assert!(
            !c.item("max-execution-time-vs-shutdown").unwrap().regressed,
            "open items cannot regress"
        );
        assert_eq!(c.regressed, 1);
        assert!(c.item("spill").unwrap().automated);
        assert!(!c.item("alerts").unwrap().automated);
        assert!(!check_failing(None));
        // One failing run that has not counted yet is no regression.
        let (once, _) = VerdictState::default()
            .advance(CheckStatus::Pass, "t0", 2)
            .0
            .advance(CheckStatus::Fail, "t1", 2);
        let mut pending = HashMap::new();
        pending.insert("spill".to_string(), once);
        let c = build_checklist(&rb, &latest, &HashMap::new(), &checks, &pending, now());
        assert!(!c.item("spill").unwrap().regressed);
        assert_eq!(c.item("spill").unwrap().standing, Standing::Done);
    }

    #[test]
    fn latest_signoffs_set_status_and_attribution() {
        let rb = builtin_runbook().unwrap();
        let mut latest = HashMap::new();
        latest.insert("spill".to_string(), signed(SignoffAction::Done, "alice"));
        latest.insert(
            "tls".to_string(),
            LatestSignoff {
                note: "internal only".into(),
                ..signed(SignoffAction::NotApplicable, "bob")
            },
        );
        latest.insert("jvm".to_string(), signed(SignoffAction::Revoked, "carol"));
        latest.insert(
            "removed-item".to_string(),
            signed(SignoffAction::Done, "dave"),
        );
        let c = build_checklist(
            &rb,
            &latest,
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            now(),
        );
        let spill = c.item("spill").unwrap();
        assert_eq!(
            (spill.status, spill.by.as_deref()),
            (ItemStatus::Done, Some("alice"))
        );
        assert_eq!(spill.note, None);
        let tls = c.item("tls").unwrap();
        assert_eq!(tls.status, ItemStatus::NotApplicable);
        assert_eq!(tls.note.as_deref(), Some("internal only"));
        let jvm = c.item("jvm").unwrap();
        assert_eq!(
            (jvm.status, jvm.by.as_deref()),
            (ItemStatus::Open, Some("carol"))
        );
        assert_eq!(c.overall.done, 1);
        assert_eq!(c.overall.not_applicable, 1);
        assert_eq!(c.retired, vec!["removed-item".to_string()]);
        let reliability = c.sections.iter().find(|s| s.id == "reliability").unwrap();
        assert_eq!(reliability.progress.done, 1);
    }

    #[test]
    fn day2_tasks_are_neither_signed_off_nor_waived() {
        let rb = builtin_runbook().unwrap();
        let list = build_checklist(
            &rb,
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            now(),
        );
        let mut item = list.sections[0].items[0].clone();
        item.cadence = None;
        item.task = None;
        assert!(item.takes_signoffs() && item.can_be_waived());
        item.cadence = Some(Cadence::Weekly);
        item.task = Some(ItemTask {
            state: crate::day2::TaskState::Due,
            due: chrono::NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
            last_by: None,
            last_at: None,
            last_outcome: None,
        });
        assert!(!item.takes_signoffs());
        assert!(!item.can_be_waived());
    }
}
