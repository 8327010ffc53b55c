//! Day-2 reminders: when a task becomes due, and when it becomes overdue,
//! one message each to the configured webhook (a Slack-compatible JSON body
//! `{"text": …}`). A reminder is claimed in the database before it is sent,
//! so it goes out at most once; sending happens on its own task, retried
//! with backoff and logged, and never blocks anything else.

use super::now;
use crate::{AppState, ServiceError};
use shipshape_domain::day2::{TaskState, TaskView};
use std::time::Duration;

const ATTEMPTS: u32 = 4;

/// The message for a task that became due or overdue.
pub fn message(t: &TaskView) -> String {
    match t.state {
        TaskState::Overdue => format!(
            ":rotating_light: Overdue on {}: {} (due {}, {} days ago)",
            t.cluster_name, t.title, t.due, -t.days_left
        ),
        _ => format!(
            ":calendar: Due on {}: {} (due {})",
            t.cluster_name, t.title, t.due
        ),
    }
}

/// Finds tasks that entered "due" or "overdue" since the last round and
/// sends each reminder once. Returns how many were sent off.
pub async fn run_round(state: &AppState, client: &reqwest::Client) -> Result<usize, ServiceError> {
    let Some(url) = state
        .config
        .reminder_webhook_url
        .as_ref()
        .map(|u| u.expose().to_string())
    else {
        return Ok(0);
    };
    let tasks = super::day2::tasks_of_all_clusters(state).await?;
    let mut sent = 0;
    for t in tasks.iter().filter(|t| t.state != TaskState::Upcoming) {
        let claimed = state
            .db
            .read()
            .await?
            .reminders()
            .claim(
                t.cluster_id,
                &t.id,
                &t.due.to_string(),
                t.state.as_str(),
                now(),
            )
            .await?;
        if claimed {
            sent += 1;
            let body = serde_json::json!({ "text": message(t) });
            tokio::spawn(deliver(client.clone(), url.clone(), body));
        }
    }
    Ok(sent)
}

async fn deliver(client: reqwest::Client, url: String, body: serde_json::Value) {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    if !super::webhook::post_json(&client, &url, &bytes, None, ATTEMPTS, "reminder").await {
        tracing::error!(
            attempts = ATTEMPTS,
            "a Day-2 reminder could not be delivered"
        );
    }
}

/// Runs rounds forever (only when a webhook is configured).
pub async fn run_forever(state: AppState) {
    if state.config.reminder_webhook_url.is_none() {
        return;
    }
    let client = reqwest::Client::new();
    use crate::jobs::{leader_ticks, Start};
    let every = Duration::from_secs(state.config.reminder_interval_secs);
    // A round under way finishes (it only claims and hands off): the server
    // stops between rounds.
    let mut ticks = leader_ticks(&state, every, Start::Now).await;
    while let Some(_due) = ticks.next().await {
        match run_round(&state, &client).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminders = n, "Day-2 reminders sent"),
            Err(e) => tracing::error!(error = %e, "Day-2 reminder round failed"),
        }
    }
}
