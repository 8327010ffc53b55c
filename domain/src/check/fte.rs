//! How long queries may run against how long a shutting-down worker waits
//! for them, and fault-tolerant execution, which makes the limit moot.
//!
//! Facts, from Trino's release notes and docs and the Stackable operator's
//! changelog:
//! - Task-level retries arrived in Trino 369 ("Add experimental
//!   implementation of task level retries ... `retry-policy` configuration
//!   property or the `retry_policy` session property"); the policy is `NONE`
//!   (the default), `QUERY` or `TASK`.
//! - "You must configure an exchange manager to use the task retry policy"
//!   (docs, fault-tolerant execution); without one, Trino's exchange manager
//!   registry fails the query with `EXCHANGE_MANAGER_NOT_CONFIGURED`. `QUERY`
//!   retries need none (they buffer up to
//!   `exchange.deduplication-buffer-size`).
//! - trino-operator 25.11.0 (2025-11-07) supports fault-tolerant execution
//!   natively (`spec.clusterConfig.faultTolerantExecution`) and then does not
//!   set `query.max-execution-time=3600s`: a query that outlives a worker's
//!   graceful shutdown period is retried, not lost.

use super::*;

/// The retry policy of the check user's session (the cluster's
/// `retry-policy`, unless a session overrides it).
pub const RETRY_POLICY_SQL: &str = "SHOW SESSION LIKE 'retry_policy'";

/// A query with a shuffle (an aggregation over several rows): with the
/// `TASK` policy its stages exchange data through the exchange manager, so
/// it fails with `EXCHANGE_MANAGER_NOT_CONFIGURED` when there is none.
pub const EXCHANGE_PROBE_SQL: &str =
    "SELECT x, count(*) FROM (VALUES 1, 2, 2, 3) AS t(x) GROUP BY x";

/// The error Trino gives a `TASK`-retried query without an exchange manager.
pub const EXCHANGE_MANAGER_NOT_CONFIGURED: &str = "EXCHANGE_MANAGER_NOT_CONFIGURED";

/// `retry_policy`'s value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryPolicy {
    None,
    Query,
    Task,
    Other(String),
}

impl RetryPolicy {
    pub fn parse(value: &str) -> RetryPolicy {
        match value.trim().to_ascii_uppercase().as_str() {
            "NONE" | "" => RetryPolicy::None,
            "QUERY" => RetryPolicy::Query,
            "TASK" => RetryPolicy::Task,
            _ => RetryPolicy::Other(value.trim().to_string()),
        }
    }

    fn retries(&self) -> bool {
        matches!(self, RetryPolicy::Query | RetryPolicy::Task)
    }

    fn name(&self) -> &str {
        match self {
            RetryPolicy::None => "NONE",
            RetryPolicy::Query => "QUERY",
            RetryPolicy::Task => "TASK",
            RetryPolicy::Other(s) => s,
        }
    }
}

/// How [`EXCHANGE_PROBE_SQL`] went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeProbe {
    Ran,
    Failed { name: String },
}

fn seconds_text(seconds: f64) -> String {
    if seconds >= 3600.0 && seconds % 3600.0 == 0.0 {
        format!("{}h", seconds / 3600.0)
    } else {
        format!("{seconds}s")
    }
}

/// Under `TASK` every query, `SHOW SESSION` included, exchanges its
/// results through the exchange manager: a cluster without one fails the
/// check's own queries with [`EXCHANGE_MANAGER_NOT_CONFIGURED`], which is
/// itself the verdict.
pub fn judge_missing_exchange_manager(sql: &str) -> Verdict {
    Verdict::new(
        CheckStatus::Fail,
        "retry_policy TASK without an exchange manager: every query fails with EXCHANGE_MANAGER_NOT_CONFIGURED. \
         Add etc/exchange-manager.properties on every node (exchange-manager.name=filesystem, exchange.base-directories=s3://…), \
         or with trino-operator 25.11+ spec.clusterConfig.faultTolerantExecution.task.exchangeManager",
        format!("{sql} failed: {EXCHANGE_MANAGER_NOT_CONFIGURED}"),
    )
}

/// `query_max_execution_time` against `max_seconds`, the shortest graceful
/// shutdown period of the cluster's role groups: longer queries can be cut
/// off by a worker's shutdown, unless fault-tolerant execution retries them.
pub fn judge_execution_time(
    max_execution_time: &str,
    retry: &RetryPolicy,
    max_seconds: f64,
) -> Verdict {
    use CheckStatus::*;
    let observed = format!(
        "query_max_execution_time {max_execution_time}, retry_policy {}",
        retry.name()
    );
    let limit = seconds_text(max_seconds);
    if retry.retries() {
        return Verdict::new(
            Pass,
            format!(
                "fault-tolerant execution is on (retry_policy {}): a query that outlives a worker's grace period is retried, not lost, so the limit need not be within {limit}",
                retry.name()
            ),
            observed,
        );
    }
    match parse_duration(max_execution_time) {
        None => Verdict::new(Error, "query_max_execution_time is not a duration", observed),
        Some(s) if s <= max_seconds => Verdict::new(
            Pass,
            format!("{max_execution_time} is within the graceful shutdown period ({limit})"),
            observed,
        ),
        Some(_) => Verdict::new(
            Fail,
            format!(
                "{max_execution_time} is longer than {limit}, and retry_policy is {}: a worker's shutdown can cut such queries off. \
                 Lower query.max-execution-time, or turn on fault-tolerant execution (retry-policy=TASK with an exchange manager)",
                retry.name()
            ),
            observed,
        ),
    }
}

/// Fault-tolerant execution for queries longer than the graceful shutdown
/// period: not needed when no query may run that long; with `TASK`, only
/// working with an exchange manager (`probe`: how a query with a shuffle
/// went, asked only under `TASK`).
pub fn judge_fault_tolerance(
    retry: &RetryPolicy,
    max_execution_time: Option<&str>,
    max_seconds: f64,
    probe: Option<&ExchangeProbe>,
) -> Verdict {
    use CheckStatus::*;
    let limit = seconds_text(max_seconds);
    let mut observed = format!("retry_policy {}", retry.name());
    if let Some(t) = max_execution_time {
        observed.push_str(&format!(", query_max_execution_time {t}"));
    }
    match (retry, probe) {
        (RetryPolicy::Task, Some(ExchangeProbe::Ran)) => Verdict::new(
            Pass,
            "retry_policy TASK, and a query with a shuffle ran: failed tasks are retried through the exchange manager",
            format!("{observed}, exchange probe ran"),
        ),
        (RetryPolicy::Task, Some(ExchangeProbe::Failed { name })) if name == EXCHANGE_MANAGER_NOT_CONFIGURED => Verdict::new(
            Fail,
            "retry_policy TASK without an exchange manager: queries with a shuffle fail with EXCHANGE_MANAGER_NOT_CONFIGURED. \
             Add etc/exchange-manager.properties on every node (exchange-manager.name=filesystem, exchange.base-directories=s3://…), \
             or with trino-operator 25.11+ spec.clusterConfig.faultTolerantExecution.task.exchangeManager",
            format!("{observed}, exchange probe failed: {name}"),
        ),
        (RetryPolicy::Task, Some(ExchangeProbe::Failed { name })) => Verdict::new(
            Error,
            format!("the exchange probe query failed with {name}, so the exchange manager could not be confirmed"),
            format!("{observed}, exchange probe failed: {name}"),
        ),
        (RetryPolicy::Task, None) => Verdict::error("retry_policy TASK, but the exchange probe was not run"),
        (RetryPolicy::Query, _) => Verdict::new(
            Pass,
            "retry_policy QUERY: a query cut off by a worker's shutdown is run again whole (without an exchange manager \
             only while its results fit exchange.deduplication-buffer-size, 32MB by default; TASK suits long queries better)",
            observed,
        ),
        (RetryPolicy::Other(v), _) => Verdict::new(Warn, format!("unknown retry_policy '{v}'"), observed),
        (RetryPolicy::None, _) => match max_execution_time.map(|t| (t, parse_duration(t))) {
            Some((t, Some(s))) if s <= max_seconds => Verdict::new(
                Pass,
                format!("not needed: queries end within the graceful shutdown period ({t}, at most {limit})"),
                observed,
            ),
            Some((t, Some(_))) => Verdict::new(
                Fail,
                format!(
                    "queries may run {t}, longer than the graceful shutdown period ({limit}), and retry_policy is NONE: \
                     a worker's shutdown fails them. Set retry-policy=TASK with an exchange manager \
                     (trino-operator 25.11+: spec.clusterConfig.faultTolerantExecution)"
                ),
                observed,
            ),
            _ => Verdict::new(
                Error,
                "retry_policy is NONE and query_max_execution_time could not be read",
                observed,
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3600.0;

    #[test]
    fn a_fault_tolerant_cluster_passes_the_execution_time_item_whatever_its_limit() {
        // The independent stand-in: Trino 483, retry_policy TASK, 100.00d.
        let v = judge_execution_time("100.00d", &RetryPolicy::parse("TASK"), HOUR);
        assert_eq!(v.status, CheckStatus::Pass, "{}", v.reason);
        assert!(v.reason.contains("retried, not lost"), "{}", v.reason);
        assert_eq!(
            v.observed,
            "query_max_execution_time 100.00d, retry_policy TASK"
        );
        let v = judge_execution_time("24h", &RetryPolicy::parse("query"), HOUR);
        assert_eq!(v.status, CheckStatus::Pass);
    }

    #[test]
    fn without_retries_the_limit_must_be_within_the_grace_period() {
        let v = judge_execution_time("3600s", &RetryPolicy::None, HOUR);
        assert_eq!(v.status, CheckStatus::Pass, "{}", v.reason);
        let v = judge_execution_time("100.00d", &RetryPolicy::None, HOUR);
        assert_eq!(v.status, CheckStatus::Fail);
        assert!(
            v.reason.contains("100.00d is longer than 1h"),
            "{}",
            v.reason
        );
        assert!(v.reason.contains("retry-policy=TASK"), "{}", v.reason);
        assert_eq!(
            judge_execution_time("soon", &RetryPolicy::None, HOUR).status,
            CheckStatus::Error
        );
    }

    #[test]
    fn task_retries_need_an_exchange_manager() {
        let task = RetryPolicy::Task;
        let ran = judge_fault_tolerance(&task, Some("100.00d"), HOUR, Some(&ExchangeProbe::Ran));
        assert_eq!(ran.status, CheckStatus::Pass, "{}", ran.reason);
        let missing = ExchangeProbe::Failed {
            name: EXCHANGE_MANAGER_NOT_CONFIGURED.into(),
        };
        let v = judge_fault_tolerance(&task, Some("100.00d"), HOUR, Some(&missing));
        assert_eq!(v.status, CheckStatus::Fail);
        assert!(
            v.reason.contains("exchange-manager.properties"),
            "{}",
            v.reason
        );
        let other = ExchangeProbe::Failed {
            name: "PERMISSION_DENIED".into(),
        };
        assert_eq!(
            judge_fault_tolerance(&task, None, HOUR, Some(&other)).status,
            CheckStatus::Error
        );
        assert_eq!(
            judge_fault_tolerance(&task, None, HOUR, None).status,
            CheckStatus::Error
        );
    }

    #[test]
    fn a_cluster_whose_own_queries_fail_for_the_exchange_manager_fails() {
        let v = judge_missing_exchange_manager(RETRY_POLICY_SQL);
        assert_eq!(v.status, CheckStatus::Fail);
        assert!(
            v.observed
                .ends_with("failed: EXCHANGE_MANAGER_NOT_CONFIGURED"),
            "{}",
            v.observed
        );
    }

    #[test]
    fn without_retries_it_is_needed_only_for_long_queries() {
        let v = judge_fault_tolerance(&RetryPolicy::None, Some("1h"), HOUR, None);
        assert_eq!(v.status, CheckStatus::Pass);
        assert!(v.reason.starts_with("not needed"), "{}", v.reason);
        let v = judge_fault_tolerance(&RetryPolicy::None, Some("24h"), HOUR, None);
        assert_eq!(v.status, CheckStatus::Fail);
        assert!(v.reason.contains("faultTolerantExecution"), "{}", v.reason);
        assert_eq!(
            judge_fault_tolerance(&RetryPolicy::None, None, HOUR, None).status,
            CheckStatus::Error
        );
        assert_eq!(
            judge_fault_tolerance(&RetryPolicy::Query, Some("24h"), HOUR, None).status,
            CheckStatus::Pass
        );
        assert_eq!(
            judge_fault_tolerance(&RetryPolicy::parse("sometimes"), None, HOUR, None).status,
            CheckStatus::Warn
        );
    }
}
