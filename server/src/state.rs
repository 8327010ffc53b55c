//! The router's state: the application state and Leptos' options, and how
//! handlers take either part of it. Its own module, so that handlers, the
//! API and the router depend on it rather than on one another.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use shipshape_backend::AppState;

/// What every handler can take.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

impl FromRef<ServerState> for AppState {
    fn from_ref(s: &ServerState) -> Self {
        s.app.clone()
    }
}
