//! `/api/v1/tokens`: API tokens for automation (create: shown once; list
//! with last use; revoke). A browser session or a full-rights token, never
//! a read-only one: see [`AccountCaller`].

use super::extract::{AccountCaller, ApiJson};
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use shipshape_backend::service::tokens::{self, CreatedToken};
use shipshape_domain::api_token::{NewToken, TokenInfo};

pub async fn create(
    State(state): State<ServerState>,
    AccountCaller(user): AccountCaller,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(tokens::create(&state.app, &user, &body).await?),
    ))
}

pub async fn list(
    State(state): State<ServerState>,
    AccountCaller(user): AccountCaller,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    Ok(Json(tokens::list(&state.app, &user).await?))
}

pub async fn revoke(
    State(state): State<ServerState>,
    AccountCaller(user): AccountCaller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    tokens::revoke(&state.app, &user, id.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}
