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
    let one = |s: &str| vec![s.to_string()];
    assert_eq!(
        judge_metrics(&[one("a"), one("b")], text).status,
        CheckStatus::Pass
    );
    let v = judge_metrics(&[one("a"), one("c")], text);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("missing: c"));
}

#[test]
fn metric_alternatives_any_one_satisfies_and_the_verdict_names_it() {
    // Trino 480 renamed the node-manager series: either name satisfies.
    let old = "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount";
    let new = "trino_node_name_NodeManager_ActiveWorkerCount";
    let alts = vec![old.to_string(), new.to_string()];
    let series = [vec!["q".to_string()], alts];
    let newer = format!("q 1\n{new} 3\n");
    let v = judge_metrics(&series, &newer);
    assert_eq!(v.status, CheckStatus::Pass);
    assert!(
        v.reason.contains(&format!("alternative name {new}")),
        "{}",
        v.reason
    );
    assert!(v.observed.contains(new), "{}", v.observed);
    let older = format!("q 1\n{old} 3\n");
    let v = judge_metrics(&series, &older);
    assert_eq!(v.status, CheckStatus::Pass);
    assert_eq!(v.reason, "all 2 series present");
    let v = judge_metrics(&series, "q 1\n");
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(
        v.reason.contains(&format!("{old} or {new}")),
        "{}",
        v.reason
    );
    // The runbook format: a name or a list of alternatives.
    let c = parse_check(
        "metrics",
        &table(&format!("series = [\"q\", [\"{old}\", \"{new}\"]]")),
    )
    .unwrap();
    assert_eq!(
        c,
        Check::Metrics {
            series: series.to_vec()
        }
    );
    assert!(parse_check("metrics", &table("series = [[]]")).is_err());
    assert!(parse_check("metrics", &table("series = [1]")).is_err());
}

#[test]
fn version_age_comes_from_release_dates() {
    let shipped = Releases::shipped();
    let v = judge_version("483", 183, &shipped);
    assert_eq!(v.status, CheckStatus::Pass);
    assert!(
        v.reason.contains("the shipped release table"),
        "{}",
        v.reason
    );
    // 478 (2025-10-29) is 261 days before 483 (2026-07-17).
    let v = judge_version("478", 183, &shipped);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("261 days"), "{}", v.reason);
    assert_eq!(
        judge_version("482", 183, &shipped).status,
        CheckStatus::Pass
    );
    // 480 (2026-03-24) is 115 days before 483.
    let v = judge_version("480", 183, &shipped);
    assert_eq!(v.status, CheckStatus::Pass);
    assert!(v.reason.contains("115 days"), "{}", v.reason);
    // 474 is not in the table: estimated from 470 (2025-02-05), 527 days.
    let v = judge_version("474", 600, &shipped);
    assert_eq!(v.status, CheckStatus::Warn);
    assert!(v.reason.contains("about 527 days"), "{}", v.reason);
    assert_eq!(
        judge_version("400", 183, &shipped).status,
        CheckStatus::Fail
    );
    assert_eq!(
        judge_version("490", 183, &shipped).status,
        CheckStatus::Pass
    );
    assert_eq!(
        judge_version("banana", 183, &shipped).status,
        CheckStatus::Error
    );
    assert_eq!(
        judge_version("476-e.1", 9999, &shipped).status,
        CheckStatus::Pass
    );
}

#[test]
fn the_config_file_extends_the_release_table() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let releases =
        Releases::shipped().with_config(&[(484, d("2026-08-20")), (490, d("2027-02-01"))]);
    assert_eq!(releases.newest().unwrap().version, 490);
    // 483 (2026-07-17) is 199 days behind 490: lagging, and the verdict says
    // where 490 came from.
    let v = judge_version("483", 183, &releases);
    assert_eq!(v.status, CheckStatus::Fail, "{}", v.reason);
    assert!(v.reason.contains("199 days"), "{}", v.reason);
    assert!(
        v.reason
            .contains("490 (2027-02-01, the config file's release table)"),
        "{}",
        v.reason
    );
    // 484 is known now: no warning about a missing entry.
    assert_eq!(
        judge_version("484", 183, &releases).status,
        CheckStatus::Pass
    );
    // A config entry corrects a shipped date.
    let fixed = Releases::shipped().with_config(&[(483, d("2026-07-18"))]);
    assert_eq!(fixed.get(483).unwrap().date, d("2026-07-18"));
    assert_eq!(fixed.get(483).unwrap().source, ReleaseSource::Config);
}

#[test]
fn the_newest_version_in_the_fleet_counts_as_known() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // A sibling runs 495, which no table knows; Shipshape first saw it on
    // 2027-03-01. A cluster on 483 is 227 days behind it.
    let releases = Releases::shipped().with_fleet(495, d("2027-03-01"), "etl-blue");
    let v = judge_version("483", 183, &releases);
    assert_eq!(v.status, CheckStatus::Fail, "{}", v.reason);
    assert!(v.reason.contains("227 days"), "{}", v.reason);
    assert!(
        v.reason.contains("running on cluster 'etl-blue'"),
        "{}",
        v.reason
    );
    assert_eq!(
        judge_version("495", 183, &releases).status,
        CheckStatus::Pass
    );
    // A fleet version the table already knows changes nothing.
    let same = Releases::shipped().with_fleet(479, d("2027-03-01"), "x");
    assert_eq!(same, Releases::shipped());
    assert_eq!(trino_release_number("479-e.2"), Some(479));
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
    assert_eq!(
        judge_per_worker(&active, &[], &ok).status,
        CheckStatus::Pass
    );
    let one_down = vec![
        ("w1".to_string(), Ok(json!("ACTIVE"))),
        ("w2".to_string(), Ok(json!("SHUTTING_DOWN"))),
        ("w3".to_string(), Err("unreachable".into())),
    ];
    let v = judge_per_worker(&active, &[], &one_down);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(
        v.reason.contains("w2: SHUTTING_DOWN") && v.reason.contains("w3: unreachable"),
        "{}",
        v.reason
    );
    assert_eq!(v.observed, "1 of 3 workers answer ACTIVE");
    assert_eq!(
        judge_per_worker(&active, &[], &[]).status,
        CheckStatus::Fail
    );
    assert!(parse_check("per_worker", &table("path = \"/v1/info/state\"")).is_err());
    assert_eq!(
        parse_check(
            "per_worker",
            &table("path = \"/v1/info/state\"\njson_equals = \"ACTIVE\"")
        )
        .unwrap(),
        Check::PerWorker {
            path: "/v1/info/state".into(),
            json_equals: json!("ACTIVE"),
            json_warn: vec![],
        }
    );
}

#[test]
fn draining_workers_warn_and_name_each_worker() {
    let active = json!("ACTIVE");
    let drain = [json!("DRAINING"), json!("DRAINED")];
    let answers = vec![
        ("w1".to_string(), Ok(json!("ACTIVE"))),
        ("w3".to_string(), Ok(json!("DRAINED"))),
        ("w2".to_string(), Ok(json!("DRAINING"))),
    ];
    let v = judge_per_worker(&active, &drain, &answers);
    assert_eq!(v.status, CheckStatus::Warn);
    assert!(
        v.reason.starts_with("w2 is DRAINING, w3 is DRAINED"),
        "{}",
        v.reason
    );
    assert_eq!(v.observed, "1 of 3 workers answer ACTIVE");
    // Without the drain states listed, the same answers fail.
    assert_eq!(
        judge_per_worker(&active, &[], &answers).status,
        CheckStatus::Fail
    );
    // A worker that does not answer, or shuts down outside a drain, still
    // fails, and the reason names the drained ones too.
    let mixed = vec![
        ("w1".to_string(), Ok(json!("DRAINING"))),
        ("w2".to_string(), Ok(json!("SHUTTING_DOWN"))),
        ("w3".to_string(), Err("connection refused".into())),
    ];
    let v = judge_per_worker(&active, &drain, &mixed);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("w2: SHUTTING_DOWN"), "{}", v.reason);
    assert!(v.reason.contains("w3: connection refused"), "{}", v.reason);
    assert!(v.reason.contains("also w1 is DRAINING"), "{}", v.reason);
    assert_eq!(
        parse_check(
            "per_worker",
            &table("path = \"/v1/info/state\"\njson_equals = \"ACTIVE\"\njson_warn = [\"DRAINING\", \"DRAINED\"]")
        )
        .unwrap(),
        Check::PerWorker {
            path: "/v1/info/state".into(),
            json_equals: json!("ACTIVE"),
            json_warn: drain.to_vec(),
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
    assert_eq!(
        parse_check("execution_time_vs_shutdown", &table("")).unwrap(),
        Check::ExecutionTimeVsShutdown {
            max_seconds: 3600.0
        }
    );
    assert_eq!(
        parse_check(
            "fault_tolerant_execution",
            &table("shutdown_period = \"15m\"")
        )
        .unwrap(),
        Check::FaultTolerantExecution { max_seconds: 900.0 }
    );
    assert!(parse_check(
        "fault_tolerant_execution",
        &table("shutdown_period = \"soon\"")
    )
    .unwrap_err()
    .contains("not a duration"));
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
    // The runbook's Java 21 is too old for Trino 447 and later.
    let v = judge_jvm("451", &nodes(&["21", "21"]));
    assert_eq!(v.status, CheckStatus::Fail);
    assert_eq!(
        v.reason,
        "Trino 451 runs on Java 21; Trino 447 and later need Java 22"
    );
    // Trino 479 on Java 24 was passed once ("Trino 479 needs 22"): wrong.
    let v = judge_jvm("479", &nodes(&["24", "24"]));
    assert_eq!(v.status, CheckStatus::Fail);
    assert_eq!(
        v.reason,
        "Trino 479 runs on Java 24; Trino 479 and later need Java 25"
    );
    let v = judge_jvm("477", &nodes(&["24"]));
    assert_eq!(v.status, CheckStatus::Pass);
    assert_eq!(
        v.reason,
        "all 1 nodes run Java 24; Trino 476 and later need Java 24"
    );
    assert_eq!(judge_jvm("483", &nodes(&["24"])).status, CheckStatus::Fail);
    assert_eq!(judge_jvm("470", &nodes(&["22"])).status, CheckStatus::Fail);
    assert_eq!(judge_jvm("470", &nodes(&["23"])).status, CheckStatus::Pass);
    // Every step, on both sides of its boundary: the release before still
    // runs on the older Java, the step's release does not.
    for (before, at, old_java, new_java) in [
        (389, 390, 11, 17),
        (435, 436, 17, 21),
        (446, 447, 21, 22),
        (463, 464, 22, 23),
        (475, 476, 23, 24),
        (478, 479, 24, 25),
    ] {
        let java = old_java.to_string();
        let expect_before = if before < 390 {
            CheckStatus::Warn
        } else {
            CheckStatus::Pass
        };
        assert_eq!(
            judge_jvm(&before.to_string(), &nodes(&[&java])).status,
            expect_before,
            "Trino {before} on Java {old_java}"
        );
        assert_eq!(
            judge_jvm(&at.to_string(), &nodes(&[&java])).status,
            CheckStatus::Fail,
            "Trino {at} on Java {old_java}"
        );
        let java = new_java.to_string();
        let v = judge_jvm(&at.to_string(), &nodes(&[&java]));
        assert_eq!(v.status, CheckStatus::Pass, "Trino {at} on Java {new_java}");
        assert!(
            v.reason
                .contains(&format!("Trino {at} and later need Java {new_java}")),
            "{}",
            v.reason
        );
    }
    assert_eq!(java_required(480), Some(25));
    assert_eq!(java_required(483), Some(25));
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
    assert_eq!(java_required(389), None);
    assert_eq!(java_required(390), Some(17));
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
    assert_eq!(
        judge_isolation(3, &UiStats::Workers(3)).status,
        CheckStatus::Pass
    );
    let v = judge_isolation(3, &UiStats::Workers(4));
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(v.reason.contains("include-coordinator=false"));
    assert_eq!(
        judge_isolation(3, &UiStats::Workers(2)).status,
        CheckStatus::Warn
    );
}

/// Trino's form-login filter answers `/ui/api/` paths with 401 and
/// `WWW-Authenticate: Trino-Form-Login` to a client without a web-UI
/// session (403 under OAuth2; 483 moved the new UI's login to
/// `/ui/auth/login`): the verdict says so and what would decide it, never
/// a bare error, and no worker at all is a failure whatever the UI says.
#[test]
fn isolation_without_the_web_ui_names_what_decides_it() {
    let ui = UiStats::from_answer(401, Some("Trino-Form-Login"), "");
    assert_eq!(
        ui,
        UiStats::NeedsLogin {
            status: 401,
            www_authenticate: Some("Trino-Form-Login".into())
        }
    );
    let v = judge_isolation(3, &ui);
    assert_eq!(v.status, CheckStatus::Error);
    assert!(v.reason.contains("Trino-Form-Login"), "{}", v.reason);
    assert!(v.reason.contains("3 workers"), "{}", v.reason);
    assert!(
        v.reason
            .contains("node-scheduler.include-coordinator=false"),
        "{}",
        v.reason
    );
    assert!(v.reason.contains("shipshape config check"), "{}", v.reason);
    let v = judge_isolation(3, &UiStats::from_answer(403, None, "Forbidden"));
    assert!(v.reason.contains("HTTP 403"), "{}", v.reason);
    let v = judge_isolation(3, &UiStats::from_answer(404, None, "Not Found"));
    assert_eq!(v.status, CheckStatus::Error);
    assert!(v.reason.contains("HTTP 404"), "{}", v.reason);
    assert_eq!(
        UiStats::from_answer(200, None, r#"{"activeWorkers": 3}"#),
        UiStats::Workers(3)
    );
    assert_eq!(
        UiStats::from_answer(200, None, "<html>"),
        UiStats::Unusable { status: 200 }
    );
    let v = judge_isolation(0, &UiStats::Workers(1));
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(
        v.reason.contains("the coordinator runs every query"),
        "{}",
        v.reason
    );
    let v = judge_isolation(0, &ui);
    assert_eq!(v.status, CheckStatus::Fail);
    assert!(
        v.reason.contains("no node but the coordinator"),
        "{}",
        v.reason
    );
}
