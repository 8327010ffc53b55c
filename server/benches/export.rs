//! Benchmark: exporting 1,000,000 ledger rows as CSV (and JSON Lines)
//! through the real router: rows per second and the process's peak RSS,
//! which stays flat because rows are read a page at a time and streamed.
//! Run with `scripts/bench.sh` (or `cargo bench -p shipshape --bench export`).

use futures::StreamExt;
use shipshape_backend::config::Config;
use shipshape_backend::service::{auth, clusters};
use shipshape_backend::{repo, AppState};
use shipshape_domain::cluster::ClusterInput;
use shipshape_domain::ledger::{EntryContent, GENESIS_HASH};
use shipshape_domain::time::format_ts;
use shipshape_server::router;
use std::time::Instant;

const ROWS: i64 = 1_000_000;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: tmp.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        check_interval_secs: 0,
        ..Config::default()
    };
    let state = AppState::open(config).await.expect("open");
    let admin = auth::setup_first_admin(&state, "bench", "bench-password".to_string().into())
        .await
        .expect("admin");
    let mut ids = Vec::new();
    for n in 0..20 {
        let input = ClusterInput {
            name: format!("cluster-{n:02}"),
            environment: "prod".into(),
            coordinator_url: format!("https://trino-{n}.example.com:8443"),
            notes: String::new(),
            connection: Default::default(),
        };
        ids.push(
            clusters::create(&state, &admin, &input)
                .await
                .expect("cluster")
                .id,
        );
    }
    let items: Vec<String> = state.runbook.items().map(|(_, i)| i.id.clone()).collect();
    let t = Instant::now();
    let mut tx = state.pool.begin().await.unwrap();
    let mut prev = GENESIS_HASH.to_string();
    let now = chrono::Utc::now();
    for seq in 1..=ROWS {
        let n = seq as usize;
        let entry = EntryContent {
            seq,
            at: format_ts(now - chrono::Duration::seconds(ROWS - seq)),
            actor: format!("sre{}", n % 7),
            cluster_id: ids[n % ids.len()],
            item_id: items[(n / ids.len()) % items.len()].clone(),
            action: ["done", "revoked", "not_applicable"][n % 3].to_string(),
            note: "routine, \"quoted\" note".into(),
            details: String::new(),
            prev_hash: prev,
        }
        .seal();
        prev = entry.hash.clone();
        repo::ledger::insert(&mut tx, &entry).await.unwrap();
    }
    tx.commit().await.unwrap();
    println!("seeded {ROWS} ledger rows in {:.1?}", t.elapsed());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router::build(state.clone(), addr).await.expect("router");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("http://{addr}/api/v1/session"))
        .json(&serde_json::json!({"username": "bench", "password": "bench-password"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    for format in ["csv", "jsonl"] {
        let before = peak_rss_kib();
        let t = Instant::now();
        let mut body = client
            .get(format!("http://{addr}/api/v1/export/signoffs.{format}"))
            .send()
            .await
            .unwrap()
            .bytes_stream();
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.unwrap();
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let took = t.elapsed();
        println!(
            "export {format}: {lines} lines, {:.0} MiB in {took:.2?} = {:.0} rows/s; peak RSS {before} KiB before, {} KiB after",
            bytes as f64 / (1024.0 * 1024.0),
            ROWS as f64 / took.as_secs_f64(),
            peak_rss_kib()
        );
    }
}
