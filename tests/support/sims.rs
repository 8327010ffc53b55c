//! Simulated Trino clusters for the live-check tests: scenarios as they ship
//! (HTTPS with a test CA and passwords) or plain, registered with the server,
//! and a helper that runs a cluster's checks.

use super::Server;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The password the simulated clusters accept, as the server's environment
/// holds it; clusters name the variable, never the value.
pub const SECRET: (&str, &str) = ("TRINO_SECRET_SIM", "shipshape-sim-password");
/// Every runbook item that has a check.
pub const CHECKED_ITEMS: usize = 18;

pub fn start(dir: &std::path::Path) -> Server {
    Server::start_env(
        dir,
        &[],
        &[SECRET, ("TRINO_SECRET_WRONG", "not-the-password")],
    )
}

pub fn scenario(file: &str, prefix: &str) -> trino_sim::scenario::Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/scenarios/");
    if prefix.is_empty() {
        // as it ships, with any `base` scenario it builds on
        return trino_sim::scenario::Scenario::load(std::path::Path::new(&format!("{path}{file}")))
            .unwrap();
    }
    let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
    trino_sim::scenario::Scenario::parse(file, &format!("{prefix}\n{text}")).unwrap()
}

/// Serves a scenario over plain HTTP without passwords (for protocol faults).
pub async fn sim(file: &str, prefix: &str) -> String {
    trino_sim::serve_on_loopback(scenario(file, prefix).plain())
        .await
        .unwrap()
}

/// Serves a scenario as it ships (HTTPS with a test CA, passwords) and
/// registers it with its CA file and the password from `TRINO_SECRET_SIM`.
pub async fn secure_cluster(
    s: &Server,
    c: &reqwest::Client,
    dir: &std::path::Path,
    name: &str,
    file: &str,
    connection: Value,
) -> i64 {
    let served = trino_sim::serve_loopback(scenario(file, "")).await.unwrap();
    let ca = dir.join(format!("{name}-ca.pem"));
    std::fs::write(&ca, served.ca_pem.unwrap()).unwrap();
    let mut conn = json!({
        "auth": "basic",
        "auth_user": "shipshape",
        "secret_env": SECRET.0,
        "ca_file": ca.to_str().unwrap(),
    });
    for (k, v) in connection.as_object().unwrap() {
        conn[k] = v.clone();
    }
    let r = c
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": name, "environment": "prod", "coordinator_url": served.url, "connection": conn}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub async fn run(s: &Server, c: &reqwest::Client, id: i64) -> HashMap<String, Value> {
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
