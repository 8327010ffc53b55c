//! `/api/v1/tokens`: API tokens for automation (create: shown once; list
//! with last use; revoke).

use super::extract::{ApiJson, CurrentUser};
use crate::error::ApiResult;
use crate::router::ServerState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use shipshape_backend::service::tokens::{self, CreatedToken};
use shipshape_domain::api_token::{NewToken, TokenInfo};

pub async fn create(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(tokens::create(&state.app, &user, &body).await?),
    ))
}

pub async fn list(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    Ok(Json(tokens::list(&state.app, &user).await?))
}

pub async fn revoke(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    tokens::revoke(&state.app, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
