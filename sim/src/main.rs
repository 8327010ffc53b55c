//! `trino-sim --scenario FILE [--bind ADDR]`: serves a simulated Trino
//! coordinator and prints `trino-sim listening on http://ADDR`.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use trino_sim::scenario::Scenario;

#[derive(Parser)]
#[command(name = "trino-sim", about = "A Trino coordinator simulator for tests")]
struct Args {
    /// Scenario file (TOML).
    #[arg(long)]
    scenario: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let scenario = match Scenario::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.bind);
            std::process::exit(2);
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("trino-sim listening on http://{addr}"),
        Err(e) => eprintln!("warning: {e}"),
    }
    if let Err(e) = axum::serve(listener, trino_sim::router(scenario)).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
