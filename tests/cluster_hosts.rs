//! `cluster_hosts`, through the real server: with it set, a coordinator
//! registered (or edited) outside it is refused with a field message, by
//! its address or by what its name resolves to; a cluster registered before
//! the setting gets an `error` verdict on every check, with nothing sent to
//! it and none of its answers kept; and a network that allows loopback lets
//! the simulator pass every check as before, by address and by name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::sims::*;
use support::*;

/// What the tests allow: a domain nobody here resolves, and a private
/// network. Loopback is in neither.
const ELSEWHERE: &str = "*.example.com, 10.0.0.0/8";

/// A loopback service that counts its connections and answers every
/// request with an internal metric nobody should read through Shipshape.
struct Internal {
    url: String,
    connections: Arc<AtomicUsize>,
}

async fn internal_service() -> Internal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut sock, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let body = "internal_secret_metric{db=\"payroll\"} 42\n";
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    Internal { url, connections }
}

async fn register(s: &Server, c: &reqwest::Client, name: &str, url: &str) -> reqwest::Response {
    c.post(s.url("/api/v1/clusters"))
        .json(&json!({"name": name, "environment": "prod", "coordinator_url": url}))
        .send()
        .await
        .unwrap()
}

/// The field message of a refused registration (422 asserted).
async fn refusal(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    body["fields"]["coordinator_url"]
        .as_str()
        .unwrap_or_else(|| panic!("no coordinator_url message: {body}"))
        .to_string()
}

fn no_scheduler() -> (&'static str, &'static str) {
    ("SHIPSHAPE_CHECK_INTERVAL_SECS", "0")
}

#[tokio::test]
async fn coordinators_outside_cluster_hosts_are_refused_at_registration() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[("SHIPSHAPE_CLUSTER_HOSTS", ELSEWHERE), no_scheduler()],
    );
    let admin = setup_admin(&s).await;

    // By address: loopback, whatever the port.
    let m = refusal(register(&s, &admin, "loop", "http://127.0.0.1:8080").await).await;
    assert!(m.contains("cluster_hosts"), "{m}");
    assert!(m.contains("loopback"), "{m}");
    assert!(
        m.contains("*.example.com"),
        "the message names the setting: {m}"
    );
    // By name: localhost resolves to loopback.
    let m = refusal(register(&s, &admin, "name", "http://localhost:8080").await).await;
    assert!(m.contains("localhost resolves to"), "{m}");
    assert!(m.contains("loopback"), "{m}");
    // Link-local (cloud metadata) and an address in no allowed network.
    let m = refusal(register(&s, &admin, "meta", "http://169.254.169.254").await).await;
    assert!(m.contains("link-local"), "{m}");
    let m = refusal(register(&s, &admin, "lan", "http://192.168.1.5:8080").await).await;
    assert!(m.contains("no allowed network"), "{m}");

    // Inside: a matching name (whether or not it resolves here) and an
    // address in the allowed network.
    let r = register(&s, &admin, "prod", "https://trino.example.com:8443").await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = register(&s, &admin, "private", "http://10.1.2.3:8080").await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // An edit cannot move a cluster outside.
    let r = admin
        .put(s.url(&format!("/api/v1/clusters/{id}")))
        .json(&json!({"name": "private", "environment": "prod", "coordinator_url": "http://127.0.0.1:8080"}))
        .send()
        .await
        .unwrap();
    assert!(refusal(r).await.contains("loopback"));
    let listed: Vec<Value> = get_json(&admin, s.url("/api/v1/clusters")).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
}

#[tokio::test]
async fn a_cluster_registered_before_the_setting_is_not_contacted() {
    let dir = tempfile::tempdir().unwrap();
    let internal = internal_service().await;
    let s = Server::start_env(dir.path(), &[], &[no_scheduler()]);
    let admin = setup_admin(&s).await;
    // Without the setting, as before: registered, and checks reach it.
    let id = create_cluster_at(&s, &admin, "internal", &internal.url).await;
    let before = run(&s, &admin, id).await;
    assert!(
        before
            .values()
            .any(|r| r["evidence"].as_str().unwrap().contains("payroll")),
        "without cluster_hosts the service is read: {before:?}"
    );
    s.stop();

    let s = Server::start_env(
        dir.path(),
        &[],
        &[("SHIPSHAPE_CLUSTER_HOSTS", ELSEWHERE), no_scheduler()],
    );
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let sent_before = internal.connections.load(Ordering::SeqCst);
    let results = run(&s, &admin, id).await;
    assert_eq!(results.len(), CHECKED_ITEMS);
    for (item, r) in &results {
        assert_eq!(r["status"], "error", "{item}: {r}");
        let reason = r["reason"].as_str().unwrap();
        assert!(
            reason.contains("outside cluster_hosts") && reason.contains("nothing was sent"),
            "{item}: {reason}"
        );
        assert!(!r["evidence"].as_str().unwrap().contains("payroll"), "{r}");
    }
    assert_eq!(
        internal.connections.load(Ordering::SeqCst),
        sent_before,
        "nothing was sent to the service"
    );
    // What every role reads: the error, not the service's answer.
    let latest: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checks"))).await;
    assert_eq!(latest.len(), CHECKED_ITEMS);
    let text = serde_json::to_string(&latest).unwrap();
    assert!(!text.contains("payroll"), "{text}");
}

#[tokio::test]
async fn a_network_allowing_loopback_lets_the_simulator_work_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let s = start_configured(
        dir.path(),
        "cluster_hosts = [\"127.0.0.0/8\", \"::1\"]\ncheck_interval_secs = 0",
        &[],
    );
    let admin = setup_admin(&s).await;
    // By address, over HTTPS with a password.
    let id = secure_cluster(&s, &admin, dir.path(), "healthy", "healthy.toml", json!({})).await;
    let results = run(&s, &admin, id).await;
    assert_eq!(results.len(), CHECKED_ITEMS);
    for (item, r) in &results {
        assert_eq!(r["status"], "pass", "{item}: {r}");
    }
    // By name: localhost is resolved once, checked and connected to as
    // checked (the per-worker check's workers included).
    let plain = sim("healthy.toml", "").await;
    let by_name = plain.replace("127.0.0.1", "localhost");
    let id = create_cluster_at(&s, &admin, "by-name", &by_name).await;
    let results = run(&s, &admin, id).await;
    for (item, r) in &results {
        assert!(
            !r["reason"].as_str().unwrap().contains("cluster_hosts"),
            "{item}: {r}"
        );
    }
    assert_eq!(results["spill"]["status"], "pass", "{:?}", results["spill"]);
    // The workers (named by the coordinator as localhost too) were asked.
    let workers = &results["workers-active"];
    assert_eq!(workers["status"], "pass", "{workers}");
    assert!(
        workers["evidence"].as_str().unwrap().contains("ACTIVE"),
        "{workers}"
    );
}
