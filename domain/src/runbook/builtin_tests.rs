//! The shipped runbook parses and covers every item of both source documents,
//! with their config keys, SQL, metric names and numbers kept exact.

use super::*;

const SEED_RUNBOOK: &str = include_str!("../../../runbooks/sources/runbook.md");
const SEED_SHUTDOWN: &str = include_str!("../../../runbooks/sources/graceful-shutdown.md");

fn runbook() -> Runbook {
    match builtin_runbook() {
        Ok(rb) => rb,
        Err(e) => panic!("shipped runbook is malformed: {e}"),
    }
}

/// Everything a person reads about an item, as one string.
fn item_text(item: &Item) -> String {
    let mut t = vec![item.title.clone(), item.why.clone()];
    if let Some(c) = &item.config {
        t.push(c.text.clone());
    }
    t.extend(item.verify.iter().cloned());
    if let Some(c) = &item.correction {
        t.push(c.clone());
    }
    t.join("\n")
}

fn all_text(rb: &Runbook) -> String {
    rb.items()
        .map(|(_, i)| item_text(i))
        .collect::<Vec<_>>()
        .join("\n")
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_runbook_section_item_is_present() {
    let rb = runbook();
    // (seed section, bold item title in the seed, our item id)
    let expected = [
        (1, "Coordinator isolation", "coordinator-isolation"),
        (1, "Enable spill", "spill"),
        (1, "Memory guardrails", "memory-guardrails"),
        (1, "Resource groups", "resource-groups"),
        (2, "File formats", "file-formats"),
        (2, "S3/HDFS connections", "s3-connections"),
        (2, "Concurrency limits", "concurrency-limits"),
        (2, "Benchmarking", "benchmarking"),
        (3, "TLS", "tls"),
        (3, "Authentication", "authentication"),
        (3, "Authorization", "authorization"),
        (3, "Audit", "audit"),
        (4, "Prometheus + Grafana", "prometheus-grafana"),
        (4, "Centralized logs", "centralized-logs"),
        (4, "Alerts", "alerts"),
        (5, "Upgrade playbook", "upgrade-playbook"),
        (5, "Worker node loss", "worker-node-loss"),
        (5, "Backups", "backups"),
        (6, "Ban SELECT *", "ban-select-star"),
        (6, "Joins", "joins"),
        (6, "Runaway query kill", "runaway-query-kill"),
        (7, "Stay close to upstream", "stay-close-to-upstream"),
        (7, "Test connectors", "test-connectors"),
        (7, "JVM", "jvm"),
    ];
    // The seed's bold items are exactly these: no item of the seed is left out.
    let seed_titles: Vec<&str> = SEED_RUNBOOK
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- [ ] **"))
        .filter_map(|l| l.trim_end().rsplit_once("**").map(|(t, _)| t))
        .collect();
    let ours: Vec<&str> = expected.iter().map(|(_, t, _)| *t).collect();
    assert_eq!(seed_titles, ours, "seed checklist items changed");
    for (section, title, id) in expected {
        let item = rb
            .item(id)
            .unwrap_or_else(|| panic!("missing item {id} ({title})"));
        assert_eq!(item.kind, ItemKind::Checklist, "{id}");
        assert_eq!(item.source, format!("Runbook §{section}"), "{id}");
    }
}

#[test]
fn every_day2_task_is_present_with_its_cadence() {
    let rb = runbook();
    let expected = [
        ("weekly-failed-queries", Cadence::Weekly),
        ("weekly-memory-heavy-queries", Cadence::Weekly),
        ("weekly-peak-concurrency", Cadence::Weekly),
        ("monthly-iceberg-file-sizes", Cadence::Monthly),
        ("monthly-spill-disk-usage", Cadence::Monthly),
        ("monthly-resource-group-fairness", Cadence::Monthly),
        ("quarterly-upgrade-rollback-drill", Cadence::Quarterly),
        ("quarterly-dr-restore", Cadence::Quarterly),
        ("quarterly-secret-tls-rotation", Cadence::Quarterly),
    ];
    let day2_section = SEED_RUNBOOK
        .split("## 8. Day-2 Operations")
        .nth(1)
        .expect("seed has section 8");
    let seed_tasks = day2_section
        .lines()
        .filter(|l| l.trim_start().starts_with("- [ ]"))
        .count();
    assert_eq!(seed_tasks, expected.len(), "seed Day-2 tasks changed");
    for (id, cadence) in expected {
        let item = rb
            .item(id)
            .unwrap_or_else(|| panic!("missing day-2 task {id}"));
        assert_eq!(item.cadence(), Some(cadence), "{id}");
    }
    let recurring = rb.items().filter(|(_, i)| i.is_recurring()).count();
    assert_eq!(recurring, expected.len());
}

#[test]
fn every_code_fragment_of_the_runbook_is_kept_exactly() {
    let text = squash(&all_text(&runbook()));
    let mut fragments: Vec<String> = Vec::new();
    let mut in_block = false;
    for line in SEED_RUNBOOK.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            if !t.is_empty() {
                fragments.push(t.to_string());
            }
            continue;
        }
        // inline `code` spans
        let parts: Vec<&str> = t.split('`').collect();
        for (i, p) in parts.iter().enumerate() {
            if i % 2 == 1 && !p.is_empty() {
                fragments.push(p.to_string());
            }
        }
    }
    assert!(
        fragments.len() > 40,
        "expected many fragments, got {}",
        fragments.len()
    );
    let missing: Vec<&String> = fragments
        .iter()
        .filter(|f| !text.contains(&squash(f)))
        .collect();
    assert!(
        missing.is_empty(),
        "fragments of the seed runbook missing: {missing:#?}"
    );
}

#[test]
fn numbers_and_rules_of_thumb_are_kept() {
    let text = all_text(&runbook());
    for fact in [
        "ETL 40%",
        "BI 20%",
        "Ad-hoc 10%",
        "5-10 queries per worker",
        "TPC-DS scale 100",
        "p95",
        "Coordinator heap > 85%",
        "Spill disk > 80%",
        "Query fail % > 5% in 10 min",
        "Worker count mismatch",
        "Upgrade every ~3 months",
        "Don't lag >6 months",
        "Java 21",
        "<70%",
        ">1h or >100GB",
        "Hive Metastore DB daily snapshot",
        "Ranger/OPA configs weekly export",
        "Monthly restore test in staging",
        "Upgrade coordinator first",
        "Roll workers one by one",
        "keep previous tarball",
    ] {
        assert!(text.contains(fact), "missing: {fact}");
    }
}

#[test]
fn graceful_shutdown_facts_are_items_of_their_own() {
    let rb = runbook();
    let facts = [
        (
            "worker-graceful-shutdown",
            &[
                "60 minutes",
                "gracefulShutdownTimeout: 1h",
                "SHUTTING_DOWN",
                "30 seconds",
                "10s",
                "terminationGracePeriodSeconds",
            ][..],
        ),
        (
            "coordinator-graceful-shutdown",
            &["15 minutes", "SIGTERM", "SIGKILL", "Trino 451"][..],
        ),
        (
            "max-execution-time-vs-shutdown",
            &[
                "query.max-execution-time=3600s",
                "query.max-execution-time: 24h",
                "Query failed: Query exceeded the maximum execution time limit of 3600s.00s",
            ][..],
        ),
        (
            "certificate-lifetime",
            &["requestedSecretLifetime: 14d", "one day"][..],
        ),
        (
            "graceful-shutdown-authorization",
            &[
                "input.action.operation == \"WriteSystemInformation\"",
                "input.context.identity.user == \"graceful-shutdown-user\"",
                "curl: (22) The requested URL returned error: 403 Forbidden",
                "OPA",
            ][..],
        ),
        (
            "fault-tolerant-execution",
            &["Fault-tolerant execution", "configOverrides"][..],
        ),
        ("workers-active", &["/v1/info/state", "ACTIVE"][..]),
    ];
    for (id, needles) in facts {
        let item = rb
            .item(id)
            .unwrap_or_else(|| panic!("missing graceful-shutdown item {id}"));
        assert!(item.source.starts_with("Graceful shutdown"), "{id}");
        let text = item_text(item);
        for n in needles {
            assert!(text.contains(n), "{id} lacks {n:?}");
            assert!(
                SEED_SHUTDOWN.contains(n)
                    || squash(SEED_SHUTDOWN).contains(&squash(n))
                    || [
                        "ACTIVE",
                        "/v1/info/state",
                        "Trino 451",
                        "Fault-tolerant execution"
                    ]
                    .contains(n),
                "{n:?} is not a fact of the seed"
            );
        }
    }
}

#[test]
fn items_where_the_runbook_is_wrong_say_so() {
    let rb = runbook();
    let must_correct = [
        (
            "prometheus-grafana",
            "trino_execution_name_QueryManager_RunningQueries",
        ),
        ("weekly-peak-concurrency", "QueryManager"),
        ("file-formats", "optimize"),
        ("jvm", "Java 25"),
        ("jvm", "Java 22"),
        ("authentication", "trino_queries"),
        ("memory-guardrails", "memorypool"),
        ("coordinator-isolation", "system.runtime.tasks"),
        ("monthly-iceberg-file-sizes", "$files"),
    ];
    for (id, fact) in must_correct {
        let c = rb
            .item(id)
            .and_then(|i| i.correction.clone())
            .unwrap_or_else(|| panic!("{id} has no correction"));
        assert!(c.contains(fact), "{id} correction lacks {fact}");
    }
}

#[test]
fn every_item_explains_itself() {
    for (section, item) in runbook().items() {
        assert!(
            item.why.len() > 40,
            "{}/{}: why too short",
            section.id,
            item.id
        );
        assert!(
            !item.verify.is_empty() || item.config.is_some(),
            "{}: nothing to verify",
            item.id
        );
    }
}
