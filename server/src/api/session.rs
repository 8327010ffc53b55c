//! `/api/v1/session`: log in, see who is logged in, log out.

use super::extract::{ApiJson, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::router::ServerState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use secrecy::SecretString;
use serde::Deserialize;
use shipshape_backend::service::auth;
use shipshape_domain::user::User;
use tower_sessions::Session;

/// Login body. `Debug` is derived through `SecretString`, which redacts.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: SecretString,
}

pub async fn login(
    State(state): State<ServerState>,
    session: Session,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Json<User>> {
    let user = auth::login(&state.app, &body.username, body.password).await?;
    shipshape_app::ssr::begin_session(&session, &user)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(user))
}

/// First-run setup for automation: creates the first admin and logs in.
/// 409 once any account exists.
pub async fn setup(
    State(state): State<ServerState>,
    session: Session,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let user = auth::setup_first_admin(&state.app, &body.username, body.password).await?;
    shipshape_app::ssr::begin_session(&session, &user)
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn whoami(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}

pub async fn logout(session: Session) -> ApiResult<StatusCode> {
    shipshape_app::ssr::end_session(&session)
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}
