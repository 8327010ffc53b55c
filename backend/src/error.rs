//! The service layer's one error type. The web layers map it to HTTP statuses
//! and server-function errors in one place each; `Internal` carries detail for
//! the log only, never for the browser.

use shipshape_domain::fields::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not logged in")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many failed logins for this name or address: wait this many
    /// seconds.
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyAttempts(i64),
    #[error("your role may not do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    /// Refused for a reason the person can act on (e.g. a directory
    /// account in no mapped group); the text is shown as it is.
    #[error("{0}")]
    Refused(String),
    /// Something outside Shipshape (a directory, a provider) could not be
    /// asked; the text, shown as it is, names it without internals.
    #[error("{0}")]
    Unavailable(String),
    /// Too many of this expensive read (an evidence bundle, a ledger
    /// verification) run at once: the text says which; try again in this
    /// many seconds.
    #[error("{0}; try again in {1} seconds")]
    Busy(String, i64),
    /// No room left on the disk under the database or the evidence files:
    /// nothing was saved, and the same request works once there is room.
    #[error("the server's disk is full")]
    StorageFull,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn internal(context: &str, e: impl std::fmt::Display) -> Self {
        ServiceError::Internal(format!("{context}: {e}"))
    }
}

impl From<sqlx::Error> for ServiceError {
    /// Counted in `shipshape_storage_errors_total`; a full disk becomes
    /// [`ServiceError::StorageFull`], the rest stays internal.
    fn from(e: sqlx::Error) -> Self {
        let kind = crate::storage_error::classify(&e);
        crate::storage_error::record(kind);
        if kind == crate::storage_error::StorageErrorKind::DiskFull {
            tracing::error!(error = %e, "the database's disk is full: the write was refused");
            return ServiceError::StorageFull;
        }
        ServiceError::Internal(format!("database: {e}"))
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        ServiceError::Invalid(e)
    }
}

/// True when a database error is a UNIQUE constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
