//! Checks that compare what the coordinator says about its nodes:
//! coordinator isolation (`system.runtime.nodes`, and `/ui/api/stats` where
//! the web UI lets the check in)
//! and the JVMs (JMX `java.lang:type=runtime` against the Trino version).

use super::{error, node_version, rows_of, rows_text, text, Observation};
use crate::trino::{self, Credentials, Target};
use shipshape_domain::check::{
    cap_evidence, judge_isolation, judge_jvm, UiStats, Verdict, ACTIVE_WORKERS_SQL, JVM_SQL,
};

/// The active workers from `system.runtime.nodes` first (the client
/// protocol always answers the check user), then the scheduler's count from
/// the web UI where it lets the check in; see [`judge_isolation`].
pub(super) async fn isolation(client: &reqwest::Client, target: &Target) -> Observation {
    let rows = match rows_of(client, target, ACTIVE_WORKERS_SQL).await {
        Ok(r) => r,
        Err(o) => return o,
    };
    let sql_workers = rows
        .first()
        .and_then(|r| r.first())
        .and_then(|c| c.as_i64().or_else(|| text(Some(c)).parse().ok()));
    let sql_text = format!("{ACTIVE_WORKERS_SQL}\n{}", rows_text(&rows));
    let Some(sql_workers) = sql_workers else {
        return Observation {
            verdict: Verdict::error("the worker count is not a number"),
            evidence: cap_evidence(sql_text),
        };
    };
    let stats = match trino::get(client, target, "/ui/api/stats", Credentials::Send).await {
        Ok(a) => a,
        Err(e) => return error(e),
    };
    let ui = UiStats::from_answer(stats.status, stats.www_authenticate.as_deref(), &stats.body);
    let www = stats
        .www_authenticate
        .as_deref()
        .map(|w| format!("\nWWW-Authenticate: {w}"))
        .unwrap_or_default();
    Observation {
        verdict: judge_isolation(sql_workers, &ui),
        evidence: cap_evidence(format!(
            "{sql_text}\n\nGET /ui/api/stats → {}{www}\n{}",
            stats.status, stats.body
        )),
    }
}

pub(super) async fn jvm(client: &reqwest::Client, target: &Target) -> Observation {
    let (version, info) = match node_version(client, target).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    let rows = match rows_of(client, target, JVM_SQL).await {
        Ok(r) => r,
        Err(o) => return o,
    };
    let nodes: Vec<(String, String)> = rows
        .iter()
        .map(|r| (text(r.first()), text(r.get(1))))
        .collect();
    let version = version.unwrap_or_default();
    Observation {
        verdict: judge_jvm(&version, &nodes),
        evidence: cap_evidence(format!("{info}\n\n{JVM_SQL}\n{}", rows_text(&rows))),
    }
}
