use super::*;

const MINIMAL: &str = r#"
id = "mini"
title = "Mini"

[[section]]
id = "one"
title = "One"

[[section.item]]
id = "a"
title = "A"
kind = "checklist"
why = "because"
source = "test"

[[section.item]]
id = "b"
title = "B"
kind = "day2"
cadence = "monthly"
why = "because"
source = "test"
config = """
x=1
"""
config_lang = "properties"
check = { kind = "sql", query = "SELECT 1", expect = "at_least", value = 1 }
"#;

fn err(text: &str) -> RunbookError {
    parse_runbook("custom.toml", text).expect_err("should be rejected")
}

#[test]
fn parses_a_minimal_runbook() {
    let rb = parse_runbook("mini.toml", MINIMAL).unwrap();
    assert_eq!(rb.id, "mini");
    assert_eq!(rb.sections.len(), 1);
    assert_eq!(rb.item_count(), 2);
    let b = rb.item("b").unwrap();
    assert_eq!(b.cadence(), Some(Cadence::Monthly));
    assert_eq!(b.config.as_ref().unwrap().text, "x=1");
    match b.check.as_ref().unwrap() {
        crate::check::Check::Sql { query, expect, .. } => {
            assert_eq!(query, "SELECT 1");
            assert_eq!(
                *expect,
                crate::check::SqlExpect::Cell {
                    column: 0,
                    test: crate::check::CellTest::AtLeast(1.0)
                }
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(rb.item("a").unwrap().config.is_none());
}

#[test]
fn syntax_error_names_file_and_line() {
    let text = MINIMAL.replace("title = \"B\"", "title = \"B");
    let e = err(&text);
    assert_eq!(e.file, "custom.toml");
    let line = MINIMAL.lines().position(|l| l == "title = \"B\"").unwrap() + 1;
    assert_eq!(e.line, line, "{e}");
    assert!(
        e.to_string().starts_with(&format!("custom.toml:{line}:")),
        "{e}"
    );
}

#[test]
fn unknown_field_is_rejected_with_its_line() {
    let text = MINIMAL.replace(
        "why = \"because\"\nsource = \"test\"\n\n[[section.item]]",
        "why = \"because\"\nsource = \"test\"\nwhy_not = 1\n\n[[section.item]]",
    );
    let e = err(&text);
    assert!(e.message.contains("why_not"), "{e}");
    let line = text.lines().position(|l| l.starts_with("why_not")).unwrap() + 1;
    assert_eq!(e.line, line, "{e}");
}

#[test]
fn duplicate_item_id_points_at_the_second_one() {
    let text = MINIMAL.replace("id = \"b\"", "id = \"a\"");
    let e = err(&text);
    assert!(e.message.contains("duplicate item id 'a'"), "{e}");
    let first = text.lines().position(|l| l == "id = \"a\"").unwrap() + 1;
    assert!(
        e.message
            .contains(&format!("first defined on line {first}")),
        "{e}"
    );
    assert!(e.line > first, "{e}");
}

#[test]
fn day2_needs_a_known_cadence() {
    let e = err(&MINIMAL.replace("cadence = \"monthly\"\n", ""));
    assert!(e.message.contains("needs cadence"), "{e}");
    let e = err(&MINIMAL.replace("cadence = \"monthly\"", "cadence = \"daily\""));
    assert!(e.message.contains("unknown cadence 'daily'"), "{e}");
    let line = MINIMAL
        .lines()
        .position(|l| l == "cadence = \"monthly\"")
        .unwrap()
        + 1;
    assert_eq!(e.line, line);
}

#[test]
fn checklist_items_take_no_cadence() {
    let text = MINIMAL.replacen(
        "kind = \"checklist\"",
        "kind = \"checklist\"\ncadence = \"weekly\"",
        1,
    );
    assert!(err(&text)
        .message
        .contains("cadence is only for kind = \"day2\""));
}

#[test]
fn bad_ids_kinds_and_empty_text_are_rejected() {
    assert!(err(&MINIMAL.replace("id = \"a\"", "id = \"Has Space\""))
        .message
        .contains("item id 'Has Space'"));
    assert!(
        err(&MINIMAL.replace("kind = \"checklist\"", "kind = \"todo\""))
            .message
            .contains("unknown kind 'todo'")
    );
    assert!(
        err(&MINIMAL.replacen("why = \"because\"", "why = \"  \"", 1))
            .message
            .contains("item why must not be empty")
    );
    assert!(
        err(&MINIMAL.replace("config_lang = \"properties\"", "config_lang = \"ini\""))
            .message
            .contains("config_lang must be one of")
    );
    assert!(
        err(&MINIMAL.replace("check = { kind = \"sql\",", "check = {"))
            .message
            .contains("check needs kind")
    );
}

#[test]
fn missing_required_field_is_reported() {
    let e = err(&MINIMAL.replacen("source = \"test\"\n", "", 1));
    assert!(e.message.contains("source"), "{e}");
    assert!(e.line > 1);
}

#[test]
fn empty_sections_and_runbooks_are_rejected() {
    assert!(err("id = \"x\"\ntitle = \"X\"\n")
        .message
        .contains("no [[section]]"));
    let e = err("id = \"x\"\ntitle = \"X\"\n[[section]]\nid = \"s\"\ntitle = \"S\"\n");
    assert!(
        e.message.contains("section 's' has no [[section.item]]"),
        "{e}"
    );
    assert_eq!(e.line, 3);
}

#[test]
fn line_col_counts_from_one_and_survives_multibyte_text() {
    assert_eq!(line_col("ab\ncd", 0), (1, 1));
    assert_eq!(line_col("ab\ncd", 4), (2, 2));
    assert_eq!(line_col("§x", 1), (1, 1));
    assert_eq!(line_col("x", 99), (1, 2));
}

#[test]
fn a_bad_check_is_reported_at_its_line() {
    let e = err(&MINIMAL.replace("expect = \"at_least\"", "expect = \"roughly\""));
    assert!(
        e.message.contains("item 'b': unknown expect 'roughly'"),
        "{e}"
    );
    let line = MINIMAL
        .lines()
        .position(|l| l.starts_with("check ="))
        .unwrap()
        + 1;
    assert_eq!(e.line, line, "{e}");
}

#[test]
fn validity_periods_are_whole_days_on_checklist_items() {
    let with = |v: &str| {
        MINIMAL.replace(
            "kind = \"checklist\"",
            &format!("kind = \"checklist\"\nvalid_for_days = {v}"),
        )
    };
    let rb = parse_runbook("mini.toml", &with("30")).unwrap();
    assert_eq!(rb.item("a").unwrap().valid_for_days, Some(30));
    assert_eq!(rb.item("b").unwrap().valid_for_days, None);
    for bad in ["0", "-5", "3651", "1.5"] {
        let e = err(&with(bad));
        assert_eq!(e.line, 13, "{bad}: {e}");
        assert!(
            e.message.contains("valid_for_days") || e.message.contains("expected i64"),
            "{bad}: {e}"
        );
    }
    let day2 = MINIMAL.replace(
        "cadence = \"monthly\"",
        "cadence = \"monthly\"\nvalid_for_days = 30",
    );
    let e = err(&day2);
    assert!(e.message.contains("for checklist items"), "{e}");
}

#[test]
fn the_builtin_runbook_recertifies_backups_monthly() {
    let rb = crate::runbook::builtin_runbook().unwrap();
    assert_eq!(rb.item("backups").unwrap().valid_for_days, Some(30));
}
