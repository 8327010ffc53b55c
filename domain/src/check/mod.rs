//! Live checks: what a runbook item's `check` asks of a cluster, and how what
//! was observed becomes a verdict. Running them (HTTP, SQL) is the backend's
//! job; deciding pass or fail is here, as plain functions.

use crate::ids::ItemId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Evidence is capped so a chatty cluster cannot bloat the database.
pub const EVIDENCE_MAX_BYTES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// Run SQL (optionally as another user) and assert on the rows or the error.
    Sql {
        query: String,
        user: Option<String>,
        expect: SqlExpect,
    },
    /// GET a path on the coordinator; expect a status and optionally a JSON value.
    Http {
        path: String,
        status: u16,
        json_equals: Option<Value>,
    },
    /// GET `/metrics` and expect these series to be present. Each entry
    /// lists alternative names for one series (metric names move between
    /// Trino releases); any one of them satisfies it.
    Metrics { series: Vec<Vec<String>> },
    /// Compare `/v1/info` `nodeVersion.version` with the release table.
    Version { max_age_days: i64 },
    /// GET a path on every worker (its `http_uri` from `system.runtime.nodes`)
    /// and expect the same JSON value from each. A worker answering one of
    /// `json_warn` (e.g. `DRAINING`, a deliberate operation) makes the
    /// verdict a warning, not a failure.
    PerWorker {
        path: String,
        json_equals: Value,
        #[serde(default)]
        json_warn: Vec<Value>,
    },
    /// The coordinator's certificate: trusted, for this host, at least
    /// `min_days_left` days from expiry and, optionally, issued for at least
    /// `min_lifetime_days` days.
    Tls {
        min_days_left: i64,
        min_lifetime_days: Option<i64>,
    },
    /// A statement sent without credentials over HTTPS is refused with 401.
    Authentication,
    /// The coordinator is not scheduled as a worker: the active
    /// non-coordinator nodes of `system.runtime.nodes`, against
    /// `/ui/api/stats` `activeWorkers` where the web UI lets the check in.
    CoordinatorIsolation,
    /// `query_max_execution_time` within `max_seconds` (the shortest
    /// graceful shutdown period), unless fault-tolerant execution
    /// (`retry_policy` TASK or QUERY) retries what a shutdown cuts off.
    ExecutionTimeVsShutdown { max_seconds: f64 },
    /// Fault-tolerant execution where queries may outlive `max_seconds`:
    /// the retry policy, and under TASK an exchange manager (a query with a
    /// shuffle runs).
    FaultTolerantExecution { max_seconds: f64 },
    /// Every node runs one Java version, at least what the running Trino
    /// release requires.
    Jvm,
}

/// The SQL that lists the workers a `per_worker` check visits.
pub const WORKERS_SQL: &str =
    "SELECT node_id, http_uri FROM system.runtime.nodes WHERE NOT coordinator";

/// The SQL that counts the workers the scheduler may use.
pub const ACTIVE_WORKERS_SQL: &str =
    "SELECT count(*) FROM system.runtime.nodes WHERE NOT coordinator AND state = 'active'";

/// The catalogs a cluster serves (a fleet drift fact).
pub const CATALOGS_SQL: &str = "SHOW CATALOGS";

/// The spill session property (a fleet drift fact).
pub const SPILL_SQL: &str = "SHOW SESSION LIKE 'spill_enabled'";

/// The execution-time limit session property (a fleet drift fact).
pub const MAX_EXECUTION_TIME_SQL: &str = "SHOW SESSION LIKE 'query_max_execution_time'";

/// The SQL that reads each node's Java version from the JMX catalog.
pub const JVM_SQL: &str = "SELECT node, specversion FROM jmx.current.\"java.lang:type=runtime\"";

/// What the rows (or error) of a SQL check must look like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlExpect {
    /// A test on one cell of the first row, addressed by column index.
    Cell { column: usize, test: CellTest },
    /// The same test on that column of every row (at least one row).
    Every { column: usize, test: CellTest },
    /// That column holds one value across all rows (at least one row).
    AllEqual { column: usize },
    /// A test on the number of rows (`AtLeast`, `AtMost` or `Equals`).
    RowCount(CellTest),
    /// The query fails with this Trino error name (e.g. PERMISSION_DENIED).
    ErrorName { name: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellTest {
    /// Equal as text.
    Equals(String),
    AtLeast(f64),
    AtMost(f64),
    /// A Trino duration (`3600s`, `1h`, `24h`) no longer than this many seconds.
    DurationAtMost(f64),
    /// A timestamp no older than this many seconds (read as UTC when it
    /// carries no zone).
    AgeAtMost(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// The check could not be run (unreachable, timeout, protocol violation…).
    Error,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            CheckStatus::Pass,
            CheckStatus::Warn,
            CheckStatus::Fail,
            CheckStatus::Error,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// A verdict with its one-line reason and what was observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub status: CheckStatus,
    pub reason: String,
    pub observed: String,
}

impl Verdict {
    pub(crate) fn new(
        status: CheckStatus,
        reason: impl Into<String>,
        observed: impl Into<String>,
    ) -> Self {
        Verdict {
            status,
            reason: reason.into(),
            observed: observed.into(),
        }
    }
    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(CheckStatus::Error, reason, "")
    }
}

/// One stored result of a check on a cluster's item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub item_id: ItemId,
    pub status: CheckStatus,
    pub reason: String,
    pub observed: String,
    pub evidence: String,
    pub duration_ms: i64,
    pub at: String,
}

mod access;
mod fte;
mod http;
mod jvm;
mod parse;
pub mod select_star;
mod sql;
mod tls;
mod verdict_state;
mod version;

pub use access::*;
pub use fte::*;
pub use http::*;
pub use jvm::*;
pub use parse::*;
pub use sql::*;
pub use tls::*;
pub use verdict_state::*;
pub use version::*;

/// The longest prefix of `text` within `max` bytes, on a character
/// boundary.
pub fn prefix_within(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// Cuts evidence to [`EVIDENCE_MAX_BYTES`] on a character boundary.
pub fn cap_evidence(text: String) -> String {
    if text.len() > EVIDENCE_MAX_BYTES {
        format!("{}\n… (cut)", prefix_within(&text, EVIDENCE_MAX_BYTES))
    } else {
        text
    }
}

#[cfg(test)]
mod tests;
