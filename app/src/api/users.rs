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

/// An admin changes an account: `action` is `role` (with `role`),
/// `disable`, `enable` or `reset` (with `password`).
#[server]
pub async fn change_account(
    user_id: i64,
    action: String,
    role: Option<String>,
    password: Option<String>,
) -> Result<User, AppError> {
    use shipshape_domain::account::AccountChange;
    use shipshape_domain::fields::FieldErrors;
    use shipshape_domain::role::Role;
    let (state, actor) = crate::ssr::require_user().await?;
    let change = match action.as_str() {
        "role" => AccountChange::Role(
            role.as_deref()
                .and_then(Role::parse)
                .ok_or_else(|| AppError::Invalid(FieldErrors::single("role", "Choose a role.")))?,
        ),
        "disable" => AccountChange::Disable,
        "enable" => AccountChange::Enable,
        "reset" => AccountChange::ResetPassword,
        _ => {
            return Err(AppError::Invalid(FieldErrors::single(
                "user",
                "Choose a change.",
            )))
        }
    };
    Ok(shipshape_backend::service::users::change_account(
        &state,
        &actor,
        user_id.into(),
        change,
        password.map(secrecy::SecretString::from),
    )
    .await?)
}

/// An admin sends a test notification to every configured target; returns
/// their names.
#[server]
pub async fn send_test_notification() -> Result<Vec<String>, AppError> {
    let (state, actor) = crate::ssr::require_user().await?;
    let targets = shipshape_backend::service::notifications::send_test(&state, &actor).await?;
    Ok(targets.into_iter().map(str::to_string).collect())
}
