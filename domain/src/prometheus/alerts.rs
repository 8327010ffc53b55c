//! The four alerts the runbook asks for, recognised in a Prometheus's
//! loaded rules by what their expressions read and the thresholds they
//! compare with, never by their names (a team names its rules as it
//! likes):
//!
//! | alert | the expression reads | fires at |
//! |---|---|---|
//! | coordinator heap | a heap series (`…heap…`) | above 85% (`0.85` or `85`), or earlier |
//! | spill disk | a spill series or mount (`…spill…`) | above 80%, or earlier |
//! | query failure rate | failed queries (`…fail…`) over at most 10 minutes | above 5%, or earlier |
//! | worker count mismatch | a worker or active-node count | any comparison (`<`, `!=`, …) |
//!
//! A rule that matches but fires later than the runbook asks (heap above
//! 95%) is named with its threshold; a rule whose health is not `ok` is
//! not loaded, and said so.

use serde::Deserialize;

/// One rule as `GET /api/v1/rules` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub query: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub health: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuleGroup {
    pub name: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RulesData {
    #[serde(default)]
    groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RulesAnswer {
    status: String,
    data: Option<RulesData>,
}

/// The rule groups of a `GET /api/v1/rules` answer; `None` when it is not
/// one (a wrong address, an error answer).
pub fn parse_rules(json: &str) -> Option<Vec<RuleGroup>> {
    let answer: RulesAnswer = serde_json::from_str(json).ok()?;
    if answer.status != "success" {
        return None;
    }
    Some(answer.data.map(|d| d.groups).unwrap_or_default())
}

/// The alerts the runbook lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    CoordinatorHeap,
    SpillDisk,
    QueryFailureRate,
    WorkerCountMismatch,
}

impl Wanted {
    pub const ALL: [Wanted; 4] = [
        Wanted::CoordinatorHeap,
        Wanted::SpillDisk,
        Wanted::QueryFailureRate,
        Wanted::WorkerCountMismatch,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Wanted::CoordinatorHeap => "coordinator heap > 85%",
            Wanted::SpillDisk => "spill disk > 80%",
            Wanted::QueryFailureRate => "query failure rate > 5% in 10 minutes",
            Wanted::WorkerCountMismatch => "worker count mismatch",
        }
    }

    /// The threshold as a ratio, where the alert has one.
    fn ratio(self) -> Option<f64> {
        match self {
            Wanted::CoordinatorHeap => Some(0.85),
            Wanted::SpillDisk => Some(0.80),
            Wanted::QueryFailureRate => Some(0.05),
            Wanted::WorkerCountMismatch => None,
        }
    }

    fn reads(self, series: &str) -> bool {
        let s = series.to_ascii_lowercase();
        match self {
            Wanted::CoordinatorHeap => s.contains("heap"),
            Wanted::SpillDisk => s.contains("spill"),
            Wanted::QueryFailureRate => s.contains("fail"),
            Wanted::WorkerCountMismatch => {
                s.contains("worker") || s.contains("activenode") || s.contains("active_node")
            }
        }
    }
}

/// What became of one wanted alert.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A loaded rule reads the right series and fires in time.
    Yes {
        group: String,
        rule: String,
    },
    /// A rule reads the right series but fires later than asked, or over
    /// a longer window, or is not loaded.
    Wrong {
        group: String,
        rule: String,
        why: String,
    },
    Missing,
}

/// The comparisons of an expression: operator and number, label matchers
/// and ranges left out (`{mountpoint=~"/spill.*"}`, `[10m]`).
fn comparisons(expr: &str) -> Vec<(String, f64)> {
    let mut plain = String::new();
    let mut depth_brace = 0usize;
    let mut depth_bracket = 0usize;
    let mut in_string: Option<char> = None;
    for c in expr.chars() {
        if let Some(q) = in_string {
            if c == q {
                in_string = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => in_string = Some(c),
            '{' => depth_brace += 1,
            '}' => depth_brace = depth_brace.saturating_sub(1),
            '[' => depth_bracket += 1,
            ']' => depth_bracket = depth_bracket.saturating_sub(1),
            _ if depth_brace == 0 && depth_bracket == 0 => plain.push(c),
            _ => {}
        }
    }
    let chars: Vec<char> = plain.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let op = match (c, next) {
            ('>', Some('=')) => Some(">="),
            ('<', Some('=')) => Some("<="),
            ('!', Some('=')) => Some("!="),
            ('=', Some('=')) => Some("=="),
            ('>', _) => Some(">"),
            ('<', _) => Some("<"),
            _ => None,
        };
        let Some(op) = op else {
            i += 1;
            continue;
        };
        i += op.len();
        let rest: String = chars[i..].iter().collect();
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("bool").unwrap_or(rest).trim_start();
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        match number.parse::<f64>() {
            Ok(n) => out.push((op.to_string(), n)),
            // Compared with another expression (a worker count against
            // its expected value): the operator still counts.
            Err(_) => out.push((op.to_string(), f64::NAN)),
        }
    }
    out
}

/// The longest range an expression reads over, in seconds (`[10m]`).
fn longest_range(expr: &str) -> Option<f64> {
    expr.split('[')
        .skip(1)
        .filter_map(|r| r.split(']').next())
        .filter_map(|r| {
            let r = r.split(':').next().unwrap_or(r);
            crate::trino_config::manifest::k8s_duration(r)
        })
        .reduce(f64::max)
}

/// Whether a threshold as written (a ratio or a percentage) fires no later
/// than the wanted ratio.
fn in_time(threshold: f64, wanted: f64) -> bool {
    let as_ratio = if threshold > 1.0 {
        threshold / 100.0
    } else {
        threshold
    };
    as_ratio <= wanted + 1e-9
}

/// Judges one rule against one wanted alert: `None` when it does not read
/// the alert's series at all.
fn judge(want: Wanted, group: &RuleGroup, rule: &Rule) -> Option<Found> {
    if rule.kind != "alerting" || !want.reads(&rule.query) {
        return None;
    }
    let wrong = |why: String| Found::Wrong {
        group: group.name.clone(),
        rule: rule.name.clone(),
        why,
    };
    if !rule.health.is_empty() && rule.health != "ok" {
        return Some(wrong(format!(
            "its health is {}: not evaluated",
            rule.health
        )));
    }
    let cmps = comparisons(&rule.query);
    match want.ratio() {
        None => {
            if cmps.is_empty() {
                return Some(wrong("it compares nothing".into()));
            }
        }
        Some(wanted) => {
            let above: Vec<f64> = cmps
                .iter()
                .filter(|(op, n)| (op == ">" || op == ">=") && n.is_finite())
                .map(|(_, n)| *n)
                .collect();
            let Some(&t) = above.first() else {
                return Some(wrong("it has no threshold to fire above".into()));
            };
            if !above.iter().any(|t| in_time(*t, wanted)) {
                return Some(wrong(format!(
                    "it fires above {t}, later than {}%",
                    wanted * 100.0
                )));
            }
        }
    }
    if want == Wanted::QueryFailureRate {
        match longest_range(&rule.query) {
            Some(secs) if secs <= 600.0 => {}
            Some(secs) => {
                return Some(wrong(format!(
                    "it reads failures over {} minutes, not 10",
                    secs / 60.0
                )))
            }
            None => return Some(wrong("it reads no window of failures (e.g. [10m])".into())),
        }
    }
    Some(Found::Yes {
        group: group.name.clone(),
        rule: rule.name.clone(),
    })
}

/// For each wanted alert, the best rule found: a matching one, else one
/// that reads the right series but is wrong, else missing.
pub fn find_alerts(groups: &[RuleGroup]) -> Vec<(Wanted, Found)> {
    Wanted::ALL
        .into_iter()
        .map(|want| {
            let mut best = Found::Missing;
            for g in groups {
                for r in &g.rules {
                    match judge(want, g, r) {
                        Some(found @ Found::Yes { .. }) => return (want, found),
                        Some(wrong) if best == Found::Missing => best = wrong,
                        _ => {}
                    }
                }
            }
            (want, best)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, query: &str) -> Rule {
        Rule {
            name: name.into(),
            query: query.into(),
            kind: "alerting".into(),
            health: "ok".into(),
        }
    }

    fn groups(rules: Vec<Rule>) -> Vec<RuleGroup> {
        vec![RuleGroup {
            name: "trino".into(),
            file: "/etc/prometheus/trino.yml".into(),
            rules,
        }]
    }

    const GOOD: [(&str, &str); 4] = [
        (
            "A",
            r#"java_lang_Memory_HeapMemoryUsage_used{job="trino-coordinator"} / java_lang_Memory_HeapMemoryUsage_max > 0.85"#,
        ),
        (
            "B",
            r#"1 - node_filesystem_avail_bytes{mountpoint="/spill"} / node_filesystem_size_bytes{mountpoint="/spill"} > 80"#,
        ),
        (
            "C",
            r#"rate(trino_execution_name_QueryManager_FailedQueries_TotalCount[10m]) / rate(trino_execution_name_QueryManager_CompletedQueries_TotalCount[10m]) > 0.05"#,
        ),
        (
            "D",
            r#"trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount < 4"#,
        ),
    ];

    #[test]
    fn four_rules_are_found_by_what_they_read_not_their_names() {
        let rules = GOOD.iter().map(|(n, q)| rule(n, q)).collect();
        let found = find_alerts(&groups(rules));
        for (want, f) in &found {
            assert!(matches!(f, Found::Yes { .. }), "{want:?}: {f:?}");
        }
        let names: Vec<String> = found
            .iter()
            .filter_map(|(_, f)| match f {
                Found::Yes { rule, .. } => Some(rule.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
    }

    #[test]
    fn late_thresholds_long_windows_unloaded_and_missing_rules_are_named() {
        let found = find_alerts(&groups(vec![
            rule(
                "heap",
                "jvm_memory_bytes_used{area=\"heap\"} / jvm_memory_bytes_max{area=\"heap\"} > 0.95",
            ),
            rule(
                "fails",
                "rate(trino_failed_queries_total[1h]) / rate(trino_queries_total[1h]) > 0.05",
            ),
            Rule {
                health: "err".into(),
                ..rule("spill", "spill_disk_used_ratio > 0.5")
            },
        ]));
        let by = |w: Wanted| found.iter().find(|(x, _)| *x == w).map(|(_, f)| f.clone());
        assert!(
            matches!(by(Wanted::CoordinatorHeap), Some(Found::Wrong { why, .. }) if why.contains("0.95"))
        );
        assert!(
            matches!(by(Wanted::QueryFailureRate), Some(Found::Wrong { why, .. }) if why.contains("60 minutes"))
        );
        assert!(
            matches!(by(Wanted::SpillDisk), Some(Found::Wrong { why, .. }) if why.contains("health is err"))
        );
        assert_eq!(by(Wanted::WorkerCountMismatch), Some(Found::Missing));
    }

    #[test]
    fn label_matchers_and_recording_rules_do_not_count() {
        // `=~` inside a matcher is not a comparison; a recording rule
        // computes, it does not alert.
        assert!(comparisons(r#"up{job=~"trino.*"}"#).is_empty());
        let recording = Rule {
            kind: "recording".into(),
            ..rule("heap_ratio", "heap_used / heap_max > 0.85")
        };
        let found = find_alerts(&groups(vec![recording]));
        assert_eq!(found[0].1, Found::Missing);
        assert_eq!(comparisons("x > bool 0.5"), vec![(">".to_string(), 0.5)]);
        assert_eq!(longest_range("rate(a[5m]) / rate(b[10m:1m])"), Some(600.0));
    }

    #[test]
    fn a_rules_answer_is_read_and_anything_else_is_not() {
        let json = r#"{"status":"success","data":{"groups":[{"name":"trino","file":"t.yml","rules":[{"name":"A","query":"heap > 0.9","type":"alerting","health":"ok","labels":{}}]}]}}"#;
        let g = parse_rules(json).unwrap_or_default();
        assert_eq!(g[0].rules[0].name, "A");
        assert_eq!(parse_rules(r#"{"status":"error","error":"x"}"#), None);
        assert_eq!(parse_rules("<html>"), None);
    }
}
