//! Server-side glue for server functions (and the JSON API): the shared
//! state, the logged-in user behind the session cookie, and the one mapping
//! from service errors to what the browser may see.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_backend::session::session_user;
use shipshape_backend::{AppState, ServiceError};
use shipshape_domain::user::User;
use tower_sessions::Session;

pub use shipshape_backend::session::{begin_session, end_session};

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthenticated => AppError::Unauthenticated,
            ServiceError::BadCredentials => AppError::BadCredentials,
            ServiceError::TooManyAttempts(s) => AppError::TooManyAttempts(s),
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::NotFound(what) => AppError::NotFound(what.to_string()),
            ServiceError::Invalid(fields) => AppError::Invalid(fields),
            ServiceError::Conflict(message) => AppError::Conflict(message),
            ServiceError::Refused(message) => AppError::Refused(message),
            ServiceError::Unavailable(message) => AppError::Unavailable(message),
            e @ ServiceError::Busy(..) => AppError::Unavailable(e.to_string()),
            ServiceError::StorageFull => AppError::StorageFull,
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error in a server function");
                AppError::Internal
            }
        }
    }
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

pub async fn current_user() -> Result<Option<User>, AppError> {
    let state = state()?;
    let session = session().await?;
    Ok(session_user(&state, &session).await?)
}

/// The state and the logged-in user, or `Unauthenticated`.
/// What the server accepts in one upload, for the forms to say.
pub fn upload_limits(state: &AppState) -> shipshape_domain::attachment::UploadLimits {
    shipshape_domain::attachment::UploadLimits {
        max_file_bytes: state.config.max_upload_bytes,
        max_files: state.config.max_upload_files,
    }
}

pub async fn require_user() -> Result<(AppState, User), AppError> {
    let state = state()?;
    let session = session().await?;
    let user = session_user(&state, &session)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((state, user))
}

/// The client's address: the TCP peer, or behind one of the configured
/// `trusted_proxies` the address their forwarding headers name (see
/// [`shipshape_domain::client_address`]). `None` without connection info.
pub fn client_address(state: &AppState, parts: &http::request::Parts) -> Option<String> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    if state.config.trusted_proxies.is_empty() {
        return Some(peer.to_string());
    }
    let proxies = shipshape_domain::client_address::parse_networks(&state.config.trusted_proxies)
        .unwrap_or_default();
    let values = |name: &str| -> Vec<&str> {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    Some(
        shipshape_domain::client_address::client_address(
            peer,
            &values("forwarded"),
            &values("x-forwarded-for"),
            &proxies,
        )
        .to_string(),
    )
}

/// A fresh nonce for this page's inline scripts (hydration, streamed
/// resources), and the page's Content-Security-Policy naming it: scripts
/// only from this origin or with the nonce, WebAssembly compiled from
/// them, no framing, no plugins, forms and `<base>` only to this origin.
pub fn content_security_policy() {
    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
