//! Readiness as Prometheus metrics, in the text exposition format: what an
//! alert rule needs per cluster (the score, per section, counts by
//! standing, overdue Day-2 tasks, pending waivers) and the counting live
//! verdict per cluster × item. Process metrics (HTTP latency, check runs)
//! come from the server's recorder; these are derived from the read model
//! at each scrape, so they can never disagree with the dashboard.

use crate::check::CheckStatus;
use crate::readiness::{FleetEntry, Progress};
use std::fmt::Write;

/// One cluster × item's counting live verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictSample {
    pub cluster: String,
    pub environment: String,
    pub item: String,
    pub verdict: CheckStatus,
}

/// A label value as the format wants it: backslash, quote and line feed
/// escaped.
fn label(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn head(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

/// `name{cluster="…",environment="…"<extra>} value`
fn sample(out: &mut String, name: &str, e: &FleetEntry, extra: &[(&str, &str)], value: f64) {
    out.push_str(name);
    out.push_str("{cluster=\"");
    label(out, &e.cluster.name);
    out.push_str("\",environment=\"");
    label(out, &e.cluster.environment);
    out.push('"');
    for (k, v) in extra {
        let _ = write!(out, ",{k}=\"");
        label(out, v);
        out.push('"');
    }
    let _ = writeln!(out, "}} {value}");
}

/// Done over applicable, 0 to 1; 1 when nothing applies (nothing is
/// missing), so an alert on "below target" never fires on an empty runbook.
pub fn ratio(p: &Progress) -> f64 {
    match p.applicable() {
        0 => 1.0,
        n => f64::from(p.done) / f64::from(n),
    }
}

/// The readiness families for every cluster given (archived ones left out
/// by the caller), and each counting verdict.
pub fn render(fleet: &[FleetEntry], verdicts: &[VerdictSample]) -> String {
    let mut out = String::with_capacity(256 + fleet.len() * 2048 + verdicts.len() * 128);
    head(
        &mut out,
        "shipshape_cluster_readiness_ratio",
        "Share of the cluster's applicable runbook items signed off and counting (0 to 1).",
    );
    for e in fleet {
        let r = ratio(&e.readiness.overall);
        sample(&mut out, "shipshape_cluster_readiness_ratio", e, &[], r);
    }
    head(
        &mut out,
        "shipshape_section_readiness_ratio",
        "Share of a runbook section's applicable items signed off and counting (0 to 1).",
    );
    for e in fleet {
        for s in &e.readiness.sections {
            let r = ratio(&s.progress);
            let labels = [("section", s.id.as_str())];
            sample(&mut out, "shipshape_section_readiness_ratio", e, &labels, r);
        }
    }
    head(
        &mut out,
        "shipshape_cluster_items",
        "Runbook items of the cluster by standing (open, done, regressed, expired, waived, not_applicable).",
    );
    for e in fleet {
        let p = &e.readiness.overall;
        for (standing, n) in [
            ("open", p.open()),
            ("done", p.done),
            ("regressed", p.regressed),
            ("expired", p.expired),
            ("waived", p.waived),
            ("not_applicable", p.not_applicable),
        ] {
            let labels = [("standing", standing)];
            sample(
                &mut out,
                "shipshape_cluster_items",
                e,
                &labels,
                f64::from(n),
            );
        }
    }
    head(
        &mut out,
        "shipshape_cluster_overdue_tasks",
        "Day-2 tasks of the cluster past their grace period.",
    );
    for e in fleet {
        let n = f64::from(e.overdue_tasks);
        sample(&mut out, "shipshape_cluster_overdue_tasks", e, &[], n);
    }
    head(
        &mut out,
        "shipshape_cluster_pending_waivers",
        "Waiver requests on the cluster waiting for a manager.",
    );
    for e in fleet {
        let n = f64::from(e.pending_waivers);
        sample(&mut out, "shipshape_cluster_pending_waivers", e, &[], n);
    }
    head(
        &mut out,
        "shipshape_check_verdict",
        "The counting live-check verdict of a cluster's item: 1 for the verdict it has.",
    );
    for v in verdicts {
        out.push_str("shipshape_check_verdict{cluster=\"");
        label(&mut out, &v.cluster);
        out.push_str("\",environment=\"");
        label(&mut out, &v.environment);
        out.push_str("\",item=\"");
        label(&mut out, &v.item);
        let _ = writeln!(out, "\",verdict=\"{}\"}} 1", v.verdict.as_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;
    use crate::readiness::{Readiness, SectionReadiness};

    fn entry(name: &str, done: u32, total: u32) -> FleetEntry {
        let progress = Progress {
            done,
            total,
            ..Progress::default()
        };
        FleetEntry {
            cluster: Cluster {
                id: crate::ids::ClusterId::new(1),
                name: name.into(),
                environment: "prod".into(),
                coordinator_url: "https://trino.example.com".into(),
                notes: String::new(),
                connection: Default::default(),
                created_at: "2026-12-01T00:00:00.000000Z".into(),
                updated_at: "2026-12-01T00:00:00.000000Z".into(),
                archived_at: None,
                checks_reset_at: None,
                checks_reset_reason: None,
            },
            readiness: Readiness {
                overall: progress,
                sections: vec![SectionReadiness {
                    id: "security".into(),
                    title: "Security".into(),
                    recurring: false,
                    progress,
                }],
            },
            regressed: 0,
            overdue_tasks: 2,
            pending_waivers: 0,
        }
    }

    #[test]
    fn every_family_is_typed_and_labelled_per_cluster() {
        let text = render(
            &[entry("analytics-prod", 3, 4)],
            &[VerdictSample {
                cluster: "analytics-prod".into(),
                environment: "prod".into(),
                item: "spill".into(),
                verdict: CheckStatus::Fail,
            }],
        );
        assert!(text.contains("# TYPE shipshape_cluster_readiness_ratio gauge\n"));
        assert!(text.contains(
            "shipshape_cluster_readiness_ratio{cluster=\"analytics-prod\",environment=\"prod\"} 0.75\n"
        ));
        assert!(text.contains("shipshape_section_readiness_ratio{cluster=\"analytics-prod\",environment=\"prod\",section=\"security\"} 0.75\n"));
        assert!(text.contains("shipshape_cluster_items{cluster=\"analytics-prod\",environment=\"prod\",standing=\"open\"} 1\n"));
        assert!(text.contains(
            "shipshape_cluster_overdue_tasks{cluster=\"analytics-prod\",environment=\"prod\"} 2\n"
        ));
        assert!(text.contains("shipshape_check_verdict{cluster=\"analytics-prod\",environment=\"prod\",item=\"spill\",verdict=\"fail\"} 1\n"));
        // Every sample line belongs to a family declared before it.
        let mut declared = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                declared.push(rest.split(' ').next().unwrap_or_default().to_string());
            } else if !line.starts_with('#') {
                let name = line.split('{').next().unwrap_or_default();
                assert_eq!(declared.last().map(String::as_str), Some(name), "{line}");
            }
        }
    }

    #[test]
    fn label_values_are_escaped_and_empty_runbooks_count_as_ready() {
        let mut odd = entry("we\"ird\\name\nx", 0, 0);
        odd.cluster.environment = "p".into();
        let text = render(&[odd], &[]);
        assert!(text.contains(
            "shipshape_cluster_readiness_ratio{cluster=\"we\\\"ird\\\\name\\nx\",environment=\"p\"} 1\n"
        ));
    }
}
