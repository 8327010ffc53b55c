//! User management for admins.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_domain::user::User;

#[server]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::users::list_users(&state, &user).await?)
}

#[server]
pub async fn add_user(username: String, role: String, password: String) -> Result<User, AppError> {
    use shipshape_domain::fields::FieldErrors;
    use shipshape_domain::role::Role;
    let (state, actor) = crate::ssr::require_user().await?;
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::Invalid(FieldErrors::single("role", "Choose a role.")))?;
    Ok(shipshape_backend::service::users::add_user(
        &state,
        &actor,
        &username,
        role,
        secrecy::SecretString::from(password),
    )
    .await?)
}
