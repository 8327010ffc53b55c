//! Every action a ledger row can record, in one enum: the names stored in
//! the `action` column, and the groups the rest of the product asks about
//! (sign-offs, waivers, what the read model folds, what standing and the
//! trend replay, what may be worth a notification). The SQL action lists,
//! the read model's rule, the export and the UI take their names from here,
//! so no list has to be kept in step with another by hand.

use serde::{Deserialize, Serialize};

/// What one ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerAction {
    /// An item signed off as done.
    Done,
    /// An item marked not applicable.
    NotApplicable,
    /// A sign-off revoked: the item is open again.
    Revoked,
    WaiverRequested,
    WaiverApproved,
    WaiverRejected,
    /// A Day-2 task completed.
    Completed,
    /// A live check's verdict changed (written by the server itself).
    CheckVerdict,
    ClusterRegistered,
    ClusterChanged,
    ClusterArchived,
    ClusterRestored,
    AccountCreated,
    RoleChanged,
    AccountDisabled,
    AccountEnabled,
    PasswordReset,
    /// A signed checkpoint of the chain (written by the server itself).
    Checkpoint,
    /// A cluster's configuration files pushed (by a pipeline or a person):
    /// each file's SHA-256, the redacted snapshot attached as evidence.
    ConfigPushed,
}

impl LedgerAction {
    /// Every action, in a fixed order.
    pub const ALL: [LedgerAction; 19] = [
        LedgerAction::Done,
        LedgerAction::NotApplicable,
        LedgerAction::Revoked,
        LedgerAction::WaiverRequested,
        LedgerAction::WaiverApproved,
        LedgerAction::WaiverRejected,
        LedgerAction::Completed,
        LedgerAction::CheckVerdict,
        LedgerAction::ClusterRegistered,
        LedgerAction::ClusterChanged,
        LedgerAction::ClusterArchived,
        LedgerAction::ClusterRestored,
        LedgerAction::AccountCreated,
        LedgerAction::RoleChanged,
        LedgerAction::AccountDisabled,
        LedgerAction::AccountEnabled,
        LedgerAction::PasswordReset,
        LedgerAction::Checkpoint,
        LedgerAction::ConfigPushed,
    ];

    /// The name stored in the ledger's `action` column (fixed forever:
    /// signed rows carry it).
    pub const fn as_str(self) -> &'static str {
        match self {
            LedgerAction::Done => "done",
            LedgerAction::NotApplicable => "not_applicable",
            LedgerAction::Revoked => "revoked",
            LedgerAction::WaiverRequested => "waiver_requested",
            LedgerAction::WaiverApproved => "waiver_approved",
            LedgerAction::WaiverRejected => "waiver_rejected",
            LedgerAction::Completed => "completed",
            LedgerAction::CheckVerdict => "check_verdict",
            LedgerAction::ClusterRegistered => "cluster_registered",
            LedgerAction::ClusterChanged => "cluster_changed",
            LedgerAction::ClusterArchived => "cluster_archived",
            LedgerAction::ClusterRestored => "cluster_restored",
            LedgerAction::AccountCreated => "account_created",
            LedgerAction::RoleChanged => "role_changed",
            LedgerAction::AccountDisabled => "account_disabled",
            LedgerAction::AccountEnabled => "account_enabled",
            LedgerAction::PasswordReset => "password_reset",
            LedgerAction::Checkpoint => "checkpoint",
            LedgerAction::ConfigPushed => "config_pushed",
        }
    }

    /// The action stored as `text`; `None` for a name no version wrote.
    pub fn parse(text: &str) -> Option<LedgerAction> {
        LedgerAction::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// A person's sign-off on an item (the item's newest one gives its
    /// state).
    pub fn is_signoff(self) -> bool {
        matches!(
            self,
            LedgerAction::Done | LedgerAction::NotApplicable | LedgerAction::Revoked
        )
    }

    /// A waiver's request or decision.
    pub fn is_waiver(self) -> bool {
        matches!(
            self,
            LedgerAction::WaiverRequested
                | LedgerAction::WaiverApproved
                | LedgerAction::WaiverRejected
        )
    }

    /// What readiness standing and the trend replay: sign-offs, waivers,
    /// verdict changes, and cluster changes (which may reset verdicts).
    pub fn moves_standing(self) -> bool {
        self.is_signoff()
            || self.is_waiver()
            || matches!(
                self,
                LedgerAction::CheckVerdict | LedgerAction::ClusterChanged
            )
    }

    /// A row about one item that changes that item's state in the read
    /// model ([`crate::item_state`]): sign-offs, waivers, verdict changes
    /// and Day-2 completions.
    pub fn changes_item(self) -> bool {
        self.is_signoff()
            || self.is_waiver()
            || matches!(self, LedgerAction::CheckVerdict | LedgerAction::Completed)
    }

    /// The rows the read model reads: those that change an item, and
    /// cluster changes (a new check target resets every verdict).
    pub fn feeds_read_model(self) -> bool {
        self.changes_item() || self == LedgerAction::ClusterChanged
    }

    /// What may be worth a notification: verdict changes and waivers.
    pub fn is_notable(self) -> bool {
        self == LedgerAction::CheckVerdict || self.is_waiver()
    }

    /// The names of the actions that `pick` selects as an SQL list,
    /// `('done', 'revoked')`. Names are fixed lowercase words, so quoting
    /// them needs no escaping.
    pub fn sql_list(pick: fn(LedgerAction) -> bool) -> String {
        let names: Vec<String> = LedgerAction::ALL
            .into_iter()
            .filter(|a| pick(*a))
            .map(|a| format!("'{}'", a.as_str()))
            .collect();
        format!("({})", names.join(", "))
    }
}

impl std::fmt::Display for LedgerAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_action_and_names_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for a in LedgerAction::ALL {
            assert_eq!(LedgerAction::parse(a.as_str()), Some(a));
            assert!(seen.insert(a.as_str()), "{a} twice");
            // Safe to put between quotes in SQL.
            assert!(a
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert_eq!(LedgerAction::parse("approved"), None);
    }

    #[test]
    fn serde_uses_the_stored_names() {
        for a in LedgerAction::ALL {
            let json = serde_json::to_string(&a).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
        }
    }

    #[test]
    fn groups_nest_as_the_read_model_and_standing_expect() {
        assert_eq!(
            LedgerAction::sql_list(LedgerAction::is_signoff),
            "('done', 'not_applicable', 'revoked')"
        );
        assert_eq!(
            LedgerAction::sql_list(LedgerAction::is_notable),
            "('waiver_requested', 'waiver_approved', 'waiver_rejected', 'check_verdict')"
        );
        for a in LedgerAction::ALL {
            if a.moves_standing() {
                assert!(a.feeds_read_model(), "{a}: standing reads the read model");
            }
            if a.is_notable() {
                assert!(a.moves_standing(), "{a}");
            }
            if a.changes_item() {
                assert!(a.feeds_read_model(), "{a}");
            }
        }
        assert!(LedgerAction::Completed.changes_item());
        assert!(!LedgerAction::Completed.moves_standing());
        assert!(!LedgerAction::ClusterChanged.changes_item());
        assert!(LedgerAction::ClusterChanged.feeds_read_model());
        for quiet in [
            LedgerAction::Checkpoint,
            LedgerAction::AccountCreated,
            LedgerAction::ClusterRegistered,
            LedgerAction::ClusterArchived,
            LedgerAction::PasswordReset,
            LedgerAction::ConfigPushed,
        ] {
            assert!(!quiet.feeds_read_model(), "{quiet}");
        }
    }
}
