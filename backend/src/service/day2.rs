//! Day-2 tasks: each cluster's schedule, completing a task with its
//! evidence files, and reading a file back.
//!
//! A completion is a ledger row (`completed`) whose `details` name the
//! outcome and every attached file with its SHA-256, so the chain's hash
//! covers the evidence too. Files are received into temporary files first
//! and stored only once the completion is accepted.

pub use super::evidence::IncomingFile;
use super::{now, require};
use crate::{AppState, ServiceError};
use shipshape_domain::attachment::AttachmentMeta;
use shipshape_domain::cluster::Cluster;
use shipshape_domain::day2::{
    sort_by_urgency, task_views, ClusterRef, Completion, CompletionDetails, Outcome, TaskView,
    COMPLETED,
};
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::ids::{ClusterId, Seq};
use shipshape_domain::role::Permission;
use shipshape_domain::signoff::{sign_refusal, SignRefusal};
use shipshape_domain::user::User;
use std::collections::HashMap;

/// The completion form, as sent.
pub struct CompletionInput {
    pub note: String,
    /// `YYYY-MM-DD` when the work was done before it is recorded; empty: today.
    pub done_on: String,
    pub outcome: String,
    pub evidence_as_of: String,
    pub files: Vec<IncomingFile>,
    /// Run the task's `evidence_query` and attach its result as CSV.
    pub capture_query: bool,
}

fn tz(state: &AppState) -> Result<chrono_tz::Tz, ServiceError> {
    state
        .config
        .tz()
        .map_err(|e| ServiceError::internal("time zone", e))
}

/// The newest completion of every task, by cluster and then task, for one
/// cluster or all; their files come from one query.
async fn completions(
    state: &AppState,
    cluster_id: Option<ClusterId>,
    with_files: bool,
) -> Result<HashMap<ClusterId, HashMap<String, Completion>>, ServiceError> {
    // The read model keeps each task's newest completion.
    let states = state.read_cache.states(&state.db).await?;
    let mut out: HashMap<ClusterId, HashMap<String, Completion>> = HashMap::new();
    for (cluster, items) in states.iter() {
        if cluster_id.is_some_and(|id| id != *cluster) {
            continue;
        }
        for (item, s) in items {
            if let Some(c) = &s.completion {
                out.entry(*cluster)
                    .or_default()
                    .insert(item.clone(), c.clone());
            }
        }
    }
    if !with_files {
        return Ok(out);
    }
    let seqs: Vec<Seq> = out
        .values()
        .flat_map(|m| m.values().map(|c| c.seq))
        .collect();
    let mut files: HashMap<Seq, Vec<AttachmentMeta>> = HashMap::new();
    for (seq, meta) in state.db.read().await?.attachments().for_rows(&seqs).await? {
        files.entry(seq).or_default().push(meta);
    }
    for c in out.values_mut().flat_map(|m| m.values_mut()) {
        c.attachments = files.remove(&c.seq).unwrap_or_default();
    }
    Ok(out)
}

fn views(
    state: &AppState,
    cluster: &Cluster,
    done: &HashMap<String, Completion>,
    tz: &chrono_tz::Tz,
) -> Vec<TaskView> {
    let registered = cluster.created_at.instant();
    task_views(
        &state.runbook,
        &ClusterRef {
            id: cluster.id,
            name: &cluster.name,
            registered_at: registered,
        },
        done,
        chrono::Utc::now(),
        tz,
    )
}

/// One cluster's tasks for a reader already checked: the checklist puts
/// each task's schedule on its item.
pub(crate) async fn schedules(
    state: &AppState,
    cluster: &Cluster,
) -> Result<Vec<TaskView>, ServiceError> {
    let done = completions(state, Some(cluster.id), false).await?;
    let none = HashMap::new();
    Ok(views(
        state,
        cluster,
        done.get(&cluster.id).unwrap_or(&none),
        &tz(state)?,
    ))
}

/// One cluster's tasks, most urgent first.
pub async fn tasks(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<(Cluster, Vec<TaskView>), ServiceError> {
    require(actor, Permission::Read)?;
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    let done = completions(state, Some(cluster_id), true).await?;
    let none = HashMap::new();
    let tasks = views(
        state,
        &cluster,
        done.get(&cluster_id).unwrap_or(&none),
        &tz(state)?,
    );
    Ok((cluster, tasks))
}

/// Every active cluster's tasks, most urgent first.
pub async fn all_tasks(state: &AppState, actor: &User) -> Result<Vec<TaskView>, ServiceError> {
    require(actor, Permission::Read)?;
    tasks_of_all_clusters(state).await
}

/// [`all_tasks`] for the server itself (reminders), without a user.
pub(crate) async fn tasks_of_all_clusters(state: &AppState) -> Result<Vec<TaskView>, ServiceError> {
    tasks_of_all(state, true).await
}

/// Every cluster's tasks without their completions' files: enough for
/// schedule states (the fleet's overdue counts).
pub(crate) async fn task_states_of_all_clusters(
    state: &AppState,
) -> Result<Vec<TaskView>, ServiceError> {
    tasks_of_all(state, false).await
}

async fn tasks_of_all(state: &AppState, with_files: bool) -> Result<Vec<TaskView>, ServiceError> {
    let tz = tz(state)?;
    let done = completions(state, None, with_files).await?;
    let none = HashMap::new();
    let mut all = Vec::new();
    for cluster in state.db.read().await?.clusters().list(false).await? {
        let mine = done.get(&cluster.id).unwrap_or(&none);
        all.extend(views(state, &cluster, mine, &tz));
    }
    sort_by_urgency(&mut all);
    Ok(all)
}

/// Records a completion with its files. Refusals come before anything is
/// stored; the files' temporary copies go when `input` is dropped.
/// Whether `actor` may record work on this task of this cluster: asked
/// before an upload's body is read, and again when it is recorded. Gives
/// the cluster.
pub async fn may_complete(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    task_id: &str,
) -> Result<shipshape_domain::cluster::Cluster, ServiceError> {
    let cluster = super::cluster_by_id(state, cluster_id).await?;
    match sign_refusal(actor.role, cluster.is_archived()) {
        Some(SignRefusal::Role) => return Err(ServiceError::Forbidden),
        Some(SignRefusal::Archived) => {
            return Err(ServiceError::Conflict(
                "This cluster is archived: restore it before recording work on it.".into(),
            ))
        }
        None => {}
    }
    let is_task = state
        .runbook
        .item(task_id)
        .is_some_and(|i| i.cadence().is_some());
    if !is_task {
        return Err(ServiceError::NotFound("task"));
    }
    Ok(cluster)
}

pub async fn complete(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    task_id: &str,
    input: CompletionInput,
) -> Result<Completion, ServiceError> {
    let cluster = may_complete(state, actor, cluster_id, task_id).await?;
    let mut errors = FieldErrors::new();
    let outcome = Outcome::parse(input.outcome.trim());
    if outcome.is_none() {
        errors.add("outcome", "Choose ok or issues found.");
    }
    let note = input.note.trim().to_string();
    shipshape_domain::text_limit::check(&mut errors, "note", &note);
    errors.refuse_nul("note", &note);
    let evidence_as_of = super::evidence::evidence_as_of(&input.evidence_as_of, &mut errors);
    let done_on = match input.done_on.trim() {
        "" => None,
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(day) if day <= chrono::Utc::now().with_timezone(&tz(state)?).date_naive() => {
                Some(day)
            }
            Ok(_) => {
                errors.add("done_on", "The work cannot be done in the future.");
                None
            }
            Err(_) => {
                errors.add("done_on", "A date like 2026-11-23, or empty for today.");
                None
            }
        },
    };
    super::evidence::check_count(state, input.files.len(), &mut errors);
    let outcome = match (errors.is_empty(), outcome) {
        (true, Some(o)) => o,
        _ => return Err(ServiceError::Invalid(errors)),
    };
    let mut files = input.files;
    if input.capture_query {
        files.push(capture(state, &cluster, task_id).await?);
    }

    let at = now();
    let (attached, metas) =
        super::evidence::accept(state, actor, files, evidence_as_of, &at).await?;
    let details = serde_json::to_string(&CompletionDetails {
        outcome,
        done_on,
        attachments: attached,
    })
    .map_err(|e| ServiceError::internal("completion details", e))?;

    let mut tx = state.db.write().await?;
    let entry = crate::ledger::append(
        &mut tx,
        crate::ledger::NewRow {
            at,
            actor: &actor.username,
            cluster_id,
            item_id: task_id,
            action: COMPLETED,
            note: note.clone(),
            details,
        },
    )
    .await?;
    let seq = entry.content().seq;
    for m in &metas {
        tx.attachments().insert(seq, m).await?;
    }
    tx.commit().await?;
    tracing::info!(seq = seq.get(), cluster = cluster_id.get(), task = task_id, files = metas.len(), by = %actor.username, "task completed");
    Ok(Completion {
        seq,
        at,
        done_on,
        by: actor.username.clone(),
        outcome,
        note,
        attachments: metas,
    })
}

/// A stored file's metadata and path, for download.
pub async fn attachment(
    state: &AppState,
    actor: &User,
    sha256: &str,
) -> Result<(AttachmentMeta, std::path::PathBuf), ServiceError> {
    require(actor, Permission::Read)?;
    let path = state
        .files
        .path_of(sha256)
        .ok_or(ServiceError::NotFound("attachment"))?;
    let meta = state
        .db
        .read()
        .await?
        .attachments()
        .by_sha(sha256)
        .await?
        .ok_or(ServiceError::NotFound("attachment"))?;
    Ok((meta, path))
}

/// Runs the task's evidence query on the cluster and turns the result into
/// a CSV evidence file (streamed into the store like an upload).
async fn capture(
    state: &AppState,
    cluster: &Cluster,
    task_id: &str,
) -> Result<IncomingFile, ServiceError> {
    let refuse = |m: String| ServiceError::Invalid(FieldErrors::single("capture_query", m));
    let sql = state
        .runbook
        .item(task_id)
        .and_then(|i| i.evidence_query.clone())
        .ok_or_else(|| refuse("This task has no query to capture.".into()))?;
    let out = super::checks::query_cluster(state, cluster, &sql)
        .await
        .map_err(|e| refuse(format!("The query could not run: {e}")))?;
    let mut upload = state
        .files
        .begin(state.config.max_upload_bytes)
        .await
        .map_err(|e| super::evidence::upload_refusal("the query result", e))?;
    let header: Vec<String> = out.columns.iter().map(|c| c.name.clone()).collect();
    let mut csv = shipshape_domain::csv::safe_row(&header);
    for r in &out.rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| match c {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        csv.push_str(&shipshape_domain::csv::safe_row(&cells));
        if csv.len() > 64 * 1024 {
            upload
                .write(csv.as_bytes())
                .await
                .map_err(|e| super::evidence::upload_refusal("the query result", e))?;
            csv.clear();
        }
    }
    upload
        .write(csv.as_bytes())
        .await
        .map_err(|e| super::evidence::upload_refusal("the query result", e))?;
    let pending = upload
        .finish()
        .await
        .map_err(|e| super::evidence::upload_refusal("the query result", e))?;
    Ok(IncomingFile {
        pending,
        name: format!("{task_id}-{}.csv", chrono::Utc::now().format("%Y-%m-%d")),
        content_type: "text/csv".into(),
    })
}
