//! Where an item stands on a cluster at a moment: the one rule that combines
//! its newest sign-off, its re-certification period, its waiver and its
//! newest live check. The checklist, the fleet view, the trend and the report
//! all ask this module, so they cannot disagree.
//!
//! In order of precedence:
//! 1. marked not applicable by an SRE → **not applicable** (out of the score);
//! 2. signed done, within its validity period, check not failing → **done**;
//! 3. an approved waiver within its dates → **waived** (out of the score);
//! 4. signed done but older than its validity period → **expired**;
//! 5. signed done but its newest check fails → **regressed**;
//! 6. anything else → **open**.

use crate::check::{CheckStatus, VerdictDetails, ACTION_VERDICT};
use crate::ledger::EntryContent;
use crate::signoff::SignoffAction;
use crate::time::Timestamp;
use crate::waiver::{self, Decision, DecisionDetails, RequestDetails, Waiver};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The newest sign-off of an item on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestSignoff {
    pub action: SignoffAction,
    pub by: String,
    pub at: Timestamp,
    pub note: String,
}

/// How far ahead "expiring soon" looks, for sign-offs and waivers alike.
pub const EXPIRING_SOON_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Open,
    Done,
    Regressed,
    Expired,
    NotApplicable,
    Waived,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Open => "open",
            Standing::Done => "done",
            Standing::Regressed => "regressed",
            Standing::Expired => "expired",
            Standing::NotApplicable => "not_applicable",
            Standing::Waived => "waived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Open => "Open",
            Standing::Done => "Done",
            Standing::Regressed => "Regressed",
            Standing::Expired => "Expired",
            Standing::NotApplicable => "Not applicable",
            Standing::Waived => "Waived",
        }
    }
}

/// What the ledger says about one item of one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub signoff: Option<LatestSignoff>,
    /// The newest waiver request, with its decision if there is one.
    pub waiver: Option<Waiver>,
    /// The live check's counting verdict, from the newest verdict-change
    /// row (see [`crate::check::VerdictState`]).
    pub verdict: Option<CheckStatus>,
}

impl ItemRecord {
    /// Whether the live check fails, as [`assess`] takes it.
    pub fn check_failing(&self) -> bool {
        self.verdict == Some(CheckStatus::Fail)
    }

    /// Applies one ledger row about this item; rows must come in seq order.
    /// Verdict-change rows set the live check's verdict; other rows (e.g.
    /// Day-2 completions) change nothing.
    pub fn apply(&mut self, row: &EntryContent) {
        if let Some(action) = SignoffAction::parse(&row.action) {
            self.signoff = Some(LatestSignoff {
                action,
                by: row.actor.clone(),
                at: row.at,
                note: row.note.clone(),
            });
            return;
        }
        match row.action.as_str() {
            ACTION_VERDICT => {
                if let Some(to) = VerdictDetails::parse_to(&row.details) {
                    self.verdict = Some(to);
                }
            }
            waiver::ACTION_REQUESTED => {
                if let Ok(d) = serde_json::from_str::<RequestDetails>(&row.details) {
                    self.waiver = Some(Waiver {
                        request_seq: row.seq.into(),
                        item_id: row.item_id.clone(),
                        kind: d.waiver.kind,
                        reason: row.note.clone(),
                        expires_on: d.waiver.expires_on,
                        requested_by: row.actor.clone(),
                        requested_at: row.at,
                        decision: None,
                    });
                }
            }
            waiver::ACTION_APPROVED | waiver::ACTION_REJECTED => {
                let Ok(d) = serde_json::from_str::<DecisionDetails>(&row.details) else {
                    return;
                };
                if let Some(w) = self
                    .waiver
                    .as_mut()
                    .filter(|w| w.request_seq == d.waiver_request_seq && w.decision.is_none())
                {
                    w.decision = Some(Decision {
                        approved: row.action == waiver::ACTION_APPROVED,
                        by: row.actor.clone(),
                        at: row.at,
                        note: row.note.clone(),
                    });
                }
            }
            _ => {}
        }
    }
}

/// The newest waiver per item, replayed from waiver rows in seq order.
pub fn waivers_from<'a>(
    rows: impl IntoIterator<Item = &'a EntryContent>,
) -> HashMap<String, Waiver> {
    let mut records: HashMap<String, ItemRecord> = HashMap::new();
    for row in rows {
        records
            .entry(row.item_id.clone().into())
            .or_default()
            .apply(row);
    }
    records
        .into_iter()
        .filter_map(|(id, r)| Some((id, r.waiver?)))
        .collect()
}

/// An item's standing, and when it stops counting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub standing: Standing,
    /// When the sign-off stops counting, for items with a validity period.
    pub signoff_expires_at: Option<DateTime<Utc>>,
    /// Done or waived now, and stops counting within [`EXPIRING_SOON_DAYS`].
    pub expiring_soon: bool,
}

/// The moment of judgement: an instant, and the calendar day it falls on in
/// the configured time zone (waiver dates are calendar days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// Applies the precedence rules in the module comment.
pub fn assess(
    record: &ItemRecord,
    valid_for_days: Option<u32>,
    check_failing: bool,
    at: Moment,
) -> Assessment {
    let signoff = record.signoff.as_ref();
    let action = signoff.map(|s| s.action);
    let expires_at = signoff
        .filter(|s| s.action == SignoffAction::Done)
        .and_then(|s| Some(s.at.instant() + Duration::days(i64::from(valid_for_days?))));
    let expired = expires_at.is_some_and(|e| at.now >= e);
    let waiver = record.waiver.as_ref().filter(|w| w.counts(at.today));
    let soon = Duration::days(EXPIRING_SOON_DAYS);
    let (standing, expiring_soon) = match action {
        Some(SignoffAction::NotApplicable) => (Standing::NotApplicable, false),
        Some(SignoffAction::Done) if !expired && !check_failing => (
            Standing::Done,
            expires_at.is_some_and(|e| e - at.now < soon),
        ),
        _ if waiver.is_some() => (
            Standing::Waived,
            waiver.is_some_and(|w| w.expires_within(at.today, EXPIRING_SOON_DAYS)),
        ),
        Some(SignoffAction::Done) if expired => (Standing::Expired, false),
        Some(SignoffAction::Done) => (Standing::Regressed, false),
        _ => (Standing::Open, false),
    };
    Assessment {
        standing,
        signoff_expires_at: expires_at,
        expiring_soon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waiver::WaiverKind;
    use chrono::TimeZone;

    fn moment(y: i32, m: u32, d: u32, h: u32) -> Moment {
        let now = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
        Moment {
            now,
            today: now.date_naive(),
        }
    }

    fn signed(action: SignoffAction, at: &str) -> ItemRecord {
        ItemRecord {
            signoff: Some(LatestSignoff {
                action,
                by: "sam".into(),
                at: at.into(),
                note: String::new(),
            }),
            waiver: None,
            verdict: None,
        }
    }

    fn waiver(expires_on: &str, approved: Option<bool>) -> Waiver {
        Waiver {
            request_seq: 3,
            item_id: "backups".into(),
            kind: WaiverKind::AcceptedRisk,
            reason: "r".into(),
            expires_on: NaiveDate::parse_from_str(expires_on, "%Y-%m-%d").unwrap(),
            requested_by: "sam".into(),
            requested_at: "2026-11-01T00:00:00.000000Z".into(),
            decision: approved.map(|approved| Decision {
                approved,
                by: "maya".into(),
                at: "2026-11-02T00:00:00.000000Z".into(),
                note: String::new(),
            }),
        }
    }

    const SIGNED: &str = "2026-11-01T12:00:00.000000Z";

    #[test]
    fn a_signoff_expires_exactly_its_validity_period_later() {
        let r = signed(SignoffAction::Done, SIGNED);
        let before = assess(&r, Some(30), false, moment(2026, 12, 1, 11));
        assert_eq!(before.standing, Standing::Done);
        assert!(before.expiring_soon);
        assert_eq!(
            before.signoff_expires_at,
            Some(Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap())
        );
        let at = assess(&r, Some(30), false, moment(2026, 12, 1, 12));
        assert_eq!(at.standing, Standing::Expired);
        assert!(!at.expiring_soon);
        let no_period = assess(&r, None, false, moment(2030, 1, 1, 0));
        assert_eq!(no_period.standing, Standing::Done);
        assert_eq!(no_period.signoff_expires_at, None);
        assert!(!no_period.expiring_soon);
    }

    #[test]
    fn expiring_soon_starts_fourteen_days_ahead() {
        let r = signed(SignoffAction::Done, SIGNED);
        assert!(!assess(&r, Some(30), false, moment(2026, 11, 17, 12)).expiring_soon);
        assert!(assess(&r, Some(30), false, moment(2026, 11, 17, 13)).expiring_soon);
    }

    #[test]
    fn a_failing_check_regresses_a_signed_item() {
        let r = signed(SignoffAction::Done, SIGNED);
        let a = assess(&r, None, true, moment(2026, 11, 2, 0));
        assert_eq!(a.standing, Standing::Regressed);
        let open = assess(&ItemRecord::default(), None, true, moment(2026, 11, 2, 0));
        assert_eq!(open.standing, Standing::Open);
    }

    #[test]
    fn an_approved_waiver_covers_until_its_date_then_the_item_is_open_again() {
        let r = ItemRecord {
            waiver: Some(waiver("2026-12-31", Some(true))),
            ..ItemRecord::default()
        };
        let a = assess(&r, None, false, moment(2026, 12, 31, 23));
        assert_eq!(a.standing, Standing::Waived);
        assert!(a.expiring_soon);
        assert_eq!(
            assess(&r, None, false, moment(2027, 1, 1, 0)).standing,
            Standing::Open
        );
        let pending = ItemRecord {
            waiver: Some(waiver("2026-12-31", None)),
            ..ItemRecord::default()
        };
        assert_eq!(
            assess(&pending, None, false, moment(2026, 12, 1, 0)).standing,
            Standing::Open
        );
    }

    #[test]
    fn a_waiver_covers_drift_and_expiry_but_not_a_valid_signoff() {
        let mut r = signed(SignoffAction::Done, SIGNED);
        r.waiver = Some(waiver("2027-06-30", Some(true)));
        let drifted = assess(&r, None, true, moment(2026, 12, 1, 0));
        assert_eq!(drifted.standing, Standing::Waived);
        let stale = assess(&r, Some(7), false, moment(2026, 12, 1, 0));
        assert_eq!(stale.standing, Standing::Waived);
        let fine = assess(&r, None, false, moment(2026, 12, 1, 0));
        assert_eq!(fine.standing, Standing::Done);
        let revoked = ItemRecord {
            waiver: None,
            ..signed(SignoffAction::Revoked, SIGNED)
        };
        assert_eq!(
            assess(&revoked, Some(1), false, moment(2026, 12, 1, 0)).standing,
            Standing::Open
        );
        let na = signed(SignoffAction::NotApplicable, SIGNED);
        assert_eq!(
            assess(&na, Some(1), true, moment(2027, 12, 1, 0)).standing,
            Standing::NotApplicable
        );
    }

    fn row(seq: i64, item: &str, action: &str, details: &str, actor: &str) -> EntryContent {
        EntryContent {
            seq: seq.into(),
            at: crate::time::Timestamp::parse(&format!("2026-11-0{seq}T10:00:00.000000Z")).unwrap(),
            actor: actor.into(),
            cluster_id: crate::ids::ClusterId::new(1),
            item_id: item.into(),
            action: action.into(),
            note: format!("note {seq}"),
            details: details.into(),
            prev_hash: String::new(),
        }
    }

    #[test]
    fn waivers_replay_from_ledger_rows() {
        let req = r#"{"waiver":{"kind":"accepted_risk","expires_on":"2027-01-31"}}"#;
        let rows = vec![
            row(1, "tls", "waiver_requested", req, "sam"),
            row(
                2,
                "tls",
                "waiver_rejected",
                r#"{"waiver_request_seq":1}"#,
                "maya",
            ),
            row(3, "tls", "waiver_requested", req, "sam"),
            row(
                4,
                "tls",
                "waiver_approved",
                r#"{"waiver_request_seq":1}"#,
                "maya",
            ),
            row(5, "spill", "waiver_requested", req, "sam"),
            row(
                6,
                "spill",
                "waiver_approved",
                r#"{"waiver_request_seq":5}"#,
                "maya",
            ),
            row(
                7,
                "spill",
                "waiver_rejected",
                r#"{"waiver_request_seq":5}"#,
                "lee",
            ),
            row(8, "spill", "completed", "{}", "sam"),
        ];
        let w = waivers_from(&rows);
        let tls = &w["tls"];
        assert_eq!(tls.request_seq, 3);
        assert_eq!(
            tls.decision, None,
            "a decision naming an older request does not decide the newest"
        );
        assert_eq!(tls.reason, "note 3");
        let spill = &w["spill"];
        let d = spill.decision.as_ref().unwrap();
        assert!(d.approved, "the first decision stands");
        assert_eq!(d.by, "maya");
    }

    #[test]
    fn signoff_rows_replace_the_previous_signoff() {
        let mut r = ItemRecord::default();
        r.apply(&row(1, "spill", "done", "", "sam"));
        r.apply(&row(2, "spill", "completed", "{}", "sam"));
        assert_eq!(r.signoff.as_ref().unwrap().action, SignoffAction::Done);
        r.apply(&row(3, "spill", "revoked", "", "lee"));
        let s = r.signoff.unwrap();
        assert_eq!((s.action, s.by.as_str()), (SignoffAction::Revoked, "lee"));
    }
}
