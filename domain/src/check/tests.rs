use super::*;
use chrono::{TimeZone, Utc};
use serde_json::json;

fn sql(e: &SqlExpect, o: SqlObserved<'_>) -> Verdict {
    judge_sql(e, o, Utc::now())
}

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
        sql(&eq("true"), SqlObserved::Rows(&rows)).status,
        CheckStatus::Pass
    );
    let v = sql(&eq("false"), SqlObserved::Rows(&rows));
    assert_eq!((v.status, v.observed.as_str()), (CheckStatus::Fail, "true"));
    assert_eq!(
        sql(
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
        sql(&eq("true"), SqlObserved::Rows(&[])).status,
        CheckStatus::Fail
    );

    let count = vec![vec![json!(3)]];
    let at_least = |n| SqlExpect::Cell {
        column: 0,
        test: CellTest::AtLeast(n),
    };
    assert_eq!(
        sql(&at_least(3.0), SqlObserved::Rows(&count)).status,
        CheckStatus::Pass,
        "boundary passes"
    );
    assert_eq!(
        sql(&at_least(4.0), SqlObserved::Rows(&count)).status,
        CheckStatus::Fail
    );
    let at_most = SqlExpect::Cell {
        column: 0,
        test: CellTest::AtMost(1.0),
    };
    assert_eq!(
        sql(&at_most, SqlObserved::Rows(&[vec![json!(2)]])).status,
        CheckStatus::Fail
    );
    assert_eq!(
        sql(&at_most, SqlObserved::Rows(&[vec![json!("n/a")]])).status,
        CheckStatus::Error
    );

    let dur = SqlExpect::Cell {
        column: 0,
        test: CellTest::DurationAtMost(3600.0),
    };
    assert_eq!(
        sql(&dur, SqlObserved::Rows(&[vec![json!("3600s")]])).status,
        CheckStatus::Pass
    );
    assert_eq!(
        sql(&dur, SqlObserved::Rows(&[vec![json!("24h")]])).status,
        CheckStatus::Fail
    );

    let denied = SqlExpect::ErrorName {
        name: "PERMISSION_DENIED".into(),
    };
    assert_eq!(
        sql(
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
        sql(
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
        sql(&denied, SqlObserved::Rows(&count)).status,
        CheckStatus::Fail,
        "an unprivileged user reading data is a failure"
    );
    assert_eq!(
        sql(
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

fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

#[test]
fn new_kinds_and_expectations_parse() {
    assert_eq!(
        parse_check("tls", &table("min_days_left = 7\nmin_lifetime_days = 7")).unwrap(),
        Check::Tls {
            min_days_left: 7,
            min_lifetime_days: Some(7)
        }
    );
    assert!(parse_check("tls", &table("min_lifetime_days = 0")).is_err());
    assert_eq!(parse_check("jvm", &table("")).unwrap(), Check::Jvm);
    assert_eq!(
        parse_check("authentication", &table("")).unwrap(),
        Check::Authentication
    );
    assert_eq!(
        parse_check("coordinator_isolation", &table("")).unwrap(),
        Check::CoordinatorIsolation
    );
    let c = parse_check(
        "sql",
        &table("query = \"q\"\nexpect = \"row_count_at_most\"\nvalue = 0"),
    )
    .unwrap();
    assert!(
        matches!(c, Check::Sql { expect: SqlExpect::RowCount(CellTest::AtMost(n)), .. } if n == 0.0)
    );
    let c = parse_check(
        "sql",
        &table("query = \"q\"\nexpect = \"age_at_most\"\nvalue = \"15m\""),
    )
    .unwrap();
    assert!(
        matches!(c, Check::Sql { expect: SqlExpect::Cell { test: CellTest::AgeAtMost(s), .. }, .. } if s == 900.0)
    );
    let err = parse_check("sql", &table("query = \"q\"\nexpect = \"roughly\"")).unwrap_err();
    assert!(err.contains("row_count_at_most"), "{err}");
    let err = parse_check("ldap", &table("")).unwrap_err();
    assert!(err.contains("coordinator_isolation"), "{err}");
}

#[test]
fn every_all_equal_and_row_count() {
    let nodes = [
        vec![json!("worker-1"), json!(8589934592_i64)],
        vec![json!("worker-2"), json!(4294967296_i64)],
    ];
    let every = SqlExpect::Every {
        column: 1,
        test: CellTest::AtLeast(8589934592.0),
    };
    let v = sql(&every, SqlObserved::Rows(&nodes));
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.starts_with("worker-2:"), "{}", v.reason);
    assert_eq!(v.observed, "1 of 2 rows pass");
    assert_eq!(
        sql(&every, SqlObserved::Rows(&nodes[..1])).status,
        CheckStatus::Pass
    );
    assert_eq!(
        sql(&every, SqlObserved::Rows(&[])).status,
        CheckStatus::Fail
    );

    let same = SqlExpect::AllEqual { column: 1 };
    let v = sql(&same, SqlObserved::Rows(&nodes));
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("8589934592 on worker-1"), "{}", v.reason);
    let one = [vec![json!("a"), json!("25")], vec![json!("b"), json!("25")]];
    assert_eq!(
        sql(&same, SqlObserved::Rows(&one)).status,
        CheckStatus::Pass
    );

    let none = SqlExpect::RowCount(CellTest::AtMost(0.0));
    assert_eq!(sql(&none, SqlObserved::Rows(&[])).status, CheckStatus::Pass);
    let v = sql(&none, SqlObserved::Rows(&nodes));
    assert_eq!(v.status, CheckStatus::Fail);
    assert_eq!(v.observed, "2 rows");
    let failed = SqlObserved::Failed {
        name: "TABLE_NOT_FOUND",
        message: "no such table",
    };
    assert_eq!(sql(&none, failed).status, CheckStatus::Error);
}

#[test]
fn age_is_measured_against_now() {
    let now = at(2026, 1, 1, 0);
    let fresh = SqlExpect::Cell {
        column: 0,
        test: CellTest::AgeAtMost(900.0),
    };
    let judge = |cell: serde_json::Value| judge_sql(&fresh, SqlObserved::Rows(&[vec![cell]]), now);
    // Across a year end: 10 minutes before midnight is fresh, an hour is not.
    assert_eq!(
        judge(json!("2025-12-31 23:50:00.000")).status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge(json!("2025-12-31 23:45:00.000 UTC")).status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge(json!("2025-12-31T23:44:59Z")).status,
        CheckStatus::Fail
    );
    let old = judge(json!("2025-12-31 23:00:00"));
    assert_eq!(old.status, CheckStatus::Fail);
    assert_eq!(old.reason, "1h old, older than 15m");
    assert_eq!(judge(json!(null)).status, CheckStatus::Fail);
    assert_eq!(
        judge(json!("2025-12-31 23:50:00.000 Europe/Berlin")).status,
        CheckStatus::Error
    );
    assert_eq!(human_seconds(93784.0), "1d 2h 3m 4s");
}

#[test]
fn tls_verdicts() {
    let now = at(2026, 11, 23, 12);
    let cert = |days_before: i64, days_after: i64| CertFacts {
        subject: "CN=trino".into(),
        issuer: "CN=ca".into(),
        names: vec!["localhost".into()],
        not_before: now - chrono::Duration::days(days_before),
        not_after: now + chrono::Duration::days(days_after),
    };
    let good = TlsSeen::Trusted(cert(30, 60));
    assert_eq!(judge_tls(&good, now, 14, None).status, CheckStatus::Pass);
    assert_eq!(
        judge_tls(&good, now, 14, Some(14)).status,
        CheckStatus::Pass
    );
    // 13 days left against 14: fail; exactly 14: pass.
    assert_eq!(
        judge_tls(&TlsSeen::Trusted(cert(30, 13)), now, 14, None).status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_tls(&TlsSeen::Trusted(cert(30, 14)), now, 14, None).status,
        CheckStatus::Pass
    );
    // A one-day certificate (Stackable's default) fails the lifetime rule.
    let short = judge_tls(&TlsSeen::Trusted(cert(0, 1)), now, 0, Some(7));
    assert_eq!(short.status, CheckStatus::Fail);
    assert!(
        short.reason.starts_with("issued for 1 days"),
        "{}",
        short.reason
    );
    let expired = TlsSeen::Refused {
        hint: "the certificate has expired".into(),
        cert: Some(cert(40, -2)),
    };
    let v = judge_tls(&expired, now, 14, None);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(
        v.observed.starts_with("expired 2026-11-21"),
        "{}",
        v.observed
    );
    assert_eq!(
        judge_tls(&TlsSeen::NotHttps, now, 14, None).status,
        CheckStatus::Fail
    );
}

#[test]
fn jvm_against_what_trino_needs() {
    let nodes = |v: &[&str]| -> Vec<(String, String)> {
        v.iter()
            .enumerate()
            .map(|(i, s)| (format!("node-{i}"), s.to_string()))
            .collect()
    };
    assert_eq!(
        judge_jvm("483", &nodes(&["25", "25"])).status,
        CheckStatus::Pass
    );
    // The runbook's Java 21 is too old for Trino 451 and later.
    let v = judge_jvm("451", &nodes(&["21", "21"]));
    assert_eq!(v.status, CheckStatus::Fail);
    assert_eq!(
        v.reason,
        "Java 21 is older than Java 22, which Trino 451 requires"
    );
    assert_eq!(judge_jvm("483", &nodes(&["24"])).status, CheckStatus::Fail);
    assert_eq!(judge_jvm("470", &nodes(&["22"])).status, CheckStatus::Pass);
    let mixed = judge_jvm("483", &nodes(&["25", "22", "25"]));
    assert_eq!(mixed.status, CheckStatus::Fail);
    assert!(
        mixed.reason.contains("Java 22 on node-1"),
        "{}",
        mixed.reason
    );
    assert_eq!(judge_jvm("483", &[]).status, CheckStatus::Error);
    assert_eq!(java_feature_version("1.8"), Some(8));
    assert_eq!(java_feature_version("22.0.2"), Some(22));
    assert_eq!(java_required(431), None);
    assert_eq!(java_required(460), Some(22));
}

#[test]
fn authentication_and_isolation_verdicts() {
    assert_eq!(
        judge_authentication(true, 401, Some("Basic realm=\"Trino\"")).status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge_authentication(true, 200, None).status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_authentication(false, 401, Some("Basic")).status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_authentication(true, 401, None).status,
        CheckStatus::Warn
    );
    assert_eq!(judge_isolation(3, 3).status, CheckStatus::Pass);
    let v = judge_isolation(4, 3);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("include-coordinator=false"));
    assert_eq!(judge_isolation(2, 3).status, CheckStatus::Warn);
}
