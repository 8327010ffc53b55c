//! The simulator's protocol, seen from a plain HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::Value;

async fn post(base: &str, user: &str, sql: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/v1/statement"))
        .header("X-Trino-User", user)
        .header("X-Trino-Source", "test")
        .body(sql.to_string())
        .send()
        .await
        .unwrap()
}

/// Follows nextUri to the end; returns (pages, columns seen, rows).
async fn drain(first: Value) -> (usize, Vec<Value>, Vec<Value>) {
    let c = reqwest::Client::new();
    let (mut page, mut pages, mut columns, mut rows) = (first, 1, Vec::new(), Vec::new());
    loop {
        for key in ["id", "infoUri", "stats"] {
            assert!(page.get(key).is_some(), "every page has {key}: {page}");
        }
        if let Some(cols) = page["columns"].as_array() {
            columns = cols.clone();
        }
        if let Some(data) = page["data"].as_array() {
            assert!(!columns.is_empty(), "columns come with or before data");
            rows.extend(data.iter().cloned());
        }
        let Some(next) = page["nextUri"].as_str() else {
            break;
        };
        assert!(next.starts_with("http://"), "absolute nextUri: {next}");
        page = c
            .get(next)
            .header("X-Trino-User", "alice")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
    }
    assert_eq!(page["stats"]["state"], "FINISHED");
    (pages, columns, rows)
}

#[tokio::test]
async fn rows_arrive_over_several_pages() {
    let sim = support::start(&support::scenario_path("healthy.toml"));
    let first: Value = post(
        &sim.base,
        "alice",
        "select node_id, http_uri, node_version, coordinator, state from system.runtime.nodes;",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(first["stats"]["state"], "QUEUED");
    let (pages, columns, rows) = drain(first).await;
    assert_eq!(rows.len(), 4);
    assert!(pages >= 4, "rows are spread over pages ({pages})");
    assert_eq!(columns[0]["typeSignature"]["rawType"], "varchar");
    assert_eq!(rows[0][3], true);
}

#[tokio::test]
async fn errors_are_failed_pages_with_error_type() {
    let sim = support::start(&support::scenario_path("healthy.toml"));
    for (user, sql, name) in [
        ("alice", "SELECT * FROM hr.salaries", "PERMISSION_DENIED"),
        (
            "nobody",
            "SHOW SESSION LIKE 'spill_enabled'",
            "PERMISSION_DENIED",
        ),
        ("alice", "SELECT 42", "SYNTAX_ERROR"),
    ] {
        let first: Value = post(&sim.base, user, sql).await.json().await.unwrap();
        let next = first["nextUri"].as_str().unwrap().to_string();
        let page: Value = reqwest::get(next).await.unwrap().json().await.unwrap();
        assert_eq!(page["stats"]["state"], "FAILED");
        assert_eq!(page["error"]["errorName"], name);
        assert_eq!(page["error"]["errorType"], "USER_ERROR");
        assert!(page.get("nextUri").is_none());
    }
}

#[tokio::test]
async fn cancel_answers_204_and_info_endpoints_work() {
    let sim = support::start(&support::scenario_path("healthy.toml"));
    let first: Value = post(&sim.base, "alice", "SHOW SESSION LIKE 'spill_enabled'")
        .await
        .json()
        .await
        .unwrap();
    let next = first["nextUri"].as_str().unwrap();
    let c = reqwest::Client::new();
    assert_eq!(c.delete(next).send().await.unwrap().status(), 204);
    assert_eq!(c.get(next).send().await.unwrap().status(), 404);
    let info: Value = reqwest::get(format!("{}/v1/info", sim.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["nodeVersion"]["version"], "483");
    let state: Value = reqwest::get(format!("{}/v1/info/state", sim.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state, "ACTIVE");
    let m = reqwest::get(format!("{}/metrics", sim.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("trino_execution_name_QueryManager_RunningQueries 3.0"));
    assert!(m.ends_with("# EOF\n"));
    assert_eq!(
        post(&sim.base, "", "SELECT 1").await.status(),
        400,
        "a user is required"
    );
}

#[tokio::test]
async fn faults_behave_as_named() {
    let sql = "SHOW SESSION LIKE 'spill_enabled'";
    let s = support::start_with("fault = \"http503_then_ok\"");
    assert_eq!(post(&s.base, "alice", sql).await.status(), 503);
    assert_eq!(post(&s.base, "alice", sql).await.status(), 200);

    let s = support::start_with("fault = \"http429\"");
    let r = post(&s.base, "alice", sql).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");

    let s = support::start_with("fault = \"http500\"");
    assert_eq!(post(&s.base, "alice", sql).await.status(), 500);

    let s = support::start_with("fault = \"malformed_json\"");
    assert!(post(&s.base, "alice", sql)
        .await
        .json::<Value>()
        .await
        .is_err());

    let s = support::start_with("fault = \"relative_next_uri\"");
    let v: Value = post(&s.base, "alice", sql).await.json().await.unwrap();
    assert!(v["nextUri"].as_str().unwrap().starts_with("/v1/statement/"));

    let s = support::start_with("fault = \"require_credentials\"");
    let r = post(&s.base, "alice", sql).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));

    let s = support::start_with("fault = \"hang\"");
    let r = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(500))
        .build()
        .unwrap()
        .post(format!("{}/v1/statement", s.base))
        .header("X-Trino-User", "alice")
        .body(sql)
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
}

#[tokio::test]
async fn https_needs_the_ca_and_a_password() {
    let sim = support::start_secure(&support::scenario_path("healthy.toml"));
    assert!(sim.base.starts_with("https://"));
    let pem = std::fs::read(sim.ca.as_ref().unwrap()).unwrap();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let statement = |auth: Option<&str>| {
        let mut r = trusting
            .post(format!("{}/v1/statement", sim.base))
            .header("X-Trino-User", "shipshape")
            .body("SHOW SESSION LIKE 'spill_enabled'");
        if let Some(pw) = auth {
            r = r.basic_auth("shipshape", Some(pw));
        }
        r.send()
    };
    let r = statement(None).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Basic realm=\"Trino\"");
    assert_eq!(statement(Some("nope")).await.unwrap().status(), 401);
    let v: Value = statement(Some("shipshape-sim-password"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["nextUri"].as_str().unwrap().starts_with("https://"));
    // Without the CA, the certificate is not trusted.
    assert!(reqwest::get(format!("{}/v1/info", sim.base)).await.is_err());
    // /ui/api/stats needs credentials too and reports the workers.
    let stats: Value = trusting
        .get(format!("{}/ui/api/stats", sim.base))
        .basic_auth("shipshape", Some("shipshape-sim-password"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["activeWorkers"], 3);
}
