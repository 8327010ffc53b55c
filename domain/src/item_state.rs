//! The read model kept beside the ledger: per cluster × item, what the
//! standing rule and the Day-2 schedule need (the newest sign-off, the
//! newest waiver with its decision, the live check's counting verdict, the
//! newest Day-2 completion). It is a fold of the ledger's rows in seq
//! order, so it can always be rebuilt from the ledger; the storage layer
//! applies each new row in the same transaction that appends it.

use crate::cluster_change::{ClusterChangeDetails, ACTION_CHANGED};
use crate::day2::{Completion, CompletionDetails, COMPLETED};
use crate::ids::{ClusterId, ItemId, Seq};
use crate::ledger::EntryContent;
use crate::standing::ItemRecord;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bump when [`ItemState::apply`] changes meaning: stored states of an
/// older version are rebuilt from the ledger at start-up.
pub const VERSION: i64 = 2;

/// One cluster × item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemState {
    #[serde(default)]
    pub record: ItemRecord,
    /// The newest Day-2 completion (its files are looked up by `seq`).
    #[serde(default)]
    pub completion: Option<Completion>,
    /// The newest row applied.
    pub last_seq: Seq,
}

/// Whether a row with this action changes an item's state.
pub fn changes_state(action: &str) -> bool {
    crate::ledger_action::LedgerAction::parse(action)
        .is_some_and(crate::ledger_action::LedgerAction::changes_item)
}

/// Whether a row moves a cluster's check target, so that no earlier live
/// verdict of any of its items counts.
pub fn resets_verdicts(row: &EntryContent) -> bool {
    row.action == ACTION_CHANGED
        && ClusterChangeDetails::parse(&row.details).is_some_and(|d| d.resets_verdicts)
}

/// What one ledger row does to the item states: the one rule the rebuild
/// ([`Folded::apply`]) and the incremental read model both follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowEffect {
    /// Every item of the row's cluster loses its live verdict
    /// ([`ItemState::reset_verdict`]).
    ResetsClusterVerdicts,
    /// The row's own item changes ([`ItemState::apply`]).
    ChangesItem,
    /// Nothing (accounts, tokens, checkpoints, cluster edits that keep the
    /// check target).
    Nothing,
}

impl RowEffect {
    pub fn of(row: &EntryContent) -> Self {
        if resets_verdicts(row) {
            RowEffect::ResetsClusterVerdicts
        } else if changes_state(&row.action) {
            RowEffect::ChangesItem
        } else {
            RowEffect::Nothing
        }
    }
}

/// The UTC day a row falls on (the trend's days are UTC days).
pub fn day_of(row: &EntryContent) -> Option<NaiveDate> {
    Some(row.at.instant().date_naive())
}

impl ItemState {
    /// A verdict reset (see [`resets_verdicts`]) by row `seq`; true when it
    /// changed anything (states without a verdict stay as they are).
    pub fn reset_verdict(&mut self, seq: Seq) -> bool {
        if self.record.verdict.is_none() || seq <= self.last_seq {
            return false;
        }
        self.record.verdict = None;
        self.last_seq = seq;
        true
    }

    /// Applies one row about this item; rows come in seq order. A row
    /// already applied (seq not above `last_seq`) changes nothing.
    pub fn apply(&mut self, row: &EntryContent) {
        if row.seq <= self.last_seq || !changes_state(&row.action) {
            return;
        }
        self.last_seq = row.seq;
        if row.action == COMPLETED {
            if let Ok(d) = serde_json::from_str::<CompletionDetails>(&row.details) {
                self.completion = Some(Completion {
                    seq: row.seq,
                    at: row.at,
                    done_on: d.done_on,
                    by: row.actor.clone(),
                    outcome: d.outcome,
                    note: row.note.clone(),
                    attachments: Vec::new(),
                });
            }
            return;
        }
        self.record.apply(row);
    }
}

/// Every item's state folded from rows in seq order, and each state as it
/// stood at the end of every UTC day on which it changed: what a rebuild
/// stores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    pub states: BTreeMap<(ClusterId, ItemId), ItemState>,
    pub daily: BTreeMap<(ClusterId, ItemId, NaiveDate), ItemState>,
}

impl Folded {
    /// Applies one row (rows come in seq order).
    pub fn apply(&mut self, row: &EntryContent) {
        let day = day_of(row);
        match RowEffect::of(row) {
            RowEffect::ResetsClusterVerdicts => {
                let cluster_states = self
                    .states
                    .range_mut((row.cluster_id, ItemId::default())..)
                    .take_while(|((cluster, _), _)| *cluster == row.cluster_id);
                for ((cluster, item), state) in cluster_states {
                    if state.reset_verdict(row.seq) {
                        if let Some(day) = day {
                            self.daily
                                .insert((*cluster, item.clone(), day), state.clone());
                        }
                    }
                }
            }
            RowEffect::ChangesItem => {
                let key = (row.cluster_id, row.item_id.clone());
                let state = self.states.entry(key).or_default();
                state.apply(row);
                if let Some(day) = day {
                    self.daily
                        .insert((row.cluster_id, row.item_id.clone(), day), state.clone());
                }
            }
            RowEffect::Nothing => {}
        }
    }
}

/// Every item's state, folded from rows in seq order.
pub fn fold<'a>(rows: impl IntoIterator<Item = &'a EntryContent>) -> Folded {
    let mut folded = Folded::default();
    for row in rows {
        folded.apply(row);
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckStatus;
    use crate::check::ACTION_VERDICT;
    use crate::signoff::SignoffAction;

    fn key(cluster: i64, item: &str) -> (ClusterId, ItemId) {
        (ClusterId::new(cluster), ItemId::new(item))
    }

    fn day_key(cluster: i64, item: &str, day: NaiveDate) -> (ClusterId, ItemId, NaiveDate) {
        (ClusterId::new(cluster), ItemId::new(item), day)
    }

    fn row(seq: i64, item: &str, action: &str, details: &str) -> EntryContent {
        EntryContent {
            seq: seq.into(),
            at: crate::time::Timestamp::parse(&format!("2026-12-0{}T10:00:00Z", 1 + seq % 9))
                .unwrap(),
            actor: "sam".into(),
            cluster_id: ClusterId::new(1),
            item_id: item.into(),
            action: action.into(),
            note: format!("note {seq}"),
            details: details.into(),
            prev_hash: String::new(),
        }
    }

    #[test]
    fn the_newest_rows_win_and_other_rows_are_ignored() {
        let rows = vec![
            row(1, "spill", "done", ""),
            row(2, "spill", "cluster_registered", ""),
            row(3, "spill", "revoked", ""),
            row(4, "tls", "not_applicable", ""),
            row(5, "weekly-review", COMPLETED, r#"{"outcome":"ok"}"#),
            row(6, "weekly-review", COMPLETED, "not json"),
            row(
                7,
                "tls",
                ACTION_VERDICT,
                r#"{"from":"pass","to":"fail","since":"s","runs":2,"run_id":"r","observed":"o","evidence_sha256":"e"}"#,
            ),
        ];
        let states = fold(&rows).states;
        let spill = &states[&key(1, "spill")];
        assert_eq!(
            spill.record.signoff.as_ref().unwrap().action,
            SignoffAction::Revoked
        );
        assert_eq!(spill.last_seq, Seq::new(3));
        let tls = &states[&key(1, "tls")];
        assert_eq!(
            tls.record.signoff.as_ref().unwrap().action,
            SignoffAction::NotApplicable
        );
        assert_eq!(tls.record.verdict, Some(CheckStatus::Fail));
        let review = &states[&key(1, "weekly-review")];
        assert_eq!(
            review.completion.as_ref().unwrap().seq,
            Seq::new(5),
            "a malformed row keeps the last good one"
        );
        assert_eq!(review.last_seq, Seq::new(6));
    }

    #[test]
    fn a_moved_check_target_clears_every_verdict_of_that_cluster_only() {
        let verdict = r#"{"from":"pass","to":"fail","since":"s","runs":2,"run_id":"r","observed":"o","evidence_sha256":"e"}"#;
        let mut other = row(3, "tls", ACTION_VERDICT, verdict);
        other.cluster_id = ClusterId::new(2);
        let rows = vec![
            row(1, "tls", ACTION_VERDICT, verdict),
            row(2, "spill", "done", ""),
            other,
            row(
                4,
                "_cluster",
                ACTION_CHANGED,
                r#"{"changes":[],"resets_verdicts":true}"#,
            ),
            row(
                5,
                "_cluster",
                ACTION_CHANGED,
                r#"{"changes":[],"resets_verdicts":false}"#,
            ),
        ];
        let f = fold(&rows);
        assert_eq!(f.states[&key(1, "tls")].record.verdict, None);
        assert_eq!(f.states[&key(1, "tls")].last_seq, Seq::new(4));
        assert_eq!(
            f.states[&key(1, "spill")].last_seq,
            Seq::new(2),
            "no verdict, untouched"
        );
        assert_eq!(
            f.states[&key(2, "tls")].record.verdict,
            Some(CheckStatus::Fail)
        );
        assert!(!f.states.contains_key(&key(1, "_cluster")));
        // the day's snapshot is the state at the end of that day
        let failing_day = day_of(&rows[0]).unwrap();
        let reset_day = day_of(&rows[3]).unwrap();
        assert_eq!(
            f.daily[&day_key(1, "tls", failing_day)].record.verdict,
            Some(CheckStatus::Fail)
        );
        assert_eq!(f.daily[&day_key(1, "tls", reset_day)].record.verdict, None);
    }

    #[test]
    fn applying_a_row_twice_or_out_of_order_changes_nothing() {
        let mut s = ItemState::default();
        s.apply(&row(2, "spill", "done", ""));
        let before = s.clone();
        s.apply(&row(2, "spill", "revoked", ""));
        s.apply(&row(1, "spill", "revoked", ""));
        assert_eq!(s, before);
    }

    #[test]
    fn states_survive_a_round_trip_through_json() {
        let rows = vec![
            row(1, "spill", "done", ""),
            row(
                2,
                "weekly-review",
                COMPLETED,
                r#"{"outcome":"ok","done_on":"2026-11-30"}"#,
            ),
        ];
        for state in fold(&rows).states.values() {
            let json = serde_json::to_string(state).unwrap();
            assert_eq!(&serde_json::from_str::<ItemState>(&json).unwrap(), state);
        }
    }
}
