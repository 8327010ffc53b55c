//! The visitor's session as the UI sees it, and the guard that sends visitors
//! to first-run setup or the login page.

use crate::api::session::{session_info, Login, Logout, SessionView, SetupAdmin, Viewer};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Login, logout and setup actions, and the session they change.
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub setup: ServerAction<SetupAdmin>,
    pub info: Resource<Result<SessionView, AppError>>,
}

impl SessionCtx {
    pub fn new() -> Self {
        let login = ServerAction::<Login>::new();
        let logout = ServerAction::<Logout>::new();
        let setup = ServerAction::<SetupAdmin>::new();
        let info = Resource::new(
            move || {
                (
                    login.version().get(),
                    logout.version().get(),
                    setup.version().get(),
                )
            },
            |_| session_info(),
        );
        SessionCtx {
            login,
            logout,
            setup,
            info,
        }
    }
}

impl Default for SessionCtx {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}

/// The latest result of a session action, for its page. The session's
/// actions live above the router, so a form sent before the page's script
/// ran (a plain POST, answered by a redirect whose URL carries the error)
/// would otherwise lose its refusal: the page reads that error from the URL
/// until the action has a result of its own. Call inside a route's view.
pub fn session_result<S>(
    action: ServerAction<S>,
) -> impl Fn() -> Option<Result<S::Output, AppError>> + Copy + Send + Sync + 'static
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let from_url = use_context::<leptos::server::ServerActionError>()
        .filter(|e| e.path() == S::PATH)
        .map(|e| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(e.err()));
    let from_url = StoredValue::new(from_url);
    move || match action.value().get() {
        Some(result) => Some(result),
        None => from_url.get_value().map(Err),
    }
}

/// Renders `children` with the logged-in viewer; redirects to /setup on an
/// empty install and to /login without a session.
#[component]
pub fn RequireUser<F, IV>(children: F) -> impl IntoView
where
    F: Fn(Viewer) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let session = use_session();
    let children = std::sync::Arc::new(children);
    // Login comes back here afterwards (not after logging out on purpose).
    let location = leptos_router::hooks::use_location();
    let login = move || {
        if session.logout.version().get_untracked() > 0 {
            return "/login".to_string();
        }
        let here = format!(
            "{}{}",
            location.pathname.get_untracked(),
            location.search.get_untracked()
        );
        shipshape_domain::return_to::login_href(&here)
    };
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match session.info.await {
                            Ok(SessionView { needs_setup: true, .. }) => view! { <Redirect path="/setup"/> }.into_any(),
                            Ok(SessionView { user: None, .. }) => view! { <Redirect path=login()/> }.into_any(),
                            Ok(SessionView { user: Some(viewer), .. }) => children(viewer).into_any(),
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }
            }
        </Transition>
    }
}
