//! HTTP errors of the JSON API: `{"error": "...", "fields": {...}}` with the
//! right status. Service errors are mapped here and nowhere else; internal
//! detail is logged, and the client only learns that something failed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use shipshape_backend::ServiceError;
use shipshape_domain::fields::FieldErrors;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub fields: Option<FieldErrors>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<i64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            fields: None,
            retry_after: None,
        }
    }

    pub fn invalid(fields: FieldErrors) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: "invalid input".into(),
            fields: Some(fields),
            retry_after: None,
        }
    }
}

/// `Retry-After` on a 507: a full disk takes someone to free space.
const STORAGE_FULL_RETRY_SECS: i64 = 60;

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthenticated => {
                ApiError::new(StatusCode::UNAUTHORIZED, "log in first")
            }
            ServiceError::BadCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "wrong user name or password")
            }
            ServiceError::TooManyAttempts(secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many failed logins; try again in {secs} seconds"),
                )
            },
            ServiceError::Forbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "your role may not do this")
            }
            ServiceError::NotFound(what) => {
                ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
            }
            ServiceError::Invalid(fields) => ApiError::invalid(fields),
            ServiceError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, message),
            ServiceError::Refused(message) => ApiError::new(StatusCode::FORBIDDEN, message),
            ServiceError::Unavailable(message) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
            }
            ServiceError::Busy(message, secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("{message}; try again in {secs} seconds"),
                )
            },
            // Logged where it happened; the client may retry once there is room.
            ServiceError::StorageFull => ApiError {
                retry_after: Some(STORAGE_FULL_RETRY_SECS),
                ..ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "the server's disk is full",
                )
            },
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error in the JSON API");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.message,
            fields: self.fields.as_ref(),
        };
        let mut r = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        // A refused upload's body may be unread: the client must not send
        // its next request on this connection.
        if self.status == StatusCode::INSUFFICIENT_STORAGE {
            r.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The refusal as a small HTML page with a link back, for a browser
    /// that navigated to an API address (the export page's download
    /// buttons): a person sees what to fix, not a JSON document.
    pub fn as_page(self, back_href: &str, back_label: &str) -> Response {
        use shipshape_domain::markup::escape;
        let mut lines: Vec<String> = self
            .fields
            .iter()
            .flat_map(|f| f.iter())
            .map(|(field, m)| format!("<li>{}: {}</li>", escape(field), escape(m)))
            .collect();
        if lines.is_empty() {
            lines.push(format!("<li>{}</li>", escape(&self.message)));
        }
        let html = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Not exported · Shipshape</title>\
             <main><h1>Nothing was exported</h1><ul>{}</ul><p><a href=\"{}\">{}</a></p></main></html>",
            lines.concat(),
            escape(back_href),
            escape(back_label)
        );
        (self.status, axum::response::Html(html)).into_response()
    }
}

/// Whether the request is a browser's page navigation (it asks for HTML
/// first), rather than a script or client that wants JSON.
pub fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("text/html"))
}
