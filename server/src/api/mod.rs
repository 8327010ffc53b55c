//! The JSON API under `/api/v1`: the same services as the UI, for automation.
//! Authentication is the same session cookie (`POST /api/v1/session`).

pub mod checks;
pub mod clusters;
pub mod config;
pub mod day2;
pub mod export;
pub mod extract;
pub mod fleet;
pub mod gate;
pub mod health;
pub mod ledger;
pub mod notifications;
pub mod session;
pub mod signoffs;
pub mod tokens;
pub mod users;
pub mod waivers;

use crate::state::ServerState;
use axum::routing::{get, post};
use axum::Router;

/// `upload_limit` bounds a whole multipart request (files are also limited
/// one by one while they stream in).
pub fn routes(upload_limit: axum::extract::DefaultBodyLimit) -> Router<ServerState> {
    Router::new()
        .route("/setup", post(session::setup))
        .route(
            "/session",
            get(session::whoami)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/session/everywhere", post(session::sign_out_everywhere))
        .route("/session/password", post(session::change_password))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/clusters", get(clusters::list).post(clusters::create))
        .route("/clusters/{id}", get(clusters::get).put(clusters::update))
        .route("/clusters/{id}/archive", post(clusters::archive))
        .route("/clusters/{id}/changes", get(clusters::changes))
        .route("/clusters/{id}/restore", post(clusters::restore))
        .route("/fleet", get(fleet::list))
        .route("/fleet/trend", get(fleet::trend))
        .route("/fleet/drift", get(fleet::drift))
        .route("/clusters/{id}/trend", get(fleet::cluster_trend))
        .route("/clusters/{id}/report", get(fleet::cluster_report))
        .route("/waivers", get(waivers::list))
        .route(
            "/clusters/{id}/items/{item_id}/waivers",
            post(waivers::request),
        )
        .route(
            "/clusters/{id}/waivers/{seq}/decision",
            post(waivers::decide),
        )
        .route("/clusters/{id}/checklist", get(signoffs::checklist))
        .route("/clusters/{id}/gate", get(gate::gate))
        .route(
            "/clusters/{id}/config",
            get(config::latest)
                .post(config::push)
                .layer(axum::extract::DefaultBodyLimit::max(config::MAX_PUSH_BYTES)),
        )
        .route("/clusters/{id}/preflight", get(config::preflight))
        .route("/notifications/test", post(notifications::test))
        .route("/clusters/{id}/checks", get(checks::latest))
        .route("/clusters/{id}/checks/run", post(checks::run))
        .route(
            "/clusters/{id}/items/{item_id}/signoffs",
            post(signoffs::sign).layer(upload_limit),
        )
        .route(
            "/clusters/{id}/items/{item_id}/history",
            get(signoffs::history),
        )
        .route("/clusters/{id}/tasks", get(day2::tasks))
        .route(
            "/clusters/{id}/tasks/{task_id}/completions",
            post(day2::complete).layer(upload_limit),
        )
        .route("/clusters/{id}/calendar.ics", get(day2::calendar_cluster))
        .route("/tasks", get(day2::all_tasks))
        .route("/calendar.ics", get(day2::calendar_all))
        .route("/calendar-link", post(day2::create_calendar_link))
        .route("/attachments/{sha256}", get(day2::attachment))
        .route("/export/signoffs.csv", get(export::csv))
        .route("/export/signoffs.jsonl", get(export::jsonl))
        .route("/export/bundle.zip", get(export::bundle))
        .route("/ledger/verify", get(ledger::verify))
        .route("/ledger/key", get(ledger::key))
        .route("/users", get(users::list).post(users::add))
        .route("/users/{id}", axum::routing::put(users::change))
        .route("/users/{id}/password", post(users::reset_password))
        .fallback(|| async {
            crate::error::ApiError::new(axum::http::StatusCode::NOT_FOUND, "no such API endpoint")
        })
}
