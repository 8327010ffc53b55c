//! Who is logged in, first-run setup, login and logout.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shipshape_domain::role::{Permission, Role};

/// What the UI needs to know about the visitor. Permissions are decided on
/// the server, from the role, and only rendered by the components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub needs_setup: bool,
    pub user: Option<Viewer>,
    /// The single sign-on provider's name, when one is set up.
    #[serde(default)]
    pub sso: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub username: String,
    pub role: Role,
    pub can_sign: bool,
    pub can_manage_clusters: bool,
    pub can_manage_users: bool,
    #[serde(default)]
    pub can_decide_waivers: bool,
}

impl Viewer {
    pub fn of(username: String, role: Role) -> Self {
        Viewer {
            username,
            role,
            can_sign: role.can(Permission::SignOff),
            can_manage_clusters: role.can(Permission::ManageClusters),
            can_manage_users: role.can(Permission::ManageUsers),
            can_decide_waivers: role.can(Permission::DecideWaivers),
        }
    }
}

#[server]
pub async fn session_info() -> Result<SessionView, AppError> {
    use shipshape_backend::service::auth;
    let state = crate::ssr::state()?;
    let needs_setup = auth::needs_setup(&state).await?;
    let user = crate::ssr::current_user().await?;
    Ok(SessionView {
        needs_setup,
        user: user.map(|u| Viewer::of(u.username, u.role)),
        sso: state
            .directories
            .oidc
            .as_ref()
            .map(|o| o.display_name().to_string()),
    })
}

#[server]
pub async fn setup_admin(
    username: String,
    password: String,
    confirm: String,
    setup_token: String,
) -> Result<(), AppError> {
    use shipshape_backend::service::auth;
    use shipshape_domain::fields::FieldErrors;
    if password != confirm {
        return Err(AppError::Invalid(FieldErrors::single(
            "confirm",
            "The two passwords differ.",
        )));
    }
    let state = crate::ssr::state()?;
    let user = auth::setup_first_admin(
        &state,
        &username,
        secrecy::SecretString::from(password),
        &secrecy::SecretString::from(setup_token),
    )
    .await?;
    let session = crate::ssr::session().await?;
    crate::ssr::begin_session(&session, &user).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Logs in and goes to `next` (the page that sent the person to log in,
/// when it is on this site) or home. With the page's script, the login
/// page goes there too: both name the same page, so the two navigations
/// cannot race to different ones.
#[server]
pub async fn login(
    username: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use shipshape_backend::service::auth;
    let state = crate::ssr::state()?;
    let address = leptos_axum::extract::<http::request::Parts>()
        .await
        .ok()
        .and_then(|parts| crate::ssr::client_address(&state, &parts));
    let user = auth::login(
        &state,
        &username,
        secrecy::SecretString::from(password),
        address.as_deref(),
    )
    .await?;
    let session = crate::ssr::session().await?;
    crate::ssr::begin_session(&session, &user).await?;
    tracing::info!(user = %user.username, "logged in");
    let to = next
        .as_deref()
        .and_then(shipshape_domain::return_to::safe_return)
        .unwrap_or("/");
    leptos_axum::redirect(to);
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::ssr::session().await?;
    crate::ssr::end_session(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
