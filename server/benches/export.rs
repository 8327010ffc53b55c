//! Benchmarks of the ledger:
//!
//! - sign-off throughput: 8 concurrent writers (and 1) appending sign-offs
//!   through the real service on a file-backed database, in sign-offs per
//!   second with latency percentiles; every append is a `BEGIN IMMEDIATE`
//!   transaction whose commit is as durable as `db.rs` makes it;
//! - exporting 1,000,000 ledger rows as CSV (and JSON Lines) through the real
//!   router: rows per second and the process's peak RSS, which stays flat
//!   because rows are read a page at a time and streamed.
//!
//! Run with `scripts/bench.sh` (or `cargo bench -p shipshape --bench export`;
//! `cargo bench -p shipshape --bench export -- signoffs` runs the first only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use futures::StreamExt;
use shipshape_backend::service::signoffs;
use shipshape_domain::ledger::EntryContent;
use shipshape_domain::signoff::SignoffAction;
use std::time::{Duration, Instant};
use support::peak_rss_kib;

mod support;

const ROWS: i64 = 1_000_000;
/// Sign-offs each writer appends in the throughput benchmark.
const SIGNOFFS_PER_WRITER: usize = 250;

#[tokio::main]
async fn main() {
    for writers in [8, 1] {
        signoff_throughput(writers).await;
    }
    if std::env::args().any(|a| a == "signoffs") {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (state, _admin, ids) = support::install(tmp.path(), 20, |_| "prod").await;
    let items: Vec<String> = state.runbook.items().map(|(_, i)| i.id.clone()).collect();
    let t = Instant::now();
    let now = chrono::Utc::now();
    support::seed_rows(&state, ROWS, |i| {
        let n = i as usize;
        EntryContent {
            seq: Default::default(),
            at: (now - chrono::Duration::seconds(ROWS - i)).into(),
            actor: format!("sre{}", n % 7),
            cluster_id: ids[n % ids.len()].into(),
            item_id: items[(n / ids.len()) % items.len()].clone().into(),
            action: ["done", "revoked", "not_applicable"][n % 3].to_string(),
            note: "routine, \"quoted\" note".into(),
            details: String::new(),
            prev_hash: String::new(),
        }
    })
    .await;
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

/// `writers` tasks each sign one item of its own cluster off and revoke it
/// again, [`SIGNOFFS_PER_WRITER`] times in all, all at once.
async fn signoff_throughput(writers: usize) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (state, admin, ids) = support::install(tmp.path(), writers, |_| "prod").await;
    let item = state
        .runbook
        .items()
        .find(|(_, i)| !i.is_recurring())
        .map(|(_, i)| i.id.clone())
        .expect("a checklist item");
    let t = Instant::now();
    let tasks: Vec<_> = ids
        .iter()
        .map(|&cluster| {
            let (state, admin, item) = (state.clone(), admin.clone(), item.clone());
            tokio::spawn(async move {
                let mut took = Vec::with_capacity(SIGNOFFS_PER_WRITER);
                for n in 0..SIGNOFFS_PER_WRITER {
                    let action = if n % 2 == 0 {
                        SignoffAction::Done
                    } else {
                        SignoffAction::Revoked
                    };
                    let t = Instant::now();
                    signoffs::sign(&state, &admin, cluster.into(), &item, action, "bench")
                        .await
                        .expect("sign-off");
                    took.push(t.elapsed());
                }
                took
            })
        })
        .collect();
    let mut took: Vec<Duration> = Vec::new();
    for task in tasks {
        took.extend(task.await.expect("writer"));
    }
    let elapsed = t.elapsed();
    took.sort();
    let pct = |p: f64| took[((took.len() - 1) as f64 * p) as usize];
    let total = took.len();
    println!(
        "sign-offs, {writers} concurrent writer(s): {total} in {elapsed:.2?} = {:.0} sign-offs/s; latency p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        total as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    let v = signoffs::verify_ledger(&state).await.expect("verify");
    assert!(v.ok, "the chain holds: {v:?}");
}
