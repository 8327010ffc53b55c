//! `/api/v1/session`: log in, see who is logged in, log out.

use super::extract::{ApiJson, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::state::ServerState;
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
    super::extract::ClientAddr(address): super::extract::ClientAddr,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Json<User>> {
    let user = auth::login(
        &state.app,
        &body.username,
        body.password,
        address.as_deref(),
    )
    .await?;
    shipshape_backend::session::begin_session(&session, &user)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(user))
}

/// First-run setup body: the first admin, and the one-time setup token the
/// server printed at start-up.
#[derive(Debug, Deserialize)]
pub struct SetupBody {
    pub username: String,
    pub password: SecretString,
    #[serde(default = "empty_secret")]
    pub setup_token: SecretString,
}

fn empty_secret() -> SecretString {
    SecretString::from(String::new())
}

/// First-run setup for automation: creates the first admin and logs in.
/// 422 without the right setup token; 409 once any account exists.
pub async fn setup(
    State(state): State<ServerState>,
    session: Session,
    ApiJson(body): ApiJson<SetupBody>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let user =
        auth::setup_first_admin(&state.app, &body.username, body.password, &body.setup_token)
            .await?;
    shipshape_backend::session::begin_session(&session, &user)
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn whoami(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}

pub async fn logout(session: Session) -> ApiResult<StatusCode> {
    shipshape_backend::session::end_session(&session)
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/session/everywhere`: ends every session of the caller,
/// this one included (204).
pub async fn sign_out_everywhere(
    State(state): State<ServerState>,
    super::extract::AccountCaller(user): super::extract::AccountCaller,
) -> ApiResult<StatusCode> {
    auth::sign_out_everywhere(&state.app, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct OwnPasswordBody {
    pub current_password: SecretString,
    pub new_password: SecretString,
}

/// `POST /api/v1/session/password`: change your own password (the current
/// one is required); every session of yours ends (204).
pub async fn change_password(
    State(state): State<ServerState>,
    super::extract::AccountCaller(user): super::extract::AccountCaller,
    super::extract::ClientAddr(address): super::extract::ClientAddr,
    ApiJson(body): ApiJson<OwnPasswordBody>,
) -> ApiResult<StatusCode> {
    auth::change_own_password(
        &state.app,
        &user,
        body.current_password,
        body.new_password,
        address.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
