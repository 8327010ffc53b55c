//! `shipshape backup` and `shipshape restore`.

use super::{config, open, CliError, Global};
use std::path::PathBuf;

pub(super) async fn backup(global: &Global, to: PathBuf) -> Result<(), CliError> {
    let state = open(config(global, None)?).await?;
    let r = shipshape_backend::service::backup::backup(&state, &to)
        .await
        .map_err(|e| CliError::Message(format!("backup: {e}")))?;
    println!(
        "backup written to {}: {} file(s), {} bytes; ledger head seq {} hash {}",
        to.display(),
        r.files,
        r.bytes,
        r.head_seq,
        r.head_hash
    );
    Ok(())
}

pub(super) async fn restore(
    global: &Global,
    from: PathBuf,
    public_key: Option<String>,
    trust_backup_key: bool,
) -> Result<(), CliError> {
    let config = config(global, None)?;
    let trust = shipshape_backend::service::backup::RestoreTrust {
        public_key,
        trust_backup_key,
    };
    let r = shipshape_backend::service::backup::restore(&from, &config, &trust)
        .await
        .map_err(|e| CliError::Message(format!("restore: {e}")))?;
    println!(
        "restored {} file(s), {} bytes into {}; ledger head seq {} hash {}",
        r.files,
        r.bytes,
        config.data_dir.display(),
        r.head_seq,
        r.head_hash
    );
    Ok(())
}
