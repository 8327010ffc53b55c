//! `per_worker` checks: list the workers from `system.runtime.nodes`, then
//! ask each one directly, a bounded number at a time. A worker URI is
//! fetched only when its host matches the cluster's `worker_hosts` (see
//! `shipshape_domain::reach`) and, with `cluster_hosts` set, passes that
//! rule too (its name resolved once, the request sent to exactly the
//! addresses checked); what a worker answers is kept as its state (a JSON
//! value, shortened), never as its body.

use super::{error, rows_of, text, Observation};
use crate::trino::{self, Credentials, HostGuard, Target};
use futures::stream::{self, StreamExt};
use serde_json::Value;
use shipshape_domain::check::{cap_evidence, judge_per_worker, WORKERS_SQL};
use shipshape_domain::reach::worker_allowed;

/// Workers asked at once.
const WORKER_CONCURRENCY: usize = 16;

pub(super) async fn per_worker(
    client: &reqwest::Client,
    target: &Target,
    path: &str,
    expected: &Value,
    warn_on: &[Value],
    worker_hosts: &[String],
    hosts: &HostGuard,
) -> Observation {
    let rows = match rows_of(client, target, WORKERS_SQL).await {
        Ok(rows) => rows,
        Err(o) => return o,
    };
    let workers: Vec<(String, String)> = rows
        .iter()
        .map(|r| (text(r.first()), text(r.get(1))))
        .collect();
    let answers: Vec<(String, Result<Value, String>)> = stream::iter(workers.iter().cloned())
        .map(|(node, uri)| async move {
            let answer = worker_get(client, target, worker_hosts, hosts, &uri, path).await;
            (node, answer)
        })
        .buffer_unordered(WORKER_CONCURRENCY)
        .collect()
        .await;
    let mut lines: Vec<String> = answers
        .iter()
        .map(|(node, a)| match a {
            Ok(v) => format!("{node}: GET {path} → {v}"),
            Err(e) => format!("{node}: {e}"),
        })
        .collect();
    lines.sort();
    let evidence = format!(
        "{WORKERS_SQL}\n{} workers\n{}",
        workers.len(),
        lines.join("\n")
    );
    Observation {
        verdict: judge_per_worker(expected, warn_on, &answers),
        evidence: cap_evidence(evidence),
    }
}

/// A worker's JSON answer at `path`, or why there is none.
async fn worker_get(
    client: &reqwest::Client,
    target: &Target,
    worker_hosts: &[String],
    hosts: &HostGuard,
    http_uri: &str,
    path: &str,
) -> Result<Value, String> {
    let shown: String = http_uri.chars().take(200).collect();
    let base = url::Url::parse(http_uri).map_err(|e| format!("bad http_uri {shown:?}: {e}"))?;
    worker_allowed(&target.base_url, worker_hosts, &base)?;
    hosts
        .admit(&base, target.query_timeout)
        .await
        .map_err(|reason| format!("outside cluster_hosts: {reason}: not fetched"))?;
    let worker = Target {
        base_url: base,
        ..target.clone()
    };
    // Worker state needs no credentials; withholding them also keeps them
    // from going to whatever address a node row names.
    match trino::get(client, &worker, path, Credentials::Withhold).await {
        Ok(a) if a.status == 200 => match serde_json::from_str::<Value>(&a.body) {
            // A state is a short string; anything else is kept shortened.
            Ok(Value::String(s)) => Ok(Value::String(s.chars().take(64).collect())),
            Ok(other) => Ok(Value::String(other.to_string().chars().take(64).collect())),
            Err(_) => Err("the answer is not JSON".to_string()),
        },
        Ok(a) => Err(format!("HTTP {}", a.status)),
        Err(e) => Err(error(e).verdict.reason),
    }
}
