//! Roles and what each may do. Enforced by the services, not by the UI.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including user management.
    Admin,
    /// Registers clusters and signs items off.
    Sre,
    /// Reads readiness across clusters; approves or rejects waivers.
    Manager,
    /// Reads and exports history; changes nothing.
    Auditor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ManageUsers,
    ManageClusters,
    SignOff,
    /// Run live checks on demand.
    RunChecks,
    /// Approve or reject waiver requests.
    DecideWaivers,
    /// Change where and how checks connect for a cluster that uses a
    /// secret (admins only: a secret must not be steerable by SREs).
    ChangeSecretConnections,
    Read,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Sre, Role::Manager, Role::Auditor];

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Sre => matches!(permission, ManageClusters | SignOff | RunChecks | Read),
            Role::Manager => matches!(permission, DecideWaivers | Read),
            Role::Auditor => matches!(permission, Read),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Sre => "sre",
            Role::Manager => "manager",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim().to_ascii_lowercase())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_and_sres_sign() {
        assert!(Role::Admin.can(Permission::SignOff));
        assert!(Role::Sre.can(Permission::SignOff));
        assert!(!Role::Manager.can(Permission::SignOff));
        assert!(!Role::Auditor.can(Permission::SignOff));
        assert!(Role::Manager.can(Permission::DecideWaivers));
        assert!(!Role::Sre.can(Permission::DecideWaivers));
        assert!(!Role::Auditor.can(Permission::DecideWaivers));
        assert!(Role::Admin.can(Permission::ChangeSecretConnections));
        assert!(!Role::Sre.can(Permission::ChangeSecretConnections));
    }

    #[test]
    fn only_admins_manage_users() {
        for r in Role::ALL {
            assert_eq!(r.can(Permission::ManageUsers), r == Role::Admin, "{r}");
            assert!(r.can(Permission::Read), "{r}");
        }
        assert!(!Role::Auditor.can(Permission::ManageClusters));
    }

    #[test]
    fn roles_parse_from_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse(" SRE "), Some(Role::Sre));
        assert_eq!(Role::parse("root"), None);
    }
}
