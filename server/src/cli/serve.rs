//! `shipshape serve` (also what `shipshape` with no subcommand does).

use super::{config, open, CliError, Global};
use std::net::SocketAddr;

pub(super) async fn serve(global: &Global, bind: Option<SocketAddr>) -> Result<(), CliError> {
    let config = config(global, bind)?;
    crate::telemetry::init(config.log_format);
    tracing::info!(?config, "starting");
    let state = open(config).await?;
    crate::router::serve(state)
        .await
        .map_err(|e| CliError::Message(format!("server: {e}")))
}
