//! Benchmark: the fleet page and the checklist API on a large install
//! (50 clusters × every runbook item × 100,000 ledger rows), against a bare
//! axum handler on the same runtime. Prints p50/p99 per endpoint and the
//! ratio to the bare handler. Run with `scripts/bench.sh` (or
//! `cargo bench -p shipshape --bench fleet`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use shipshape_backend::AppState;
use shipshape_domain::ledger::EntryContent;
use std::time::{Duration, Instant};

mod support;

/// Defaults; `SHIPSHAPE_BENCH_CLUSTERS` and `SHIPSHAPE_BENCH_ROWS` change them.
const CLUSTERS: usize = 50;
const LEDGER_ROWS: i64 = 100_000;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
const WARMUP: usize = 20;
const SAMPLES: usize = 300;

#[tokio::main]
async fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().to_path_buf();
    // SHIPSHAPE_BENCH_KEEP=1 keeps the seeded database for inspection.
    if std::env::var_os("SHIPSHAPE_BENCH_KEEP").is_some() {
        println!("keeping the database in {}", tmp.keep().display());
    }
    let clusters = env_or("SHIPSHAPE_BENCH_CLUSTERS", CLUSTERS);
    let rows = env_or("SHIPSHAPE_BENCH_ROWS", LEDGER_ROWS);
    let (state, admin, ids) = support::install(&data_dir, clusters, |n| {
        if n % 3 == 0 {
            "staging"
        } else {
            "prod"
        }
    })
    .await;
    let t = Instant::now();
    seed_ledger(&state, &ids, rows).await;
    println!(
        "seeded {clusters} clusters, {} items each, {rows} ledger rows in {:.1?}",
        state.runbook.item_count(),
        t.elapsed()
    );

    // The service calls alone, without HTTP or rendering.
    let (st, me, q) = (&state, &admin, &Default::default());
    use shipshape_backend::service::{day2, fleet};
    let t = timed(50, || async move { fleet::fleet(st, me, q).await.unwrap() }).await;
    report("fleet service call (no HTTP)", &t, None);
    let t = timed(50, || async move {
        shipshape_backend::ledger::all_states(&mut st.db.read().await.unwrap())
            .await
            .unwrap()
    })
    .await;
    report("  of which the read model (every item state)", &t, None);
    let t = timed(20, || async move { day2::all_tasks(st, me).await.unwrap() }).await;
    report("  of which the Day-2 tasks (overdue counts)", &t, None);
    let t = timed(10, || async move {
        fleet::readiness_trend(st, me, None, q).await.unwrap()
    })
    .await;
    report("fleet 90-day trend (replays the ledger)", &t, None);

    let (addr, client) = support::serve_logged_in(&state).await;
    let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_addr = bare_listener.local_addr().unwrap();
    let bare = axum::Router::new().route("/bare", axum::routing::get(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(bare_listener, bare).await });

    let bare_stats = measure(&client, &format!("http://{bare_addr}/bare"), false).await;
    report("bare axum handler", &bare_stats, None);
    let cases = [
        ("fleet page (SSR HTML)", format!("http://{addr}/"), true),
        (
            "fleet API GET /api/v1/fleet",
            format!("http://{addr}/api/v1/fleet"),
            false,
        ),
        (
            "fleet trend GET /api/v1/fleet/trend (90 days)",
            format!("http://{addr}/api/v1/fleet/trend"),
            false,
        ),
        (
            "Day-2 page /day2 (SSR HTML)",
            format!("http://{addr}/day2"),
            true,
        ),
        (
            "Day-2 API GET /api/v1/tasks",
            format!("http://{addr}/api/v1/tasks"),
            false,
        ),
        (
            "checklist API GET /clusters/{id}/checklist",
            format!("http://{addr}/api/v1/clusters/{}/checklist", ids[7]),
            false,
        ),
        (
            "cluster page (SSR HTML checklist)",
            format!("http://{addr}/clusters/{}", ids[7]),
            true,
        ),
    ];
    for (name, url, html) in cases {
        let s = measure(&client, &url, html).await;
        report(name, &s, Some(&bare_stats));
    }
    println!(
        "peak RSS of the bench process (server + client): {} KiB",
        support::peak_rss_kib()
    );

    // Eight people opening the home page at once, for a few seconds.
    let home = format!("http://{addr}/");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, home) = (client.clone(), home.clone());
        tasks.push(tokio::spawn(async move {
            let mut pages = 0u64;
            while started.elapsed() < Duration::from_secs(5) {
                let r = client.get(&home).send().await.unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap();
                pages += 1;
            }
            pages
        }));
    }
    let mut pages = 0;
    for t in tasks {
        pages += t.await.unwrap();
    }
    println!(
        "8 concurrent clients on the home page: {:.0} pages/s; peak RSS now {} KiB",
        pages as f64 / started.elapsed().as_secs_f64(),
        support::peak_rss_kib()
    );
}

/// Writes the ledger rows through the real repository in one transaction,
/// chained exactly as the service chains them.
async fn seed_ledger(state: &AppState, ids: &[i64], rows: i64) {
    let items: Vec<String> = state.runbook.items().map(|(_, i)| i.id.clone()).collect();
    let actions = ["done", "revoked", "done", "not_applicable", "done"];
    let now = chrono::Utc::now();
    support::seed_rows(state, rows, |i| {
        let n = i as usize;
        EntryContent {
            seq: shipshape_domain::ids::Seq::new(0),
            at: (now - chrono::Duration::seconds(rows - i)).into(),
            actor: format!("sre{}", n % 7),
            cluster_id: ids[n % ids.len()].into(),
            item_id: items[(n / ids.len()) % items.len()].clone().into(),
            action: actions[n % actions.len()].to_string(),
            note: if n % actions.len() == 3 {
                "not used here".into()
            } else {
                String::new()
            },
            details: String::new(),
            prev_hash: String::new(),
        }
    })
    .await;
}

async fn measure(client: &reqwest::Client, url: &str, html: bool) -> Vec<Duration> {
    let get = || {
        let mut r = client.get(url);
        if html {
            r = r.header("accept", "text/html");
        }
        r
    };
    for _ in 0..WARMUP {
        let r = get().send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.unwrap();
    }
    let mut out = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        let r = get().send().await.unwrap();
        r.bytes().await.unwrap();
        out.push(t.elapsed());
    }
    out.sort();
    out
}

fn pct(s: &[Duration], p: f64) -> Duration {
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, s: &[Duration], bare: Option<&[Duration]>) {
    let p50 = pct(s, 0.50);
    let p99 = pct(s, 0.99);
    match bare {
        None => println!("{name:45} p50 {p50:>10.2?}  p99 {p99:>10.2?}"),
        Some(b) => println!(
            "{name:45} p50 {p50:>10.2?}  p99 {p99:>10.2?}  ({:.0}x / {:.0}x bare)",
            p50.as_secs_f64() / pct(b, 0.5).as_secs_f64(),
            p99.as_secs_f64() / pct(b, 0.99).as_secs_f64()
        ),
    }
}

/// Runs `call` `n` times; the durations, sorted.
async fn timed<F, Fut, T>(n: usize, mut call: F) -> Vec<std::time::Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        call().await;
        out.push(t.elapsed());
    }
    out.sort();
    out
}
