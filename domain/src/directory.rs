//! Accounts kept elsewhere: where an account comes from (Shipshape itself,
//! an LDAP directory, an OpenID provider), how a directory's groups map to a
//! role, and how a user name is put into an LDAP filter or DN template
//! (escaping is the LDAP client's).

use crate::role::Role;
pub use crate::user::Source;

/// Which groups give which role. A person in several mapped groups gets
/// the first role in the order admin, sre, manager, auditor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMap {
    entries: Vec<(Role, Vec<String>)>,
    /// Compare as LDAP DNs (case and spacing after commas ignored), not
    /// as exact names (OpenID claims).
    dn: bool,
}

impl RoleMap {
    /// A map of LDAP group DNs.
    pub fn of_dns(entries: impl IntoIterator<Item = (Role, Vec<String>)>) -> RoleMap {
        Self::build(entries, true)
    }

    /// A map of group names as an OpenID provider's claim lists them.
    pub fn of_names(entries: impl IntoIterator<Item = (Role, Vec<String>)>) -> RoleMap {
        Self::build(entries, false)
    }

    fn build(entries: impl IntoIterator<Item = (Role, Vec<String>)>, dn: bool) -> RoleMap {
        let mut entries: Vec<(Role, Vec<String>)> = entries
            .into_iter()
            .map(|(r, groups)| {
                let groups = groups
                    .iter()
                    .map(|g| if dn { normalize_dn(g) } else { g.clone() })
                    .collect();
                (r, groups)
            })
            .collect();
        entries.sort_by_key(|(r, _)| Role::ALL.iter().position(|x| x == r));
        RoleMap { entries, dn }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(|(_, g)| g.is_empty())
    }

    /// The role the groups give, if any.
    pub fn role_for<S: AsRef<str>>(&self, groups: &[S]) -> Option<Role> {
        let groups: Vec<String> = groups
            .iter()
            .map(|g| {
                if self.dn {
                    normalize_dn(g.as_ref())
                } else {
                    g.as_ref().to_string()
                }
            })
            .collect();
        self.entries
            .iter()
            .find(|(_, mapped)| mapped.iter().any(|m| groups.contains(m)))
            .map(|(r, _)| *r)
    }
}

/// A DN compared loosely: lower case, no spaces around `,` and `=`
/// (escaped characters, such as `\,` inside a value, are kept).
pub fn normalize_dn(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len());
    let mut escaped = false;
    let mut after_separator = true;
    let mut spaces = 0usize;
    for c in dn.trim().chars() {
        if escaped || !matches!(c, ' ' | ',' | '=') {
            out.extend(std::iter::repeat_n(' ', spaces));
            spaces = 0;
            out.extend(c.to_lowercase());
            escaped = !escaped && c == '\\';
            after_separator = false;
        } else if c == ' ' {
            if !after_separator {
                spaces += 1;
            }
        } else {
            spaces = 0;
            out.push(c);
            after_separator = true;
        }
    }
    out
}

/// Puts the escaped user name (and the user's DN) into a template such as
/// `(uid={user})` or `(member={dn})`.
pub fn fill(template: &str, user: &str, dn: &str) -> String {
    template.replace("{user}", user).replace("{dn}", dn)
}

/// Whether a name a directory or provider gives may become a Shipshape
/// user name (the same characters local names may use).
pub fn usable_username(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= crate::user::USERNAME_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        && !crate::user::is_reserved_name(name)
}

/// Whether a directory account whose directory or provider last vouched
/// for it at `checked_at` (a stored timestamp) still counts at `now`, when
/// its sessions and tokens last `max_hours` after that. Never vouched for
/// (an account from before this was kept): no.
pub fn vouched_recently(
    checked_at: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    max_hours: i64,
) -> bool {
    checked_at
        .and_then(crate::time::parse_ts)
        .is_some_and(|at| now - at < chrono::Duration::hours(max_hours))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_counts_for_max_hours_after_its_directory_vouched_for_it() {
        let now = crate::time::parse_ts("2026-12-07T12:00:00.000000Z").unwrap();
        assert!(vouched_recently(
            Some("2026-12-07T00:00:01.000000Z"),
            now,
            12
        ));
        assert!(!vouched_recently(
            Some("2026-12-06T23:59:59.000000Z"),
            now,
            12
        ));
        assert!(!vouched_recently(None, now, 24));
        assert!(!vouched_recently(Some("not a time"), now, 24));
    }

    #[test]
    fn the_highest_mapped_role_wins_whatever_the_order_of_groups() {
        let map = RoleMap::of_dns([
            (Role::Auditor, vec!["cn=auditors,dc=x".into()]),
            (Role::Sre, vec!["cn=sres,dc=x".into()]),
            (Role::Admin, vec!["cn=admins,dc=x".into()]),
        ]);
        assert_eq!(
            map.role_for(&["cn=auditors,dc=x", "CN=Admins, DC=x"]),
            Some(Role::Admin)
        );
        assert_eq!(map.role_for(&["cn=sres,dc=x"]), Some(Role::Sre));
        assert_eq!(map.role_for(&["cn=interns,dc=x"]), None);
        assert_eq!(map.role_for::<&str>(&[]), None);
    }

    #[test]
    fn sre_comes_before_manager() {
        let map = RoleMap::of_names([
            (Role::Manager, vec!["m".into()]),
            (Role::Sre, vec!["s".into()]),
        ]);
        assert_eq!(map.role_for(&["m", "s"]), Some(Role::Sre));
    }

    #[test]
    fn claim_names_compare_exactly() {
        let map = RoleMap::of_names([(Role::Admin, vec!["Trino-Admins".into()])]);
        assert_eq!(map.role_for(&["trino-admins"]), None);
        assert_eq!(map.role_for(&["Trino-Admins"]), Some(Role::Admin));
        assert!(!map.is_empty());
        assert!(RoleMap::of_names([(Role::Admin, vec![])]).is_empty());
    }

    #[test]
    fn dns_compare_without_case_or_spacing() {
        assert_eq!(
            normalize_dn(" CN=Trino Admins , OU=Groups,dc=Example "),
            "cn=trino admins,ou=groups,dc=example"
        );
        assert_eq!(normalize_dn("cn=a\\, b,dc=x"), "cn=a\\, b,dc=x");
    }

    #[test]
    fn templates_take_the_user_and_the_dn() {
        assert_eq!(
            fill("(&(uid={user})(objectClass=person))", "alice", ""),
            "(&(uid=alice)(objectClass=person))"
        );
        assert_eq!(
            fill("(|(member={dn})(memberUid={user}))", "al", "uid=al,dc=x"),
            "(|(member=uid=al,dc=x)(memberUid=al))"
        );
    }

    #[test]
    fn only_plain_names_become_user_names() {
        assert!(usable_username("alice.smith@example.com"));
        assert!(!usable_username(""));
        assert!(!usable_username("al ice"));
        assert!(!usable_username(&"a".repeat(65)));
    }

    #[test]
    fn sources_round_trip() {
        for s in [Source::Local, Source::Ldap, Source::Oidc] {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
        assert_eq!(Source::parse("kerberos"), None);
    }
}
