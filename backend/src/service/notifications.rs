//! Notifications, off the request path: a background round every
//! `notify_interval_secs` reads the ledger rows written since the last
//! round (verdict changes and waivers) and today's expiring sign-offs and
//! waivers, and tells the configured targets: a generic JSON webhook
//! (`notify_url`, signed with `notify_secret`, see
//! [`shipshape_domain::notify`]) and the Slack-compatible webhook of the
//! Day-2 reminders. Each event is claimed per target in the database before
//! it is sent, so it goes out at most once; delivery runs on its own task,
//! retried with backoff. The first round starts at the ledger's tip: history
//! from before notifications were turned on is not replayed.

use super::{moment, now};
use crate::{AppState, ServiceError};
use shipshape_domain::ids::{ClusterId, ItemId};
use shipshape_domain::notify::{expiring, from_row, slack_text, Event, EventKind, RowContext};
use shipshape_domain::signoff::SignoffAction;
use shipshape_domain::standing::{assess, Standing};
use std::collections::HashMap;
use std::time::Duration;

const ATTEMPTS: u32 = 5;
/// Rows looked at per round at most (the rest wait for the next round).
const ROWS_PER_ROUND: i64 = 2000;

#[derive(Clone)]
enum Target {
    Json { url: String, secret: String },
    Slack { url: String },
}

impl Target {
    fn name(&self) -> &'static str {
        match self {
            Target::Json { .. } => "json",
            Target::Slack { .. } => "slack",
        }
    }
}

fn targets(state: &AppState) -> Vec<Target> {
    let c = &state.config;
    let mut t = Vec::new();
    if let (Some(url), Some(secret)) = (&c.notify_url, &c.notify_secret) {
        t.push(Target::Json {
            url: url.expose().to_string(),
            secret: secret.expose().to_string(),
        });
    }
    if let Some(url) = &c.reminder_webhook_url {
        t.push(Target::Slack {
            url: url.expose().to_string(),
        });
    }
    t
}

/// `public_url` without a trailing slash ("" when unset: links are paths).
fn base(state: &AppState) -> &str {
    state
        .config
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/')
}

fn link(state: &AppState, cluster_id: ClusterId, item_id: &str) -> String {
    format!("{}/clusters/{cluster_id}?item={item_id}", base(state))
}

/// Sets the cursor at the ledger's tip if there is none yet.
async fn start_cursor(state: &AppState) -> Result<(), ServiceError> {
    let mut db = state.db.read().await?;
    if db.notifications().cursor().await?.is_none() {
        let tip = db.ledger().tip_seq().await?;
        db.notifications().set_cursor(tip.into()).await?;
    }
    Ok(())
}

/// Looks for new events and sends each once per target. Returns how many
/// deliveries were started.
pub async fn run_round(state: &AppState, client: &reqwest::Client) -> Result<usize, ServiceError> {
    let targets = targets(state);
    if targets.is_empty() {
        return Ok(0);
    }
    let mut db = state.db.read().await?;
    let tip = db.ledger().tip_seq().await?;
    let Some(cursor) = db.notifications().cursor().await? else {
        db.notifications().set_cursor(tip.into()).await?;
        return Ok(0);
    };
    let rows = db
        .ledger()
        .notable_rows(cursor, tip, ROWS_PER_ROUND)
        .await?;
    let scanned_to = if rows.len() as i64 == ROWS_PER_ROUND {
        rows.last().map(|r| r.seq).unwrap_or(tip.into())
    } else {
        tip.into()
    };
    let clusters: HashMap<ClusterId, String> = db
        .clusters()
        .list(true)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let titles: HashMap<&str, &str> = state
        .runbook
        .items()
        .map(|(_, i)| (i.id.as_str(), i.title.as_str()))
        .collect();
    let states = state.read_cache.states(&state.db).await?;
    let mut events = Vec::new();
    for row in &rows {
        let Some(cluster) = clusters.get(&row.cluster_id) else {
            continue;
        };
        let signed_off = states
            .get(&row.cluster_id)
            .and_then(|items| items.get(row.item_id.as_str()))
            .and_then(|s| s.record.signoff.as_ref())
            .is_some_and(|s| s.action == SignoffAction::Done);
        let ctx = RowContext {
            cluster,
            item_title: titles
                .get(row.item_id.as_str())
                .copied()
                .unwrap_or(&row.item_id),
            signed_off,
            link: link(state, row.cluster_id, &row.item_id),
        };
        events.extend(from_row(row, &ctx));
    }
    // Sign-offs and approved waivers that started expiring soon.
    let at = moment(state)?;
    let active: HashMap<ClusterId, String> = state
        .db
        .read()
        .await?
        .clusters()
        .list(false)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let stamp = now();
    for (_, item) in state.runbook.items() {
        for (cluster_id, cluster) in &active {
            let Some(s) = states.get(cluster_id).and_then(|items| items.get(&item.id)) else {
                continue;
            };
            let a = assess(&s.record, item.valid_for_days, s.record.check_failing(), at);
            if !a.expiring_soon {
                continue;
            }
            let ctx = RowContext {
                cluster,
                item_title: &item.title,
                signed_off: true,
                link: link(state, *cluster_id, &item.id),
            };
            match a.standing {
                Standing::Done => {
                    if let (Some(until), Some(signoff)) = (a.signoff_expires_at, &s.record.signoff)
                    {
                        let day = until.date_naive().to_string();
                        events.push(expiring(
                            EventKind::SignoffExpiring,
                            *cluster_id,
                            &ctx,
                            &item.id,
                            &day,
                            &signoff.at.to_string(),
                            &stamp.to_string(),
                        ));
                    }
                }
                Standing::Waived => {
                    if let Some(w) = &s.record.waiver {
                        let day = w.expires_on.to_string();
                        let once = w.request_seq.to_string();
                        events.push(expiring(
                            EventKind::WaiverExpiring,
                            *cluster_id,
                            &ctx,
                            &item.id,
                            &day,
                            &once,
                            &stamp.to_string(),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    let mut started = 0;
    for e in &events {
        started += dispatch(&mut db, client, &targets, e).await?;
    }
    db.notifications().set_cursor(scanned_to).await?;
    Ok(started)
}

/// Claims the event per target and starts each delivery on its own task.
async fn dispatch(
    db: &mut crate::store::Conn,
    client: &reqwest::Client,
    targets: &[Target],
    e: &Event,
) -> Result<usize, ServiceError> {
    let mut started = 0;
    for t in targets {
        if db
            .notifications()
            .claim(&e.id, t.name(), e.event.as_str(), now())
            .await?
        {
            tokio::spawn(deliver(client.clone(), t.clone(), e.clone()));
            started += 1;
        }
    }
    Ok(started)
}

/// Sends a test event to every target now (for the admin's button).
/// Returns the targets' names; `Refused` when none is configured.
pub async fn send_test(
    state: &AppState,
    actor: &shipshape_domain::user::User,
) -> Result<Vec<&'static str>, ServiceError> {
    super::require(actor, shipshape_domain::role::Permission::ManageUsers)?;
    let targets = targets(state);
    if targets.is_empty() {
        return Err(ServiceError::Refused(
            "No notification target is set: configure notify_url and notify_secret, or reminder_webhook_url.".into(),
        ));
    }
    let stamp = now();
    let e = Event {
        id: format!("test-{stamp}"),
        event: EventKind::Test,
        cluster_id: 0.into(),
        cluster: String::new(),
        item_id: ItemId::default(),
        item: String::new(),
        summary: format!(
            "A test notification from Shipshape, sent by {}",
            actor.username
        ),
        at: stamp.to_string(),
        link: format!("{}/", base(state)),
    };
    let client = reqwest::Client::new();
    dispatch(&mut state.db.read().await?, &client, &targets, &e).await?;
    Ok(targets.iter().map(Target::name).collect())
}

async fn deliver(client: reqwest::Client, target: Target, e: Event) {
    let (url, body, secret) = match &target {
        Target::Json { url, secret } => (url, serde_json::to_vec(&e), Some(secret.as_str())),
        Target::Slack { url } => (
            url,
            serde_json::to_vec(&serde_json::json!({ "text": slack_text(&e) })),
            None,
        ),
    };
    let body = body.unwrap_or_default();
    let sent =
        super::webhook::post_json(&client, url, &body, secret, ATTEMPTS, "notification").await;
    let result = if sent { "sent" } else { "failed" };
    metrics::counter!("shipshape_notifications_total", "target" => target.name(), "result" => result)
        .increment(1);
    if !sent {
        tracing::error!(attempts = ATTEMPTS, target = target.name(), event = %e.id, "a notification could not be delivered");
    }
}

/// Runs rounds forever when a target is configured.
pub async fn run_forever(state: AppState) {
    if targets(&state).is_empty() {
        return;
    }
    // Events are looked for from the moment the server first started with
    // notifications on: the cursor is set then, by whichever replica, not
    // at the first round its leader runs (which may come later).
    if let Err(e) = start_cursor(&state).await {
        tracing::error!(error = %e, "could not set the notification cursor");
    }
    let client = reqwest::Client::new();
    use crate::jobs::{leader_ticks, Start};
    let every = Duration::from_secs(state.config.notify_interval_secs);
    // A round under way finishes (it only claims and hands off): the server
    // stops between rounds.
    let mut ticks = leader_ticks(&state, every, Start::Now).await;
    while let Some(_due) = ticks.next().await {
        match run_round(&state, &client).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deliveries = n, "notifications sent off"),
            Err(e) => tracing::error!(error = %e, "notification round failed"),
        }
    }
}
