//! Waiver rules: an SRE asks for an item to be waived ("not applicable" or
//! "accepted risk") with a reason and an expiry date; a manager approves or
//! rejects it. An approved waiver counts until the end of its expiry date,
//! then stops counting and the item is open again.
//!
//! Waivers live in the ledger like everything else: a `waiver_requested` row
//! (reason in the note, kind and expiry in `details`), then a
//! `waiver_approved` or `waiver_rejected` row naming the request's seq. A
//! waiver's state is never stored; it follows from those rows and the date.

use crate::fields::FieldErrors;
use crate::ids::{ClusterId, ItemId};
use crate::time::Timestamp;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

pub const ACTION_REQUESTED: &str = crate::ledger_action::LedgerAction::WaiverRequested.as_str();
pub const ACTION_APPROVED: &str = crate::ledger_action::LedgerAction::WaiverApproved.as_str();
pub const ACTION_REJECTED: &str = crate::ledger_action::LedgerAction::WaiverRejected.as_str();

/// The longest a waiver may run: a year, so that every accepted risk is
/// looked at again at least once a year.
pub const MAX_WAIVER_DAYS: i64 = 366;

/// What the waiver claims about the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverKind {
    /// The item does not apply to this cluster.
    NotApplicable,
    /// The item applies, is not met, and the risk is accepted for a time.
    AcceptedRisk,
}

impl WaiverKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverKind::NotApplicable => "not_applicable",
            WaiverKind::AcceptedRisk => "accepted_risk",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "not_applicable" => Some(WaiverKind::NotApplicable),
            "accepted_risk" => Some(WaiverKind::AcceptedRisk),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WaiverKind::NotApplicable => "Not applicable",
            WaiverKind::AcceptedRisk => "Accepted risk",
        }
    }
}

/// Where a waiver stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// Waiting for a manager.
    Pending,
    /// Approved and not yet past its expiry date: it counts.
    Approved,
    Rejected,
    /// Past its expiry date (approved or never decided): it no longer counts.
    Expired,
}

impl WaiverState {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverState::Pending => "pending",
            WaiverState::Approved => "approved",
            WaiverState::Rejected => "rejected",
            WaiverState::Expired => "expired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WaiverState::Pending => "Waiting for approval",
            WaiverState::Approved => "Approved",
            WaiverState::Rejected => "Rejected",
            WaiverState::Expired => "Expired",
        }
    }
}

/// `details` of a `waiver_requested` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    pub waiver: RequestFacts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFacts {
    pub kind: WaiverKind,
    /// The last day the waiver counts.
    pub expires_on: NaiveDate,
}

/// `details` of a `waiver_approved` / `waiver_rejected` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionDetails {
    pub waiver_request_seq: i64,
}

/// A manager's decision on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub approved: bool,
    pub by: String,
    pub at: Timestamp,
    pub note: String,
}

/// One waiver as read back from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// The seq of the `waiver_requested` row: the waiver's id.
    pub request_seq: i64,
    pub item_id: ItemId,
    pub kind: WaiverKind,
    pub reason: String,
    pub expires_on: NaiveDate,
    pub requested_by: String,
    pub requested_at: Timestamp,
    pub decision: Option<Decision>,
}

impl Waiver {
    /// The state on `today` (a date in the configured time zone). The expiry
    /// date is the last day a waiver counts.
    pub fn state(&self, today: NaiveDate) -> WaiverState {
        match &self.decision {
            Some(d) if !d.approved => WaiverState::Rejected,
            _ if today > self.expires_on => WaiverState::Expired,
            Some(_) => WaiverState::Approved,
            None => WaiverState::Pending,
        }
    }

    /// Approved and within its dates: the item is waived.
    pub fn counts(&self, today: NaiveDate) -> bool {
        self.state(today) == WaiverState::Approved
    }

    /// Counts now, and stops counting within `days` days.
    pub fn expires_within(&self, today: NaiveDate, days: i64) -> bool {
        self.counts(today) && self.expires_on < today + Duration::days(days)
    }
}

/// A waiver with where it stands today and the cluster it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverView {
    pub cluster_id: ClusterId,
    pub cluster_name: String,
    pub item_title: String,
    #[serde(flatten)]
    pub waiver: Waiver,
    pub state: WaiverState,
}

/// A request that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    kind: WaiverKind,
    reason: String,
    expires_on: NaiveDate,
}

/// Read-only: a value cannot change after it was validated.
impl ValidRequest {
    pub fn kind(&self) -> WaiverKind {
        self.kind
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn expires_on(&self) -> NaiveDate {
        self.expires_on
    }
}

impl ValidRequest {
    pub fn details(&self) -> RequestDetails {
        RequestDetails {
            waiver: RequestFacts {
                kind: self.kind,
                expires_on: self.expires_on,
            },
        }
    }
}

/// Checks a waiver request: a kind, a reason, and an expiry date after
/// `today` and at most [`MAX_WAIVER_DAYS`] away. `current` is the item's
/// newest waiver, if any: a request still waiting must be decided first.
pub fn validate_request(
    kind: &str,
    reason: &str,
    expires_on: &str,
    today: NaiveDate,
    current: Option<&Waiver>,
) -> Result<ValidRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = WaiverKind::parse(kind);
    if kind.is_none() {
        errors.add("kind", "Choose “not applicable” or “accepted risk”.");
    }
    let reason = reason.trim();
    errors.refuse_nul("reason", reason);
    if reason.is_empty() {
        errors.add("reason", "Say why: a reason is required.");
    } else {
        crate::text_limit::check(&mut errors, "reason", reason);
    }
    let expires = match NaiveDate::parse_from_str(expires_on.trim(), "%Y-%m-%d") {
        Err(_) => {
            errors.add("expires_on", "An expiry date like 2027-03-31.");
            None
        }
        Ok(d) if d <= today => {
            errors.add("expires_on", "The expiry date must be after today.");
            None
        }
        Ok(d) if d > today + Duration::days(MAX_WAIVER_DAYS) => {
            errors.add(
                "expires_on",
                format!("A waiver may run at most {MAX_WAIVER_DAYS} days; ask again when it ends."),
            );
            None
        }
        Ok(d) => Some(d),
    };
    if current.is_some_and(|w| w.state(today) == WaiverState::Pending) {
        errors.add(
            "kind",
            "A waiver request for this item is already waiting for a decision.",
        );
    }
    match (kind, expires) {
        (Some(kind), Some(expires_on)) => errors.into_result(ValidRequest {
            kind,
            reason: reason.to_string(),
            expires_on,
        }),
        _ => Err(errors),
    }
}

/// Why a decision on a waiver is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionRefusal {
    /// Only a request still waiting can be decided (not one already decided,
    /// nor one whose expiry date passed while it waited).
    NotPending(WaiverState),
    /// Nobody approves their own request.
    OwnRequest,
    /// A rejection needs a reason.
    ReasonMissing,
    NoteTooLong,
    /// A NUL character (no person types one; PostgreSQL cannot store it).
    NoteHasNul,
}

impl DecisionRefusal {
    pub fn message(self) -> String {
        match self {
            DecisionRefusal::NotPending(state) => format!(
                "This waiver is {} and can no longer be decided.",
                state.label().to_lowercase()
            ),
            DecisionRefusal::OwnRequest => {
                "You asked for this waiver; another manager has to decide it.".to_string()
            }
            DecisionRefusal::ReasonMissing => "Say why the waiver is rejected.".to_string(),
            DecisionRefusal::NoteTooLong => crate::text_limit::too_long_message(),
            DecisionRefusal::NoteHasNul => {
                "Remove the NUL character (\\0) from the note.".to_string()
            }
        }
    }
}

/// The rules of a decision: the waiver must be pending today, decided by
/// someone other than its requester, and a rejection must say why.
pub fn validate_decision(
    waiver: &Waiver,
    approve: bool,
    decider: &str,
    note: &str,
    today: NaiveDate,
) -> Result<String, DecisionRefusal> {
    let state = waiver.state(today);
    if state != WaiverState::Pending {
        return Err(DecisionRefusal::NotPending(state));
    }
    if waiver.requested_by.eq_ignore_ascii_case(decider) {
        return Err(DecisionRefusal::OwnRequest);
    }
    let note = note.trim();
    if crate::text_limit::too_long(note) {
        return Err(DecisionRefusal::NoteTooLong);
    }
    if note.contains('\0') {
        return Err(DecisionRefusal::NoteHasNul);
    }
    if !approve && note.is_empty() {
        return Err(DecisionRefusal::ReasonMissing);
    }
    Ok(note.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn waiver(expires_on: &str, decision: Option<bool>) -> Waiver {
        Waiver {
            request_seq: 7,
            item_id: "tls".into(),
            kind: WaiverKind::AcceptedRisk,
            reason: "internal network only".into(),
            expires_on: day(expires_on),
            requested_by: "sam".into(),
            requested_at: "2026-11-01T10:00:00.000000Z".into(),
            decision: decision.map(|approved| Decision {
                approved,
                by: "maya".into(),
                at: "2026-11-02T10:00:00.000000Z".into(),
                note: String::new(),
            }),
        }
    }

    #[test]
    fn an_approved_waiver_counts_through_its_expiry_date_and_not_a_day_longer() {
        let w = waiver("2026-12-31", Some(true));
        assert_eq!(w.state(day("2026-12-30")), WaiverState::Approved);
        assert!(
            w.counts(day("2026-12-31")),
            "the expiry date is the last day"
        );
        assert_eq!(w.state(day("2027-01-01")), WaiverState::Expired);
        assert!(!w.counts(day("2027-01-01")));
    }

    #[test]
    fn pending_rejected_and_expired_requests_do_not_count() {
        let pending = waiver("2026-12-31", None);
        assert_eq!(pending.state(day("2026-12-01")), WaiverState::Pending);
        assert!(!pending.counts(day("2026-12-01")));
        assert_eq!(pending.state(day("2027-01-01")), WaiverState::Expired);
        let rejected = waiver("2026-12-31", Some(false));
        assert_eq!(rejected.state(day("2026-12-01")), WaiverState::Rejected);
        assert_eq!(
            rejected.state(day("2027-02-01")),
            WaiverState::Rejected,
            "a rejection stays a rejection"
        );
    }

    #[test]
    fn expiring_soon_is_within_the_window_and_still_counting() {
        let w = waiver("2026-12-31", Some(true));
        assert!(w.expires_within(day("2026-12-18"), 14));
        assert!(!w.expires_within(day("2026-12-17"), 14));
        assert!(!w.expires_within(day("2027-01-01"), 14), "already expired");
        assert!(!waiver("2026-12-31", None).expires_within(day("2026-12-30"), 14));
    }

    #[test]
    fn a_request_needs_kind_reason_and_a_future_expiry_within_a_year() {
        let today = day("2026-11-23");
        let ok = validate_request(
            "accepted_risk",
            "  no TLS inside ",
            "2027-01-31",
            today,
            None,
        )
        .unwrap();
        assert_eq!(ok.reason, "no TLS inside");
        assert_eq!(ok.kind, WaiverKind::AcceptedRisk);
        let e = validate_request("forever", "", "2026-11-23", today, None).unwrap_err();
        assert!(e.get("kind").is_some());
        assert!(e.get("reason").is_some());
        assert!(e.get("expires_on").unwrap().contains("after today"));
        assert!(validate_request("not_applicable", "r", "2026-11-24", today, None).is_ok());
        assert!(validate_request("not_applicable", "r", "2027-11-24", today, None).is_ok());
        let far = validate_request("not_applicable", "r", "2027-11-25", today, None).unwrap_err();
        assert!(far.get("expires_on").unwrap().contains("366"));
        let bad = validate_request("not_applicable", "r", "31/01/2027", today, None).unwrap_err();
        assert!(bad.get("expires_on").unwrap().contains("like"));
    }

    #[test]
    fn a_second_request_waits_for_the_first_decision() {
        let today = day("2026-11-23");
        let pending = waiver("2026-12-31", None);
        let e = validate_request("accepted_risk", "r", "2027-01-31", today, Some(&pending))
            .unwrap_err();
        assert!(e.get("kind").unwrap().contains("already waiting"));
        let approved = waiver("2026-12-31", Some(true));
        assert!(
            validate_request("accepted_risk", "r", "2027-01-31", today, Some(&approved)).is_ok(),
            "a renewal may be asked while the current one runs"
        );
    }

    #[test]
    fn decisions_are_on_pending_requests_by_someone_else() {
        let today = day("2026-11-23");
        let w = waiver("2026-12-31", None);
        assert_eq!(
            validate_decision(&w, true, "maya", " ok ", today),
            Ok("ok".into())
        );
        assert_eq!(
            validate_decision(&w, true, "SAM", "", today),
            Err(DecisionRefusal::OwnRequest)
        );
        assert_eq!(
            validate_decision(&w, false, "maya", " ", today),
            Err(DecisionRefusal::ReasonMissing)
        );
        assert_eq!(
            validate_decision(&w, true, "maya", "", day("2027-01-01")),
            Err(DecisionRefusal::NotPending(WaiverState::Expired))
        );
        let decided = waiver("2026-12-31", Some(false));
        assert_eq!(
            validate_decision(&decided, true, "maya", "", today),
            Err(DecisionRefusal::NotPending(WaiverState::Rejected))
        );
    }

    #[test]
    fn details_round_trip_as_json() {
        let d = RequestDetails {
            waiver: RequestFacts {
                kind: WaiverKind::NotApplicable,
                expires_on: day("2027-01-31"),
            },
        };
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(
            text,
            r#"{"waiver":{"kind":"not_applicable","expires_on":"2027-01-31"}}"#
        );
        assert_eq!(serde_json::from_str::<RequestDetails>(&text).unwrap(), d);
    }
}
