//! The error a server function returns to the browser. It says what the user
//! can act on and nothing more: internal detail stays in the server log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use shipshape_domain::fields::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please log in.")]
    Unauthenticated,
    #[error("Wrong user name or password.")]
    BadCredentials,
    #[error("Too many failed logins: try again in {0} seconds.")]
    TooManyAttempts(i64),
    #[error("Your role may not do this.")]
    Forbidden,
    #[error("No such {0}.")]
    NotFound(String),
    #[error("Please correct the marked fields.")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    /// Refused for a reason the person can act on (a directory account in
    /// no mapped group, a role that may not change a secret's target).
    #[error("{0}")]
    Refused(String),
    /// Something outside Shipshape (a directory, a provider) could not be
    /// asked just now.
    #[error("{0}")]
    Unavailable(String),
    #[error("The server's disk is full: nothing was saved. Please try again later.")]
    StorageFull,
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
    #[error("The request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    /// The HTTP status a server function's refusal answers with: the one
    /// mapping for the browser's requests (the JSON API has its own in the
    /// server crate). Only real faults are 5xx.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::TooManyAttempts(_) => 429,
            AppError::Forbidden | AppError::Refused(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::Request(_) => 400,
            AppError::StorageFull => 507,
            AppError::Unavailable(_) => 503,
            AppError::Internal => 500,
        }
    }

    /// The message for one form field, if that field was at fault.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(f) => f.get(name).map(str::to_string),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that did not decode: a malformed form or request.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Request("some fields were missing or malformed".into())
            }
            ServerFnErrorErr::Request(_) => {
                AppError::Request("the server could not be reached".into())
            }
            _ => AppError::Internal,
        }
    }
}

/// Field message of the latest result of an action, for forms.
pub fn field_error<T>(result: &Option<Result<T, AppError>>, name: &str) -> Option<String> {
    match result {
        Some(Err(e)) => e.field(name),
        _ => None,
    }
}

/// The message of a failed action, for the banner above its form.
pub fn error_banner<T>(
    result: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> leptos::prelude::Signal<Option<String>> {
    leptos::prelude::Signal::derive(move || match result() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    })
}
