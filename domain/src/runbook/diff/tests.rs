use super::*;
use crate::runbook::{builtin_runbook, Cadence, Snippet};

fn shipped() -> Runbook {
    builtin_runbook().unwrap_or_else(|e| panic!("{e}"))
}

fn item_mut<'a>(rb: &'a mut Runbook, id: &str) -> &'a mut super::super::Item {
    rb.sections
        .iter_mut()
        .flat_map(|s| s.items.iter_mut())
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

fn field_names(change: &ItemChange) -> Vec<&'static str> {
    change.fields.iter().map(|f| f.field.as_str()).collect()
}

#[test]
fn identical_runbooks_have_no_differences() {
    let d = diff_runbooks(&shipped(), &shipped());
    assert!(d.is_empty());
    assert_eq!(d.to_string(), "no differences\n");
    assert_eq!(d.summary(), "items: 0 added, 0 removed, 0 changed");
}

#[test]
fn every_field_of_an_item_is_compared() {
    let old = shipped();
    let mut new = shipped();
    {
        let i = item_mut(&mut new, "spill");
        i.title = "Spill to disk".into();
        i.why.push_str(" More.");
        i.verify.push("One more step.".into());
        i.config = Some(Snippet {
            lang: "properties".into(),
            text: "spill-enabled=false".into(),
        });
        i.correction = Some("A fact.".into());
        i.valid_for_days = Some(60);
        i.source = "Elsewhere".into();
    }
    {
        let i = item_mut(&mut new, "tls");
        i.check = None;
        i.kind = ItemKind::Day2 {
            cadence: Cadence::Monthly,
        };
    }
    {
        let i = item_mut(&mut new, "weekly-failed-queries");
        i.evidence_query = None;
    }
    {
        let i = item_mut(&mut new, "alerts");
        i.verify = vec!["Another single step.".into()];
    }
    // Move "jvm" from versions to reliability.
    let jvm = {
        let versions = new
            .sections
            .iter_mut()
            .find(|s| s.id == "versions")
            .unwrap_or_else(|| panic!("versions"));
        let at = versions
            .items
            .iter()
            .position(|i| i.id == "jvm")
            .unwrap_or(0);
        versions.items.remove(at)
    };
    new.sections[0].items.push(jvm);

    let d = diff_runbooks(&old, &new);
    assert!(d.added.is_empty() && d.removed.is_empty(), "{d}");
    let by_id = |id: &str| {
        d.changed
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} not changed: {d}"))
    };
    assert_eq!(
        field_names(by_id("spill")),
        [
            "title",
            "config",
            "why",
            "verify",
            "correction",
            "valid_for_days",
            "source"
        ]
    );
    assert_eq!(field_names(by_id("tls")), ["kind", "check"]);
    assert_eq!(
        field_names(by_id("weekly-failed-queries")),
        ["evidence_query"]
    );
    assert_eq!(field_names(by_id("jvm")), ["section"]);
    assert_eq!(field_names(by_id("alerts")), ["verify"]);
    assert_eq!(d.changed.len(), 5);

    let text = d.to_string();
    for line in [
        "~ spill \"Spill to disk\"\n",
        "    title: \"Enable spill\" → \"Spill to disk\"\n",
        "    config changed\n",
        "    verify: 3 steps → 4 steps\n",
        "    correction: none → set\n",
        "    valid_for_days: none → 60\n",
        "    kind: checklist → day2 monthly\n",
        "    check: set → none\n",
        "    section: versions → reliability\n",
        "~ alerts \"Alerts\"\n    verify changed\n",
        "items: 0 added, 0 removed, 5 changed\n",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
}

#[test]
fn added_removed_and_section_changes() {
    let old = shipped();
    let mut new = shipped();
    new.title = "Renamed".into();
    let graceful = new
        .sections
        .iter()
        .position(|s| s.id == "graceful-shutdown")
        .unwrap_or(0);
    let removed = new.sections.remove(graceful);
    let mut moved = removed.items[0].clone();
    moved.id = "brand-new".into();
    new.sections[0].title = "Reliability".into();
    new.sections[0].items.insert(0, moved);

    let d = diff_runbooks(&old, &new);
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.added[0].id, "brand-new");
    assert_eq!(d.added[0].section, "reliability");
    assert_eq!(d.removed.len(), removed.items.len());
    assert!(d.removed.iter().all(|r| r.section == "graceful-shutdown"));
    assert_eq!(d.sections_removed.len(), 1);
    assert_eq!(d.sections_changed.len(), 1);
    assert_eq!(d.runbook.len(), 1);
    let text = d.to_string();
    assert!(
        text.contains("~ runbook title: \"Trino production readiness\" → \"Renamed\"\n"),
        "{text}"
    );
    assert!(
        text.contains("- section graceful-shutdown \"Graceful shutdown\"\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "~ section reliability\n    title: \"Reliability & Stability\" → \"Reliability\"\n"
        ),
        "{text}"
    );
    assert!(text.contains("+ brand-new \""), "{text}");
    assert!(text.contains("- worker-graceful-shutdown \""), "{text}");
    assert!(
        text.ends_with(&format!(
            "items: 1 added, {} removed, 0 changed; sections: 0 added, 1 removed, 1 changed; runbook id or title changed\n",
            removed.items.len()
        )),
        "{text}"
    );
    // The struct the CLI can print as JSON too.
    let json = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(json["added"][0]["id"], "brand-new");
    assert_eq!(json["sections_changed"][0]["fields"][0]["field"], "title");
}
