//! Account changes by admins, as ledger rows: role changes, disabling,
//! enabling and password resets are install-level rows (cluster 0, item
//! [`ACCOUNT_ITEM`]) in the same hash chain: who did what to whom, when.
//! And the rules that keep an install governable.

use crate::directory::Source;
use crate::ids::UserId;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// The cluster id of install-level rows (no cluster).
pub const INSTALL_CLUSTER: i64 = 0;
/// The item id of account rows; not a valid runbook id.
pub const ACCOUNT_ITEM: &str = "_account";

/// The action of the row that records a new account (the grant of its
/// first role): by an admin, the operator's CLI, first-run setup, or a
/// directory at the person's first login.
pub const CREATED_ACTION: &str = crate::ledger_action::LedgerAction::AccountCreated.as_str();

/// What an admin does to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    Role(Role),
    Disable,
    Enable,
    ResetPassword,
}

impl AccountChange {
    pub fn action(&self) -> &'static str {
        match self {
            AccountChange::Role(_) => crate::ledger_action::LedgerAction::RoleChanged.as_str(),
            AccountChange::Disable => crate::ledger_action::LedgerAction::AccountDisabled.as_str(),
            AccountChange::Enable => crate::ledger_action::LedgerAction::AccountEnabled.as_str(),
            AccountChange::ResetPassword => {
                crate::ledger_action::LedgerAction::PasswordReset.as_str()
            }
        }
    }
}

/// A row's `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Where the account is kept, on rows that create one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The account as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub source: Source,
}

impl From<&crate::user::User> for Target {
    fn from(u: &crate::user::User) -> Self {
        Target {
            id: u.id,
            username: u.username.clone(),
            role: u.role,
            disabled: u.disabled,
            source: u.source,
        }
    }
}

/// Why a change is refused, if it is: nobody disables themselves, and the
/// last enabled admin stays an enabled admin (`enabled_admins` counts them
/// now).
pub fn refusal(
    actor_id: UserId,
    target: &Target,
    change: &AccountChange,
    enabled_admins: i64,
) -> Option<String> {
    let last_admin = target.role == Role::Admin && !target.disabled && enabled_admins <= 1;
    match change {
        AccountChange::Disable if target.id == actor_id => {
            Some("You cannot disable your own account.".into())
        }
        AccountChange::Disable if last_admin => {
            Some("This is the last enabled admin: make another admin first.".into())
        }
        AccountChange::Role(r) if *r != Role::Admin && last_admin => {
            Some("This is the last enabled admin: make another admin first.".into())
        }
        AccountChange::ResetPassword if target.source != Source::Local => Some(format!(
            "This account's password is kept by {}, not by Shipshape.",
            source_name(target.source)
        )),
        AccountChange::Role(_) if target.source != Source::Local => Some(format!(
            "This account's role follows {} at each login: change its groups there.",
            source_name(target.source)
        )),
        _ => None,
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Local => "Shipshape",
        Source::Ldap => "the LDAP directory",
        Source::Oidc => "the OpenID provider",
    }
}

/// The note and details of the row that creates `user` with `role`.
pub fn created_row(user: &str, role: Role, source: Source) -> (String, AccountDetails) {
    (
        format!("created {user} as {} ({})", role.as_str(), source.as_str()),
        AccountDetails {
            user: user.to_string(),
            from: None,
            to: Some(role.as_str().into()),
            source: Some(source.as_str().into()),
        },
    )
}

/// The row's note and details for a change to `target`.
pub fn row(target: &Target, change: &AccountChange) -> (String, AccountDetails) {
    let user = target.username.clone();
    match change {
        AccountChange::Role(r) => (
            format!("role of {user}: {} → {}", target.role.as_str(), r.as_str()),
            AccountDetails {
                user,
                from: Some(target.role.as_str().into()),
                to: Some(r.as_str().into()),
                source: None,
            },
        ),
        AccountChange::Disable => (
            format!("disabled {user}"),
            AccountDetails {
                user,
                from: None,
                to: None,
                source: None,
            },
        ),
        AccountChange::Enable => (
            format!("enabled {user}"),
            AccountDetails {
                user,
                from: None,
                to: None,
                source: None,
            },
        ),
        AccountChange::ResetPassword => (
            format!("password of {user} reset"),
            AccountDetails {
                user,
                from: None,
                to: None,
                source: None,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: i64, role: Role) -> Target {
        Target {
            id: id.into(),
            username: format!("u{id}"),
            role,
            disabled: false,
            source: Source::Local,
        }
    }

    #[test]
    fn nobody_disables_themselves_and_the_last_admin_stays() {
        assert!(refusal(UserId::new(1), &t(1, Role::Sre), &AccountChange::Disable, 2).is_some());
        assert!(refusal(
            UserId::new(1),
            &t(2, Role::Admin),
            &AccountChange::Disable,
            1
        )
        .is_some());
        assert!(refusal(
            UserId::new(1),
            &t(2, Role::Admin),
            &AccountChange::Disable,
            2
        )
        .is_none());
        assert!(refusal(
            UserId::new(1),
            &t(1, Role::Admin),
            &AccountChange::Role(Role::Sre),
            1
        )
        .is_some());
        assert!(refusal(
            UserId::new(1),
            &t(1, Role::Admin),
            &AccountChange::Role(Role::Admin),
            1
        )
        .is_none());
        assert!(refusal(
            UserId::new(1),
            &t(2, Role::Sre),
            &AccountChange::Role(Role::Manager),
            1
        )
        .is_none());
        assert!(refusal(
            UserId::new(1),
            &t(2, Role::Sre),
            &AccountChange::ResetPassword,
            1
        )
        .is_none());
    }

    #[test]
    fn rows_say_who_was_changed_and_how() {
        let (note, d) = row(&t(2, Role::Sre), &AccountChange::Role(Role::Manager));
        assert_eq!(note, "role of u2: sre → manager");
        assert_eq!(
            (d.from.as_deref(), d.to.as_deref()),
            (Some("sre"), Some("manager"))
        );
        assert_eq!(
            row(&t(2, Role::Sre), &AccountChange::Disable).0,
            "disabled u2"
        );
        assert_eq!(AccountChange::ResetPassword.action(), "password_reset");
        let (note, d) = created_row("dana", Role::Sre, Source::Ldap);
        assert_eq!(note, "created dana as sre (ldap)");
        assert_eq!(
            (d.to.as_deref(), d.source.as_deref()),
            (Some("sre"), Some("ldap"))
        );
    }

    #[test]
    fn directory_accounts_keep_their_password_and_role_in_the_directory() {
        let ext = Target {
            source: Source::Oidc,
            ..t(2, Role::Sre)
        };
        assert!(refusal(UserId::new(1), &ext, &AccountChange::ResetPassword, 2).is_some());
        assert!(refusal(UserId::new(1), &ext, &AccountChange::Role(Role::Admin), 2).is_some());
        assert!(refusal(UserId::new(1), &ext, &AccountChange::Disable, 2).is_none());
        assert!(refusal(UserId::new(1), &ext, &AccountChange::Enable, 2).is_none());
    }
}
