//! Storage errors people can act on. A full disk (SQLite's `SQLITE_FULL`,
//! result code 13; PostgreSQL's SQLSTATE `53100` disk_full; `ENOSPC` or a
//! quota from the file system) is told apart from a database that cannot be
//! reached and from everything else, and each is counted for `/metrics` as
//! `shipshape_storage_errors_total{kind}`.

use sqlx::postgres::PgDatabaseError;
use sqlx::sqlite::SqliteError;

/// The counter's name.
pub const METRIC: &str = "shipshape_storage_errors_total";

/// SQLite's primary result code for "database or disk is full".
const SQLITE_FULL: i32 = 13;
/// PostgreSQL's SQLSTATE for disk_full.
const PG_DISK_FULL: &str = "53100";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageErrorKind {
    /// No room left on the disk under the database or the evidence files.
    DiskFull,
    /// The database could not be reached (connection, pool, worker).
    Unavailable,
    /// Anything else the database or the file system refused.
    Other,
}

impl StorageErrorKind {
    pub const ALL: [StorageErrorKind; 3] = [
        StorageErrorKind::DiskFull,
        StorageErrorKind::Unavailable,
        StorageErrorKind::Other,
    ];

    /// The metric's `kind` label.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageErrorKind::DiskFull => "disk_full",
            StorageErrorKind::Unavailable => "unavailable",
            StorageErrorKind::Other => "other",
        }
    }
}

/// What kind of storage error a database error is.
pub fn classify(e: &sqlx::Error) -> StorageErrorKind {
    match e {
        sqlx::Error::Database(d) => {
            if let Some(s) = d.try_downcast_ref::<SqliteError>() {
                let code = sqlx::error::DatabaseError::code(s)
                    .and_then(|c| c.parse::<i32>().ok())
                    .unwrap_or(0);
                if code & 0xff == SQLITE_FULL {
                    return StorageErrorKind::DiskFull;
                }
            } else if let Some(p) = d.try_downcast_ref::<PgDatabaseError>() {
                let code = p.code();
                if code == PG_DISK_FULL {
                    return StorageErrorKind::DiskFull;
                }
                // connection_exception, and the server shutting down
                if code.starts_with("08") || code.starts_with("57P0") {
                    return StorageErrorKind::Unavailable;
                }
            }
            StorageErrorKind::Other
        }
        sqlx::Error::Io(io) if io_is_disk_full(io) => StorageErrorKind::DiskFull,
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StorageErrorKind::Unavailable,
        _ => StorageErrorKind::Other,
    }
}

/// True when a database error says the disk is full.
pub fn is_disk_full(e: &sqlx::Error) -> bool {
    classify(e) == StorageErrorKind::DiskFull
}

/// True when a file system error says there is no room (or no quota) left.
pub fn io_is_disk_full(e: &std::io::Error) -> bool {
    use rustix::io::Errno;
    e.kind() == std::io::ErrorKind::StorageFull
        || [Errno::NOSPC, Errno::DQUOT]
            .iter()
            .any(|n| e.raw_os_error() == Some(n.raw_os_error()))
}

/// Counts one storage error of this kind.
pub fn record(kind: StorageErrorKind) {
    metrics::counter!(METRIC, "kind" => kind.as_str()).increment(1);
}

/// Declares the counter with every kind at zero, so the series exist (and
/// `increase()` sees the first error) before anything fails.
pub fn register() {
    metrics::describe_counter!(
        METRIC,
        "Storage errors by kind: disk_full (no room under the database or the evidence files), unavailable (the database cannot be reached), other."
    );
    for kind in StorageErrorKind::ALL {
        metrics::counter!(METRIC, "kind" => kind.as_str()).increment(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_system_is_told_apart() {
        use rustix::io::Errno;
        let full = std::io::Error::from_raw_os_error(Errno::NOSPC.raw_os_error());
        assert!(io_is_disk_full(&full));
        let quota = std::io::Error::from_raw_os_error(Errno::DQUOT.raw_os_error());
        assert!(io_is_disk_full(&quota));
        let denied = std::io::Error::from_raw_os_error(Errno::ACCESS.raw_os_error());
        assert!(!io_is_disk_full(&denied));
        assert_eq!(classify(&sqlx::Error::Io(full)), StorageErrorKind::DiskFull);
        assert_eq!(
            classify(&sqlx::Error::PoolTimedOut),
            StorageErrorKind::Unavailable
        );
        assert_eq!(classify(&sqlx::Error::RowNotFound), StorageErrorKind::Other);
    }
}
