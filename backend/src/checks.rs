//! Runs one live check against a cluster and judges what it saw with the
//! domain's verdict rules. Every failure to run becomes an `error` verdict
//! with a reason a person can act on; nothing here panics on what a cluster
//! sends back.

use crate::trino::{self, Target, TrinoError};
use futures::stream::{self, StreamExt};

/// Workers asked at once by a `per_worker` check.
const WORKER_CONCURRENCY: usize = 16;
use serde_json::Value;
use shipshape_domain::check::{
    cap_evidence, judge_http, judge_metrics, judge_per_worker, judge_sql, judge_version, Check,
    SqlObserved, Verdict, WORKERS_SQL,
};

/// The verdict and the evidence behind it.
pub struct Observation {
    pub verdict: Verdict,
    pub evidence: String,
}

fn error(e: TrinoError) -> Observation {
    Observation {
        verdict: Verdict::error(e.to_string()),
        evidence: e.to_string(),
    }
}

pub async fn run(client: &reqwest::Client, target: &Target, check: &Check) -> Observation {
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
                        verdict: judge_sql(expect, SqlObserved::Rows(&out.rows)),
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
        } => match get(client, target, path).await {
            Ok((code, body)) => {
                let json: Option<Value> = serde_json::from_str(&body).ok();
                Observation {
                    verdict: judge_http(*status, json_equals.as_ref(), code, json.as_ref()),
                    evidence: cap_evidence(format!("GET {path} → {code}\n{body}")),
                }
            }
            Err(e) => error(e),
        },
        Check::Metrics { series } => match get(client, target, "/metrics").await {
            Ok((200, body)) => Observation {
                verdict: judge_metrics(series, &body),
                evidence: cap_evidence(format!("GET /metrics → 200\n{body}")),
            },
            Ok((code, body)) => Observation {
                verdict: judge_http(200, None, code, None),
                evidence: cap_evidence(format!("GET /metrics → {code}\n{body}")),
            },
            Err(e) => error(e),
        },
        Check::Version { max_age_days } => match get(client, target, "/v1/info").await {
            Ok((200, body)) => {
                let version = serde_json::from_str::<Value>(&body).ok().and_then(|v| {
                    v.pointer("/nodeVersion/version")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
                let verdict = match version {
                    Some(v) => judge_version(&v, *max_age_days),
                    None => Verdict::error("/v1/info has no nodeVersion.version"),
                };
                Observation {
                    verdict,
                    evidence: cap_evidence(format!("GET /v1/info → 200\n{body}")),
                }
            }
            Ok((code, body)) => Observation {
                verdict: judge_http(200, None, code, None),
                evidence: cap_evidence(format!("GET /v1/info → {code}\n{body}")),
            },
            Err(e) => error(e),
        },
        Check::PerWorker { path, json_equals } => {
            per_worker(client, target, path, json_equals).await
        }
    }
}

async fn per_worker(
    client: &reqwest::Client,
    target: &Target,
    path: &str,
    expected: &Value,
) -> Observation {
    let out = match trino::query(client, target, WORKERS_SQL).await {
        Ok(out) => out,
        Err(TrinoError::QueryFailed { name, message, .. }) => {
            return Observation {
                verdict: Verdict::error(format!("listing workers failed: {name}")),
                evidence: cap_evidence(format!("{WORKERS_SQL}\nfailed: {name}: {message}")),
            }
        }
        Err(e) => return error(e),
    };
    let workers: Vec<(String, String)> = out
        .rows
        .iter()
        .map(|r| (text(r.first()), text(r.get(1))))
        .collect();
    let answers: Vec<(String, Result<Value, String>)> = stream::iter(workers.iter().cloned())
        .map(|(node, uri)| async move {
            let answer = worker_get(client, target, &uri, path).await;
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
        verdict: judge_per_worker(expected, &answers),
        evidence: cap_evidence(evidence),
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// A worker's JSON answer at `path`, or why there is none.
async fn worker_get(
    client: &reqwest::Client,
    target: &Target,
    http_uri: &str,
    path: &str,
) -> Result<Value, String> {
    let base = url::Url::parse(http_uri).map_err(|e| format!("bad http_uri {http_uri:?}: {e}"))?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(format!("http_uri {http_uri:?} is not http(s)"));
    }
    let worker = Target {
        base_url: base,
        ..target.clone()
    };
    match get(client, &worker, path).await {
        Ok((200, body)) => {
            serde_json::from_str(&body).map_err(|_| "the answer is not JSON".to_string())
        }
        Ok((code, _)) => Err(format!("HTTP {code}")),
        Err(e) => Err(e.to_string()),
    }
}

fn rows_text(rows: &[Vec<Value>]) -> String {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    c.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| c.to_string())
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A GET on the coordinator, bounded by the query timeout; the body is read
/// only up to the evidence cap's order of magnitude.
async fn get(
    client: &reqwest::Client,
    target: &Target,
    path: &str,
) -> Result<(u16, String), TrinoError> {
    let url = target
        .base_url
        .join(path.trim_start_matches('/'))
        .map_err(|e| TrinoError::Config(format!("bad URL: {e}")))?;
    let fetch = async {
        let r = client
            .get(url)
            .header("X-Trino-User", &target.user)
            .send()
            .await
            .map_err(TrinoError::from_reqwest)?;
        let code = r.status().as_u16();
        let bytes = r.bytes().await.map_err(TrinoError::from_reqwest)?;
        let body = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]).into_owned();
        Ok((code, body))
    };
    tokio::time::timeout(target.query_timeout, fetch)
        .await
        .map_err(|_| TrinoError::Timeout(target.query_timeout))?
}
