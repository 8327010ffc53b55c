//! Files only the service account may read: the database, its WAL (which
//! holds live session ids), backups, evidence and keys. Everything the
//! process creates is private (umask 077: files 0600, directories 0700),
//! and at start the data directory and the SQLite files an older version
//! created with default modes are tightened.

use shipshape_backend::config::Config;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// From now on, files this process creates are 0600 and directories 0700.
pub fn private_by_default() {
    // SAFETY: umask only swaps the process's file-creation mask; it cannot
    // fail and touches no memory.
    unsafe {
        libc::umask(0o077);
    }
}

fn set_mode(path: &Path, mode: u32) {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o777 != mode {
            if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
                tracing::warn!(path = %path.display(), error = %e, "cannot make the file private");
            }
        }
    }
}

/// Tightens what may already exist: the data directory (0700) and, on
/// SQLite, the database file with its WAL and shared-memory files (0600).
pub fn tighten_existing(config: &Config) {
    set_mode(&config.data_dir, 0o700);
    if config.database_url.is_none() {
        let db = config.database_path();
        set_mode(&db, 0o600);
        for suffix in ["-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            set_mode(Path::new(&name), 0o600);
        }
    }
}
