//! Verdicts on HTTP answers: a status and JSON value, `/metrics` series,
//! and every worker's answer.

use super::*;

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
