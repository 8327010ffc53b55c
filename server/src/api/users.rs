//! `/api/v1/users`: admins list and add users.

use super::extract::{ApiJson, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::router::ServerState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use secrecy::SecretString;
use serde::Deserialize;
use shipshape_backend::service::users;
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::role::Role;
use shipshape_domain::user::User;

#[derive(Debug, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub password: SecretString,
}

pub async fn list(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(users::list_users(&state.app, &user).await?))
}

pub async fn add(
    State(state): State<ServerState>,
    CurrentUser(actor): CurrentUser,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::invalid(FieldErrors::single(
            "role",
            "must be admin, sre, manager or auditor",
        ))
    })?;
    let user = users::add_user(&state.app, &actor, &body.username, role, body.password).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
