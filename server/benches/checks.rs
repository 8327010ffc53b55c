//! Benchmark: one scheduler round over 100 simulated clusters (every
//! automated check each), reported against the slowest single cluster; then
//! the same with 5 of them hung. Run with `scripts/bench.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use shipshape_backend::config::Config;
use shipshape_backend::service::{auth, clusters, scheduler};
use shipshape_backend::AppState;
use shipshape_domain::cluster::ClusterInput;
use shipshape_domain::connection::ConnectionInput;
use trino_sim::scenario::Scenario;

const CLUSTERS: usize = 100;
const HUNG: usize = 5;
const HEALTHY: &str = include_str!("../../sim/scenarios/healthy.toml");

/// The password the simulated clusters accept, named by every cluster.
const SECRET: (&str, &str) = ("TRINO_SECRET_BENCH", "shipshape-sim-password");

/// Serves a healthy cluster over HTTPS (each with its own test CA, written
/// to `dir`) and returns its URL and CA file.
async fn serve(prefix: &str, dir: &std::path::Path, n: usize) -> (String, String) {
    let scenario = Scenario::parse("bench", &format!("{prefix}\n{HEALTHY}")).expect("scenario");
    let served = trino_sim::serve_loopback(scenario)
        .await
        .expect("simulator");
    let ca = dir.join(format!("ca-{n}.pem"));
    std::fs::write(&ca, served.ca_pem.expect("https")).expect("write CA");
    (served.url, ca.display().to_string())
}

async fn round(hung: usize) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: tmp.path().to_path_buf(),
        check_timeout_secs: 2,
        check_interval_secs: 0,
        ca_dir: Some(tmp.path().to_path_buf()),
        secrets: [(
            SECRET.0.to_string(),
            shipshape_backend::config::SecretBinding {
                hosts: vec!["127.0.0.1".into()],
                allow_insecure_tls: false,
            },
        )]
        .into_iter()
        .collect(),
        ..Config::default()
    };
    let (timeout, per_cluster, across) = (
        config.check_timeout_secs,
        config.check_concurrency,
        config.cluster_concurrency,
    );
    let state = AppState::open(config).await.expect("open");
    let token = auth::prepare_setup(&state)
        .await
        .expect("setup token")
        .expect("a fresh install");
    let admin =
        auth::setup_first_admin(&state, "bench", "bench-password".to_string().into(), &token)
            .await
            .expect("admin");
    for n in 0..CLUSTERS {
        let fault = if n < hung { "fault = \"hang\"" } else { "" };
        let (url, ca_file) = serve(fault, tmp.path(), n).await;
        let input = ClusterInput {
            name: format!("c{n:03}"),
            environment: "prod".into(),
            coordinator_url: url,
            notes: String::new(),
            connection: ConnectionInput {
                auth: "basic".into(),
                auth_user: "shipshape".into(),
                secret_env: SECRET.0.into(),
                ca_file,
                ..Default::default()
            },
        };
        clusters::create(&state, &admin, &input)
            .await
            .expect("cluster");
    }
    let r = scheduler::run_round(&state).await.expect("round");
    println!(
        "{CLUSTERS} HTTPS clusters ({hung} hung), {} checks: round {:.2?}, slowest single cluster {:.2?} (check timeout {timeout}s, {per_cluster} checks/cluster, {across} clusters at once, {} HTTP clients built)",
        r.checks, r.elapsed, r.slowest, state.clients.len()
    );
    let again = scheduler::run_round(&state).await.expect("round");
    println!(
        "  second round (clients reused): {:.2?}, slowest single cluster {:.2?}",
        again.elapsed, again.slowest
    );
}

fn main() {
    // Before any thread starts: the secret every cluster names.
    std::env::set_var(SECRET.0, SECRET.1);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        round(0).await;
        round(HUNG).await;
    });
}
