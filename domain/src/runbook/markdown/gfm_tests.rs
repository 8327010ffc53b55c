//! What reading the Markdown as CommonMark with GitHub's extensions adds:
//! struck-through items and text, cadence spellings, tables, task lists and
//! block structure in other shapes.

use super::*;
use crate::runbook::Cadence;

fn import(md: &str) -> Runbook {
    match import_markdown("team.md", md, None) {
        Ok(i) => i.runbook,
        Err(e) => panic!("import failed: {e}"),
    }
}

fn ids(rb: &Runbook) -> Vec<&str> {
    rb.items().map(|(_, i)| i.id.as_str()).collect()
}

#[test]
fn an_item_whose_title_is_struck_through_was_dropped() {
    let md = "## S\n\
        - [ ] **Keep**\n\
        - [ ] ~~**Kerberos**~~ (dropped)\n\
        \x20 Config: `kerberos.enabled=true`\n\
        \x20 Why: we moved to OIDC.\n\
        - [ ] ~~Kerberos~~ (dropped)\n\
        - [ ] **~~LDAP~~**\n\
        - [ ] ~~Whole line: with a reason~~\n\
        - [ ] ~~Old~~ name, opening struck\n\
        - [ ] **Renamed ~~old~~ title**\n\
        ### Weekly\n\
        - [ ] ~~Old task: not any more~~\n\
        - ~~Untick task~~ (dropped)\n\
        - [ ] New task\n";
    let rb = import(md);
    assert_eq!(ids(&rb), ["keep", "renamed-old-title", "new-task"]);
    assert_eq!(
        rb.items().nth(1).map(|(_, i)| i.title.as_str()),
        Some("Renamed old title")
    );
    // Nothing of a dropped item is left, not even its why.
    assert!(!format!("{rb:?}").contains("OIDC"), "{rb:?}");
}

#[test]
fn a_section_of_dropped_items_only_has_no_items() {
    let e = import_markdown(
        "bad.md",
        "## S\n- [ ] **A**\n## Old\n- [ ] ~~**B**~~\n",
        None,
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "section 'Old' has no items")
    );
}

#[test]
fn struck_text_elsewhere_loses_its_tildes() {
    let md = "# Ops ~~v1~~ v2\n\
        ## ~~Old~~ Checks\n\
        Summary with ~~struck~~ words.\n\
        - [ ] **Use ~~Hive~~ Iceberg**\n\
        \x20 Why: ~~Because~~ it is faster.\n\
        \x20 ~~A stale note~~\n\
        \x20 Verify: `a ~~b~~ c` and ~~d~~ e.\n\
        \x20 ```sql\n\
        \x20 SELECT '~~kept~~'\n\
        \x20 ```\n";
    let rb = import(md);
    assert_eq!(rb.title, "Ops v1 v2");
    assert_eq!(rb.sections[0].title, "Old Checks");
    assert_eq!(
        rb.sections[0].summary.as_deref(),
        Some("Summary with struck words.")
    );
    let item = &rb.sections[0].items[0];
    assert_eq!(item.title, "Use Hive Iceberg");
    assert_eq!(item.why, "Because it is faster.\nA stale note");
    // Code keeps its tildes, in a span or a block.
    assert_eq!(item.verify, ["`a ~~b~~ c` and d e."]);
    assert_eq!(
        item.config.as_ref().map(|c| c.text.as_str()),
        Some("SELECT '~~kept~~'")
    );
}

#[test]
fn day2_headings_in_the_usual_spellings() {
    let md = "## Day-2\n\
        ### Every week (Mondays)\n\
        - Check A\n\
        ### once a month\n\
        - Check B\n\
        ### Every 3 months: drills\n\
        - Check C\n\
        ### **QUARTERLY**\n\
        - Check D\n\
        ### Each week\n\
        - Check E\n";
    let rb = import(md);
    let got: Vec<(&str, Option<Cadence>, &str)> = rb
        .items()
        .map(|(_, i)| (i.title.as_str(), i.cadence(), i.source.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Check A",
                Some(Cadence::Weekly),
                "team.md, Day-2 Every week (Mondays)"
            ),
            (
                "Check B",
                Some(Cadence::Monthly),
                "team.md, Day-2 once a month"
            ),
            (
                "Check C",
                Some(Cadence::Quarterly),
                "team.md, Day-2 Every 3 months: drills"
            ),
            (
                "Check D",
                Some(Cadence::Quarterly),
                "team.md, Day-2 **QUARTERLY**"
            ),
            ("Check E", Some(Cadence::Weekly), "team.md, Day-2 Each week"),
        ]
    );
}

#[test]
fn an_unknown_cadence_names_the_accepted_spellings() {
    let e = import_markdown("bad.md", "## S\n### Every day\n- [ ] B\n", None).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.starts_with("unknown Day-2 cadence 'Every' in '### Every day': a ### subsection starts with weekly, every week,"), "{e}");
    assert!(
        e.message.ends_with("every three months, every 3 months"),
        "{e}"
    );
}

#[test]
fn a_table_is_kept_whole_and_its_rows_are_never_labels() {
    let md = "## S\n\
        | Port | Use |\n\
        |------|-----|\n\
        - [ ] **Ports**\n\
        \x20 Verify: the ports answer.\n\
        \n\
        \x20 | Port | Use |\n\
        \x20 |------|-----|\n\
        \x20 | 8443 | ~~HTTP~~ HTTPS |\n\
        \x20 Verify | from a worker\n\
        \n\
        \x20 Why:\n\
        \x20 | Config: | none |\n\
        \x20 | --- | --- |\n\
        - [ ] **Queries**\n\
        \x20 Check:\n\
        \x20 | query | expect |\n\
        \x20 | ----- | ------ |\n\
        \x20 | `SELECT 1` | 1 |\n";
    let rb = import(md);
    assert_eq!(
        rb.sections[0].summary.as_deref(),
        Some("| Port | Use |\n|------|-----|")
    );
    let ports = &rb.sections[0].items[0];
    // The row that starts "Verify " is a row, not a step.
    assert_eq!(ports.verify, ["the ports answer."]);
    assert_eq!(
        ports.why,
        "| Config: | none |\n| --- | --- |\n| Port | Use |\n|------|-----|\n| 8443 | HTTP HTTPS |\nVerify | from a worker"
    );
    assert!(ports.config.is_none());
    // After a bare `Check:`, the table is one step.
    let queries = &rb.sections[0].items[1];
    assert_eq!(
        queries.verify,
        ["| query | expect |\n| ----- | ------ |\n| `SELECT 1` | 1 |"]
    );
}

#[test]
fn task_lists_in_other_shapes() {
    let md = "## S\n\
        * [X] Star, checked\n\
        + [x] Plus\n\
        1. [ ] Numbered\n\
        2) [ ] Numbered with a parenthesis\n\
        \x20- [ ] One space in\n\
        \x20  - [ ] nested: a note\n\
        - [ ]no space: not a task\n\
        - plain bullet: a note\n";
    let rb = import(md);
    assert_eq!(
        ids(&rb),
        [
            "star-checked",
            "plus",
            "numbered",
            "numbered-with-a-parenthesis",
            "one-space-in"
        ]
    );
    let last = &rb.sections[0].items[4];
    assert_eq!(
        last.why,
        "- [ ] nested: a note\n- [ ]no space: not a task\n- plain bullet: a note"
    );
}

#[test]
fn block_structure_as_commonmark_reads_it() {
    let md = "Runbook\n=======\n\
        Checks\n------\n\
        - [ ] **A**\n\
        \x20 ````text\n\
        \x20 ```\n\
        \x20 ## not a heading\n\
        \x20 - [ ] not an item\n\
        \x20 ```\n\
        \x20 ````\n\
        \x20 > quoted: a note\n\
        ***\n\
        - [ ] **B**\n";
    let rb = import(md);
    assert_eq!(rb.title, "Runbook");
    assert_eq!(rb.sections[0].title, "Checks");
    let a = &rb.sections[0].items[0];
    assert_eq!(
        a.config.as_ref().map(|c| c.text.as_str()),
        Some("```\n## not a heading\n- [ ] not an item\n```")
    );
    assert_eq!(a.why, "> quoted: a note");
    assert_eq!(ids(&rb), ["a", "b"]);
}

#[test]
fn crlf_line_endings_read_like_lf() {
    let md = "## S\n- [ ] **A**  \n  Config:\n  ```ini\n  a=1\n  b=2\n  ```\n  Why: w\n";
    let lf = import_markdown("team.md", md, None).map(|i| i.toml);
    let crlf = import_markdown("team.md", &md.replace('\n', "\r\n"), None).map(|i| i.toml);
    assert!(lf.is_ok());
    assert_eq!(lf, crlf);
}
