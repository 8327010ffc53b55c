//! `shipshape migrate-store`: a whole SQLite install into PostgreSQL.

use super::{config, CliError, Global};
use std::path::PathBuf;

pub(super) async fn migrate_store(
    global: &Global,
    from: String,
    to: Option<String>,
    from_data_dir: Option<PathBuf>,
) -> Result<(), CliError> {
    use shipshape_backend::service::migrate_store;
    let config = config(global, None)?;
    let request = migrate_store::Request {
        from,
        to,
        from_data_dir,
    };
    let r = migrate_store::migrate(&request, &config)
        .await
        .map_err(|e| CliError::Message(format!("migrate-store: {e}")))?;
    print!("{r}");
    Ok(())
}
