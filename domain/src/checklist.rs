//! The checklist of one cluster: the runbook joined with each item's newest
//! sign-off, ready to render or serialize. Also the history row shown per item.

use crate::check::{CheckResult, CheckStatus};
use crate::ledger::LedgerEntry;
use crate::readiness::{readiness, Progress};
use crate::runbook::{Cadence, Runbook, Snippet};
use crate::signoff::{ItemStatus, SignoffAction};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The newest sign-off of an item on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestSignoff {
    pub action: SignoffAction,
    pub by: String,
    pub at: String,
    pub note: String,
}

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
    pub at: Option<String>,
    pub note: Option<String>,
    /// The runbook gives this item a live check.
    pub automated: bool,
    /// Its newest live-check result, if it ran.
    pub check: Option<CheckResult>,
    /// Signed off, yet its newest check fails: the cluster drifted.
    pub regressed: bool,
}

impl Checklist {
    pub fn item(&self, id: &str) -> Option<&ChecklistItem> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .find(|i| i.id == id)
    }
}

/// Signed off, but the newest live check fails.
pub fn is_regressed(status: ItemStatus, check: Option<&CheckResult>) -> bool {
    regressed(status, check.map(|c| c.status))
}

/// The drift rule on bare states: an item signed done whose newest check
/// fails. (Errors are not evidence of drift.)
pub fn regressed(status: ItemStatus, newest_check: Option<CheckStatus>) -> bool {
    status == ItemStatus::Done && newest_check == Some(CheckStatus::Fail)
}

/// Joins the runbook with the newest sign-off and check result per item id.
pub fn build_checklist(
    runbook: &Runbook,
    latest: &HashMap<String, LatestSignoff>,
    checks: &HashMap<String, CheckResult>,
) -> Checklist {
    let status_of = |id: &str| ItemStatus::from_latest(latest.get(id).map(|l| l.action));
    let score = readiness(runbook, status_of);
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
                    ChecklistItem {
                        regressed: is_regressed(status, check.as_ref()),
                        automated: item.check.is_some(),
                        check,
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
                        at: last.map(|l| l.at.clone()),
                        note: last.map(|l| l.note.clone()).filter(|n| !n.is_empty()),
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
    pub seq: i64,
    pub at: String,
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
        HistoryEntry {
            files: crate::attachment::DetailsFiles::of(&e.content.details),
            seq: e.content.seq,
            at: e.content.at,
            actor: e.content.actor,
            status: e.content.action,
            note: e.content.note,
            hash: e.hash,
            prev_hash: e.content.prev_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::builtin_runbook;

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
        let c = build_checklist(&rb, &HashMap::new(), &HashMap::new());
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
        let c = build_checklist(&rb, &latest, &checks);
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
        assert!(!is_regressed(ItemStatus::Done, None));
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
        let c = build_checklist(&rb, &latest, &HashMap::new());
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
}
