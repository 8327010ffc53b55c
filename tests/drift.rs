//! Live checks over time and across the fleet, through the real server
//! against simulated clusters: verdict changes become ledger rows once per
//! change (with the flapping rule), drift shows in history, export and the
//! trend; fleet drift lists the odd cluster; draining workers warn; Java 24
//! on Trino 479 fails; the release table grows from the config file and
//! the fleet; metric alternatives pass and say which name matched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use support::sims::*;
use support::*;

async fn verdict_rows(s: &Server, c: &reqwest::Client, id: i64, item: &str) -> Vec<Value> {
    let history: Vec<Value> = get_json(
        c,
        s.url(&format!("/api/v1/clusters/{id}/items/{item}/history")),
    )
    .await;
    let mut rows: Vec<Value> = history
        .into_iter()
        .filter(|h| h["status"] == "check_verdict")
        .collect();
    rows.reverse(); // oldest first
    rows
}

async fn spill_item(s: &Server, c: &reqwest::Client, id: i64) -> Value {
    let checklist: Value = get_json(c, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    checklist["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "spill")
        .unwrap()
        .clone()
}

async fn last_trend_regressed(s: &Server, c: &reqwest::Client, id: i64) -> u64 {
    let trend: Vec<Value> = get_json(c, s.url(&format!("/api/v1/clusters/{id}/trend"))).await;
    trend.last().unwrap()["progress"]["regressed"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn verdict_changes_land_in_the_ledger_once_per_change_and_drift_shows_in_history() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let healthy = sim("healthy.toml", "").await;
    let broken = sim("misconfigured.toml", "").await;
    // One coordinator URL; what answers behind it breaks and recovers.
    let (url, breaks) = switchable(&healthy, &broken).await;
    let id = create_cluster_at(&s, &admin, "flappy", &url).await;
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // Two passing runs: one change (not run → pass), not two rows.
    assert_eq!(run(&s, &admin, id).await["spill"]["status"], "pass");
    run(&s, &admin, id).await;
    let rows = verdict_rows(&s, &admin, id, "spill").await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["actor"], "shipshape");
    assert!(rows[0]["note"]
        .as_str()
        .unwrap()
        .starts_with("not_run → pass"));

    // The cluster breaks: one failing run does not count yet.
    switch_to(&breaks, true).await;
    assert_eq!(run(&s, &admin, id).await["spill"]["status"], "fail");
    let spill = spill_item(&s, &admin, id).await;
    assert_eq!(
        spill["standing"], "done",
        "one failed run is not a regression"
    );
    assert_eq!(verdict_rows(&s, &admin, id, "spill").await.len(), 1);
    // The second failing run counts: regressed, with a failing-since time.
    run(&s, &admin, id).await;
    let spill = spill_item(&s, &admin, id).await;
    assert_eq!(spill["standing"], "regressed");
    assert_eq!(spill["verdict"]["effective"], "fail");
    assert_eq!(spill["verdict"]["streak"], 2);
    assert!(spill["verdict"]["effective_since"].is_string());
    assert_eq!(
        last_trend_regressed(&s, &admin, id).await,
        1,
        "the trend shows the regression"
    );
    // A third failing run changes nothing in the ledger.
    run(&s, &admin, id).await;
    let rows = verdict_rows(&s, &admin, id, "spill").await;
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows[1]["note"]
        .as_str()
        .unwrap()
        .starts_with("pass → fail: "));

    // It recovers after one passing run.
    switch_to(&breaks, false).await;
    run(&s, &admin, id).await;
    assert_eq!(spill_item(&s, &admin, id).await["standing"], "done");
    let rows = verdict_rows(&s, &admin, id, "spill").await;
    let notes: Vec<&str> = rows
        .iter()
        .map(|r| r["note"].as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert_eq!(notes, vec!["not_run → pass", "pass → fail", "fail → pass"]);
    assert_eq!(last_trend_regressed(&s, &admin, id).await, 0);

    // The rows are in the one hash chain, and in the auditors' export with
    // the evidence digest in their details.
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(v["ok"], true, "{v}");
    let csv = admin
        .get(s.url(&format!(
            "/api/v1/export/signoffs.csv?cluster={id}&item=spill"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.matches("check_verdict").count(), 3, "{csv}");
    assert!(csv.contains("evidence_sha256"), "{csv}");
    // The report lists the item's drift too.
    let report: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/report"))).await;
    let text = report.to_string();
    assert!(text.contains("pass → fail"), "{text}");
}

#[tokio::test]
async fn fleet_drift_lists_the_odd_cluster_and_java_24_on_479_fails() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let a = secure_cluster(&s, &admin, dir.path(), "prod-a", "healthy.toml", json!({})).await;
    let b = secure_cluster(&s, &admin, dir.path(), "prod-b", "healthy.toml", json!({})).await;
    let odd = secure_cluster(&s, &admin, dir.path(), "prod-c", "java-lag.toml", json!({})).await;
    run(&s, &admin, a).await;
    run(&s, &admin, b).await;
    let r = run(&s, &admin, odd).await;
    assert_eq!(r["jvm"]["status"], "fail");
    assert_eq!(
        r["jvm"]["reason"],
        "Trino 479 runs on Java 24; Trino 479 and later need Java 25"
    );

    let drift: Value = get_json(&admin, s.url("/api/v1/fleet/drift")).await;
    let rows = drift["drift"].as_array().unwrap();
    let facts: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["cluster"].as_str().unwrap(),
                r["fact"].as_str().unwrap(),
                r["value"].as_str().unwrap(),
                r["usual"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        facts,
        vec![
            ("prod-c", "trino_version", "479", "483"),
            ("prod-c", "java_version", "24", "25"),
            (
                "prod-c",
                "catalogs",
                "hive, jmx, system",
                "hive, iceberg, jmx, system"
            ),
        ],
        "{drift}"
    );
    // Another environment's filter sees none of it.
    let none: Value = get_json(&admin, s.url("/api/v1/fleet/drift?env=staging")).await;
    assert_eq!(none["drift"], json!([]));
    // The home page shows the table (server-rendered).
    let html = admin
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Fleet drift"),
        "no drift table on the home page"
    );
}

#[tokio::test]
async fn draining_workers_warn_naming_each_worker() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = secure_cluster(&s, &admin, dir.path(), "drain", "draining.toml", json!({})).await;
    let r = run(&s, &admin, id).await;
    let w = &r["workers-active"];
    assert_eq!(w["status"], "warn", "{w}");
    let reason = w["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("worker-2 is DRAINING, worker-3 is DRAINED"),
        "{reason}"
    );
    assert_eq!(w["observed"], "1 of 3 workers answer ACTIVE");
}

#[tokio::test]
async fn the_release_table_grows_from_the_config_file_and_the_fleet() {
    let dir = tempfile::tempdir().unwrap();
    let s = start_configured(
        dir.path(),
        "[[trino_release]]\nversion = 490\ndate = \"2027-03-01\"",
        &[],
    );
    let admin = setup_admin(&s).await;
    let id = secure_cluster(&s, &admin, dir.path(), "p483", "healthy.toml", json!({})).await;
    let r = run(&s, &admin, id).await;
    let up = &r["stay-close-to-upstream"];
    assert_eq!(up["status"], "fail", "{up}");
    assert!(
        up["reason"]
            .as_str()
            .unwrap()
            .contains("newest known release 490 (2027-03-01, the config file's release table)"),
        "{up}"
    );
    drop(s);

    // Without the config file, a sibling on a release no table knows makes
    // the newest known release; its date is the day it was first seen.
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let mut newer = scenario("healthy.toml", "");
    newer.version = "499".into();
    let url = trino_sim::serve_on_loopback(newer.plain()).await.unwrap();
    let sibling = create_cluster_at(&s, &admin, "sibling", &url).await;
    // Its first run learns what it runs; from then on 499 is known.
    let r = run(&s, &admin, sibling).await;
    assert!(
        r["stay-close-to-upstream"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("newer than the newest known release 483"),
        "{}",
        r["stay-close-to-upstream"]
    );
    let r = run(&s, &admin, sibling).await;
    assert!(
        r["stay-close-to-upstream"]["reason"]
            .as_str()
            .unwrap()
            .contains("runs the newest known release 499"),
        "{}",
        r["stay-close-to-upstream"]
    );
    // Trino 481 (2026-05-11) is 67 days behind 483, the newest in the
    // shipped table, but more than 183 days behind what its sibling runs
    // (first seen today, 2026-12-02 or later).
    let mut older = scenario("healthy.toml", "");
    older.version = "481".into();
    let url = trino_sim::serve_on_loopback(older.plain()).await.unwrap();
    let id = create_cluster_at(&s, &admin, "p481", &url).await;
    let r = run(&s, &admin, id).await;
    let up = &r["stay-close-to-upstream"];
    assert_eq!(
        up["status"], "fail",
        "481 is far behind what its sibling runs: {up}"
    );
    assert!(
        up["reason"]
            .as_str()
            .unwrap()
            .contains("running on cluster 'sibling'"),
        "{up}"
    );
}

#[tokio::test]
async fn metric_alternatives_pass_and_name_the_match() {
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("runbook.toml");
    std::fs::write(
        &runbook,
        r#"id = "m"
title = "Metrics"
[[section]]
id = "obs"
title = "Observability"
[[section.item]]
id = "nodes-metric"
title = "Node counts are exported"
kind = "checklist"
why = "Alerts need the worker count."
source = "test"
fail_after = 1
check = { kind = "metrics", series = ["trino_execution_name_QueryManager_RunningQueries", ["trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount", "trino_node_name_NodeManager_ActiveWorkerCount"]] }
"#,
    )
    .unwrap();
    let config = sim_config(dir.path(), "");
    let s = Server::start_env(
        dir.path(),
        &[
            "--config",
            path_str(&config),
            "--runbook",
            path_str(&runbook),
        ],
        &[SECRET],
    );
    let admin = setup_admin(&s).await;
    let id = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "renamed",
        "renamed-metrics.toml",
        json!({}),
    )
    .await;
    let r = run(&s, &admin, id).await;
    let m = &r["nodes-metric"];
    assert_eq!(m["status"], "pass", "{m}");
    assert!(
        m["reason"]
            .as_str()
            .unwrap()
            .contains("alternative name trino_node_name_NodeManager_ActiveWorkerCount"),
        "{m}"
    );
    // fail_after = 1: the first failing run of an item would count at once;
    // here the first pass counted, and is the one verdict row.
    let rows = verdict_rows(&s, &admin, id, "nodes-metric").await;
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn every_request_a_check_sends_says_it_is_shipshape() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    // The simulator answers 400 to any request without the source and the
    // client tag, REST endpoints included; the healthy cluster still passes
    // every check, so every request carried both.
    let mut labelled = scenario("healthy.toml", "");
    labelled.required_headers = [
        ("X-Trino-Source".to_string(), "shipshape".to_string()),
        (
            "X-Trino-Client-Tags".to_string(),
            "shipshape-check".to_string(),
        ),
    ]
    .into_iter()
    .collect();
    let served = trino_sim::serve_loopback(labelled).await.unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, served.ca_pem.unwrap()).unwrap();
    let r = admin
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": "labelled", "environment": "prod", "coordinator_url": served.url,
            "connection": {"auth": "basic", "auth_user": "shipshape", "secret_env": SECRET.0, "ca_file": ca.to_str().unwrap()}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let results = run(&s, &admin, id).await;
    for (item, r) in &results {
        assert_eq!(r["status"], "pass", "{item}: {r}");
    }
    // And a simulator that wants another source refuses them: the guard works.
    let mut strict = scenario("healthy.toml", "").plain();
    strict.required_headers = [("X-Trino-Source".to_string(), "someone-else".to_string())]
        .into_iter()
        .collect();
    let url = trino_sim::serve_on_loopback(strict).await.unwrap();
    let other = create_cluster_at(&s, &admin, "strict", &url).await;
    let results = run(&s, &admin, other).await;
    assert_ne!(results["spill"]["status"], "pass", "{}", results["spill"]);
}
