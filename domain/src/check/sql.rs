//! Verdicts on what a SQL statement returned: a cell, every row, a row
//! count, all rows equal, or the error it failed with.

use super::*;
use chrono::{DateTime, NaiveDateTime, Utc};

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

/// Judges a statement's outcome; `now` is what "age" is measured against.
pub fn judge_sql(expect: &SqlExpect, observed: SqlObserved<'_>, now: DateTime<Utc>) -> Verdict {
    use CheckStatus::*;
    let rows = match (expect, observed) {
        (SqlExpect::ErrorName { name }, SqlObserved::Failed { name: got, message }) => {
            return if got == name {
                Verdict::new(Pass, format!("failed with {got}, as it should"), message)
            } else {
                Verdict::new(Fail, format!("failed with {got}, expected {name}"), message)
            }
        }
        (SqlExpect::ErrorName { name }, SqlObserved::Rows(rows)) => {
            return Verdict::new(
                Fail,
                format!("the query succeeded; expected {name}"),
                format!("{} rows", rows.len()),
            )
        }
        (_, SqlObserved::Failed { name, message }) => {
            return Verdict::new(Error, format!("query failed: {name}"), message)
        }
        (_, SqlObserved::Rows(rows)) => rows,
    };
    match expect {
        SqlExpect::ErrorName { .. } => Verdict::error("unreachable expectation"),
        SqlExpect::Cell { column, test } => match rows.first().and_then(|r| r.get(*column)) {
            None => Verdict::new(
                Fail,
                format!("no value in row 1, column {}", column + 1),
                format!("{} rows", rows.len()),
            ),
            Some(cell) => judge_cell(test, cell, now),
        },
        SqlExpect::Every { column, test } => judge_every(rows, *column, test, now),
        SqlExpect::AllEqual { column } => judge_all_equal(rows, *column),
        SqlExpect::RowCount(test) => {
            let n = Value::from(rows.len());
            let v = judge_cell(test, &n, now);
            Verdict::new(
                v.status,
                format!("{} rows: {}", rows.len(), v.reason),
                format!("{} rows", rows.len()),
            )
        }
    }
}

/// A row's label for reasons: its first cell when that is not the tested one.
fn row_label(row: &[Value], column: usize, index: usize) -> String {
    match row.first() {
        Some(first) if column != 0 => cell_text(first),
        _ => format!("row {}", index + 1),
    }
}

fn judge_every(rows: &[Vec<Value>], column: usize, test: &CellTest, now: DateTime<Utc>) -> Verdict {
    use CheckStatus::*;
    if rows.is_empty() {
        return Verdict::new(Fail, "no rows came back", "0 rows");
    }
    let mut failing = Vec::new();
    let mut worst = Pass;
    for (i, row) in rows.iter().enumerate() {
        let label = row_label(row, column, i);
        let v = match row.get(column) {
            Some(cell) => judge_cell(test, cell, now),
            None => Verdict::new(Fail, format!("no column {}", column + 1), ""),
        };
        if v.status != Pass {
            if v.status == Error || worst == Pass {
                worst = v.status;
            }
            failing.push(format!("{label}: {}", v.reason));
        }
    }
    let observed = format!("{} of {} rows pass", rows.len() - failing.len(), rows.len());
    if failing.is_empty() {
        Verdict::new(Pass, format!("all {} rows pass", rows.len()), observed)
    } else {
        Verdict::new(worst, failing.join("; "), observed)
    }
}

fn judge_all_equal(rows: &[Vec<Value>], column: usize) -> Verdict {
    use CheckStatus::*;
    if rows.is_empty() {
        return Verdict::new(Fail, "no rows came back", "0 rows");
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let value = row.get(column).map(cell_text).unwrap_or_default();
        let label = row_label(row, column, i);
        match groups.iter_mut().find(|(v, _)| *v == value) {
            Some((_, labels)) => labels.push(label),
            None => groups.push((value, vec![label])),
        }
    }
    if let [(value, _)] = groups.as_slice() {
        return Verdict::new(
            Pass,
            format!("all {} rows hold {value}", rows.len()),
            value.clone(),
        );
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(v, labels)| format!("{v} on {}", labels.join(", ")))
        .collect();
    let values: Vec<&str> = groups.iter().map(|(v, _)| v.as_str()).collect();
    Verdict::new(
        Fail,
        format!("{} different values: {}", groups.len(), parts.join("; ")),
        values.join(", "),
    )
}

fn judge_cell(test: &CellTest, cell: &Value, now: DateTime<Utc>) -> Verdict {
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
        CellTest::AgeAtMost(seconds) => {
            if cell.is_null() {
                return Verdict::new(Fail, "no timestamp (the table is empty?)", "null");
            }
            let Some(at) = parse_timestamp(&observed) else {
                return Verdict::new(
                    Error,
                    "not a timestamp in UTC (convert it with AT TIME ZONE 'UTC')",
                    observed,
                );
            };
            let age = (now - at).num_seconds() as f64;
            let age_text = human_seconds(age.max(0.0));
            if age <= *seconds {
                Verdict::new(
                    Pass,
                    format!("{age_text} old, within {}", human_seconds(*seconds)),
                    observed,
                )
            } else {
                Verdict::new(
                    Fail,
                    format!("{age_text} old, older than {}", human_seconds(*seconds)),
                    observed,
                )
            }
        }
    }
}

/// A Trino timestamp as JSON text: `2026-11-23 18:00:00.000`, optionally
/// followed by ` UTC`, `Z` or a `+00:00` offset; RFC 3339 too. A timestamp
/// without a zone is read as UTC; other named zones are refused.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    let bare = t
        .strip_suffix(" UTC")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t);
    if let Ok(n) = NaiveDateTime::parse_from_str(bare, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(n.and_utc());
    }
    DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f %:z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `90s` → `1m 30s`, `7200` → `2h`: for reasons people read.
pub fn human_seconds(seconds: f64) -> String {
    let s = seconds.round() as i64;
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (sec, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}
