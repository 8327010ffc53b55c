//! API tokens: created by a logged-in person for automation (shown once),
//! listed with their last use, revoked; and the bearer check that turns a
//! token into its owner (with the owner's role, or read-only).

use super::{now, require};
use crate::secret::{digest, new_secret};
use crate::{AppState, ServiceError};
use shipshape_domain::api_token::{looks_like_token, validate, NewToken, TokenInfo, TOKEN_PREFIX};
use shipshape_domain::ids::TokenId;
use shipshape_domain::role::{Permission, Role};
use shipshape_domain::time::format_ts;
use shipshape_domain::user::User;

/// A new token: its id and the secret, which is never shown again.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedToken {
    pub id: TokenId,
    pub token: String,
    pub expires_at: String,
}

pub async fn create(
    state: &AppState,
    actor: &User,
    input: &NewToken,
) -> Result<CreatedToken, ServiceError> {
    require(actor, Permission::Read)?;
    let valid = validate(input)?;
    let token = new_secret(TOKEN_PREFIX);
    let created = chrono::Utc::now();
    let expires_at = format_ts(created + chrono::Duration::days(valid.days()));
    let created_at = format_ts(created);
    let token_sha256 = digest(&token);
    let id = state
        .db
        .read()
        .await?
        .tokens()
        .insert(&crate::store::tokens::NewToken {
            user_id: actor.id,
            name: valid.name(),
            token_sha256: &token_sha256,
            read_only: valid.read_only(),
            created_at: &created_at,
            expires_at: &expires_at,
        })
        .await?;
    tracing::info!(user = %actor.username, token = id.get(), name = %valid.name(), read_only = valid.read_only(), "API token created");
    Ok(CreatedToken {
        id,
        token,
        expires_at,
    })
}

pub async fn list(state: &AppState, actor: &User) -> Result<Vec<TokenInfo>, ServiceError> {
    require(actor, Permission::Read)?;
    Ok(state.db.read().await?.tokens().of_user(actor.id).await?)
}

pub async fn revoke(state: &AppState, actor: &User, id: TokenId) -> Result<(), ServiceError> {
    require(actor, Permission::Read)?;
    if state
        .db
        .read()
        .await?
        .tokens()
        .revoke(actor.id, id, now())
        .await?
    {
        tracing::info!(user = %actor.username, token = id.get(), "API token revoked");
        Ok(())
    } else {
        Err(ServiceError::NotFound("token"))
    }
}

/// Who a bearer token stands for: its owner, with the owner's role or, for
/// a read-only token, an auditor's.
#[derive(Debug, Clone)]
pub struct TokenCaller {
    pub user: User,
    pub read_only: bool,
}

/// The user a bearer token stands for, or `Unauthenticated` (unknown,
/// revoked, expired, or its owner gone). A read-only token acts as an
/// auditor: it reads and exports, and changes nothing.
pub async fn authenticate(state: &AppState, bearer: &str) -> Result<User, ServiceError> {
    authenticate_caller(state, bearer).await.map(|c| c.user)
}

/// [`authenticate`], keeping whether the token is read-only: the account's
/// own credentials (tokens, calendar links, password, sessions) are never
/// managed with a read-only token.
pub async fn authenticate_caller(
    state: &AppState,
    bearer: &str,
) -> Result<TokenCaller, ServiceError> {
    let bearer = bearer.trim();
    if !looks_like_token(bearer) {
        return Err(ServiceError::Unauthenticated);
    }
    let mut db = state.db.read().await?;
    let Some((info, owner)) = db.tokens().by_digest(&digest(bearer)).await? else {
        return Err(ServiceError::Unauthenticated);
    };
    if !info.usable(chrono::Utc::now()) {
        return Err(ServiceError::Unauthenticated);
    }
    let mut user = db
        .users()
        .by_id(owner)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    if !super::auth::still_vouched(state, &mut db, &user).await? {
        return Err(ServiceError::Unauthenticated);
    }
    db.tokens().touch(info.id, now()).await?;
    if info.read_only {
        user.role = Role::Auditor;
    }
    Ok(TokenCaller {
        user,
        read_only: info.read_only,
    })
}
