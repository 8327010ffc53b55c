//! The JSON API under `/api/v1`: the same services as the UI, for automation.
//! Authentication is the same session cookie (`POST /api/v1/session`).

pub mod checks;
pub mod clusters;
pub mod extract;
pub mod health;
pub mod ledger;
pub mod session;
pub mod signoffs;
pub mod users;

use crate::router::ServerState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/setup", post(session::setup))
        .route(
            "/session",
            get(session::whoami)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/clusters", get(clusters::list).post(clusters::create))
        .route("/clusters/{id}", get(clusters::get).put(clusters::update))
        .route("/clusters/{id}/archive", post(clusters::archive))
        .route("/clusters/{id}/restore", post(clusters::restore))
        .route("/clusters/{id}/checklist", get(signoffs::checklist))
        .route("/clusters/{id}/checks", get(checks::latest))
        .route("/clusters/{id}/checks/run", post(checks::run))
        .route(
            "/clusters/{id}/items/{item_id}/signoffs",
            post(signoffs::sign),
        )
        .route(
            "/clusters/{id}/items/{item_id}/history",
            get(signoffs::history),
        )
        .route("/ledger/verify", get(ledger::verify))
        .route("/users", get(users::list).post(users::add))
        .fallback(|| async {
            crate::error::ApiError::new(axum::http::StatusCode::NOT_FOUND, "no such API endpoint")
        })
}
