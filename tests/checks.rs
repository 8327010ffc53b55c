//! Live checks through the real server against simulated Trino clusters
//! (the project's simulator, served in this test process).

mod support;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::*;

/// Serves a scenario (optionally with a fault line) on a random port.
async fn sim(file: &str, prefix: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/scenarios/");
    let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
    let scenario =
        trino_sim::scenario::Scenario::parse(file, &format!("{prefix}\n{text}")).unwrap();
    trino_sim::serve_on_loopback(scenario).await.unwrap()
}

async fn run(s: &Server, c: &reqwest::Client, id: i64) -> HashMap<String, Value> {
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{id}/checks/run")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Vec<Value> = r.json().await.unwrap();
    v.into_iter()
        .map(|r| (r["item_id"].as_str().unwrap().to_string(), r))
        .collect()
}

#[tokio::test]
async fn a_healthy_cluster_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster_at(&s, &admin, "healthy", &sim("healthy.toml", "").await).await;
    let results = run(&s, &admin, id).await;
    assert_eq!(results.len(), 8, "{results:#?}");
    for (item, r) in &results {
        assert_eq!(r["status"], "pass", "{item}: {r}");
        assert!(!r["reason"].as_str().unwrap().is_empty());
        assert!(r["at"].is_string() && r["duration_ms"].is_i64());
    }
    assert!(results["spill"]["evidence"]
        .as_str()
        .unwrap()
        .contains("spill_enabled | true | true"));
    assert_eq!(
        results["stay-close-to-upstream"]["observed"],
        "Trino 483, released 2026-07-17"
    );

    let latest: Vec<Value> = admin
        .get(s.url(&format!("/api/v1/clusters/{id}/checks")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(latest.len(), 8);
}

#[tokio::test]
async fn a_misconfigured_cluster_fails_with_the_data_behind_it_and_drift_shows() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster_at(&s, &admin, "broken", &sim("misconfigured.toml", "").await).await;
    // Signed off before the check ran: the item will show as regressed.
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let results = run(&s, &admin, id).await;
    let status = |item: &str| results[item]["status"].as_str().unwrap().to_string();
    assert_eq!(status("spill"), "fail");
    assert_eq!(results["spill"]["observed"], "false");
    assert_eq!(
        status("upgrade-playbook"),
        "fail",
        "two versions on the nodes"
    );
    assert_eq!(status("stay-close-to-upstream"), "fail");
    assert!(results["stay-close-to-upstream"]["reason"]
        .as_str()
        .unwrap()
        .contains("days older than Trino 483"));
    assert_eq!(status("max-execution-time-vs-shutdown"), "fail");
    assert_eq!(results["max-execution-time-vs-shutdown"]["observed"], "24h");
    assert_eq!(status("workers-active"), "fail");
    assert!(results["workers-active"]["evidence"]
        .as_str()
        .unwrap()
        .contains("SHUTTING_DOWN"));
    assert_eq!(status("prometheus-grafana"), "fail");
    assert!(results["prometheus-grafana"]["reason"]
        .as_str()
        .unwrap()
        .contains("trino_execution_name_QueryManager_RunningQueries"));
    assert_eq!(status("authorization"), "pass", "the probe user is denied");
    assert_eq!(status("worker-node-loss"), "pass");

    let c: Value = admin
        .get(s.url(&format!("/api/v1/clusters/{id}/checklist")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["regressed"], 1);
    let spill = c["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "spill")
        .unwrap()
        .clone();
    assert_eq!(spill["regressed"], true);
    assert_eq!(spill["check"]["status"], "fail");
    let fleet: Vec<Value> = admin
        .get(s.url("/api/v1/clusters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fleet[0]["regressed"], 1);
}

#[tokio::test]
async fn faulty_and_unreachable_clusters_give_classified_errors_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_CHECK_TIMEOUT_SECS", "1")]);
    let admin = setup_admin(&s).await;
    for (name, url, expect) in [
        (
            "hung",
            sim("healthy.toml", "fault = \"hang\"").await,
            "no answer within",
        ),
        (
            "malformed",
            sim("healthy.toml", "fault = \"malformed_json\"").await,
            "protocol violation",
        ),
        (
            "relative",
            sim("healthy.toml", "fault = \"relative_next_uri\"").await,
            "absolute",
        ),
        (
            "locked",
            sim("healthy.toml", "fault = \"require_credentials\"").await,
            "401",
        ),
        ("gone", "http://127.0.0.1:9".to_string(), "unreachable"),
    ] {
        let id = create_cluster_at(&s, &admin, name, &url).await;
        let started = Instant::now();
        let results = run(&s, &admin, id).await;
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{name} took {:?}",
            started.elapsed()
        );
        let sql = &results["spill"];
        assert_eq!(sql["status"], "error", "{name}: {sql}");
        assert!(
            sql["reason"].as_str().unwrap().contains(expect),
            "{name}: {sql}"
        );
    }
    // The server keeps serving after all of that.
    assert_eq!(
        client()
            .get(s.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn only_admins_and_sres_run_checks() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster_at(&s, &admin, "c", &sim("healthy.toml", "").await).await;
    let m = add_user(&s, &admin, "m", "manager", "manager-pass-1").await;
    assert_eq!(
        m.post(s.url(&format!("/api/v1/clusters/{id}/checks/run")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        m.get(s.url(&format!("/api/v1/clusters/{id}/checks")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        admin
            .post(s.url("/api/v1/clusters/999/checks/run"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_scheduler_checks_every_cluster_and_a_hung_one_delays_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[
            ("SHIPSHAPE_CHECK_INTERVAL_SECS", "1"),
            ("SHIPSHAPE_CHECK_TIMEOUT_SECS", "2"),
        ],
    );
    let admin = setup_admin(&s).await;
    let healthy = create_cluster_at(&s, &admin, "healthy", &sim("healthy.toml", "").await).await;
    let hung = create_cluster_at(
        &s,
        &admin,
        "hung",
        &sim("healthy.toml", "fault = \"hang\"").await,
    )
    .await;
    let latest = |id: i64| {
        let (admin, url) = (
            admin.clone(),
            s.url(&format!("/api/v1/clusters/{id}/checks")),
        );
        async move {
            admin
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Vec<Value>>()
                .await
                .unwrap()
        }
    };
    // Nobody presses "run": the scheduler does.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (h, x) = (latest(healthy).await, latest(hung).await);
        if h.len() == 8 && x.len() == 8 {
            assert!(h.iter().all(|r| r["status"] == "pass"), "{h:#?}");
            let sql = x.iter().find(|r| r["item_id"] == "spill").unwrap();
            assert_eq!(sql["status"], "error");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the scheduler did not run both clusters in time"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn every_worker_is_asked_for_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let ok = create_cluster_at(&s, &admin, "ok", &sim("healthy.toml", "").await).await;
    let draining =
        create_cluster_at(&s, &admin, "draining", &sim("misconfigured.toml", "").await).await;
    let r = run(&s, &admin, ok).await;
    assert_eq!(r["workers-active"]["status"], "pass");
    assert_eq!(
        r["workers-active"]["observed"],
        "3 of 3 workers answer \"ACTIVE\""
    );
    let r = run(&s, &admin, draining).await;
    assert_eq!(r["workers-active"]["status"], "fail");
    assert!(
        r["workers-active"]["reason"]
            .as_str()
            .unwrap()
            .contains("worker-2: \"SHUTTING_DOWN\""),
        "{}",
        r["workers-active"]
    );
}
