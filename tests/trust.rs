//! Evidence that cannot be forged, through the real server: cluster changes
//! are ledger rows and reset live verdicts; secrets go only where the
//! server's config binds them; a coordinator cannot steer checks to another
//! server (nextUri, worker URIs) or flood the server's memory; CA files come
//! only from the admin's `ca_dir`; only admins change a secret-using
//! cluster's connection. A capture listener on loopback proves that nothing
//! is sent where it must not be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::sims::*;
use support::*;

/// A loopback listener that counts the connections it is offered and
/// answers each with a tiny JSON 200.
struct Capture {
    url: String,
    connections: Arc<AtomicUsize>,
}

async fn capture() -> Capture {
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
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\n\r\n\"ACTIVE\"")
                    .await;
            });
        }
    });
    Capture { url, connections }
}

async fn register(s: &Server, c: &reqwest::Client, body: Value) -> reqwest::Response {
    c.post(s.url("/api/v1/clusters"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_edit_is_history_and_a_new_target_resets_the_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let first = sim("healthy.toml", "").await;
    let second = sim("healthy.toml", "").await;
    let id = create_cluster_at(&s, &admin, "edited", &first).await;
    run(&s, &admin, id).await;
    let item = |c: &Value| c["sections"][0]["items"][1].clone();
    let before: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert_eq!(item(&before)["check"]["status"], "pass");

    // Notes only: history, but verdicts stay.
    let r = admin
        .put(s.url(&format!("/api/v1/clusters/{id}")))
        .json(&json!({"name": "edited", "environment": "prod", "coordinator_url": first, "notes": "owned by data-platform"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let c: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert_eq!(item(&c)["check"]["status"], "pass");

    // A new coordinator URL: each field before → after, verdicts reset.
    let r = admin
        .put(s.url(&format!("/api/v1/clusters/{id}")))
        .json(&json!({"name": "edited", "environment": "prod", "coordinator_url": second, "notes": "owned by data-platform"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cluster: Value = r.json().await.unwrap();
    assert!(cluster["checks_reset_reason"]
        .as_str()
        .unwrap()
        .starts_with("coordinator_url changed"));
    let changes: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/changes"))).await;
    let actions: Vec<&str> = changes
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["cluster_changed", "cluster_changed", "cluster_registered"]
    );
    assert_eq!(changes[0]["actor"], "admin");
    let details: Value = serde_json::from_str(changes[0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(
        details["changes"],
        json!([{"field": "coordinator_url", "before": first, "after": second}])
    );
    assert_eq!(details["resets_verdicts"], true);
    let c: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert_eq!(item(&c)["check"], Value::Null, "old results do not count");
    assert_eq!(item(&c)["verdict"], Value::Null);
    // The page says why.
    let html = admin
        .get(s.url(&format!("/clusters/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Live checks were reset"), "no reset notice");
    // Archive and restore are history too, and everything verifies.
    for path in ["archive", "restore"] {
        let r = admin
            .post(s.url(&format!("/api/v1/clusters/{id}/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let changes: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/changes"))).await;
    assert_eq!(changes[0]["action"], "cluster_restored");
    assert_eq!(changes[1]["action"], "cluster_archived");
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(v["ok"], true, "{v}");
}

#[tokio::test]
async fn secrets_go_only_where_the_config_binds_them() {
    let dir = tempfile::tempdir().unwrap();
    let cap = capture().await;
    let port = cap.url.rsplit(':').next().unwrap().to_string();
    let s = start_configured(dir.path(), "", &[("TRINO_SECRET_UNBOUND", "hunter2")]);
    let admin = setup_admin(&s).await;
    let conn = |secret: &str| json!({"auth": "basic", "auth_user": "svc", "secret_env": secret});
    // A secret without a binding: a field error, nothing saved.
    let r = register(
        &s,
        &admin,
        json!({"name": "x", "environment": "prod", "coordinator_url": format!("https://127.0.0.1:{port}"), "connection": conn("TRINO_SECRET_UNBOUND")}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"]["connection.secret_env"]
            .as_str()
            .unwrap()
            .contains("has no binding"),
        "{body}"
    );
    // A bound secret, but the URL is outside its hosts.
    let r = register(
        &s,
        &admin,
        json!({"name": "x", "environment": "prod", "coordinator_url": format!("https://evil.example.com:{port}"), "connection": conn("TRINO_SECRET_SIM")}),
    )
    .await;
    assert_eq!(r.status(), 422);
    // Bound and inside: saved. Then the admin narrows the binding; the next
    // run sends nothing and every verdict is an error naming the binding.
    let r = register(
        &s,
        &admin,
        json!({"name": "bound", "environment": "prod", "coordinator_url": format!("https://127.0.0.1:{port}"), "connection": conn("TRINO_SECRET_SIM")}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    drop(s);
    let config = sim_config(dir.path(), "");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "hosts = [\"127.0.0.1\", \"localhost\"]",
        "hosts = [\"trino.prod.example.com:8443\"]",
        1,
    );
    std::fs::write(&config, text).unwrap();
    let s = Server::start_env(dir.path(), &["--config", path_str(&config)], &[SECRET]);
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let results = run(&s, &admin, id).await;
    for (item, r) in &results {
        assert_eq!(r["status"], "error", "{item}: {r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("bound to trino.prod.example.com:8443"),
            "{item}: {r}"
        );
    }
    assert_eq!(
        cap.connections.load(Ordering::SeqCst),
        0,
        "nothing was sent"
    );
}

#[tokio::test]
async fn only_admins_change_the_connection_of_a_cluster_that_uses_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let sre = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let body = |url: &str, notes: &str| {
        json!({"name": "guarded", "environment": "prod", "coordinator_url": url, "notes": notes,
               "connection": {"auth": "basic", "auth_user": "svc", "secret_env": "TRINO_SECRET_SIM"}})
    };
    // An SRE cannot register a new cluster that sends the same secret
    // somewhere else either.
    let mut elsewhere = body("https://localhost:8443", "");
    elsewhere["name"] = json!("copycat");
    let r = register(&s, &sre, elsewhere).await;
    assert_eq!(
        r.status(),
        403,
        "an SRE cannot reuse a secret on a new cluster"
    );
    let r = register(&s, &admin, body("https://127.0.0.1:8443", "")).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let put = |c: &reqwest::Client, b: Value| {
        c.put(s.url(&format!("/api/v1/clusters/{id}")))
            .json(&b)
            .send()
    };
    let r = put(&sre, body("https://localhost:8443", "")).await.unwrap();
    assert_eq!(r.status(), 403, "an SRE cannot point a secret elsewhere");
    let r = put(&sre, body("https://127.0.0.1:8443", "notes are fine"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = put(&admin, body("https://localhost:8443", "notes are fine"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_coordinator_cannot_steer_checks_to_another_server() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let cap = capture().await;
    // nextUri on another port: a protocol violation, nothing sent there.
    let mut steering = scenario("healthy.toml", "").plain();
    steering.next_uri_base = Some(cap.url.clone());
    let url = trino_sim::serve_on_loopback(steering).await.unwrap();
    let id = create_cluster_at(&s, &admin, "steering", &url).await;
    let r = run(&s, &admin, id).await;
    assert_eq!(r["spill"]["status"], "error");
    assert!(
        r["spill"]["reason"]
            .as_str()
            .unwrap()
            .contains("leaves the coordinator"),
        "{}",
        r["spill"]
    );
    assert_eq!(
        cap.connections.load(Ordering::SeqCst),
        0,
        "no request followed the nextUri"
    );

    // Worker URIs outside the cluster's worker hosts are not fetched.
    let mut elsewhere = scenario("healthy.toml", "").plain();
    for q in elsewhere.query.iter_mut() {
        if q.sql
            .contains("http_uri FROM system.runtime.nodes WHERE NOT coordinator")
        {
            for row in q.rows.iter_mut() {
                row[1] = toml::Value::String(cap.url.clone());
            }
        }
    }
    let url = trino_sim::serve_on_loopback(elsewhere).await.unwrap();
    let r = register(
        &s,
        &admin,
        json!({"name": "workers", "environment": "prod", "coordinator_url": url,
               "connection": {"worker_hosts": "*.workers.example.com"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = run(&s, &admin, id).await;
    let w = &r["workers-active"];
    assert_eq!(w["status"], "fail", "{w}");
    assert!(
        w["reason"]
            .as_str()
            .unwrap()
            .contains("not among the cluster's worker hosts"),
        "{w}"
    );
    assert_eq!(
        cap.connections.load(Ordering::SeqCst),
        0,
        "no worker URI was fetched"
    );
}

#[tokio::test]
async fn a_never_ending_body_is_cut_off_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let mut endless = scenario("healthy.toml", "").plain();
    endless.fault = trino_sim::scenario::Fault::EndlessBody;
    let url = trino_sim::serve_on_loopback(endless).await.unwrap();
    let id = create_cluster_at(&s, &admin, "endless", &url).await;
    let before = s.peak_rss_bytes().expect("VmHWM");
    println!("server peak RSS before the run: {} MB", before / 1_000_000);
    let started = Instant::now();
    let r = run(&s, &admin, id).await;
    assert!(started.elapsed() < Duration::from_secs(60));
    // Each statement is cut off at the cap, or refused at once when other
    // large answers already use the shared budget.
    for (item, v) in &r {
        let reason = v["reason"].as_str().unwrap();
        if v["status"] == "error" && reason.contains("bytes") {
            assert!(
                reason.contains("larger than 16777216 bytes"),
                "{item}: {reason}"
            );
        }
    }
    assert_eq!(r["spill"]["status"], "error");
    assert!(
        ["larger than", "too many large responses"]
            .iter()
            .any(|m| r["spill"]["reason"].as_str().unwrap().contains(m)),
        "{}",
        r["spill"]
    );
    let peak = s.peak_rss_bytes().expect("VmHWM");
    println!(
        "server peak RSS after an endless body: {} MB",
        peak / 1_000_000
    );
    // The cut-off bodies cost at most the shared budget (one 16 MiB cap),
    // on top of what setting up and logging in took (argon2 hashing).
    assert!(peak < 100_000_000, "peak RSS {peak} bytes");
    assert!(
        peak - before < 40_000_000,
        "the run added {} bytes",
        peak - before
    );
}

#[tokio::test]
async fn ca_files_come_only_from_the_ca_dir() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let outside = tempfile::tempdir().unwrap();
    let existing = outside.path().join("ca.pem");
    std::fs::write(&existing, "not really a CA").unwrap();
    let with_ca = |name: &str, ca: &str| {
        json!({"name": name, "environment": "prod", "coordinator_url": "https://127.0.0.1:8443",
               "connection": {"ca_file": ca}})
    };
    let mut messages = Vec::new();
    for ca in [
        existing.to_str().unwrap(),
        outside.path().join("missing.pem").to_str().unwrap(),
        "/dev/zero",
    ] {
        let r = register(&s, &admin, with_ca("ca", ca)).await;
        assert_eq!(r.status(), 422, "{ca}");
        let body: Value = r.json().await.unwrap();
        messages.push(
            body["fields"]["connection.ca_file"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert!(
        messages[0].contains("under the server's ca_dir"),
        "{}",
        messages[0]
    );
    assert!(
        messages.iter().all(|m| m == &messages[0]),
        "the same words whether or not a path outside exists: {messages:?}"
    );
    // A CA file inside ca_dir is accepted; replaced by a FIFO afterwards, the
    // run refuses it at once instead of stalling.
    let inside = dir.path().join("cluster-ca.pem");
    std::fs::write(&inside, "placeholder").unwrap();
    let r = register(&s, &admin, with_ca("fifo", inside.to_str().unwrap())).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    std::fs::remove_file(&inside).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&inside)
        .status()
        .unwrap();
    assert!(made.success());
    let started = Instant::now();
    let r = run(&s, &admin, id).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the FIFO stalled the run"
    );
    assert_eq!(r["spill"]["status"], "error");
    assert!(
        r["spill"]["reason"].as_str().unwrap().contains("ca_dir"),
        "{}",
        r["spill"]
    );
}

#[tokio::test]
async fn a_form_post_without_a_known_status_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "forms").await;
    for status in [None, Some("finished")] {
        let mut form = reqwest::multipart::Form::new().text("note", "looks fine");
        if let Some(st) = status {
            form = form.text("status", st);
        }
        let r = admin
            .post(s.url(&format!("/clusters/{id}/items/spill/signoff")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{status:?}");
    }
    let history: Vec<Value> = get_json(
        &admin,
        s.url(&format!("/api/v1/clusters/{id}/items/spill/history")),
    )
    .await;
    assert!(history.is_empty(), "nothing was recorded: {history:?}");
}
