//! Reading a runbook item's `check` table into a typed [`Check`].

use super::*;

/// Every check kind a runbook may name.
pub const CHECK_KINDS: &[&str] = &[
    "sql",
    "http",
    "metrics",
    "version",
    "per_worker",
    "tls",
    "authentication",
    "coordinator_isolation",
    "execution_time_vs_shutdown",
    "fault_tolerant_execution",
    "jvm",
];

/// Every `expect` a `sql` check may name.
pub const SQL_EXPECTATIONS: &[&str] = &[
    "equals",
    "at_least",
    "at_most",
    "duration_at_most",
    "age_at_most",
    "every_equals",
    "every_at_least",
    "every_at_most",
    "all_equal",
    "row_count_at_least",
    "row_count_at_most",
    "error_name",
];

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
            let number = || num("value").ok_or_else(|| "check needs a numeric value".to_string());
            let duration = || {
                let limit = need("value")?;
                parse_duration(&limit)
                    .ok_or_else(|| format!("'{limit}' is not a duration like 3600s or 1h"))
            };
            let cell = |test| SqlExpect::Cell { column, test };
            let every = |test| SqlExpect::Every { column, test };
            let expect = match need("expect")?.as_str() {
                "equals" => cell(CellTest::Equals(need("value")?)),
                "at_least" => cell(CellTest::AtLeast(number()?)),
                "at_most" => cell(CellTest::AtMost(number()?)),
                "duration_at_most" => cell(CellTest::DurationAtMost(duration()?)),
                "age_at_most" => cell(CellTest::AgeAtMost(duration()?)),
                "every_equals" => every(CellTest::Equals(need("value")?)),
                "every_at_least" => every(CellTest::AtLeast(number()?)),
                "every_at_most" => every(CellTest::AtMost(number()?)),
                "all_equal" => SqlExpect::AllEqual { column },
                "row_count_at_least" => SqlExpect::RowCount(CellTest::AtLeast(number()?)),
                "row_count_at_most" => SqlExpect::RowCount(CellTest::AtMost(number()?)),
                "error_name" => SqlExpect::ErrorName {
                    name: need("value")?,
                },
                other => {
                    return Err(format!(
                        "unknown expect '{other}' ({})",
                        SQL_EXPECTATIONS.join(", ")
                    ))
                }
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
            let entries = p
                .get("series")
                .and_then(|v| v.as_array())
                .filter(|a| !a.is_empty())
                .ok_or("check needs series = [\"...\"] (a name, or a list of alternative names, per series)")?;
            let names = |v: &toml::Value| -> Option<Vec<String>> {
                match v {
                    toml::Value::String(s) if !s.trim().is_empty() => Some(vec![s.clone()]),
                    toml::Value::Array(alts) if !alts.is_empty() => alts
                        .iter()
                        .map(|a| {
                            a.as_str()
                                .filter(|s| !s.trim().is_empty())
                                .map(str::to_string)
                        })
                        .collect(),
                    _ => None,
                }
            };
            let series = entries
                .iter()
                .map(names)
                .collect::<Option<Vec<_>>>()
                .ok_or("each series is a name or a non-empty list of alternative names")?;
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
            let json_warn = match p.get("json_warn") {
                None => Vec::new(),
                Some(toml::Value::Array(a)) => a.iter().map(toml_to_json).collect(),
                Some(_) => return Err("json_warn is a list of values, e.g. [\"DRAINING\"]".into()),
            };
            Ok(Check::PerWorker {
                path,
                json_equals,
                json_warn,
            })
        }
        "tls" => {
            let min_days_left = int("min_days_left").unwrap_or(14);
            let min_lifetime_days = int("min_lifetime_days");
            if min_days_left < 0 || min_lifetime_days.is_some_and(|d| d < 1) {
                return Err(
                    "min_days_left must be 0 or more and min_lifetime_days 1 or more".into(),
                );
            }
            Ok(Check::Tls {
                min_days_left,
                min_lifetime_days,
            })
        }
        "authentication" => Ok(Check::Authentication),
        "coordinator_isolation" => Ok(Check::CoordinatorIsolation),
        "execution_time_vs_shutdown" | "fault_tolerant_execution" => {
            // The shortest graceful shutdown period of the role groups
            // (the operator's defaults: workers 1h, coordinators 15m).
            let limit = text("shutdown_period").unwrap_or_else(|| "1h".into());
            let max_seconds = parse_duration(&limit).ok_or_else(|| {
                format!("shutdown_period '{limit}' is not a duration like 3600s or 1h")
            })?;
            Ok(if kind == "fault_tolerant_execution" {
                Check::FaultTolerantExecution { max_seconds }
            } else {
                Check::ExecutionTimeVsShutdown { max_seconds }
            })
        }
        "jvm" => Ok(Check::Jvm),
        other => Err(format!(
            "unknown check kind '{other}' ({})",
            CHECK_KINDS.join(", ")
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
