//! Refuses cross-site state changes on cookie sessions (the domain's
//! same-origin rule): a POST, PUT, PATCH or DELETE that carries the session
//! cookie and no bearer token must come with a same-origin `Origin` (or,
//! without one, `Referer`), or it gets 403 before any handler runs. One
//! without the cookie (a login, first-run setup) is refused too when its
//! `Origin` or `Referer` names another site. Server
//! functions, HTML forms, multipart uploads and bodiless posts are all
//! covered; calls with `Authorization: Bearer` are exempt (no cookie
//! authority involved).

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The session cookie's names (plain, and `__Host-` when secure).
pub const SESSION_COOKIES: [&str; 2] = ["shipshape_session", "__Host-shipshape_session"];

fn carries_session(req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split('=').next())
        .any(|name| SESSION_COOKIES.contains(&name.trim()))
}

pub async fn same_origin_only(secure: bool, req: Request, next: Next) -> Response {
    let changes_state = !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    // Without the cookie a browser request can still log someone in
    // (setup, login, the sign-in server functions): a cross-site page must
    // not log the visitor into an account of its choosing. Clients that
    // send neither header (scripts) are not browsers and pass.
    let says_where_from =
        req.headers().contains_key(header::ORIGIN) || req.headers().contains_key(header::REFERER);
    if changes_state
        && (carries_session(&req) || says_where_from)
        && crate::api::extract::bearer_token(req.headers()).is_none()
    {
        let text = |h: header::HeaderName| req.headers().get(h).and_then(|v| v.to_str().ok());
        let ok = shipshape_domain::origin::same_origin(
            text(header::ORIGIN),
            text(header::REFERER),
            text(header::HOST),
            if secure { "https" } else { "http" },
        );
        if !ok {
            tracing::warn!(
                method = %req.method(),
                path = %req.uri().path(),
                origin = text(header::ORIGIN).unwrap_or("-"),
                "cross-origin request refused"
            );
            return (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({"error": "cross-origin request refused"})),
            )
                .into_response();
        }
    }
    next.run(req).await
}
