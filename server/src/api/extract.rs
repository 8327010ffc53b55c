//! Extractors for the JSON API: the logged-in user, JSON bodies and path ids
//! whose rejections are JSON errors like every other.

use crate::error::ApiError;
use crate::state::ServerState;
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
        let user = shipshape_backend::session::session_user(&state.app, &session).await?;
        user.map(CurrentUser)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "log in first"))
    }
}

/// The caller of a route that manages the account's own credentials (API
/// tokens, the calendar link, the password, "sign out everywhere"): a
/// browser session or a full-rights token. A read-only token is refused
/// (403), so a leaked dashboard token can never mint a token with more
/// rights, replace the calendar link or end its owner's sessions.
pub struct AccountCaller(pub User);

/// What a read-only token is told on those routes.
pub const READ_ONLY_TOKEN_REFUSED: &str =
    "a read-only API token cannot manage tokens, calendar links, passwords or sessions; sign in with a browser or use a full-rights token";

impl FromRequestParts<ServerState> for AccountCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer_token(&parts.headers) {
            let caller = shipshape_backend::service::tokens::authenticate_caller(&state.app, token)
                .await
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid, expired or revoked API token",
                    )
                })?;
            if caller.read_only {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    READ_ONLY_TOKEN_REFUSED,
                ));
            }
            return Ok(AccountCaller(caller.user));
        }
        CurrentUser::from_request_parts(parts, state)
            .await
            .map(|CurrentUser(u)| AccountCaller(u))
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
pub struct ClusterPath(pub shipshape_domain::ids::ClusterId);

impl<S: Send + Sync> FromRequestParts<S> for ClusterPath {
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
            .map(ClusterPath)
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "cluster not found"))
    }
}

/// The client's address: the TCP peer, or behind a configured trusted
/// proxy the address its forwarding headers name; `None` when the router
/// runs without connection info.
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<ServerState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(shipshape_app::ssr::client_address(
            &state.app, parts,
        )))
    }
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
