//! API tokens for automation, for their owner.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_domain::api_token::TokenInfo;

/// A new token's id and secret (shown once).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewTokenShown {
    pub name: String,
    pub token: String,
    pub expires_at: String,
}

#[server]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::tokens::list(&state, &user).await?)
}

#[server]
pub async fn create_token(
    name: String,
    expires_in_days: String,
    read_only: Option<String>,
) -> Result<NewTokenShown, AppError> {
    use shipshape_domain::api_token::NewToken;
    use shipshape_domain::fields::FieldErrors;
    let (state, user) = crate::ssr::require_user().await?;
    let days = match expires_in_days.trim() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| {
            AppError::Invalid(FieldErrors::single(
                "expires_in_days",
                "A whole number of days.",
            ))
        })?),
    };
    let input = NewToken {
        name: name.clone(),
        expires_in_days: days,
        read_only: read_only.is_some(),
    };
    let created = shipshape_backend::service::tokens::create(&state, &user, &input).await?;
    Ok(NewTokenShown {
        name: name.trim().to_string(),
        token: created.token,
        expires_at: created.expires_at,
    })
}

#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::tokens::revoke(&state, &user, id.into()).await?)
}

/// Ends every session of the caller (this one too) and goes to the login.
#[server]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    shipshape_backend::service::auth::sign_out_everywhere(&state, &user).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Changes the caller's own password (the current one is required); every
/// session ends, so the page goes to the login.
#[server]
pub async fn change_own_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    shipshape_backend::service::auth::change_own_password(
        &state,
        &user,
        secrecy::SecretString::from(current_password),
        secrecy::SecretString::from(new_password),
        None,
    )
    .await?;
    leptos_axum::redirect("/login");
    Ok(())
}
