//! What the benchmarks share: a seeded install, the real router on a
//! loopback port with a logged-in client, and the process's peak RSS.
#![allow(dead_code)]

use shipshape_backend::config::{Config, Redacted};
use shipshape_backend::service::{auth, clusters};
use shipshape_backend::store::Store;
use shipshape_backend::AppState;
use shipshape_domain::cluster::ClusterInput;
use shipshape_domain::user::User;
use std::net::SocketAddr;
use std::path::Path;

pub const PASSWORD: &str = "bench-password";

/// Peak resident set size of this process so far, in KiB (Linux).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A fresh install in `data_dir` (scheduler off) with the admin `bench`
/// and `clusters` clusters named `cluster-00`…; `environment(n)` names each
/// one's environment.
pub async fn install(
    data_dir: &Path,
    clusters: usize,
    environment: impl Fn(usize) -> &'static str,
) -> (AppState, User, Vec<i64>) {
    install_on(data_dir, fresh_postgres_database(), clusters, environment).await
}

/// [`install`] on a database chosen by the caller (`None`: SQLite).
pub async fn install_on(
    data_dir: &Path,
    database_url: Option<Redacted>,
    clusters: usize,
    environment: impl Fn(usize) -> &'static str,
) -> (AppState, User, Vec<i64>) {
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        database_url,
        bind: "127.0.0.1:0".parse().expect("address"),
        check_interval_secs: 0,
        ..Config::default()
    };
    let state = AppState::open(config).await.expect("open");
    let token = auth::prepare_setup(&state)
        .await
        .expect("setup token")
        .expect("a fresh install");
    let admin = auth::setup_first_admin(&state, "bench", PASSWORD.to_string().into(), &token)
        .await
        .expect("admin");
    let mut ids = Vec::new();
    for n in 0..clusters {
        let input = ClusterInput {
            name: format!("cluster-{n:02}"),
            environment: environment(n).into(),
            coordinator_url: format!("https://trino-{n}.example.com:8443"),
            notes: String::new(),
            connection: Default::default(),
        };
        ids.push(
            clusters::create(&state, &admin, &input)
                .await
                .expect("cluster")
                .id
                .get(),
        );
    }
    (state, admin, ids)
}

/// With `BENCH_POSTGRES_URL` (an admin URL: `scripts/bench.sh --postgres`
/// starts a durable throwaway server and sets it), a new database on it for
/// each install, so the figures are PostgreSQL's; without it, SQLite.
pub fn fresh_postgres_database() -> Option<Redacted> {
    let admin = std::env::var("BENCH_POSTGRES_URL").ok()?;
    let name = format!(
        "bench_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let out = std::process::Command::new("psql")
        .args([admin.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .expect("run psql");
    assert!(out.status.success(), "CREATE DATABASE failed");
    let mut url = url::Url::parse(&admin).expect("BENCH_POSTGRES_URL is a URL");
    url.set_path(&name);
    Some(Redacted::new(url.to_string()))
}

/// Serves the whole application on a loopback port and returns its address
/// and a client logged in as `bench`.
pub async fn serve_logged_in(state: &AppState) -> (SocketAddr, reqwest::Client) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = shipshape_server::router::build(state.clone(), addr)
        .await
        .expect("router");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let login = client
        .post(format!("http://{addr}/api/v1/session"))
        .json(&serde_json::json!({"username": "bench", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200, "login");
    (addr, client)
}

/// Appends `n` rows after the chain's tip in one transaction, through the
/// real repository (sealed, chained and applied to the read model exactly
/// as the services do it). `make(i)` gives the i-th row (from 1); its seq
/// and prev_hash are filled in here.
pub async fn seed_rows(
    state: &AppState,
    n: i64,
    mut make: impl FnMut(i64) -> shipshape_domain::ledger::EntryContent,
) {
    let mut tx = state.db.write().await.expect("begin");
    let (mut seq, mut prev) = tx.ledger().tip().await.expect("tip").unwrap_or((
        shipshape_domain::ids::Seq::new(0),
        shipshape_domain::ledger::GENESIS_HASH.to_string(),
    ));
    for i in 1..=n {
        seq = seq.next();
        let mut row = make(i);
        row.seq = seq;
        row.prev_hash = prev;
        let entry = row.seal();
        prev = entry.hash().to_string();
        shipshape_backend::ledger::insert(&mut tx, &entry)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
    // A live server checkpoints as it goes; one big transaction leaves the
    // whole table in the WAL, which no real install would have.
    match &state.db {
        Store::Sqlite(pool) => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
                .expect("checkpoint");
        }
        // Autovacuum would gather statistics for the planner soon; now.
        Store::Postgres(pool) => {
            sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
        }
    }
}
