//! Checks that compare what the coordinator says about its nodes:
//! coordinator isolation (`/ui/api/stats` against `system.runtime.nodes`)
//! and the JVMs (JMX `java.lang:type=runtime` against the Trino version).

use super::{error, node_version, rows_of, rows_text, text, Observation};
use crate::trino::{self, Credentials, Target};
use serde_json::Value;
use shipshape_domain::check::{
    cap_evidence, judge_isolation, judge_jvm, Verdict, ACTIVE_WORKERS_SQL, JVM_SQL,
};

pub(super) async fn isolation(client: &reqwest::Client, target: &Target) -> Observation {
    let stats = match trino::get(client, target, "/ui/api/stats", Credentials::Send).await {
        Ok(a) => a,
        Err(e) => return error(e),
    };
    let stats_text = format!("GET /ui/api/stats → {}\n{}", stats.status, stats.body);
    let ui_workers = (stats.status == 200)
        .then(|| serde_json::from_str::<Value>(&stats.body).ok())
        .flatten()
        .and_then(|v| v.get("activeWorkers").and_then(Value::as_i64));
    let Some(ui_workers) = ui_workers else {
        return Observation {
            verdict: Verdict::error(format!(
                "/ui/api/stats gave no activeWorkers (HTTP {})",
                stats.status
            )),
            evidence: cap_evidence(stats_text),
        };
    };
    let rows = match rows_of(client, target, ACTIVE_WORKERS_SQL).await {
        Ok(r) => r,
        Err(o) => return o,
    };
    let sql_workers = rows
        .first()
        .and_then(|r| r.first())
        .and_then(|c| c.as_i64().or_else(|| text(Some(c)).parse().ok()));
    let evidence = cap_evidence(format!(
        "{stats_text}\n\n{ACTIVE_WORKERS_SQL}\n{}",
        rows_text(&rows)
    ));
    match sql_workers {
        Some(n) => Observation {
            verdict: judge_isolation(ui_workers, n),
            evidence,
        },
        None => Observation {
            verdict: Verdict::error("the worker count is not a number"),
            evidence,
        },
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
