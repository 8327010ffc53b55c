//! Live checks: what a runbook item's `check` asks of a cluster, and how what
//! was observed becomes a verdict. Running them (HTTP, SQL) is the backend's
//! job; deciding pass or fail is here, as plain functions.

use chrono::NaiveDate;
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
    /// GET `/metrics` and expect these series to be present.
    Metrics { series: Vec<String> },
    /// Compare `/v1/info` `nodeVersion.version` with the release table.
    Version { max_age_days: i64 },
    /// GET a path on every worker (its `http_uri` from `system.runtime.nodes`)
    /// and expect the same JSON value from each.
    PerWorker { path: String, json_equals: Value },
}

/// The SQL that lists the workers a `per_worker` check visits.
pub const WORKERS_SQL: &str =
    "SELECT node_id, http_uri FROM system.runtime.nodes WHERE NOT coordinator";

/// What the rows (or error) of a SQL check must look like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlExpect {
    /// A test on one cell of the first row, addressed by column index.
    Cell { column: usize, test: CellTest },
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
    fn new(status: CheckStatus, reason: impl Into<String>, observed: impl Into<String>) -> Self {
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
    pub item_id: String,
    pub status: CheckStatus,
    pub reason: String,
    pub observed: String,
    pub evidence: String,
    pub duration_ms: i64,
    pub at: String,
}

/// Parses a runbook `check` table (`kind` already taken out).
pub fn parse_check(kind: &str, p: &toml::Table) -> Result<Check, String> {
    let text = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let need = |k: &str| text(k).ok_or_else(|| format!("check needs {k} = \"...\""));
    let int = |k: &str| p.get(k).and_then(|v| v.as_integer());
    let num = |k: &str| {
        p.get(k)
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
    };
    match kind {
        "sql" => {
            let query = need("query")?;
            let column = int("column").unwrap_or(0).max(0) as usize;
            let cell = |test| Ok::<_, String>(SqlExpect::Cell { column, test });
            let number = || num("value").ok_or_else(|| "check needs a numeric value".to_string());
            let expect = match need("expect")?.as_str() {
                "equals" => cell(CellTest::Equals(need("value")?))?,
                "at_least" => cell(CellTest::AtLeast(number()?))?,
                "at_most" => cell(CellTest::AtMost(number()?))?,
                "duration_at_most" => {
                    let limit = need("value")?;
                    let seconds = parse_duration(&limit).ok_or_else(|| format!("'{limit}' is not a duration like 3600s or 1h"))?;
                    cell(CellTest::DurationAtMost(seconds))?
                }
                "error_name" => SqlExpect::ErrorName { name: need("value")? },
                other => return Err(format!("unknown expect '{other}' (equals, at_least, at_most, duration_at_most, error_name)")),
            };
            Ok(Check::Sql {
                query,
                user: text("user"),
                expect,
            })
        }
        "http" => {
            let path = need("path")?;
            if !path.starts_with('/') {
                return Err("check path must start with /".into());
            }
            let status = int("status").unwrap_or(200);
            let status = u16::try_from(status).map_err(|_| "check status is not an HTTP status")?;
            let json_equals = p.get("json_equals").map(toml_to_json);
            Ok(Check::Http {
                path,
                status,
                json_equals,
            })
        }
        "metrics" => {
            let series = p
                .get("series")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .filter(|s| !s.is_empty())
                .ok_or("check needs series = [\"...\"]")?;
            Ok(Check::Metrics { series })
        }
        "version" => Ok(Check::Version {
            max_age_days: int("max_age_days").unwrap_or(183),
        }),
        "per_worker" => {
            let path = need("path")?;
            if !path.starts_with('/') {
                return Err("check path must start with /".into());
            }
            let json_equals = p
                .get("json_equals")
                .map(toml_to_json)
                .ok_or("check needs json_equals = ...")?;
            Ok(Check::PerWorker { path, json_equals })
        }
        other => Err(format!(
            "unknown check kind '{other}' (sql, http, metrics, version, per_worker)"
        )),
    }
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Seconds in a Trino duration: `3600s`, `60m`, `1h`, `1.5h`, `2d`, `500ms`, or `3600s.00s` style values.
pub fn parse_duration(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (n, unit) = t.split_at(split);
    let n: f64 = n.parse().ok()?;
    let factor = match unit.trim() {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => return None,
    };
    Some(n * factor)
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The outcome of running a SQL statement, as the runner saw it.
pub enum SqlObserved<'a> {
    Rows(&'a [Vec<Value>]),
    Failed { name: &'a str, message: &'a str },
}

pub fn judge_sql(expect: &SqlExpect, observed: SqlObserved<'_>) -> Verdict {
    use CheckStatus::*;
    match (expect, observed) {
        (SqlExpect::ErrorName { name }, SqlObserved::Failed { name: got, message })
            if got == name =>
        {
            Verdict::new(Pass, format!("failed with {got}, as it should"), message)
        }
        (SqlExpect::ErrorName { name }, SqlObserved::Failed { name: got, message }) => {
            Verdict::new(Fail, format!("failed with {got}, expected {name}"), message)
        }
        (SqlExpect::ErrorName { name }, SqlObserved::Rows(rows)) => Verdict::new(
            Fail,
            format!("the query succeeded; expected {name}"),
            format!("{} rows", rows.len()),
        ),
        (SqlExpect::Cell { .. }, SqlObserved::Failed { name, message }) => {
            Verdict::new(Error, format!("query failed: {name}"), message)
        }
        (SqlExpect::Cell { column, test }, SqlObserved::Rows(rows)) => {
            match rows.first().and_then(|r| r.get(*column)) {
                None => Verdict::new(
                    Fail,
                    format!("no value in row 1, column {}", column + 1),
                    format!("{} rows", rows.len()),
                ),
                Some(cell) => judge_cell(test, cell),
            }
        }
    }
}

fn judge_cell(test: &CellTest, cell: &Value) -> Verdict {
    use CheckStatus::*;
    let observed = cell_text(cell);
    let number = cell.as_f64().or_else(|| observed.parse::<f64>().ok());
    match test {
        CellTest::Equals(value) if &observed == value => {
            Verdict::new(Pass, format!("is {value}"), observed)
        }
        CellTest::Equals(value) => {
            Verdict::new(Fail, format!("is {observed}, expected {value}"), observed)
        }
        CellTest::AtLeast(limit) | CellTest::AtMost(limit) => {
            let Some(n) = number else {
                return Verdict::new(Error, "the value is not a number", observed);
            };
            let at_least = matches!(test, CellTest::AtLeast(_));
            let ok = if at_least { n >= *limit } else { n <= *limit };
            let word = if at_least { "at least" } else { "at most" };
            Verdict::new(
                if ok { Pass } else { Fail },
                format!("{observed} ({word} {limit} expected)"),
                observed,
            )
        }
        CellTest::DurationAtMost(seconds) => match parse_duration(&observed) {
            None => Verdict::new(Error, "the value is not a duration", observed),
            Some(s) if s <= *seconds => {
                Verdict::new(Pass, format!("{observed} is within {seconds}s"), observed)
            }
            Some(_) => Verdict::new(
                Fail,
                format!("{observed} is longer than {seconds}s"),
                observed,
            ),
        },
    }
}

pub fn judge_http(
    expected_status: u16,
    json_equals: Option<&Value>,
    status: u16,
    body: Option<&Value>,
) -> Verdict {
    use CheckStatus::*;
    if status != expected_status {
        return Verdict::new(
            Fail,
            format!("answered {status}, expected {expected_status}"),
            status.to_string(),
        );
    }
    match (json_equals, body) {
        (None, _) => Verdict::new(Pass, format!("answered {status}"), status.to_string()),
        (Some(want), Some(got)) if want == got => {
            Verdict::new(Pass, format!("answered {got}"), got.to_string())
        }
        (Some(want), Some(got)) => Verdict::new(
            Fail,
            format!("answered {got}, expected {want}"),
            got.to_string(),
        ),
        (Some(_), None) => Verdict::new(Fail, "the body is not JSON", status.to_string()),
    }
}

pub fn judge_metrics(series: &[String], text: &str) -> Verdict {
    let present: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split([' ', '{']).next())
        .collect();
    let missing: Vec<&String> = series
        .iter()
        .filter(|s| !present.contains(&s.as_str()))
        .collect();
    if missing.is_empty() {
        Verdict::new(
            CheckStatus::Pass,
            format!("all {} series present", series.len()),
            format!("{} series served", present.len()),
        )
    } else {
        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        Verdict::new(
            CheckStatus::Fail,
            format!("missing: {}", names.join(", ")),
            format!("{} series served", present.len()),
        )
    }
}

/// Every worker must answer `expected`; `answers` holds each worker's node id
/// and its JSON answer, or why it could not be asked.
pub fn judge_per_worker(expected: &Value, answers: &[(String, Result<Value, String>)]) -> Verdict {
    if answers.is_empty() {
        return Verdict::new(
            CheckStatus::Fail,
            "the cluster lists no workers",
            "0 workers",
        );
    }
    let bad: Vec<String> = answers
        .iter()
        .filter_map(|(node, a)| match a {
            Ok(v) if v == expected => None,
            Ok(v) => Some(format!("{node}: {v}")),
            Err(e) => Some(format!("{node}: {e}")),
        })
        .collect();
    let observed = format!(
        "{} of {} workers answer {expected}",
        answers.len() - bad.len(),
        answers.len()
    );
    if bad.is_empty() {
        Verdict::new(
            CheckStatus::Pass,
            format!("all {} workers answer {expected}", answers.len()),
            observed,
        )
    } else {
        Verdict::new(CheckStatus::Fail, bad.join("; "), observed)
    }
}

/// Trino releases and their dates (from trino-facts.md); ages are computed
/// from dates because the release pace varies.
pub const TRINO_RELEASES: &[(u32, &str)] = &[
    (436, "2024-01-11"),
    (451, "2024-06-27"),
    (460, "2024-10-03"),
    (468, "2024-12-17"),
    (470, "2025-02-05"),
    (476, "2025-06-05"),
    (478, "2025-10-29"),
    (479, "2025-12-14"),
    (481, "2026-05-11"),
    (482, "2026-06-25"),
    (483, "2026-07-17"),
];

/// The running version's release date against the newest known release:
/// fail when more than `max_age_days` older; warn when the version is not in
/// the table (its age is then estimated from the nearest older release).
pub fn judge_version(version: &str, max_age_days: i64) -> Verdict {
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let Some(n) = version
        .trim()
        .split(['-', '.'])
        .next()
        .and_then(|v| v.parse::<u32>().ok())
    else {
        return Verdict::new(
            CheckStatus::Error,
            format!("cannot read the version '{version}'"),
            version,
        );
    };
    let Some(&(newest, newest_date)) = TRINO_RELEASES.last() else {
        return Verdict::error("no release table");
    };
    let known = TRINO_RELEASES.iter().find(|(v, _)| *v == n);
    let base = known.or_else(|| TRINO_RELEASES.iter().rev().find(|(v, _)| *v <= n));
    let Some(&(_, released)) = base else {
        return Verdict::new(
            CheckStatus::Fail,
            format!(
                "Trino {n} is older than every release in the table (oldest {})",
                TRINO_RELEASES[0].0
            ),
            version,
        );
    };
    let (Some(r), Some(nd)) = (date(released), date(newest_date)) else {
        return Verdict::error("bad date in the release table");
    };
    let age = (nd - r).num_days();
    let observed = format!("Trino {n}, released {released}");
    if n > newest {
        return Verdict::new(
            CheckStatus::Pass,
            format!("newer than the newest known release ({newest})"),
            observed,
        );
    }
    if age > max_age_days {
        return Verdict::new(
            CheckStatus::Fail,
            format!("{age} days older than Trino {newest} ({newest_date}); limit {max_age_days}"),
            observed,
        );
    }
    if known.is_none() {
        return Verdict::new(
            CheckStatus::Warn,
            format!("not in the release table; about {age} days behind Trino {newest}"),
            observed,
        );
    }
    Verdict::new(
        CheckStatus::Pass,
        format!("{age} days behind Trino {newest}"),
        observed,
    )
}

/// Cuts evidence to [`EVIDENCE_MAX_BYTES`] on a character boundary.
pub fn cap_evidence(mut text: String) -> String {
    if text.len() > EVIDENCE_MAX_BYTES {
        let mut cut = EVIDENCE_MAX_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n… (cut)");
    }
    text
}

#[cfg(test)]
mod tests;
