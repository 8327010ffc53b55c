//! `shipshape`: serves the dashboard, or runs an admin subcommand.

use clap::Parser;
use shipshape_server::cli::{run, Cli};

#[tokio::main]
async fn main() {
    shipshape_server::allocator::tune();
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
