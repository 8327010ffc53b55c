//! Checks on how long queries may run against a worker's graceful
//! shutdown, and on fault-tolerant execution (the rules and their sources
//! are in `shipshape_domain::check::fte`).

use super::{rows_text, text, Observation};
use crate::trino::{self, Target, TrinoError};
use shipshape_domain::check::{
    cap_evidence, judge_execution_time, judge_fault_tolerance, judge_missing_exchange_manager,
    ExchangeProbe, RetryPolicy, Verdict, EXCHANGE_MANAGER_NOT_CONFIGURED, EXCHANGE_PROBE_SQL,
    MAX_EXECUTION_TIME_SQL, RETRY_POLICY_SQL,
};

/// The `Value` column of a `SHOW SESSION LIKE '…'` answer, and the
/// evidence text.
/// Under `retry_policy` TASK without an exchange manager the check's own
/// query fails with `EXCHANGE_MANAGER_NOT_CONFIGURED`: that is the verdict.
async fn session_value(
    client: &reqwest::Client,
    target: &Target,
    sql: &str,
) -> Result<(Option<String>, String), Observation> {
    match trino::query(client, target, sql).await {
        Ok(out) => {
            let value = out.rows.first().map(|r| text(r.get(1)));
            Ok((value, format!("{sql}\n{}", rows_text(&out.rows))))
        }
        Err(TrinoError::QueryFailed { name, message, .. }) => {
            let verdict = if name == EXCHANGE_MANAGER_NOT_CONFIGURED {
                judge_missing_exchange_manager(sql)
            } else {
                Verdict::error(format!("query failed: {name}"))
            };
            Err(Observation {
                verdict,
                evidence: cap_evidence(format!("{sql}\nfailed: {name}: {message}")),
            })
        }
        Err(e) => Err(super::error(e)),
    }
}

pub(super) async fn execution_time(
    client: &reqwest::Client,
    target: &Target,
    max_seconds: f64,
) -> Observation {
    let (limit, limit_text) = match session_value(client, target, MAX_EXECUTION_TIME_SQL).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    let (retry, retry_text) = match session_value(client, target, RETRY_POLICY_SQL).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    let evidence = cap_evidence(format!("{limit_text}\n\n{retry_text}"));
    let Some(limit) = limit else {
        return Observation {
            verdict: Verdict::error("SHOW SESSION has no query_max_execution_time"),
            evidence,
        };
    };
    let retry = RetryPolicy::parse(retry.as_deref().unwrap_or("NONE"));
    Observation {
        verdict: judge_execution_time(&limit, &retry, max_seconds),
        evidence,
    }
}

pub(super) async fn fault_tolerance(
    client: &reqwest::Client,
    target: &Target,
    max_seconds: f64,
) -> Observation {
    let (retry, retry_text) = match session_value(client, target, RETRY_POLICY_SQL).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    let retry = RetryPolicy::parse(retry.as_deref().unwrap_or("NONE"));
    let mut evidence = retry_text;
    let (limit, probe) = match retry {
        RetryPolicy::Task => {
            let probe = match trino::query(client, target, EXCHANGE_PROBE_SQL).await {
                Ok(out) => {
                    evidence.push_str(&format!(
                        "\n\n{EXCHANGE_PROBE_SQL}\n{}",
                        rows_text(&out.rows)
                    ));
                    ExchangeProbe::Ran
                }
                Err(TrinoError::QueryFailed { name, message, .. }) => {
                    evidence.push_str(&format!(
                        "\n\n{EXCHANGE_PROBE_SQL}\nfailed: {name}: {message}"
                    ));
                    ExchangeProbe::Failed { name }
                }
                Err(e) => return super::error(e),
            };
            (None, Some(probe))
        }
        RetryPolicy::None => match session_value(client, target, MAX_EXECUTION_TIME_SQL).await {
            Ok((limit, text)) => {
                evidence.push_str(&format!("\n\n{text}"));
                (limit, None)
            }
            Err(o) => return o,
        },
        _ => (None, None),
    };
    Observation {
        verdict: judge_fault_tolerance(&retry, limit.as_deref(), max_seconds, probe.as_ref()),
        evidence: cap_evidence(evidence),
    }
}
