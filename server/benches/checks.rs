//! Benchmark: one scheduler round over 100 simulated clusters (every
//! automated check each), reported against the slowest single cluster; then
//! the same with 5 of them hung. Run with `scripts/bench.sh`.

use shipshape_backend::config::Config;
use shipshape_backend::service::{auth, clusters, scheduler};
use shipshape_backend::AppState;
use shipshape_domain::cluster::ClusterInput;
use trino_sim::scenario::Scenario;

const CLUSTERS: usize = 100;
const HUNG: usize = 5;
const HEALTHY: &str = include_str!("../../sim/scenarios/healthy.toml");

async fn serve(prefix: &str) -> String {
    let scenario = Scenario::parse("bench", &format!("{prefix}\n{HEALTHY}")).expect("scenario");
    trino_sim::serve_on_loopback(scenario)
        .await
        .expect("simulator")
}

async fn round(hung: usize) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: tmp.path().to_path_buf(),
        check_timeout_secs: 2,
        check_interval_secs: 0,
        ..Config::default()
    };
    let (timeout, per_cluster, across) = (
        config.check_timeout_secs,
        config.check_concurrency,
        config.cluster_concurrency,
    );
    let state = AppState::open(config).await.expect("open");
    let admin = auth::setup_first_admin(&state, "bench", "bench-password".to_string().into())
        .await
        .expect("admin");
    for n in 0..CLUSTERS {
        let url = serve(if n < hung { "fault = \"hang\"" } else { "" }).await;
        let input = ClusterInput {
            name: format!("c{n:03}"),
            environment: "prod".into(),
            coordinator_url: url,
            notes: String::new(),
        };
        clusters::create(&state, &admin, &input)
            .await
            .expect("cluster");
    }
    let r = scheduler::run_round(&state).await.expect("round");
    println!(
        "{CLUSTERS} clusters ({hung} hung), {} checks: round {:.2?}, slowest single cluster {:.2?} (check timeout {timeout}s, {per_cluster} checks/cluster, {across} clusters at once)",
        r.checks, r.elapsed, r.slowest
    );
}

#[tokio::main]
async fn main() {
    round(0).await;
    round(HUNG).await;
}
