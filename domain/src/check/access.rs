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

/// What `GET /ui/api/stats` gave the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiStats {
    /// `activeWorkers`: the nodes the scheduler counts as workers (the
    /// coordinator among them when `node-scheduler.include-coordinator` is
    /// true).
    Workers(i64),
    /// The web UI wants its own login: 401 with `WWW-Authenticate:
    /// Trino-Form-Login` (Trino's form-login filter answers `/ui/api/`
    /// paths so without a web-UI session), or 403 under OAuth2.
    NeedsLogin {
        status: u16,
        www_authenticate: Option<String>,
    },
    /// Any other answer (the UI disabled, a proxy in front, no JSON).
    Unusable { status: u16 },
}

impl UiStats {
    /// Reads an answer of `/ui/api/stats`.
    pub fn from_answer(status: u16, www_authenticate: Option<&str>, body: &str) -> UiStats {
        if status == 200 {
            let workers = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| v.get("activeWorkers").and_then(Value::as_i64));
            if let Some(n) = workers {
                return UiStats::Workers(n);
            }
        }
        if status == 401 || status == 403 {
            return UiStats::NeedsLogin {
                status,
                www_authenticate: www_authenticate.map(str::to_string),
            };
        }
        UiStats::Unusable { status }
    }
}

/// Coordinator isolation from the active non-coordinator nodes of
/// `system.runtime.nodes` (the client protocol, which the check user can
/// always read) and, where the web UI lets the check in, the scheduler's
/// own worker count. The two differ only when the scheduler counts the
/// coordinator as a worker. Without the web UI the verdict is not guessed:
/// it says what was seen and what would decide it (the web UI's session
/// comes from its own login form, which the check does not use).
pub fn judge_isolation(sql_active_workers: i64, ui: &UiStats) -> Verdict {
    use CheckStatus::*;
    let nodes = format!("active non-coordinator nodes {sql_active_workers}");
    if sql_active_workers == 0 {
        return match ui {
            UiStats::Workers(n) if *n > 0 => Verdict::new(
                Fail,
                format!("no active worker, yet the scheduler counts {n}: the coordinator runs every query (add workers and set node-scheduler.include-coordinator=false)"),
                format!("activeWorkers {n}, {nodes}"),
            ),
            _ => Verdict::new(
                Fail,
                "no active worker: no node but the coordinator can run tasks (are the workers down or restarting?)",
                nodes,
            ),
        };
    }
    match ui {
        UiStats::Workers(ui_workers) => {
            let observed = format!("activeWorkers {ui_workers}, {nodes}");
            if *ui_workers == sql_active_workers {
                Verdict::new(
                    Pass,
                    format!("the scheduler uses the {sql_active_workers} workers, not the coordinator"),
                    observed,
                )
            } else if *ui_workers > sql_active_workers {
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
        UiStats::NeedsLogin { status, www_authenticate } => {
            let how = match www_authenticate.as_deref() {
                Some(scheme) => format!("HTTP {status}, WWW-Authenticate: {scheme}"),
                None => format!("HTTP {status}"),
            };
            Verdict::new(
                Error,
                format!(
                    "cannot tell whether the coordinator also takes tasks: the web UI's /ui/api/stats wants its own login session ({how}), \
                     which the client protocol's credentials the check uses do not give, and system.runtime.nodes shows \
                     {sql_active_workers} workers but not whether the coordinator is scheduled. What decides it is \
                     node-scheduler.include-coordinator=false in the coordinator's config.properties: check it with \
                     `shipshape config check`, then sign the item off"
                ),
                format!("/ui/api/stats {how}; {nodes}"),
            )
        }
        UiStats::Unusable { status } => Verdict::new(
            Error,
            format!(
                "cannot tell whether the coordinator also takes tasks: /ui/api/stats answered HTTP {status} without a worker count \
                 (web UI disabled, or a proxy in front?); system.runtime.nodes shows {sql_active_workers} workers. \
                 Confirm node-scheduler.include-coordinator=false in the coordinator's config.properties and sign the item off"
            ),
            format!("/ui/api/stats HTTP {status}; {nodes}"),
        ),
    }
}
