//! Day-2 tasks for the pages: one cluster's schedule, and every cluster's.
//! Completions are posted as plain multipart forms (see the server's
//! `forms` module), so files stream to disk with or without JavaScript.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shipshape_domain::attachment::UploadLimits;
use shipshape_domain::day2::TaskView;

/// One cluster's Day-2 page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterDay2 {
    pub name: String,
    pub archived: bool,
    pub tasks: Vec<TaskView>,
    /// What an evidence upload may hold.
    pub upload: UploadLimits,
}

#[server]
pub async fn cluster_tasks(id: i64) -> Result<ClusterDay2, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    let (cluster, tasks) =
        shipshape_backend::service::day2::tasks(&state, &user, id.into()).await?;
    Ok(ClusterDay2 {
        archived: cluster.is_archived(),
        name: cluster.name,
        tasks,
        upload: crate::ssr::upload_limits(&state),
    })
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
