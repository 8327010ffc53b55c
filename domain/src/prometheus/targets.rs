//! Whether the team's Prometheus scrapes the cluster: its active targets
//! (`GET /api/v1/targets`) picked by the cluster's label selector
//! (`{cluster="etl-prod"}`), each `up`, and as many as the cluster has
//! nodes when that is known. A target that is down is named with its
//! scrape address and Prometheus's own error.

use crate::check::{CheckStatus, Verdict};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One active target.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Target {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default, rename = "scrapeUrl")]
    pub scrape_url: String,
    #[serde(default)]
    pub health: String,
    #[serde(default, rename = "lastError")]
    pub last_error: String,
}

#[derive(Deserialize)]
struct TargetsData {
    #[serde(default, rename = "activeTargets")]
    active: Vec<Target>,
}

#[derive(Deserialize)]
struct TargetsAnswer {
    status: String,
    data: Option<TargetsData>,
}

/// The active targets of a `GET /api/v1/targets` answer; `None` when it
/// is not one.
pub fn parse_targets(json: &str) -> Option<Vec<Target>> {
    let answer: TargetsAnswer = serde_json::from_str(json).ok()?;
    if answer.status != "success" {
        return None;
    }
    Some(answer.data.map(|d| d.active).unwrap_or_default())
}

/// A label selector: `{name="value", other!="value"}` (equality and
/// inequality; regular-expression matchers are refused, so a selector
/// means the same here as it reads).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector(Vec<(String, bool, String)>);

/// Reads a selector; the error says what is wrong in words.
pub fn parse_selector(text: &str) -> Result<Selector, String> {
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or("write the selector as {label=\"value\", …}")?;
    let mut out = Vec::new();
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part.contains("=~") || part.contains("!~") {
            return Err(format!(
                "{part}: regular-expression matchers are not accepted; use label=\"value\""
            ));
        }
        let (name, equal, value) = if let Some((n, v)) = part.split_once("!=") {
            (n, false, v)
        } else if let Some((n, v)) = part.split_once('=') {
            (n, true, v)
        } else {
            return Err(format!("{part}: not label=\"value\""));
        };
        let name = name.trim();
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or(format!("{part}: the value needs double quotes"))?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("{part}: '{name}' is not a label name"));
        }
        out.push((name.to_string(), equal, value.to_string()));
    }
    if out.is_empty() {
        return Err("an empty selector would pick every target of the Prometheus".into());
    }
    Ok(Selector(out))
}

impl Selector {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|(name, equal, value)| {
            let has = labels.get(name).map_or("", String::as_str);
            (has == value) == *equal
        })
    }
}

/// The verdict on the cluster's scraping; `nodes` is how many nodes the
/// cluster has, when a live check read it.
pub fn judge_targets(targets: &[Target], selector: &Selector, nodes: Option<usize>) -> Verdict {
    let picked: Vec<&Target> = targets
        .iter()
        .filter(|t| selector.matches(&t.labels))
        .collect();
    if picked.is_empty() {
        return Verdict::new(
            CheckStatus::Fail,
            "no active target matches the cluster's selector: nothing scrapes this cluster",
            format!("0 of {} targets", targets.len()),
        );
    }
    let down: Vec<String> = picked
        .iter()
        .filter(|t| t.health != "up")
        .map(|t| {
            if t.last_error.is_empty() {
                format!("{} ({})", t.scrape_url, t.health)
            } else {
                format!("{} ({})", t.scrape_url, t.last_error)
            }
        })
        .collect();
    let observed = format!(
        "{} of {} targets up",
        picked.len() - down.len(),
        picked.len()
    );
    if !down.is_empty() {
        return Verdict::new(
            CheckStatus::Fail,
            format!("not scraped: {}", down.join("; ")),
            observed,
        );
    }
    match nodes {
        Some(n) if picked.len() < n => Verdict::new(
            CheckStatus::Fail,
            format!(
                "{} targets for {n} nodes: {} node(s) are not scraped",
                picked.len(),
                n - picked.len()
            ),
            observed,
        ),
        _ => Verdict::new(
            CheckStatus::Pass,
            format!(
                "every target of the cluster is scraped and up ({})",
                picked.len()
            ),
            observed,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(cluster: &str, url: &str, health: &str, error: &str) -> Target {
        Target {
            labels: [
                ("cluster".to_string(), cluster.to_string()),
                ("job".to_string(), "trino".to_string()),
            ]
            .into_iter()
            .collect(),
            scrape_url: url.into(),
            health: health.into(),
            last_error: error.into(),
        }
    }

    #[test]
    fn selectors_read_as_written_and_refuse_what_they_cannot_mean() {
        let s = parse_selector(r#"{cluster="etl-prod", job!="other"}"#).unwrap_or_default();
        assert!(s.matches(&target("etl-prod", "", "up", "").labels));
        assert!(!s.matches(&target("bi-prod", "", "up", "").labels));
        assert!(parse_selector(r#"{cluster=~"etl.*"}"#)
            .is_err_and(|e| e.contains("regular-expression")));
        assert!(parse_selector("{}").is_err());
        assert!(parse_selector("cluster=etl").is_err());
        assert!(parse_selector(r#"{cluster=etl}"#).is_err_and(|e| e.contains("double quotes")));
    }

    #[test]
    fn every_node_scraped_and_up_passes_and_a_down_one_is_named() {
        let s = parse_selector(r#"{cluster="etl-prod"}"#).unwrap_or_default();
        let ts = vec![
            target("etl-prod", "http://c:8080/metrics", "up", ""),
            target("etl-prod", "http://w1:8080/metrics", "up", ""),
            target("bi-prod", "http://x:8080/metrics", "down", "boom"),
        ];
        assert_eq!(judge_targets(&ts, &s, Some(2)).status, CheckStatus::Pass);
        let v = judge_targets(&ts, &s, Some(3));
        assert_eq!(v.status, CheckStatus::Fail);
        assert!(
            v.reason.contains("1 node(s) are not scraped"),
            "{}",
            v.reason
        );
        let mut down = ts.clone();
        down[1] = target(
            "etl-prod",
            "http://w1:8080/metrics",
            "down",
            "connection refused",
        );
        let v = judge_targets(&down, &s, None);
        assert!(
            v.reason
                .contains("http://w1:8080/metrics (connection refused)"),
            "{}",
            v.reason
        );
        let none = judge_targets(
            &ts,
            &parse_selector(r#"{cluster="gone"}"#).unwrap_or_default(),
            None,
        );
        assert!(none.reason.contains("nothing scrapes"));
    }

    #[test]
    fn a_targets_answer_is_read() {
        let json = r#"{"status":"success","data":{"activeTargets":[{"labels":{"cluster":"etl-prod"},"scrapeUrl":"http://c/metrics","health":"up","lastError":""}],"droppedTargets":[]}}"#;
        let t = parse_targets(json).unwrap_or_default();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].health, "up");
        assert!(parse_targets("{}").is_none());
    }
}
