//! Live checks through the real server against simulated Trino clusters
//! (the project's simulator, served in this test process).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::sims::*;
use support::*;

#[tokio::test]
async fn a_healthy_cluster_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = secure_cluster(&s, &admin, dir.path(), "healthy", "healthy.toml", json!({})).await;
    let results = run(&s, &admin, id).await;
    assert_eq!(results.len(), CHECKED_ITEMS, "{results:#?}");
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

    let latest: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checks"))).await;
    assert_eq!(latest.len(), CHECKED_ITEMS);
    assert!(results["tls"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("trusted, expires in"));
    assert!(results["jvm"]["reason"]
        .as_str()
        .unwrap()
        .contains("Trino 479 and later need Java 25"));
    assert!(results["authentication"]["evidence"]
        .as_str()
        .unwrap()
        .contains("WWW-Authenticate: Basic"));
}

/// Trino 483 as the independent stand-in shows it: fault-tolerant
/// execution on (retry_policy TASK, no query time limit: 100.00d) and the
/// web UI behind its own form login. No false fail on the execution-time
/// item, a live verdict on fault tolerance, and coordinator isolation says
/// what it saw and what would decide it instead of a bare error.
#[tokio::test]
async fn trino_483_with_fault_tolerant_execution_and_a_form_login_web_ui_gets_no_false_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "fte",
        "fault-tolerant.toml",
        json!({}),
    )
    .await;
    let results = run(&s, &admin, id).await;
    let status = |item: &str| results[item]["status"].as_str().unwrap().to_string();
    let reason = |item: &str| results[item]["reason"].as_str().unwrap().to_string();
    assert_eq!(
        status("max-execution-time-vs-shutdown"),
        "pass",
        "{}",
        results["max-execution-time-vs-shutdown"]
    );
    assert!(reason("max-execution-time-vs-shutdown").contains("retried, not lost"));
    assert_eq!(
        results["max-execution-time-vs-shutdown"]["observed"],
        "query_max_execution_time 100.00d, retry_policy TASK"
    );
    assert_eq!(
        status("fault-tolerant-execution"),
        "pass",
        "{}",
        results["fault-tolerant-execution"]
    );
    assert!(results["fault-tolerant-execution"]["evidence"]
        .as_str()
        .unwrap()
        .contains("GROUP BY x"));
    let isolation = &results["coordinator-isolation"];
    assert_eq!(isolation["status"], "error", "{isolation}");
    let why = reason("coordinator-isolation");
    assert!(why.contains("WWW-Authenticate: Trino-Form-Login"), "{why}");
    assert!(why.contains("3 workers"), "{why}");
    assert!(why.contains("shipshape config check"), "{why}");
    assert!(isolation["evidence"]
        .as_str()
        .unwrap()
        .contains("GET /ui/api/stats → 401"));
    // Everything else the healthy cluster passes still passes.
    for (item, r) in &results {
        if item != "coordinator-isolation" {
            assert_eq!(r["status"], "pass", "{item}: {r}");
        }
    }
}

/// Under TASK without an exchange manager the check's own statements fail
/// with EXCHANGE_MANAGER_NOT_CONFIGURED: both fault-tolerance items fail and
/// say what to add, rather than reporting a query error.
#[tokio::test]
async fn task_retries_without_an_exchange_manager_fail_both_items_with_what_to_add() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "fte",
        "no-exchange-manager.toml",
        json!({}),
    )
    .await;
    let results = run(&s, &admin, id).await;
    for item in ["max-execution-time-vs-shutdown", "fault-tolerant-execution"] {
        let r = &results[item];
        assert_eq!(r["status"], "fail", "{item}: {r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("exchange-manager.properties"),
            "{item}: {r}"
        );
        assert!(
            r["evidence"]
                .as_str()
                .unwrap()
                .contains("EXCHANGE_MANAGER_NOT_CONFIGURED"),
            "{item}: {r}"
        );
    }
}

#[tokio::test]
async fn a_misconfigured_cluster_fails_with_the_data_behind_it_and_drift_shows() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "broken",
        "misconfigured.toml",
        json!({}),
    )
    .await;
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
        .contains(
            "days older than the newest known release 483 (2026-07-17, the shipped release table)"
        ));
    assert_eq!(status("max-execution-time-vs-shutdown"), "fail");
    assert_eq!(
        results["max-execution-time-vs-shutdown"]["observed"],
        "query_max_execution_time 24h, retry_policy NONE"
    );
    assert_eq!(status("fault-tolerant-execution"), "fail");
    assert!(results["fault-tolerant-execution"]["reason"]
        .as_str()
        .unwrap()
        .contains("longer than the graceful shutdown period (1h), and retry_policy is NONE"));
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
    let reason = |item: &str| results[item]["reason"].as_str().unwrap().to_string();
    // The newer checks, each failing with what it saw.
    for item in [
        "tls",
        "certificate-lifetime",
        "authentication",
        "coordinator-isolation",
        "jvm",
        "memory-guardrails",
        "resource-groups",
        "concurrency-limits",
        "audit",
        "runaway-query-kill",
    ] {
        assert_eq!(status(item), "fail", "{item}: {}", results[item]);
    }
    assert!(
        reason("tls").contains("renew it before 7 days"),
        "{}",
        reason("tls")
    );
    assert!(reason("certificate-lifetime").starts_with("issued for 1 days"));
    assert_eq!(
        reason("authentication"),
        "the coordinator accepted a statement without credentials"
    );
    assert!(reason("coordinator-isolation").contains("include-coordinator=false"));
    assert!(reason("jvm").contains("mixed JVMs"), "{}", reason("jvm"));
    assert!(reason("memory-guardrails").starts_with("worker-2:"));
    assert_eq!(results["resource-groups"]["observed"], "3 rows");
    assert!(results["resource-groups"]["evidence"]
        .as_str()
        .unwrap()
        .contains("bi-dashboard"));
    assert_eq!(results["concurrency-limits"]["observed"], "14.5");
    assert!(reason("audit").starts_with("3d"), "{}", reason("audit"));

    // One failing run does not count yet (flapping rule, 2 runs by default).
    let c: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert_eq!(c["regressed"], 0);
    let spill = &c["sections"][0]["items"][1];
    assert_eq!(spill["id"], "spill");
    assert_eq!(spill["verdict"]["streak_status"], "fail");
    assert_eq!(spill["verdict"]["effective"], Value::Null);
    run(&s, &admin, id).await;
    let c: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
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
    let fleet: Vec<Value> = get_json(&admin, s.url("/api/v1/clusters")).await;
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
    let s = start(dir.path());
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
    let s = start_configured(
        dir.path(),
        "",
        &[
            ("SHIPSHAPE_CHECK_INTERVAL_SECS", "1"),
            ("SHIPSHAPE_CHECK_TIMEOUT_SECS", "2"),
        ],
    );
    let admin = setup_admin(&s).await;
    let healthy =
        secure_cluster(&s, &admin, dir.path(), "healthy", "healthy.toml", json!({})).await;
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
        if h.len() == CHECKED_ITEMS && x.len() == CHECKED_ITEMS {
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
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let ok = secure_cluster(&s, &admin, dir.path(), "ok", "healthy.toml", json!({})).await;
    let draining = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "draining",
        "misconfigured.toml",
        json!({}),
    )
    .await;
    let r = run(&s, &admin, ok).await;
    assert_eq!(r["workers-active"]["status"], "pass");
    assert_eq!(
        r["workers-active"]["observed"],
        "3 of 3 workers answer ACTIVE"
    );
    let r = run(&s, &admin, draining).await;
    assert_eq!(r["workers-active"]["status"], "fail");
    assert!(
        r["workers-active"]["reason"]
            .as_str()
            .unwrap()
            .contains("worker-2: SHUTTING_DOWN"),
        "{}",
        r["workers-active"]
    );
    assert!(
        r["workers-active"]["reason"]
            .as_str()
            .unwrap()
            .contains("worker-3: unreachable"),
        "{}",
        r["workers-active"]
    );
}

#[tokio::test]
async fn connection_settings_decide_trust_and_identity_and_secrets_stay_secret() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;

    // No CA file: the certificate is not trusted; every check says why.
    let untrusted = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "untrusted",
        "healthy.toml",
        json!({"ca_file": ""}),
    )
    .await;
    let r = run(&s, &admin, untrusted).await;
    assert_eq!(r["spill"]["status"], "error");
    assert!(r["spill"]["reason"]
        .as_str()
        .unwrap()
        .contains("not signed by a trusted CA"));
    assert_eq!(r["tls"]["status"], "fail");
    // The refused certificate is still read, to show what it is.
    assert!(
        r["tls"]["evidence"]
            .as_str()
            .unwrap()
            .contains("trino-sim test CA"),
        "{}",
        r["tls"]
    );

    // Skipping verification with a secret needs the binding's consent.
    let r = admin
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": "reckless", "environment": "prod", "coordinator_url": "https://127.0.0.1:1",
            "connection": {"auth": "basic", "auth_user": "shipshape", "secret_env": SECRET.0, "insecure_tls": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // With it, skipping verification runs the checks, but the TLS check
    // still judges trust.
    let insecure = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "insecure",
        "healthy.toml",
        json!({"ca_file": "", "insecure_tls": true, "secret_env": "TRINO_SECRET_INSECURE"}),
    )
    .await;
    let r = run(&s, &admin, insecure).await;
    assert_eq!(r["spill"]["status"], "pass");
    assert_eq!(r["tls"]["status"], "fail");

    // A secret variable the server does not have: every check says which.
    let unset = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "unset",
        "healthy.toml",
        json!({"secret_env": "TRINO_SECRET_MISSING"}),
    )
    .await;
    let r = run(&s, &admin, unset).await;
    assert_eq!(r.len(), CHECKED_ITEMS);
    assert!(r.values().all(|v| v["status"] == "error"));
    assert!(r["spill"]["reason"]
        .as_str()
        .unwrap()
        .contains("TRINO_SECRET_MISSING is not set"));

    // A wrong password is a 401, named as such.
    let wrong = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "wrong",
        "healthy.toml",
        json!({"secret_env": "TRINO_SECRET_WRONG"}),
    )
    .await;
    let r = run(&s, &admin, wrong).await;
    assert!(
        r["spill"]["reason"].as_str().unwrap().contains("401"),
        "{}",
        r["spill"]
    );

    // Bad settings are refused field by field; credentials need https.
    let r = admin
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": "bad", "environment": "prod", "coordinator_url": "http://127.0.0.1:1",
            "connection": {"auth": "basic", "auth_user": "", "secret_env": "HOME", "connect_timeout_secs": 0}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    for f in [
        "connection.auth",
        "connection.auth_user",
        "connection.secret_env",
        "connection.connect_timeout_secs",
    ] {
        assert!(body["fields"][f].is_string(), "{f}: {body}");
    }

    // The password is in no page, no API answer and not in the database.
    let cluster: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{untrusted}"))).await;
    assert_eq!(cluster["connection"]["auth"]["password_env"], SECRET.0);
    let page = admin
        .get(s.url(&format!("/clusters/{untrusted}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(SECRET.0));
    for text in [cluster.to_string(), page] {
        assert!(!text.contains(SECRET.1));
    }
    let mut db = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e != "pem") {
            db.extend(std::fs::read(p).unwrap());
        }
    }
    assert!(!db.is_empty());
    assert!(!db.windows(SECRET.1.len()).any(|w| w == SECRET.1.as_bytes()));
}
