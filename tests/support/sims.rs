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
pub const CHECKED_ITEMS: usize = 20;

/// The server's config for tests with simulated clusters: the test secrets
/// bound to loopback, CA files trusted from `dir`, plus `extra` lines.
pub fn sim_config(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("shipshape-test.toml");
    let ca_dir = dir.to_str().expect("utf-8 temp path");
    std::fs::write(
        &path,
        format!(
            "ca_dir = {ca_dir:?}\n{extra}\n\
             [secrets.TRINO_SECRET_SIM]\nhosts = [\"127.0.0.1\", \"localhost\"]\n\
             [secrets.TRINO_SECRET_WRONG]\nhosts = [\"127.0.0.1\", \"localhost\"]\n\
             [secrets.TRINO_SECRET_MISSING]\nhosts = [\"127.0.0.1\"]\n\
             [secrets.TRINO_SECRET_INSECURE]\nhosts = [\"127.0.0.1\"]\nallow_insecure_tls = true\n"
        ),
    )
    .expect("write the test config");
    path
}

/// A server whose config binds the test secrets to loopback and trusts CA
/// files in `dir`; `extra` config lines and environment variables added.
pub fn start_configured(dir: &std::path::Path, extra: &str, env: &[(&str, &str)]) -> Server {
    let config = sim_config(dir, extra);
    let mut all_env = vec![
        SECRET,
        ("TRINO_SECRET_WRONG", "not-the-password"),
        ("TRINO_SECRET_INSECURE", SECRET.1),
    ];
    all_env.extend_from_slice(env);
    Server::start_env(
        dir,
        &["--config", config.to_str().expect("utf-8 temp path")],
        &all_env,
    )
}

pub fn start(dir: &std::path::Path) -> Server {
    start_configured(dir, "", &[])
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

/// A loopback TCP relay to one of two simulators: the cluster keeps one URL
/// while what answers behind it changes (send `true` to use `second`).
/// Open connections are cut when it flips, so pooled clients reconnect.
/// Switches a [`switchable`] address to the second server (`true`) or back,
/// then waits until the connections the relay drops have closed on the
/// client's side too, so the next request opens a new one (a pooled
/// connection caught mid-close would fail it with an error instead).
pub async fn switch_to(switch: &tokio::sync::watch::Sender<bool>, second: bool) {
    switch.send(second).expect("the relay is running");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

pub async fn switchable(first: &str, second: &str) -> (String, tokio::sync::watch::Sender<bool>) {
    let addr = |u: &str| {
        u.trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    };
    let (a, b) = (addr(first), addr(second));
    let (tx, rx) = tokio::sync::watch::channel(false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let mut rx = rx.clone();
            let target = if *rx.borrow_and_update() {
                b.clone()
            } else {
                a.clone()
            };
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.changed() => {}
                    }
                }
            });
        }
    });
    (url, tx)
}
