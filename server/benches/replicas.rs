//! Benchmark: writers on two replicas of one PostgreSQL database, each
//! replica its own `AppState` (pool, write lock, leader campaign) and
//! router on its own port, in one process: 20 concurrent writers split
//! across 2 replicas × 40 sign-offs each (800 rows) through HTTP. Prints sign-offs per second and
//! whether the chain verifies. Needs `BENCH_POSTGRES_URL`:
//! `scripts/bench.sh --postgres` starts a durable throwaway PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use shipshape_backend::service::signoffs;
use shipshape_backend::AppState;
use std::time::Instant;

mod support;

const REPLICAS: usize = 2;
const WRITERS: usize = 10;
const SIGNOFFS: usize = 40;
const ITEMS: [&str; 5] = ["spill", "tls", "audit", "authentication", "authorization"];

#[tokio::main]
async fn main() {
    if std::env::var_os("BENCH_POSTGRES_URL").is_none() {
        println!("replicas: skipped (needs BENCH_POSTGRES_URL; run scripts/bench.sh --postgres)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (first, _admin, ids) = support::install(tmp.path(), 1, |_| "prod").await;
    let cluster = ids[0];
    let mut replicas = vec![first.clone()];
    for _ in 1..REPLICAS {
        let config = (*first.config).clone();
        replicas.push(AppState::open(config).await.expect("replica"));
    }
    let mut clients = Vec::new();
    for r in &replicas {
        clients.push(support::serve_logged_in(r).await);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (r, (addr, client)) in clients.iter().enumerate() {
        for w in 0..WRITERS {
            let (addr, client) = (*addr, client.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for n in 0..SIGNOFFS {
                    let item = ITEMS[(w + n) % ITEMS.len()];
                    let r = client
                        .post(format!(
                            "http://{addr}/api/v1/clusters/{cluster}/items/{item}/signoffs"
                        ))
                        .header("origin", format!("http://{addr}"))
                        .json(&serde_json::json!({"status": "done", "note": format!("r{r} w{w} n{n}")}))
                        .send()
                        .await;
                    ok += usize::from(r.is_ok_and(|r| r.status() == 201));
                }
                ok
            }));
        }
    }
    let mut landed = 0;
    for t in tasks {
        landed += t.await.expect("writer");
    }
    let took = started.elapsed();
    let v = signoffs::verify_ledger(&replicas[1]).await.expect("verify");
    println!(
        "replicas: {REPLICAS} replicas x {WRITERS} writers each x {SIGNOFFS} sign-offs: {landed} of {} landed in {:.2} s = {:.0} sign-offs/s; chain {} ({} rows)",
        REPLICAS * WRITERS * SIGNOFFS,
        took.as_secs_f64(),
        landed as f64 / took.as_secs_f64(),
        if v.ok { "verifies" } else { "BROKEN" },
        v.entries
    );
}
