//! `/api/v1/users`: admins list and add users.

use super::extract::{ApiJson, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::state::ServerState;
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

/// `PUT /api/v1/users/{id}`: an admin changes an account's `role`, or
/// `disabled`; one change per request. Each is a ledger row.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

pub async fn change(
    axum::extract::State(state): axum::extract::State<crate::state::ServerState>,
    super::extract::CurrentUser(user): super::extract::CurrentUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    super::extract::ApiJson(body): super::extract::ApiJson<AccountBody>,
) -> crate::error::ApiResult<axum::Json<shipshape_domain::user::User>> {
    use shipshape_domain::account::AccountChange;
    use shipshape_domain::fields::FieldErrors;
    let change = match (body.role, body.disabled) {
        (Some(r), None) => {
            AccountChange::Role(shipshape_domain::role::Role::parse(&r).ok_or_else(|| {
                crate::error::ApiError::invalid(FieldErrors::single("role", "Choose a role."))
            })?)
        }
        (None, Some(true)) => AccountChange::Disable,
        (None, Some(false)) => AccountChange::Enable,
        _ => {
            return Err(crate::error::ApiError::invalid(FieldErrors::single(
                "user",
                "Send one change: role or disabled.",
            )))
        }
    };
    Ok(axum::Json(
        shipshape_backend::service::users::change_account(
            &state.app,
            &user,
            id.into(),
            change,
            None,
        )
        .await?,
    ))
}

/// `POST /api/v1/users/{id}/password` `{"password"}`: an admin resets a
/// password; the account's sessions end.
#[derive(Debug, serde::Deserialize)]
pub struct PasswordBody {
    pub password: secrecy::SecretString,
}

pub async fn reset_password(
    axum::extract::State(state): axum::extract::State<crate::state::ServerState>,
    super::extract::CurrentUser(user): super::extract::CurrentUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    super::extract::ApiJson(body): super::extract::ApiJson<PasswordBody>,
) -> crate::error::ApiResult<axum::http::StatusCode> {
    shipshape_backend::service::users::change_account(
        &state.app,
        &user,
        id.into(),
        shipshape_domain::account::AccountChange::ResetPassword,
        Some(body.password),
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
