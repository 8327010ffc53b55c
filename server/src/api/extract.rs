//! Extractors for the JSON API: the logged-in user, JSON bodies and path ids
//! whose rejections are JSON errors like every other.

use crate::error::ApiError;
use crate::router::ServerState;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use shipshape_domain::user::User;
use tower_sessions::Session;

/// The user behind an `Authorization: Bearer` API token or, without one,
/// the session cookie; 401 without either (or with a bad token: a token
/// never falls back to the cookie). Only the JSON API and exports take
/// tokens; HTML pages and forms know sessions only.
pub struct CurrentUser(pub User);

impl FromRequestParts<ServerState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer_token(&parts.headers) {
            return shipshape_backend::service::tokens::authenticate(&state.app, token)
                .await
                .map(CurrentUser)
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid, expired or revoked API token",
                    )
                });
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| {
                tracing::error!(msg, "session layer missing");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; it has been logged",
                )
            })?;
        let user = shipshape_app::ssr::session_user(&state.app, &session).await?;
        user.map(CurrentUser)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "log in first"))
    }
}

/// A JSON body; malformed JSON is 400, JSON of the wrong shape 422, another
/// content type 415, each with a JSON error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.body_text(),
            )),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the body is not valid JSON",
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send Content-Type: application/json",
            )),
            Err(e) => Err(ApiError::new(e.status(), e.body_text())),
        }
    }
}

/// A numeric cluster id from the path; anything else is 404.
pub struct ClusterId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ClusterId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params: Result<Path<Vec<(String, String)>>, PathRejection> =
            Path::from_request_parts(parts, state).await;
        params
            .ok()
            .and_then(|Path(p)| {
                p.into_iter()
                    .find(|(k, _)| k == "id")
                    .and_then(|(_, v)| v.parse().ok())
            })
            .map(ClusterId)
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "cluster not found"))
    }
}

/// The client's address as the TCP connection says (no proxy headers are
/// trusted); `None` when the router runs without connection info.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

/// The peer IP of a request, from axum's connection info.
pub fn client_addr(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then_some(token)
}
