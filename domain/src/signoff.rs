//! Sign-off rules: what a person may record about an item, and the item state
//! that follows from the ledger.
//!
//! An item's state is never stored: it is the consequence of its newest ledger
//! row (`done` → done, `not_applicable` → not applicable, `revoked` → open, no
//! row → open).

use crate::fields::FieldErrors;
use crate::role::{Permission, Role};
use serde::{Deserialize, Serialize};

use crate::ledger_action::LedgerAction;
pub use crate::text_limit::NOTE_MAX_CHARS;

/// What an unknown or missing sign-off status is told, at every door.
pub const STATUS_MESSAGE: &str =
    "Choose a status: done, not_applicable (not applicable) or revoked.";

/// What a sign-off records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffAction {
    Done,
    NotApplicable,
    Revoked,
}

impl SignoffAction {
    /// The ledger action this sign-off records.
    pub const fn action(self) -> LedgerAction {
        match self {
            SignoffAction::Done => LedgerAction::Done,
            SignoffAction::NotApplicable => LedgerAction::NotApplicable,
            SignoffAction::Revoked => LedgerAction::Revoked,
        }
    }

    pub const fn as_str(self) -> &'static str {
        self.action().as_str()
    }

    pub fn parse(text: &str) -> Option<Self> {
        match LedgerAction::parse(text)? {
            LedgerAction::Done => Some(SignoffAction::Done),
            LedgerAction::NotApplicable => Some(SignoffAction::NotApplicable),
            LedgerAction::Revoked => Some(SignoffAction::Revoked),
            _ => None,
        }
    }

    /// A sign-off status as a person or a client sent it: one rule and one
    /// message for every way in (the JSON API, the page's form and the
    /// plain form post).
    pub fn from_status(text: &str) -> Result<Self, FieldErrors> {
        SignoffAction::parse(text.trim())
            .ok_or_else(|| FieldErrors::single("status", STATUS_MESSAGE))
    }

    /// The state an item is in after this action.
    pub fn resulting_status(self) -> ItemStatus {
        match self {
            SignoffAction::Done => ItemStatus::Done,
            SignoffAction::NotApplicable => ItemStatus::NotApplicable,
            SignoffAction::Revoked => ItemStatus::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SignoffAction::Done => "signed off",
            SignoffAction::NotApplicable => "marked not applicable",
            SignoffAction::Revoked => "revoked",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
    NotApplicable,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Done => "done",
            ItemStatus::NotApplicable => "not_applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "Open",
            ItemStatus::Done => "Done",
            ItemStatus::NotApplicable => "Not applicable",
        }
    }

    /// The state after the newest action, if any.
    pub fn from_latest(latest: Option<SignoffAction>) -> Self {
        latest
            .map(SignoffAction::resulting_status)
            .unwrap_or(ItemStatus::Open)
    }
}

/// Why a person may not sign items of a cluster off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignRefusal {
    /// Their role may not sign (managers, auditors).
    Role,
    /// The cluster is archived: restore it first.
    Archived,
}

/// The one rule for who may sign where; `None` means they may.
pub fn sign_refusal(role: Role, cluster_archived: bool) -> Option<SignRefusal> {
    if !role.can(Permission::SignOff) {
        Some(SignRefusal::Role)
    } else if cluster_archived {
        Some(SignRefusal::Archived)
    } else {
        None
    }
}

/// A sign-off that passed the rules, ready to be appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSignoff {
    action: SignoffAction,
    note: String,
}

/// Read-only: a value cannot change after it was validated.
impl ValidSignoff {
    pub fn action(&self) -> SignoffAction {
        self.action
    }

    pub fn note(&self) -> &str {
        &self.note
    }
}

/// Checks a requested sign-off against the item's current state.
///
/// - `not_applicable` needs a reason (the note);
/// - `revoked` needs something to revoke;
/// - notes are trimmed and at most [`NOTE_MAX_CHARS`] characters.
///
/// Signing `done` again on a done item is allowed: it re-attests the item
/// with a fresh date.
pub fn validate_signoff(
    action: SignoffAction,
    note: &str,
    current: ItemStatus,
) -> Result<ValidSignoff, FieldErrors> {
    let note = note.trim();
    let mut errors = FieldErrors::new();
    crate::text_limit::check(&mut errors, "note", note);
    errors.refuse_nul("note", note);
    if action == SignoffAction::NotApplicable && note.is_empty() {
        errors.add(
            "note",
            "Say why this item does not apply: a reason is required.",
        );
    }
    if action == SignoffAction::Revoked && current == ItemStatus::Open {
        errors.add("status", "This item has no sign-off to revoke.");
    }
    errors.into_result(ValidSignoff {
        action,
        note: note.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_follows_the_newest_action() {
        assert_eq!(ItemStatus::from_latest(None), ItemStatus::Open);
        assert_eq!(
            ItemStatus::from_latest(Some(SignoffAction::Done)),
            ItemStatus::Done
        );
        assert_eq!(
            ItemStatus::from_latest(Some(SignoffAction::NotApplicable)),
            ItemStatus::NotApplicable
        );
        assert_eq!(
            ItemStatus::from_latest(Some(SignoffAction::Revoked)),
            ItemStatus::Open
        );
    }

    #[test]
    fn who_may_sign_where() {
        assert_eq!(sign_refusal(Role::Sre, false), None);
        assert_eq!(sign_refusal(Role::Admin, true), Some(SignRefusal::Archived));
        assert_eq!(sign_refusal(Role::Manager, false), Some(SignRefusal::Role));
        assert_eq!(
            sign_refusal(Role::Auditor, true),
            Some(SignRefusal::Role),
            "the role is the first reason"
        );
    }

    #[test]
    fn not_applicable_needs_a_reason() {
        let e =
            validate_signoff(SignoffAction::NotApplicable, "   ", ItemStatus::Open).unwrap_err();
        assert!(e.get("note").unwrap().contains("reason"));
        let ok = validate_signoff(
            SignoffAction::NotApplicable,
            "  no S3 here ",
            ItemStatus::Open,
        )
        .unwrap();
        assert_eq!(ok.note, "no S3 here");
    }

    #[test]
    fn only_a_signed_item_can_be_revoked() {
        assert!(validate_signoff(SignoffAction::Revoked, "", ItemStatus::Open).is_err());
        assert!(validate_signoff(SignoffAction::Revoked, "", ItemStatus::Done).is_ok());
        assert!(validate_signoff(SignoffAction::Revoked, "", ItemStatus::NotApplicable).is_ok());
    }

    #[test]
    fn done_may_be_signed_again_and_note_is_optional() {
        assert!(validate_signoff(SignoffAction::Done, "", ItemStatus::Done).is_ok());
    }

    #[test]
    fn overlong_notes_are_refused() {
        let long = "x".repeat(NOTE_MAX_CHARS + 1);
        assert!(
            validate_signoff(SignoffAction::Done, &long, ItemStatus::Open)
                .unwrap_err()
                .get("note")
                .is_some()
        );
        let exact = "é".repeat(NOTE_MAX_CHARS);
        assert!(validate_signoff(SignoffAction::Done, &exact, ItemStatus::Open).is_ok());
    }

    #[test]
    fn actions_round_trip_as_text() {
        for a in [
            SignoffAction::Done,
            SignoffAction::NotApplicable,
            SignoffAction::Revoked,
        ] {
            assert_eq!(SignoffAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(SignoffAction::parse("approved"), None);
    }
}
