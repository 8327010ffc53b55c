//! Day-2 tasks for the pages: one cluster's schedule, and every cluster's.
//! Completions are posted as plain multipart forms (see the server's
//! `forms` module), so files stream to disk with or without JavaScript.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_domain::day2::TaskView;

#[server]
pub async fn cluster_tasks(id: i64) -> Result<(String, bool, Vec<TaskView>), AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    let (cluster, tasks) = shipshape_backend::service::day2::tasks(&state, &user, id).await?;
    let archived = cluster.is_archived();
    Ok((cluster.name, archived, tasks))
}

#[server]
pub async fn all_tasks() -> Result<Vec<TaskView>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::day2::all_tasks(&state, &user).await?)
}

/// Creates (or replaces) the viewer's private calendar link; returns its path.
#[server]
pub async fn create_calendar_link() -> Result<String, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    let token = shipshape_backend::service::calendar::create_link(&state, &user).await?;
    Ok(format!("/calendar/{token}.ics"))
}
