//! Plain HTML form posts that need multipart (file uploads), answered with
//! a redirect back to the page, so they work with or without JavaScript.
//! Outcomes travel in the query string (`?done=` or `?error=`), which the
//! page shows.

use crate::state::ServerState;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use shipshape_backend::service::day2;
use shipshape_backend::ServiceError;
use tower_sessions::Session;

fn back(cluster: i64, query: &str) -> Response {
    Redirect::to(&format!("/clusters/{cluster}/day2?{query}")).into_response()
}

fn back_to_checklist(cluster: i64, query: &str) -> Response {
    Redirect::to(&format!("/clusters/{cluster}?{query}")).into_response()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A person's message for a refusal, through the UI's one error mapping
/// (which logs internal detail and shows none of it); field messages are
/// spelled out because the form posted without JavaScript has no fields
/// to mark.
fn message(e: ServiceError) -> String {
    match shipshape_app::error::AppError::from(e) {
        shipshape_app::error::AppError::Invalid(fields) => fields
            .iter()
            .map(|(_, m)| m.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

pub async fn complete_task(
    State(state): State<ServerState>,
    session: Session,
    Path((cluster, task)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    form: Multipart,
) -> Response {
    let user = match shipshape_backend::session::session_user(&state.app, &session).await {
        Ok(Some(u)) => u,
        _ => return Redirect::to("/login").into_response(),
    };
    let result = async {
        day2::may_complete(&state.app, &user, cluster.into(), &task).await?;
        let input = crate::upload::read_completion(
            form,
            &state.app.files,
            &crate::upload::Limits::of(&state.app.config).for_body(&headers),
        )
        .await?;
        day2::complete(&state.app, &user, cluster.into(), &task, input).await
    }
    .await;
    match result {
        Ok(_) => back(cluster, &format!("done={}", encode(&task))),
        Err(e) => back(
            cluster,
            &format!("task={}&error={}", encode(&task), encode(&message(e))),
        ),
    }
}

/// A checklist sign-off with evidence files (the item card's file form).
pub async fn sign_with_files(
    State(state): State<ServerState>,
    session: Session,
    Path((cluster, item)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    form: Multipart,
) -> Response {
    let user = match shipshape_backend::session::session_user(&state.app, &session).await {
        Ok(Some(u)) => u,
        _ => return Redirect::to("/login").into_response(),
    };
    let result = async {
        shipshape_backend::service::signoffs::may_sign(&state.app, &user, cluster.into(), &item)
            .await
            .map_err(FormRefusal::Service)?;
        let mut f = crate::upload::read_form(
            form,
            &state.app.files,
            &crate::upload::Limits::of(&state.app.config).for_body(&headers),
            &["status", "note", "evidence_as_of"],
        )
        .await
        .map_err(FormRefusal::Service)?;
        // A missing or unknown status is refused, never taken as "done".
        let Ok(action) = shipshape_domain::signoff::SignoffAction::from_status(&f.take("status"))
        else {
            return Err(FormRefusal::Status);
        };
        let (note, as_of) = (f.take("note"), f.take("evidence_as_of"));
        shipshape_backend::service::signoffs::sign_with_evidence(
            &state.app,
            &user,
            cluster.into(),
            &item,
            action,
            &note,
            f.files,
            &as_of,
        )
        .await
        .map_err(FormRefusal::Service)
    }
    .await;
    match result {
        Ok(_) => back_to_checklist(cluster, &format!("signed={}", encode(&item))),
        Err(FormRefusal::Status) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(format!(
                "<!doctype html><title>Not recorded</title><p>Nothing was recorded. {} <a href=\"/clusters/{cluster}\">Back to the checklist</a></p>",
                shipshape_domain::signoff::STATUS_MESSAGE
            )),
        )
            .into_response(),
        Err(FormRefusal::Service(e)) => back_to_checklist(
            cluster,
            &format!("item={}&error={}", encode(&item), encode(&message(e))),
        ),
    }
}

/// Why a sign-off form was not recorded.
enum FormRefusal {
    /// No status, or one that is not done / not_applicable / revoked.
    Status,
    Service(ServiceError),
}
