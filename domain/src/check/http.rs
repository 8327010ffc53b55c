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

/// The series names a `/metrics` text serves (comments skipped).
fn served_series(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split([' ', '{']).next())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Each entry of `series` lists alternative names for one series; the
/// verdict names the alternative that matched when it was not the first.
pub fn judge_metrics(series: &[Vec<String>], text: &str) -> Verdict {
    let present = served_series(text);
    let mut missing = Vec::new();
    let mut matched = Vec::new();
    for alternatives in series {
        match alternatives
            .iter()
            .find(|name| present.contains(&name.as_str()))
        {
            Some(name) => matched.push(name.as_str()),
            None => missing.push(alternatives.join(" or ")),
        }
    }
    let observed = format!("{} series served", present.len());
    if !missing.is_empty() {
        return Verdict::new(
            CheckStatus::Fail,
            format!("missing: {}", missing.join("; ")),
            observed,
        );
    }
    let alternates: Vec<&str> = series
        .iter()
        .zip(&matched)
        .filter(|(alts, name)| alts.first().map(String::as_str) != Some(**name))
        .map(|(_, name)| *name)
        .collect();
    let reason = if alternates.is_empty() {
        format!("all {} series present", series.len())
    } else {
        format!(
            "all {} series present (matched by the alternative name {})",
            series.len(),
            alternates.join(", ")
        )
    };
    Verdict::new(
        CheckStatus::Pass,
        reason,
        format!("{observed}; matched {}", matched.join(", ")),
    )
}

/// Every worker must answer `expected`; an answer in `warn_on` (a worker
/// being drained on purpose) makes a warning naming each such worker and its
/// state; anything else, or no answer, fails. `answers` holds each worker's
/// node id and its JSON answer, or why it could not be asked.
pub fn judge_per_worker(
    expected: &Value,
    warn_on: &[Value],
    answers: &[(String, Result<Value, String>)],
) -> Verdict {
    if answers.is_empty() {
        return Verdict::new(
            CheckStatus::Fail,
            "the cluster lists no workers",
            "0 workers",
        );
    }
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut sorted: Vec<&(String, Result<Value, String>)> = answers.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut bad = Vec::new();
    let mut warned = Vec::new();
    for (node, a) in sorted {
        match a {
            Ok(v) if v == expected => {}
            Ok(v) if warn_on.contains(v) => warned.push(format!("{node} is {}", show(v))),
            Ok(v) => bad.push(format!("{node}: {}", show(v))),
            Err(e) => bad.push(format!("{node}: {e}")),
        }
    }
    let ok = answers.len() - bad.len() - warned.len();
    let observed = format!(
        "{ok} of {} workers answer {}",
        answers.len(),
        show(expected)
    );
    if !bad.is_empty() {
        let mut reason = bad.join("; ");
        if !warned.is_empty() {
            reason.push_str(&format!(" (also {})", warned.join(", ")));
        }
        Verdict::new(CheckStatus::Fail, reason, observed)
    } else if !warned.is_empty() {
        Verdict::new(
            CheckStatus::Warn,
            format!(
                "{} (a deliberate drain, not a broken node); the other {ok} answer {}",
                warned.join(", "),
                show(expected)
            ),
            observed,
        )
    } else {
        Verdict::new(
            CheckStatus::Pass,
            format!("all {} workers answer {}", answers.len(), show(expected)),
            observed,
        )
    }
}
