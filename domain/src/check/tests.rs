use super::*;
use serde_json::json;

fn table(s: &str) -> toml::Table {
    s.parse().unwrap()
}

#[test]
fn specs_parse_into_typed_checks() {
    let c = parse_check("sql", &table("query = \"SHOW SESSION LIKE 'spill_enabled'\"\nexpect = \"equals\"\ncolumn = 2\nvalue = \"true\"")).unwrap();
    assert_eq!(
        c,
        Check::Sql {
            query: "SHOW SESSION LIKE 'spill_enabled'".into(),
            user: None,
            expect: SqlExpect::Cell {
                column: 2,
                test: CellTest::Equals("true".into())
            }
        }
    );
    let c = parse_check(
        "sql",
        &table("query = \"x\"\nexpect = \"duration_at_most\"\nvalue = \"1h\"\ncolumn = 1"),
    )
    .unwrap();
    assert!(
        matches!(c, Check::Sql { expect: SqlExpect::Cell { column: 1, test: CellTest::DurationAtMost(s) }, .. } if s == 3600.0)
    );
    assert_eq!(
        parse_check(
            "http",
            &table("path = \"/v1/info/state\"\njson_equals = \"ACTIVE\"")
        )
        .unwrap(),
        Check::Http {
            path: "/v1/info/state".into(),
            status: 200,
            json_equals: Some(json!("ACTIVE"))
        }
    );
    assert_eq!(
        parse_check("version", &table("")).unwrap(),
        Check::Version { max_age_days: 183 }
    );
}

#[test]
fn bad_specs_say_what_is_wrong() {
    assert!(parse_check("sql", &table("expect = \"equals\""))
        .unwrap_err()
        .contains("query"));
    assert!(parse_check(
        "sql",
        &table("query = \"x\"\nexpect = \"at_least\"\nvalue = \"many\"")
    )
    .unwrap_err()
    .contains("numeric"));
    assert!(parse_check(
        "sql",
        &table("query = \"x\"\nexpect = \"duration_at_most\"\nvalue = \"soon\"")
    )
    .unwrap_err()
    .contains("duration"));
    assert!(parse_check("http", &table("path = \"v1/info\""))
        .unwrap_err()
        .contains("/"));
    assert!(parse_check("http", &table("path = \"/\"\nstatus = 70000")).is_err());
    assert!(parse_check("metrics", &table("series = []")).is_err());
    assert!(parse_check("ssh", &table(""))
        .unwrap_err()
        .contains("unknown check kind"));
}

#[test]
fn durations_follow_trino_units() {
    assert_eq!(parse_duration("3600s"), Some(3600.0));
    assert_eq!(parse_duration("1h"), Some(3600.0));
    assert_eq!(parse_duration("1.5h"), Some(5400.0));
    assert_eq!(parse_duration("24h"), Some(86400.0));
    assert_eq!(parse_duration("500ms"), Some(0.5));
    assert_eq!(parse_duration("2d"), Some(172800.0));
    assert_eq!(parse_duration("forever"), None);
    assert_eq!(parse_duration("10 fortnights"), None);
}

#[test]
fn sql_verdicts() {
    let rows = vec![vec![json!("spill_enabled"), json!("true"), json!("true")]];
    let eq = |v: &str| SqlExpect::Cell {
        column: 2,
        test: CellTest::Equals(v.into()),
    };
    assert_eq!(
        judge_sql(&eq("true"), SqlObserved::Rows(&rows)).status,
        CheckStatus::Pass
    );
    let v = judge_sql(&eq("false"), SqlObserved::Rows(&rows));
    assert_eq!((v.status, v.observed.as_str()), (CheckStatus::Fail, "true"));
    assert_eq!(
        judge_sql(
            &SqlExpect::Cell {
                column: 9,
                test: CellTest::Equals("x".into())
            },
            SqlObserved::Rows(&rows)
        )
        .status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_sql(&eq("true"), SqlObserved::Rows(&[])).status,
        CheckStatus::Fail
    );

    let count = vec![vec![json!(3)]];
    let at_least = |n| SqlExpect::Cell {
        column: 0,
        test: CellTest::AtLeast(n),
    };
    assert_eq!(
        judge_sql(&at_least(3.0), SqlObserved::Rows(&count)).status,
        CheckStatus::Pass,
        "boundary passes"
    );
    assert_eq!(
        judge_sql(&at_least(4.0), SqlObserved::Rows(&count)).status,
        CheckStatus::Fail
    );
    let at_most = SqlExpect::Cell {
        column: 0,
        test: CellTest::AtMost(1.0),
    };
    assert_eq!(
        judge_sql(&at_most, SqlObserved::Rows(&[vec![json!(2)]])).status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_sql(&at_most, SqlObserved::Rows(&[vec![json!("n/a")]])).status,
        CheckStatus::Error
    );

    let dur = SqlExpect::Cell {
        column: 0,
        test: CellTest::DurationAtMost(3600.0),
    };
    assert_eq!(
        judge_sql(&dur, SqlObserved::Rows(&[vec![json!("3600s")]])).status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge_sql(&dur, SqlObserved::Rows(&[vec![json!("24h")]])).status,
        CheckStatus::Fail
    );

    let denied = SqlExpect::ErrorName {
        name: "PERMISSION_DENIED".into(),
    };
    assert_eq!(
        judge_sql(
            &denied,
            SqlObserved::Failed {
                name: "PERMISSION_DENIED",
                message: "Access Denied: x"
            }
        )
        .status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge_sql(
            &denied,
            SqlObserved::Failed {
                name: "SYNTAX_ERROR",
                message: "x"
            }
        )
        .status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_sql(&denied, SqlObserved::Rows(&count)).status,
        CheckStatus::Fail,
        "an unprivileged user reading data is a failure"
    );
    assert_eq!(
        judge_sql(
            &eq("true"),
            SqlObserved::Failed {
                name: "SYNTAX_ERROR",
                message: "x"
            }
        )
        .status,
        CheckStatus::Error
    );
}

#[test]
fn http_and_metrics_verdicts() {
    assert_eq!(
        judge_http(200, Some(&json!("ACTIVE")), 200, Some(&json!("ACTIVE"))).status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge_http(
            200,
            Some(&json!("ACTIVE")),
            200,
            Some(&json!("SHUTTING_DOWN"))
        )
        .status,
        CheckStatus::Fail
    );
    assert_eq!(judge_http(401, None, 200, None).status, CheckStatus::Fail);
    let text = "# TYPE a gauge\na 1.0\nb{x=\"1\"} 2\n# EOF\n";
    assert_eq!(
        judge_metrics(&["a".into(), "b".into()], text).status,
        CheckStatus::Pass
    );
    let v = judge_metrics(&["a".into(), "c".into()], text);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("missing: c"));
}

#[test]
fn version_age_comes_from_release_dates() {
    let v = judge_version("483", 183);
    assert_eq!(v.status, CheckStatus::Pass);
    // 478 (2025-10-29) is 261 days before 483 (2026-07-17).
    let v = judge_version("478", 183);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("261 days"), "{}", v.reason);
    assert_eq!(judge_version("482", 183).status, CheckStatus::Pass);
    // 480 is not in the table: estimated from 479 (2025-12-14), 215 days.
    let v = judge_version("480", 365);
    assert_eq!(v.status, CheckStatus::Warn);
    assert_eq!(judge_version("400", 183).status, CheckStatus::Fail);
    assert_eq!(judge_version("490", 183).status, CheckStatus::Pass);
    assert_eq!(judge_version("banana", 183).status, CheckStatus::Error);
    assert_eq!(judge_version("476-e.1", 9999).status, CheckStatus::Pass);
}

#[test]
fn evidence_is_capped_on_a_char_boundary() {
    let long = "é".repeat(EVIDENCE_MAX_BYTES);
    let capped = cap_evidence(long);
    assert!(capped.len() <= EVIDENCE_MAX_BYTES + 20);
    assert!(capped.ends_with("(cut)"));
    assert_eq!(cap_evidence("short".into()), "short");
}

#[test]
fn per_worker_needs_every_worker_to_agree() {
    let active = json!("ACTIVE");
    let ok = vec![
        ("w1".to_string(), Ok(json!("ACTIVE"))),
        ("w2".to_string(), Ok(json!("ACTIVE"))),
    ];
    assert_eq!(judge_per_worker(&active, &ok).status, CheckStatus::Pass);
    let one_down = vec![
        ("w1".to_string(), Ok(json!("ACTIVE"))),
        ("w2".to_string(), Ok(json!("SHUTTING_DOWN"))),
        ("w3".to_string(), Err("unreachable".into())),
    ];
    let v = judge_per_worker(&active, &one_down);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(
        v.reason.contains("w2: \"SHUTTING_DOWN\"") && v.reason.contains("w3: unreachable"),
        "{}",
        v.reason
    );
    assert_eq!(v.observed, "1 of 3 workers answer \"ACTIVE\"");
    assert_eq!(judge_per_worker(&active, &[]).status, CheckStatus::Fail);
    assert!(parse_check("per_worker", &table("path = \"/v1/info/state\"")).is_err());
    assert_eq!(
        parse_check(
            "per_worker",
            &table("path = \"/v1/info/state\"\njson_equals = \"ACTIVE\"")
        )
        .unwrap(),
        Check::PerWorker {
            path: "/v1/info/state".into(),
            json_equals: json!("ACTIVE")
        }
    );
}
