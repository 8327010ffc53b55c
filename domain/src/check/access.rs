//! Verdicts on who the coordinator lets in and where it schedules work:
//! authentication (a statement without credentials is refused) and
//! coordinator isolation (the coordinator is not counted as a worker).

use super::*;

/// `https`: whether the coordinator URL is HTTPS; `status` and
/// `www_authenticate`: the answer to a statement sent without credentials.
pub fn judge_authentication(https: bool, status: u16, www_authenticate: Option<&str>) -> Verdict {
    use CheckStatus::*;
    let observed = match www_authenticate {
        Some(w) => format!("{status}, WWW-Authenticate: {w}"),
        None => status.to_string(),
    };
    if !https {
        return Verdict::new(
            Fail,
            "the coordinator is plain http; Trino accepts passwords only over HTTPS",
            observed,
        );
    }
    match status {
        401 if www_authenticate.is_some() => Verdict::new(
            Pass,
            "a statement without credentials is refused (401)",
            observed,
        ),
        401 => Verdict::new(
            Warn,
            "refused with 401 but without WWW-Authenticate",
            observed,
        ),
        200..=299 => Verdict::new(
            Fail,
            "the coordinator accepted a statement without credentials",
            observed,
        ),
        other => Verdict::new(
            Fail,
            format!("answered {other} to a statement without credentials; expected 401"),
            observed,
        ),
    }
}

/// `ui_active_workers` from `/ui/api/stats`; `sql_active_workers`: active
/// non-coordinator nodes from `system.runtime.nodes`.
pub fn judge_isolation(ui_active_workers: i64, sql_active_workers: i64) -> Verdict {
    use CheckStatus::*;
    let observed = format!(
        "activeWorkers {ui_active_workers}, active non-coordinator nodes {sql_active_workers}"
    );
    if ui_active_workers == sql_active_workers {
        Verdict::new(
            Pass,
            format!("the scheduler uses the {sql_active_workers} workers, not the coordinator"),
            observed,
        )
    } else if ui_active_workers > sql_active_workers {
        Verdict::new(
            Fail,
            "the coordinator is counted as a worker: set node-scheduler.include-coordinator=false",
            observed,
        )
    } else {
        Verdict::new(
            Warn,
            "the web UI counts fewer workers than system.runtime.nodes (a node is joining or leaving?)",
            observed,
        )
    }
}
