//! Cluster changes as history: registering, editing, archiving and
//! restoring a cluster are ledger rows in the same hash chain as sign-offs,
//! on the cluster's reserved item [`CLUSTER_ITEM`]. An edit records each
//! non-secret field before → after (secrets are only ever *named*, so their
//! names may appear). A change of where or how checks connect resets the
//! cluster's live verdicts: results from the old target never count for the
//! new one.

use crate::cluster::{Cluster, ValidCluster};
use crate::connection::Connection;
use serde::{Deserialize, Serialize};

/// The item id of cluster-level rows; not a valid runbook id (ids are
/// slugs), so it never clashes with an item.
pub const CLUSTER_ITEM: &str = "_cluster";

pub const ACTION_REGISTERED: &str = crate::ledger_action::LedgerAction::ClusterRegistered.as_str();
pub const ACTION_CHANGED: &str = crate::ledger_action::LedgerAction::ClusterChanged.as_str();
pub const ACTION_ARCHIVED: &str = crate::ledger_action::LedgerAction::ClusterArchived.as_str();
pub const ACTION_RESTORED: &str = crate::ledger_action::LedgerAction::ClusterRestored.as_str();

/// One field's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A cluster row's `details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterChangeDetails {
    pub changes: Vec<FieldChange>,
    /// The change moved the check target: live verdicts were reset.
    #[serde(default)]
    pub resets_verdicts: bool,
}

impl ClusterChangeDetails {
    pub fn parse(details: &str) -> Option<Self> {
        serde_json::from_str(details).ok()
    }
}

/// Fields whose change points checks at another target or identity.
const TARGET_FIELDS: &[&str] = &[
    "coordinator_url",
    "connection.check_user",
    "connection.auth",
    "connection.auth_user",
    "connection.secret_env",
    "connection.ca_file",
    "connection.insecure_tls",
    "connection.worker_hosts",
];

fn fields(
    name: &str,
    environment: &str,
    url: &str,
    notes: &str,
    c: &Connection,
) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("environment", environment.to_string()),
        ("coordinator_url", url.to_string()),
        ("notes", notes.to_string()),
        (
            "connection.check_user",
            c.check_user.clone().unwrap_or_default(),
        ),
        ("connection.auth", c.auth.method().to_string()),
        (
            "connection.auth_user",
            match &c.auth {
                crate::connection::Auth::Basic { user, .. } => user.clone(),
                _ => String::new(),
            },
        ),
        (
            "connection.secret_env",
            c.auth.secret_env().unwrap_or_default().to_string(),
        ),
        ("connection.ca_file", c.ca_file.clone().unwrap_or_default()),
        ("connection.insecure_tls", c.insecure_tls.to_string()),
        (
            "connection.connect_timeout_secs",
            c.connect_timeout_secs.to_string(),
        ),
        (
            "connection.query_timeout_secs",
            c.query_timeout_secs
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        ("connection.worker_hosts", c.worker_hosts.join(", ")),
    ]
}

fn of_valid(c: &ValidCluster) -> Vec<(&'static str, String)> {
    fields(
        c.name(),
        c.environment(),
        c.coordinator_url(),
        c.notes(),
        c.connection(),
    )
}

fn of_cluster(c: &Cluster) -> Vec<(&'static str, String)> {
    fields(
        &c.name,
        &c.environment,
        &c.coordinator_url,
        &c.notes,
        &c.connection,
    )
}

/// Every field of a newly registered cluster (before = empty).
pub fn registration(c: &ValidCluster) -> ClusterChangeDetails {
    ClusterChangeDetails {
        changes: of_valid(c)
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(f, after)| FieldChange {
                field: f.to_string(),
                before: String::new(),
                after,
            })
            .collect(),
        resets_verdicts: false,
    }
}

/// The fields an edit changes, and whether it moves the check target.
pub fn edit(before: &Cluster, after: &ValidCluster) -> ClusterChangeDetails {
    let changes: Vec<FieldChange> = of_cluster(before)
        .into_iter()
        .zip(of_valid(after))
        .filter(|((_, b), (_, a))| a != b)
        .map(|((f, before), (_, after))| FieldChange {
            field: f.to_string(),
            before,
            after,
        })
        .collect();
    let resets_verdicts = changes
        .iter()
        .any(|c| TARGET_FIELDS.contains(&c.field.as_str()));
    ClusterChangeDetails {
        changes,
        resets_verdicts,
    }
}

/// Whether an edit touches how checks connect (URL or any connection
/// field): such edits of a cluster that uses a secret are for admins.
pub fn touches_connection(d: &ClusterChangeDetails) -> bool {
    d.changes
        .iter()
        .any(|c| c.field == "coordinator_url" || c.field.starts_with("connection."))
}

/// The row's note: one line a person reads in the history.
pub fn note(d: &ClusterChangeDetails) -> String {
    const SHOWN: usize = 120;
    let short = |s: &str| -> String {
        if s.chars().count() > SHOWN {
            format!("{}…", s.chars().take(SHOWN).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let mut parts: Vec<String> = d
        .changes
        .iter()
        .map(|c| {
            if c.before.is_empty() {
                format!("{} = {}", c.field, short(&c.after))
            } else if c.field == "notes" {
                "notes changed".to_string()
            } else {
                format!("{}: {} → {}", c.field, short(&c.before), short(&c.after))
            }
        })
        .collect();
    if d.resets_verdicts {
        parts.push("live verdicts reset".into());
    }
    if parts.is_empty() {
        "no field changed".into()
    } else {
        parts.join("; ")
    }
}

/// Why a cluster's verdicts were reset, for its page.
pub fn reset_reason(d: &ClusterChangeDetails) -> String {
    let fields: Vec<&str> = d
        .changes
        .iter()
        .filter(|c| TARGET_FIELDS.contains(&c.field.as_str()))
        .map(|c| c.field.trim_start_matches("connection."))
        .collect();
    format!(
        "{} changed: results from the old target do not count for the new one",
        fields.join(", ")
    )
}

/// What the cluster page says about a reset of live verdicts: only while
/// no check has run against the new target yet.
pub fn reset_notice(cluster: &Cluster, any_check_since: bool) -> Option<String> {
    match (&cluster.checks_reset_at, &cluster.checks_reset_reason) {
        (Some(at), Some(why)) if !any_check_since => Some(format!(
            "Live checks were reset at {at}: {why}. Run the checks to judge the new target."
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Auth;

    fn valid(url: &str, notes: &str) -> ValidCluster {
        ValidCluster::for_tests("prod", url, notes, Connection::default())
    }

    fn cluster(v: &ValidCluster) -> Cluster {
        Cluster {
            id: crate::ids::ClusterId::new(1),
            name: v.name().to_string(),
            environment: v.environment().to_string(),
            coordinator_url: v.coordinator_url().to_string(),
            notes: v.notes().to_string(),
            connection: v.connection().clone(),
            created_at: "2026-12-01T00:00:00.000000Z".into(),
            updated_at: "2026-12-01T00:00:00.000000Z".into(),
            archived_at: None,
            checks_reset_at: None,
            checks_reset_reason: None,
        }
    }

    #[test]
    fn an_edit_lists_each_changed_field_and_a_target_change_resets() {
        let before = cluster(&valid("https://a.example.com:8443", "n"));
        let after = ValidCluster::for_tests(
            "prod",
            "https://evil.example.net:8443",
            "n2",
            Connection {
                insecure_tls: true,
                ..Connection::default()
            },
        );
        let d = edit(&before, &after);
        let fields: Vec<&str> = d.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["coordinator_url", "notes", "connection.insecure_tls"]
        );
        assert!(d.resets_verdicts);
        assert!(touches_connection(&d));
        let n = note(&d);
        assert!(
            n.starts_with("coordinator_url: https://a.example.com:8443 → https://evil.example.net:8443; notes changed"),
            "{n}"
        );
        assert!(n.ends_with("live verdicts reset"), "{n}");
        assert!(reset_reason(&d).starts_with("coordinator_url, insecure_tls changed"));
    }

    #[test]
    fn the_reset_notice_shows_until_a_check_ran() {
        let mut c = cluster(&valid("https://a.example.com", "n"));
        assert_eq!(reset_notice(&c, false), None);
        c.checks_reset_at = Some("2026-12-02T00:00:00.000000Z".into());
        c.checks_reset_reason = Some("coordinator_url changed".into());
        assert!(reset_notice(&c, false)
            .unwrap()
            .contains("coordinator_url changed"));
        assert_eq!(reset_notice(&c, true), None);
    }

    #[test]
    fn notes_alone_do_not_reset_and_secrets_are_only_named() {
        let before = cluster(&valid("https://a.example.com", "n"));
        let d = edit(&before, &valid("https://a.example.com", "other"));
        assert!(!d.resets_verdicts);
        assert!(!touches_connection(&d));
        let with_secret = ValidCluster::for_tests(
            "prod",
            "https://a.example.com",
            "n",
            Connection {
                auth: Auth::Basic {
                    user: "svc".into(),
                    password_env: "TRINO_SECRET_PROD".into(),
                },
                ..Connection::default()
            },
        );
        let d = registration(&with_secret);
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("TRINO_SECRET_PROD"));
        assert_eq!(ClusterChangeDetails::parse(&json), Some(d.clone()));
        assert!(
            note(&d).starts_with("name = prod; environment = prod"),
            "{}",
            note(&d)
        );
        assert!(edit(&before, &valid("https://a.example.com", "n"))
            .changes
            .is_empty());
    }
}
