//! `trino-sim --scenario FILE [--bind ADDR] [--ca-out FILE] [--plain]`: serves a
//! simulated Trino coordinator and prints `trino-sim listening on URL`. A
//! scenario with a `[tls]` table is served over HTTPS with a certificate made
//! at start; `--ca-out` writes the CA that signed it, for clients to trust.

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
    /// Where to write the test CA's PEM (HTTPS scenarios only).
    #[arg(long)]
    ca_out: Option<PathBuf>,
    /// Serve plain HTTP without passwords, whatever the scenario says (for
    /// tests of protocol details).
    #[arg(long)]
    plain: bool,
}

fn fail(message: String) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let mut scenario = Scenario::load(&args.scenario).unwrap_or_else(|e| fail(e.to_string()));
    if args.plain {
        scenario = scenario.plain();
    }
    let listener = std::net::TcpListener::bind(args.bind)
        .unwrap_or_else(|e| fail(format!("cannot listen on {}: {e}", args.bind)));
    let served = trino_sim::serve(scenario, listener)
        .await
        .unwrap_or_else(|e| fail(e.to_string()));
    if let (Some(path), Some(pem)) = (&args.ca_out, &served.ca_pem) {
        std::fs::write(path, pem)
            .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
    }
    println!("trino-sim listening on {}", served.url);
    // The server runs on spawned tasks; wait for Ctrl-C or SIGTERM.
    let _ = tokio::signal::ctrl_c().await;
}
