//! What `migrate-store` copies: every table of the final schema (the
//! migrations in `migrations/sqlite` applied in order, and
//! `migrations/postgres`), with its columns, their kind, the order rows
//! are read in and its identity column. The `sessions` table is left out:
//! people log in again on the new install.
//!
//! Both databases are checked against this list before anything is copied
//! (see [`super::source`] and [`super::target`]), so a later migration that
//! adds a table or a column stops the command instead of losing data.

/// How a column is stored on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SQLite `INTEGER`, PostgreSQL `BIGINT`.
    Int,
    /// `TEXT` on both.
    Text,
    /// SQLite `INTEGER` holding 0 or 1, PostgreSQL `BOOLEAN`.
    Bool,
}

impl Kind {
    /// The declared type in the SQLite schema.
    pub fn sqlite_type(self) -> &'static str {
        match self {
            Kind::Int | Kind::Bool => "INTEGER",
            Kind::Text => "TEXT",
        }
    }

    /// `information_schema.columns.data_type` on PostgreSQL.
    pub fn postgres_type(self) -> &'static str {
        match self {
            Kind::Int => "bigint",
            Kind::Text => "text",
            Kind::Bool => "boolean",
        }
    }

    /// The array type rows are sent in (`UNNEST($n::…[])`).
    pub fn postgres_array(self) -> &'static str {
        match self {
            Kind::Int => "bigint[]",
            Kind::Text => "text[]",
            Kind::Bool => "boolean[]",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

const fn int(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Int,
    }
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
    }
}

const fn boolean(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Bool,
    }
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    /// The primary key: rows are read in its order (the ledger in chain
    /// order).
    pub order_by: &'static str,
    /// A PostgreSQL identity column, whose sequence is moved past the
    /// copied ids.
    pub identity: Option<&'static str>,
    /// Bookkeeping a server writes at its first start on an empty
    /// database (the read model's version, the notification cursor): its
    /// rows on the target are replaced, and do not make the target count
    /// as non-empty.
    pub replaced: bool,
}

/// Tables the application keeps that are not copied, on either side
/// (besides sqlx's `_sqlx_migrations`).
/// `login_failures` exists on PostgreSQL only and holds failures of the last
/// quarter hour, which a move need not carry.
pub const NOT_COPIED: &[&str] = &["sessions", "login_failures"];

/// Every table, parents before the tables whose foreign keys name them.
pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            int("id"),
            text("username"),
            text("password_hash"),
            text("role"),
            text("created_at"),
            int("sessions_valid_after"),
            text("disabled_at"),
            text("source"),
            text("oidc_issuer"),
            text("oidc_subject"),
            text("directory_checked_at"),
        ],
        order_by: "id",
        identity: Some("id"),
        replaced: false,
    },
    Table {
        name: "clusters",
        columns: &[
            int("id"),
            text("name"),
            text("environment"),
            text("coordinator_url"),
            text("notes"),
            text("created_at"),
            text("updated_at"),
            text("archived_at"),
            text("connection"),
            text("checks_reset_at"),
            text("checks_reset_reason"),
        ],
        order_by: "id",
        identity: Some("id"),
        replaced: false,
    },
    Table {
        name: "ledger",
        columns: &[
            int("seq"),
            text("at"),
            text("actor"),
            int("cluster_id"),
            text("item_id"),
            text("action"),
            text("note"),
            text("details"),
            text("prev_hash"),
            text("hash"),
        ],
        order_by: "seq",
        identity: None,
        replaced: false,
    },
    Table {
        name: "attachments",
        columns: &[
            int("id"),
            int("ledger_seq"),
            text("sha256"),
            text("name"),
            text("content_type"),
            int("size"),
            text("uploaded_by"),
            text("uploaded_at"),
            text("evidence_as_of"),
        ],
        order_by: "id",
        identity: Some("id"),
        replaced: false,
    },
    Table {
        name: "check_results",
        columns: &[
            int("id"),
            int("cluster_id"),
            text("item_id"),
            text("run_id"),
            text("status"),
            text("reason"),
            text("observed"),
            text("evidence"),
            int("duration_ms"),
            text("at"),
        ],
        order_by: "id",
        identity: Some("id"),
        replaced: false,
    },
    Table {
        name: "check_verdicts",
        columns: &[
            int("cluster_id"),
            text("item_id"),
            text("effective"),
            text("effective_since"),
            text("streak_status"),
            int("streak"),
            text("streak_since"),
            text("updated_at"),
        ],
        order_by: "cluster_id, item_id",
        identity: None,
        replaced: false,
    },
    Table {
        name: "cluster_facts",
        columns: &[int("cluster_id"), text("facts"), text("at")],
        order_by: "cluster_id",
        identity: None,
        replaced: false,
    },
    Table {
        name: "trino_versions_seen",
        columns: &[int("version"), text("first_seen"), int("cluster_id")],
        order_by: "version",
        identity: None,
        replaced: false,
    },
    Table {
        name: "reminders_sent",
        columns: &[
            int("cluster_id"),
            text("task_id"),
            text("due"),
            text("state"),
            text("sent_at"),
        ],
        order_by: "cluster_id, task_id, due, state",
        identity: None,
        replaced: false,
    },
    Table {
        name: "calendar_links",
        columns: &[text("token_sha256"), int("user_id"), text("created_at")],
        order_by: "token_sha256",
        identity: None,
        replaced: false,
    },
    Table {
        name: "api_tokens",
        columns: &[
            int("id"),
            int("user_id"),
            text("name"),
            text("token_sha256"),
            boolean("read_only"),
            text("created_at"),
            text("expires_at"),
            text("last_used_at"),
            text("revoked_at"),
        ],
        order_by: "id",
        identity: Some("id"),
        replaced: false,
    },
    Table {
        name: "item_state",
        columns: &[int("cluster_id"), text("item_id"), text("state")],
        order_by: "cluster_id, item_id",
        identity: None,
        replaced: false,
    },
    Table {
        name: "item_state_daily",
        columns: &[
            int("cluster_id"),
            text("item_id"),
            text("day"),
            text("state"),
        ],
        order_by: "cluster_id, item_id, day",
        identity: None,
        replaced: false,
    },
    Table {
        name: "view_meta",
        columns: &[text("name"), int("version")],
        order_by: "name",
        identity: None,
        replaced: true,
    },
    Table {
        name: "notifications_sent",
        columns: &[
            text("event_id"),
            text("target"),
            text("kind"),
            text("sent_at"),
        ],
        order_by: "event_id, target",
        identity: None,
        replaced: false,
    },
    Table {
        name: "notify_cursor",
        columns: &[text("name"), int("seq")],
        order_by: "name",
        identity: None,
        replaced: true,
    },
];

/// The table with this name, if it is copied.
pub fn find(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Whether the application keeps `name` but it is not copied.
pub fn is_skipped(name: &str) -> bool {
    name == "_sqlx_migrations" || NOT_COPIED.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_named_once_and_skipped_ones_are_not_listed() {
        for (i, t) in TABLES.iter().enumerate() {
            assert!(TABLES[..i].iter().all(|u| u.name != t.name), "{}", t.name);
            assert!(!is_skipped(t.name));
            assert!(t
                .columns
                .iter()
                .any(|c| c.name == t.order_by.split(',').next().unwrap_or("")));
        }
        assert!(find("ledger").is_some() && find("sessions").is_none());
    }
}
