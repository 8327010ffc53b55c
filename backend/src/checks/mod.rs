//! Runs one live check against a cluster and judges what it saw with the
//! domain's verdict rules. Every failure to run becomes an `error` verdict
//! with a reason a person can act on; nothing here panics on what a cluster
//! sends back.

pub mod facts;
mod fte;
mod nodes;
mod security;
mod workers;

use crate::trino::{self, Credentials, Target, TrinoError};
use chrono::Utc;
use serde_json::Value;
use shipshape_domain::check::{
    cap_evidence, judge_http, judge_metrics, judge_sql, judge_version, Check, Releases,
    SqlObserved, Verdict,
};

/// The verdict and the evidence behind it.
pub struct Observation {
    pub verdict: Verdict,
    pub evidence: String,
}

/// What a check needs to reach one cluster.
pub struct Probe<'a> {
    /// Verifies certificates as the cluster's settings say.
    pub client: &'a reqwest::Client,
    /// Always verifies (system roots and the CA file), even when the
    /// cluster's settings skip verification: the TLS check judges trust.
    pub verifier: &'a reqwest::Client,
    /// Accepts any certificate; used only to read a refused one, never with
    /// credentials.
    pub inspector: &'a reqwest::Client,
    pub target: &'a Target,
    /// The known Trino releases (shipped, config file, newest in the fleet).
    pub releases: &'a Releases,
    /// The cluster's worker host patterns (empty: the defaults).
    pub worker_hosts: &'a [String],
    /// The `cluster_hosts` rule every worker must pass too.
    pub hosts: &'a trino::HostGuard,
}

fn error(e: TrinoError) -> Observation {
    Observation {
        verdict: Verdict::error(e.to_string()),
        evidence: e.to_string(),
    }
}

pub async fn run(probe: &Probe<'_>, check: &Check) -> Observation {
    let (client, target) = (probe.client, probe.target);
    match check {
        Check::Sql {
            query,
            user,
            expect,
        } => {
            let mut t = target.clone();
            if let Some(u) = user {
                t.user = u.clone();
            }
            match trino::query(client, &t, query).await {
                Ok(out) => {
                    let header: Vec<&str> = out.columns.iter().map(|c| c.name.as_str()).collect();
                    let evidence =
                        format!("{query}\n{}\n{}", header.join(" | "), rows_text(&out.rows));
                    Observation {
                        verdict: judge_sql(expect, SqlObserved::Rows(&out.rows), Utc::now()),
                        evidence: cap_evidence(evidence),
                    }
                }
                Err(TrinoError::QueryFailed { name, message, .. }) => Observation {
                    verdict: judge_sql(
                        expect,
                        SqlObserved::Failed {
                            name: &name,
                            message: &message,
                        },
                        Utc::now(),
                    ),
                    evidence: cap_evidence(format!("{query}\nfailed: {name}: {message}")),
                },
                Err(e) => error(e),
            }
        }
        Check::Http {
            path,
            status,
            json_equals,
        } => match trino::get(client, target, path, Credentials::Send).await {
            Ok(a) => {
                let json: Option<Value> = serde_json::from_str(&a.body).ok();
                Observation {
                    verdict: judge_http(*status, json_equals.as_ref(), a.status, json.as_ref()),
                    evidence: cap_evidence(format!("GET {path} → {}\n{}", a.status, a.body)),
                }
            }
            Err(e) => error(e),
        },
        Check::Metrics { series } => {
            match trino::get(client, target, "/metrics", Credentials::Send).await {
                Ok(a) if a.status == 200 => Observation {
                    verdict: judge_metrics(series, &a.body),
                    evidence: cap_evidence(format!("GET /metrics → 200\n{}", a.body)),
                },
                Ok(a) => Observation {
                    verdict: judge_http(200, None, a.status, None),
                    evidence: cap_evidence(format!("GET /metrics → {}\n{}", a.status, a.body)),
                },
                Err(e) => error(e),
            }
        }
        Check::Version { max_age_days } => match node_version(client, target).await {
            Ok((version, evidence)) => Observation {
                verdict: match version {
                    Some(v) => judge_version(&v, *max_age_days, probe.releases),
                    None => Verdict::error("/v1/info has no nodeVersion.version"),
                },
                evidence,
            },
            Err(o) => o,
        },
        Check::PerWorker {
            path,
            json_equals,
            json_warn,
        } => {
            workers::per_worker(
                client,
                target,
                path,
                json_equals,
                json_warn,
                probe.worker_hosts,
                probe.hosts,
            )
            .await
        }
        Check::Tls {
            min_days_left,
            min_lifetime_days,
        } => security::tls(probe, *min_days_left, *min_lifetime_days).await,
        Check::Authentication => security::authentication(client, target).await,
        Check::CoordinatorIsolation => nodes::isolation(client, target).await,
        Check::ExecutionTimeVsShutdown { max_seconds } => {
            fte::execution_time(client, target, *max_seconds).await
        }
        Check::FaultTolerantExecution { max_seconds } => {
            fte::fault_tolerance(client, target, *max_seconds).await
        }
        Check::Jvm => nodes::jvm(client, target).await,
    }
}

/// `/v1/info`'s `nodeVersion.version` (if present) and the evidence text;
/// an observation to report when the endpoint could not be read.
pub(super) async fn node_version(
    client: &reqwest::Client,
    target: &Target,
) -> Result<(Option<String>, String), Observation> {
    match trino::get(client, target, "/v1/info", Credentials::Withhold).await {
        Ok(a) if a.status == 200 => {
            let version = serde_json::from_str::<Value>(&a.body).ok().and_then(|v| {
                v.pointer("/nodeVersion/version")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            Ok((
                version,
                cap_evidence(format!("GET /v1/info → 200\n{}", a.body)),
            ))
        }
        Ok(a) => Err(Observation {
            verdict: judge_http(200, None, a.status, None),
            evidence: cap_evidence(format!("GET /v1/info → {}\n{}", a.status, a.body)),
        }),
        Err(e) => Err(error(e)),
    }
}

pub(super) fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

pub(super) fn rows_text(rows: &[Vec<Value>]) -> String {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| text(Some(c)))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs a statement whose failure is an `error` observation.
pub(super) async fn rows_of(
    client: &reqwest::Client,
    target: &Target,
    sql: &str,
) -> Result<Vec<Vec<Value>>, Observation> {
    match trino::query(client, target, sql).await {
        Ok(out) => Ok(out.rows),
        Err(TrinoError::QueryFailed { name, message, .. }) => Err(Observation {
            verdict: Verdict::error(format!("query failed: {name}")),
            evidence: cap_evidence(format!("{sql}\nfailed: {name}: {message}")),
        }),
        Err(e) => Err(error(e)),
    }
}
