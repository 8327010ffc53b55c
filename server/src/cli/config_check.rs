//! `shipshape config check DIR [--from N] [--to N] [--java N] [--json]`:
//! prints what the backend's configuration check found.

use super::CliError;
use shipshape_backend::service::config_check::{
    check_config_dir, ConfigCheckRequest, ConfigReport,
};
use shipshape_domain::check::CheckStatus;
use shipshape_domain::preflight::Severity;
use std::path::PathBuf;

pub(super) fn check(
    dir: PathBuf,
    from: Option<u32>,
    to: Option<u32>,
    java: Option<u32>,
    json: bool,
) -> Result<(), CliError> {
    let report = check_config_dir(&dir, &ConfigCheckRequest { from, to, java })
        .map_err(|e| CliError::Message(e.to_string()))?;
    if json {
        println!("{}", as_json(&report));
    } else {
        print!("{}", as_text(&dir, &report));
    }
    let failed = report
        .verdicts
        .iter()
        .filter(|v| v.verdict.status == CheckStatus::Fail)
        .count();
    let blockers = report
        .preflight
        .as_ref()
        .map_or(0, |p| p.blockers().count());
    if failed + blockers == 0 {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{failed} item(s) fail and {blockers} upgrade blocker(s)"
        )))
    }
}

fn as_text(dir: &std::path::Path, r: &ConfigReport) -> String {
    let mut out = format!(
        "read {} configuration files under {}\n",
        r.files.len(),
        dir.display()
    );
    for v in &r.verdicts {
        let at = v.at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
        out.push_str(&format!(
            "{:<24} {:<5} {}{at}\n",
            v.item,
            v.verdict.status.as_str(),
            v.verdict.reason
        ));
    }
    if let Some(p) = &r.preflight {
        let from = p
            .from
            .map(|f| format!("Trino {f}"))
            .unwrap_or_else(|| "an unknown release".into());
        out.push_str(&format!(
            "\nupgrade from {from} to Trino {}: {} ({} blocker(s), {} warning(s))\n",
            p.to,
            if p.ready() { "ready" } else { "not ready" },
            p.blockers().count(),
            p.warnings().count()
        ));
        for f in &p.findings {
            let kind = match f.severity {
                Severity::Blocker => "blocker",
                Severity::Warning => "warning",
            };
            let at =
                f.at.as_ref()
                    .map(|a| format!(" at {a}"))
                    .unwrap_or_default();
            out.push_str(&format!(
                "  {kind} (Trino {}) {}{at}: {}; {}\n",
                f.release, f.subject, f.what, f.fix
            ));
        }
        for u in &p.unknowns {
            out.push_str(&format!("  unknown: {u}\n"));
        }
    }
    out
}

fn as_json(r: &ConfigReport) -> serde_json::Value {
    let verdicts: Vec<serde_json::Value> = r
        .verdicts
        .iter()
        .map(|v| {
            serde_json::json!({
                "item": v.item,
                "status": v.verdict.status.as_str(),
                "reason": v.verdict.reason,
                "at": v.at.as_ref().map(ToString::to_string),
            })
        })
        .collect();
    serde_json::json!({
        "files": r.files,
        "verdicts": verdicts,
        "preflight": r.preflight.as_ref().map(|p| serde_json::json!({
            "from": p.from,
            "to": p.to,
            "ready": p.ready(),
            "findings": p.findings,
            "unknowns": p.unknowns,
        })),
    })
}
