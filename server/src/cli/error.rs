//! [`CliError`], what every subcommand fails with, and its exit codes.

use shipshape_backend::ServiceError;

/// What went wrong, for the operator. Exit code 2 unless said otherwise.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Message(String),
    #[error("{0}")]
    Failed(String),
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(fields) => CliError::Message(fields.to_string()),
            other => CliError::Message(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for CliError {
    fn from(e: sqlx::Error) -> Self {
        CliError::Message(format!("database: {e}"))
    }
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Message(_) => 2,
            CliError::Failed(_) => 1,
        }
    }
}
