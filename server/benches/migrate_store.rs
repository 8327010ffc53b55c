//! Benchmark: `migrate-store` of a large SQLite install (100,000 ledger
//! rows; `MIGRATE_BENCH_ROWS` changes it) into an empty PostgreSQL
//! database, through the same service the command calls. Prints the time
//! and the process's peak RSS before and after. Needs `BENCH_POSTGRES_URL`:
//! `scripts/bench.sh --postgres` starts a durable throwaway PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use shipshape_backend::config::Config;
use shipshape_backend::service::migrate_store::{migrate, Request};
use shipshape_domain::ledger::EntryContent;
use std::time::Instant;

mod support;

#[tokio::main]
async fn main() {
    let Some(target) = support::fresh_postgres_database() else {
        println!(
            "migrate_store: skipped (needs BENCH_POSTGRES_URL; run scripts/bench.sh --postgres)"
        );
        return;
    };
    let rows: i64 = std::env::var("MIGRATE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let old = tmp.path().join("sqlite-data");
    let (state, _admin, ids) = support::install_on(&old, None, 8, |_| "prod").await;
    let items: Vec<String> = state.runbook.items().map(|(_, i)| i.id.clone()).collect();
    let now = chrono::Utc::now();
    let t = Instant::now();
    support::seed_rows(&state, rows, |i| {
        let k = i as usize;
        EntryContent {
            seq: Default::default(),
            at: (now - chrono::Duration::seconds(rows - i)).into(),
            actor: format!("sre{}", k % 7),
            cluster_id: ids[k % ids.len()].into(),
            item_id: items[(k / ids.len()) % items.len()].clone().into(),
            action: ["done", "revoked", "not_applicable"][k % 3].to_string(),
            note: "routine, \"quoted\" note".into(),
            details: String::new(),
            prev_hash: String::new(),
        }
    })
    .await;
    state.db.close().await;
    println!("seeded {rows} ledger rows in {:.1?}", t.elapsed());

    let config = Config {
        data_dir: tmp.path().join("pg-data"),
        ..Config::default()
    };
    let request = Request {
        from: format!("sqlite:{}", old.join("shipshape.db").display()),
        to: Some(target.expose().to_string()),
        from_data_dir: None,
    };
    let rss_before = support::peak_rss_kib();
    let t = Instant::now();
    let report = migrate(&request, &config).await.expect("migrate-store");
    println!(
        "migrate_store: {rows}+ ledger rows into PostgreSQL in {:.2?}; peak RSS {} MiB before, {} MiB after\n{report}",
        t.elapsed(),
        rss_before / 1024,
        support::peak_rss_kib() / 1024
    );
}
