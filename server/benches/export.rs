//! Benchmark: exporting 1,000,000 ledger rows as CSV (and JSON Lines)
//! through the real router: rows per second and the process's peak RSS,
//! which stays flat because rows are read a page at a time and streamed.
//! Run with `scripts/bench.sh` (or `cargo bench -p shipshape --bench export`).

use futures::StreamExt;
use shipshape_backend::repo;
use shipshape_domain::ledger::{EntryContent, GENESIS_HASH};
use shipshape_domain::time::format_ts;
use std::time::Instant;
use support::peak_rss_kib;

mod support;

const ROWS: i64 = 1_000_000;

#[tokio::main]
async fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (state, _admin, ids) = support::install(tmp.path(), 20, |_| "prod").await;
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

    let (addr, client) = support::serve_logged_in(&state).await;

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
