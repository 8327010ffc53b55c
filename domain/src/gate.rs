//! The readiness gate a deployment pipeline asks: is this cluster ready?
//! Judged from the cluster's checklist against the pipeline's bar (a
//! minimum score, sections that must be complete, whether a regressed item
//! may pass), with every blocking item and why, and every scored item with
//! its standing (the server writes them as JUnit XML, one test case each).

use crate::checklist::{Checklist, ChecklistItem};
use crate::ids::ItemId;
use crate::standing::Standing;
use serde::{Deserialize, Serialize};

/// The bar a pipeline sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateQuery {
    /// Least score in whole percent; default 100 (every applicable item).
    pub min_score: Option<u32>,
    /// Sections whose every applicable item must count.
    #[serde(default)]
    pub require_sections: Vec<String>,
    /// Let a regressed item pass (by default any regressed item blocks).
    #[serde(default)]
    pub allow_regressed: bool,
}

/// One item that keeps the cluster from passing, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub item_id: ItemId,
    pub title: String,
    pub section: String,
    pub standing: Standing,
    pub reason: String,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateResult {
    pub cluster: String,
    pub ready: bool,
    /// Whole percent; `None` when nothing applies.
    pub score: Option<u32>,
    pub min_score: u32,
    /// Why the cluster fails, in one line each (score, sections, regressions).
    pub reasons: Vec<String>,
    pub blocking: Vec<Blocker>,
    /// Every scored item with its standing, for the JUnit report.
    pub items: Vec<GateItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateItem {
    pub item_id: ItemId,
    pub title: String,
    pub section: String,
    pub standing: Standing,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error("min_score must be 0 to 100, not {0}")]
    Score(u32),
    #[error("no section '{0}' in the runbook (sections: {1})")]
    Section(String, String),
}

fn why(item: &ChecklistItem) -> String {
    match item.standing {
        Standing::Open if item.by.is_some() => "revoked".to_string(),
        Standing::Open => "not signed off".to_string(),
        Standing::Expired => match &item.expires_at {
            Some(at) => format!("sign-off expired {}", at.date_text()),
            None => "sign-off expired".to_string(),
        },
        Standing::Regressed => "signed off, but its live check fails".to_string(),
        Standing::Done | Standing::NotApplicable | Standing::Waived => String::new(),
    }
}

/// Judges `checklist` (recurring Day-2 sections are not scored, as in the
/// readiness score) against `q`.
pub fn evaluate(
    cluster: &str,
    checklist: &Checklist,
    q: &GateQuery,
) -> Result<GateResult, GateError> {
    let min_score = q.min_score.unwrap_or(100);
    if min_score > 100 {
        return Err(GateError::Score(min_score));
    }
    let scored: Vec<_> = checklist.sections.iter().filter(|s| !s.recurring).collect();
    for wanted in &q.require_sections {
        if !scored.iter().any(|s| &s.id == wanted) {
            let known: Vec<&str> = scored.iter().map(|s| s.id.as_str()).collect();
            return Err(GateError::Section(wanted.clone(), known.join(", ")));
        }
    }
    let score = checklist.overall.percent();
    let score_ok = score.is_none_or(|s| s >= min_score);
    let mut reasons = Vec::new();
    if !score_ok {
        reasons.push(format!(
            "score {}% is below the required {min_score}%",
            score.unwrap_or(0)
        ));
    }
    let mut blocking = Vec::new();
    let mut items = Vec::new();
    for s in &scored {
        let required = q.require_sections.contains(&s.id);
        let mut section_open = 0;
        for i in &s.items {
            items.push(GateItem {
                item_id: i.id.clone().into(),
                title: i.title.clone(),
                section: s.id.clone(),
                standing: i.standing,
            });
            let outstanding = matches!(
                i.standing,
                Standing::Open | Standing::Expired | Standing::Regressed
            );
            if !outstanding {
                continue;
            }
            let regressed_blocks = i.standing == Standing::Regressed && !q.allow_regressed;
            if required {
                section_open += 1;
            }
            if !score_ok || required || regressed_blocks {
                blocking.push(Blocker {
                    item_id: i.id.clone().into(),
                    title: i.title.clone(),
                    section: s.id.clone(),
                    standing: i.standing,
                    reason: why(i),
                });
            }
        }
        if section_open > 0 {
            reasons.push(format!(
                "required section '{}' has {section_open} item(s) not done",
                s.id
            ));
        }
    }
    let regressed = blocking
        .iter()
        .filter(|b| b.standing == Standing::Regressed)
        .count();
    if regressed > 0 && !q.allow_regressed {
        reasons.push(format!(
            "{regressed} regressed item(s) block (pass --allow-regressed to let them through)"
        ));
    }
    Ok(GateResult {
        cluster: cluster.to_string(),
        ready: reasons.is_empty(),
        score,
        min_score,
        reasons,
        blocking,
        items,
    })
}

/// The gate for people: verdict, score and each blocking item.
pub fn text(r: &GateResult) -> String {
    let score = r
        .score
        .map(|s| format!("{s}%"))
        .unwrap_or_else(|| "n/a".into());
    let mut out = format!(
        "{}: {} (score {score}, required {}%)\n",
        r.cluster,
        if r.ready { "READY" } else { "NOT READY" },
        r.min_score
    );
    for reason in &r.reasons {
        out.push_str(&format!("  - {reason}\n"));
    }
    for b in &r.blocking {
        out.push_str(&format!(
            "  ✗ [{}] {} ({}): {}\n",
            b.section, b.title, b.item_id, b.reason
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::ChecklistSection;
    use crate::readiness::Progress;
    use crate::signoff::ItemStatus;

    fn item(id: &str, standing: Standing) -> ChecklistItem {
        ChecklistItem {
            id: id.into(),
            title: format!("Title <{id}>"),
            cadence: None,
            config: None,
            why: String::new(),
            verify: vec![],
            correction: None,
            source: String::new(),
            status: if standing == Standing::Open {
                ItemStatus::Open
            } else {
                ItemStatus::Done
            },
            by: None,
            at: None,
            note: None,
            automated: false,
            check: None,
            verdict: None,
            regressed: standing == Standing::Regressed,
            standing,
            valid_for_days: None,
            expires_at: None,
            expiring_soon: false,
            waiver: None,
            task: None,
        }
    }

    fn section(id: &str, items: Vec<ChecklistItem>) -> ChecklistSection {
        let mut progress = Progress::default();
        for i in &items {
            progress.total += 1;
            match i.standing {
                Standing::Done => progress.done += 1,
                Standing::NotApplicable => progress.not_applicable += 1,
                Standing::Waived => progress.waived += 1,
                Standing::Regressed => progress.regressed += 1,
                Standing::Expired => progress.expired += 1,
                Standing::Open => {}
            }
        }
        ChecklistSection {
            id: id.into(),
            title: id.into(),
            summary: None,
            recurring: false,
            progress,
            items,
        }
    }

    fn checklist(sections: Vec<ChecklistSection>) -> Checklist {
        let mut overall = Progress::default();
        for s in &sections {
            let p = s.progress;
            overall.total += p.total;
            overall.done += p.done;
            overall.not_applicable += p.not_applicable;
            overall.waived += p.waived;
            overall.regressed += p.regressed;
            overall.expired += p.expired;
        }
        Checklist {
            runbook_id: "r".into(),
            runbook_title: "R".into(),
            overall,
            regressed: overall.regressed,
            sections,
            retired: vec![],
        }
    }

    fn sample() -> Checklist {
        checklist(vec![
            section(
                "security",
                vec![item("tls", Standing::Done), item("ldap", Standing::Open)],
            ),
            section(
                "reliability",
                vec![
                    item("spill", Standing::Regressed),
                    item("mem", Standing::Done),
                    item("na", Standing::NotApplicable),
                    item("w", Standing::Done),
                ],
            ),
        ])
    }

    #[test]
    fn by_default_everything_applicable_must_count() {
        let r = evaluate("c", &sample(), &GateQuery::default()).unwrap();
        assert!(!r.ready);
        assert_eq!(r.score, Some(60));
        let ids: Vec<&str> = r.blocking.iter().map(|b| b.item_id.as_str()).collect();
        assert_eq!(ids, ["ldap", "spill"]);
        assert_eq!(r.blocking[0].reason, "not signed off");
        assert!(r.reasons[0].contains("score 60% is below the required 100%"));
    }

    #[test]
    fn a_regressed_item_blocks_unless_allowed() {
        let q = GateQuery {
            min_score: Some(50),
            ..GateQuery::default()
        };
        let r = evaluate("c", &sample(), &q).unwrap();
        assert!(!r.ready);
        assert_eq!(r.blocking.len(), 1);
        assert_eq!(r.blocking[0].item_id, "spill");
        let allowed = GateQuery {
            allow_regressed: true,
            ..q
        };
        let r = evaluate("c", &sample(), &allowed).unwrap();
        assert!(r.ready, "{r:?}");
        assert!(r.blocking.is_empty());
    }

    #[test]
    fn required_sections_block_on_their_open_items_only() {
        let q = GateQuery {
            min_score: Some(50),
            require_sections: vec!["security".into()],
            allow_regressed: true,
        };
        let r = evaluate("c", &sample(), &q).unwrap();
        assert!(!r.ready);
        assert_eq!(r.blocking.len(), 1);
        assert_eq!(r.blocking[0].item_id, "ldap");
        assert!(r.reasons[0].contains("required section 'security' has 1 item(s) not done"));
        let unknown = GateQuery {
            require_sections: vec!["nope".into()],
            ..GateQuery::default()
        };
        assert!(matches!(
            evaluate("c", &sample(), &unknown),
            Err(GateError::Section(..))
        ));
        let over = GateQuery {
            min_score: Some(101),
            ..GateQuery::default()
        };
        assert_eq!(evaluate("c", &sample(), &over), Err(GateError::Score(101)));
    }

    #[test]
    fn text_names_the_verdict_and_each_blocking_item() {
        let r = evaluate("prod & co", &sample(), &GateQuery::default()).unwrap();
        assert_eq!(r.items.len(), 6);
        assert_eq!(r.blocking.len(), 2);
        let t = text(&r);
        assert!(t.starts_with("prod & co: NOT READY (score 60%, required 100%)"));
        assert!(
            t.contains("[reliability] Title <spill> (spill): signed off, but its live check fails")
        );
    }
}
