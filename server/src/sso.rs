//! "Log in with <provider>": `GET /auth/oidc/start` keeps a fresh state,
//! nonce and PKCE verifier in the session and sends the browser to the
//! provider; `GET /auth/oidc/callback` takes them out again (once), has the
//! service check the answer, and logs the person in. Failures get a short
//! page that says what to do; details go to the log only.

use crate::state::ServerState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use shipshape_backend::directory::oidc::Pending;
use shipshape_backend::service::directory_login;
use shipshape_backend::ServiceError;
use tower_sessions::Session;

/// Where a started login waits in the session.
const PENDING_KEY: &str = "oidc_pending";

/// Logins one client address may start per [`START_WINDOW_SECS`]: each
/// stores its state for a while, so a flood of anonymous starts must not
/// fill the session table.
const STARTS_PER_ADDRESS: usize = 30;
const START_WINDOW_SECS: i64 = 600;
/// A started login's state is kept this long (then the person starts again).
const PENDING_MINUTES: i64 = 10;

fn starts() -> &'static std::sync::Mutex<shipshape_domain::rate_window::RateWindow> {
    static STARTS: std::sync::OnceLock<
        std::sync::Mutex<shipshape_domain::rate_window::RateWindow>,
    > = std::sync::OnceLock::new();
    STARTS.get_or_init(|| {
        std::sync::Mutex::new(shipshape_domain::rate_window::RateWindow::new(
            STARTS_PER_ADDRESS,
            START_WINDOW_SECS,
            10_000,
        ))
    })
}

pub async fn start(
    State(state): State<ServerState>,
    crate::api::extract::ClientAddr(address): crate::api::extract::ClientAddr,
    session: Session,
) -> Response {
    let key = address.unwrap_or_else(|| "-".into());
    let allowed = match starts().lock() {
        Ok(mut w) => w.take(&key, chrono::Utc::now().timestamp()),
        Err(_) => Ok(()),
    };
    if let Err(secs) = allowed {
        tracing::warn!(address = %key, "oidc login refused: too many started from this address");
        let mut r = page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many logins were started from your address: wait a few minutes and try again.",
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return r;
    }
    // An anonymous visitor's session lives only as long as a login may
    // take, so abandoned starts leave nothing behind for long.
    let signed_in = session
        .get::<i64>(shipshape_backend::session::USER_KEY)
        .await
        .ok()
        .flatten()
        .is_some();
    if !signed_in {
        session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::minutes(PENDING_MINUTES),
        )));
    }
    let (url, pending) = match directory_login::oidc_start(&state.app).await {
        Ok(started) => started,
        Err(e) => return failure(e),
    };
    if let Err(e) = session.insert(PENDING_KEY, pending).await {
        return failure(ServiceError::internal(
            "keeping the login in the session",
            e,
        ));
    }
    Redirect::to(&url).into_response()
}

/// What the provider sends back: a code and the state, or an error.
#[derive(Debug, Deserialize)]
pub struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<ServerState>,
    session: Session,
    Query(answer): Query<Answer>,
) -> Response {
    // Taken out whatever happens next: one answer per started login.
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.unwrap_or_default();
    if let Some(error) = answer.error {
        tracing::warn!(%error, "oidc login: the provider answered with an error");
        return page(
            StatusCode::FORBIDDEN,
            shipshape_backend::directory::oidc::provider_error_message(&error),
        );
    }
    let (Some(code), Some(returned)) = (answer.code, answer.state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "This address is where the provider sends you back after logging in; start from the login page.",
        );
    };
    let user = match directory_login::oidc_finish(&state.app, pending, &code, &returned).await {
        Ok(user) => user,
        Err(e) => return failure(e),
    };
    // A logged-in session lives as long as any other.
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        tower_sessions::cookie::time::Duration::minutes(state.app.config.session_idle_minutes),
    )));
    if let Err(e) = shipshape_backend::session::begin_session(&session, &user).await {
        return failure(e);
    }
    Redirect::to("/").into_response()
}

fn failure(e: ServiceError) -> Response {
    match e {
        ServiceError::Refused(message) => page(StatusCode::FORBIDDEN, &message),
        ServiceError::Unavailable(message) => page(StatusCode::SERVICE_UNAVAILABLE, &message),
        ServiceError::NotFound(_) => page(
            StatusCode::NOT_FOUND,
            "Single sign-on is not set up on this server.",
        ),
        ServiceError::Internal(detail) => {
            tracing::error!(%detail, "internal error in single sign-on");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server. It has been logged; please try again.",
            )
        }
        other => {
            tracing::warn!(error = %other, "single sign-on refused");
            page(StatusCode::BAD_REQUEST, "The login could not be completed.")
        }
    }
}

/// A small page with the message and the way back.
fn page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in – Shipshape</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b2430}}.error{{color:#8a1c1c;font-weight:600}}</style></head><body><main><section class=\"narrow card\">\
         <h1>Log in</h1><p class=\"error\" role=\"alert\">{}</p><p><a href=\"/login\">Back to the login page</a></p>\
         </section></main></body></html>",
        shipshape_domain::markup::escape(message)
    );
    (status, Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_detail_never_reaches_the_page() {
        let r = failure(ServiceError::Internal("database: secret detail".into()));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("secret detail"), "{body}");
        assert!(body.contains("has been logged"), "{body}");
    }
}
