//! A cluster's configuration pushed as signed evidence (`shipshape config
//! push`, `POST /api/v1/clusters/{id}/config`): the files are checked and
//! redacted ([`shipshape_domain::trino_config::snapshot`]), the snapshot is
//! stored in the evidence files and attached to one `config_pushed` ledger
//! row naming each file's SHA-256, and the configuration's verdicts on the
//! items no live check decides are recorded in the same transaction, as
//! check results with the file and line they came from. A push identical
//! to the previous one records nothing.
//!
//! Items that do have a live check read the newest snapshot when their
//! live check cannot decide (see [`config_fallback`]).

use super::checks::record_results;
use super::evidence::storage_failure;
use super::{cluster_by_id, now, require};
use crate::{AppState, ServiceError};
use serde::Serialize;
use shipshape_domain::attachment::AttachmentMeta;
use shipshape_domain::check::{CheckResult, CheckStatus};
use shipshape_domain::cluster_change::CLUSTER_ITEM;
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::ids::{ClusterId, Seq};
use shipshape_domain::ledger_action::LedgerAction;
use shipshape_domain::role::Permission;
use shipshape_domain::time::Timestamp;
use shipshape_domain::trino_config::diff::{diff, FileChange};
use shipshape_domain::trino_config::snapshot::{snapshot, ConfigPushDetails, ConfigSnapshot};
use shipshape_domain::trino_config::verdicts::{config_verdicts, ConfigVerdict};
use shipshape_domain::user::User;

/// The attachment name of a push's snapshot.
pub const SNAPSHOT_NAME: &str = "config-snapshot.json";
const ACTION: &str = LedgerAction::ConfigPushed.as_str();
/// The longest `source` kept.
const MAX_SOURCE_CHARS: usize = 300;

/// What a pipeline pushes: files (name, text) and where they came from.
#[derive(Debug, Clone, Default)]
pub struct PushRequest {
    pub files: Vec<(String, String)>,
    /// A commit, a merge request, a job URL: shown beside the push.
    pub source: String,
}

/// One verdict as the push answers it.
#[derive(Debug, Clone, Serialize)]
pub struct PushedVerdict {
    pub item_id: String,
    pub status: CheckStatus,
    pub reason: String,
    /// `file:line`, when one line decided it.
    pub at: Option<String>,
    /// Whether it became the item's result (no live check decides the item).
    pub recorded: bool,
}

/// The answer to a push.
#[derive(Debug, Clone, Serialize)]
pub struct PushOutcome {
    /// The ledger row of this push, or of the identical previous one.
    pub seq: i64,
    /// False when the files were the same as the previous push's.
    pub changed: bool,
    pub snapshot_sha256: String,
    pub changes: Vec<FileChange>,
    pub verdicts: Vec<PushedVerdict>,
}

/// A cluster's newest push: its ledger row, details and snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct LatestPush {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub details: ConfigPushDetails,
    pub snapshot: ConfigSnapshot,
    /// What changed from the push before it.
    pub changes: Vec<FileChange>,
    /// No push came before it.
    pub first: bool,
}

fn refusal(problems: Vec<shipshape_domain::trino_config::snapshot::PushProblem>) -> ServiceError {
    let mut errors = FieldErrors::new();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    errors.add("files", text.join("\n"));
    ServiceError::Invalid(errors)
}

pub async fn push(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    req: PushRequest,
) -> Result<PushOutcome, ServiceError> {
    require(actor, Permission::RunChecks)?;
    let cluster = cluster_by_id(state, cluster_id).await?;
    if cluster.archived_at.is_some() {
        return Err(ServiceError::Conflict(
            "the cluster is archived: restore it before pushing its configuration".into(),
        ));
    }
    let mut errors = FieldErrors::new();
    if req.source.chars().any(char::is_control) {
        errors.add(
            "source",
            "One line of text: a commit, a merge request or a job address.",
        );
    }
    if req.source.chars().count() > MAX_SOURCE_CHARS {
        errors.add("source", format!("At most {MAX_SOURCE_CHARS} characters."));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let snap = snapshot(&req.files).map_err(refusal)?;
    let json = snap.to_json();
    let set = snap.config_set();
    let verdicts = config_verdicts(&set);
    let pushed = |recorded: &dyn Fn(&str) -> bool| -> Vec<PushedVerdict> {
        verdicts
            .iter()
            .map(|v| PushedVerdict {
                item_id: v.item.to_string(),
                status: v.verdict.status,
                reason: v.verdict.reason.clone(),
                at: v.at.as_ref().map(ToString::to_string),
                recorded: recorded(v.item),
            })
            .collect()
    };
    let decides = |item: &str| state.runbook.item(item).is_some_and(|i| i.check.is_none());
    // The previous push is read in the write transaction, so two pushes at
    // once cannot both find the same previous one (and both record).
    let mut tx = state.db.write().await?;
    let previous = newest_pushes(&mut tx, state, cluster_id, 1)
        .await?
        .into_iter()
        .next()
        .map(|(seq, _, snap)| (seq, snap));
    if let Some((prev_seq, prev)) = &previous {
        if prev.to_json() == json {
            return Ok(PushOutcome {
                seq: prev_seq.get(),
                changed: false,
                snapshot_sha256: sha256_hex(&json),
                changes: Vec::new(),
                verdicts: pushed(&decides),
            });
        }
    }
    let changes = diff(previous.as_ref().map(|p| &p.1), &snap);

    // The snapshot goes to the evidence files first (by its SHA-256: a
    // failed transaction leaves at most an unreferenced file).
    let mut upload = state
        .files
        .begin(json.len() as u64 + 1)
        .await
        .map_err(|e| storage_failure("storing a configuration snapshot", e))?;
    upload
        .write(json.as_bytes())
        .await
        .map_err(|e| storage_failure("storing a configuration snapshot", e))?;
    let pending = upload
        .finish()
        .await
        .map_err(|e| storage_failure("storing a configuration snapshot", e))?;
    let snapshot_sha256 = pending.sha256.clone();
    let size = pending.size;
    pending
        .keep(&state.files)
        .await
        .map_err(|e| storage_failure("storing a configuration snapshot", e))?;

    let at = now();
    let details = ConfigPushDetails {
        files: snap.summary(),
        snapshot_sha256: snapshot_sha256.clone(),
        source: req.source.trim().to_string(),
        changes: changes.iter().map(FileChange::weight).sum(),
    };
    let note = push_note(&details, previous.is_none());
    let details_json = serde_json::to_string(&details)
        .map_err(|e| ServiceError::internal("config push details", e))?;
    let results: Vec<CheckResult> = verdicts
        .iter()
        .filter(|v| decides(v.item))
        .map(|v| config_result(v, &snap, at))
        .collect();

    let entry = crate::ledger::append(
        &mut tx,
        crate::ledger::NewRow {
            at,
            actor: &actor.username,
            cluster_id,
            item_id: CLUSTER_ITEM,
            action: ACTION,
            note,
            details: details_json,
        },
    )
    .await?;
    let seq = entry.content().seq;
    tx.attachments()
        .insert(
            seq,
            &AttachmentMeta {
                sha256: snapshot_sha256.clone(),
                name: SNAPSHOT_NAME.into(),
                content_type: "application/json".into(),
                size,
                uploaded_by: actor.username.clone(),
                uploaded_at: at.to_string(),
                evidence_as_of: None,
            },
        )
        .await?;
    let run_id = format!("config-{}", seq.get());
    record_results(state, &mut tx, cluster_id, &run_id, &results, at, Some(1)).await?;
    tx.commit().await?;
    tracing::info!(
        cluster = cluster_id.get(),
        seq = seq.get(),
        files = snap.files.len(),
        "configuration pushed"
    );
    Ok(PushOutcome {
        seq: seq.get(),
        changed: true,
        snapshot_sha256,
        changes,
        verdicts: pushed(&decides),
    })
}

fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn push_note(d: &ConfigPushDetails, first: bool) -> String {
    let files = d.files.len();
    let plural = if files == 1 { "" } else { "s" };
    let mut note = if first {
        format!("configuration pushed: {files} file{plural}")
    } else {
        format!(
            "configuration pushed: {files} file{plural}, {} change{}",
            d.changes,
            if d.changes == 1 { "" } else { "s" }
        )
    };
    if !d.source.is_empty() {
        note.push_str(&format!(" (from {})", d.source));
    }
    note
}

/// A configuration verdict as a check result: the place is what was
/// observed, and the evidence is the deciding line as stored.
fn config_result(v: &ConfigVerdict, snap: &ConfigSnapshot, at: Timestamp) -> CheckResult {
    let line = v.at.as_ref().and_then(|place| {
        let f = snap.files.iter().find(|f| f.name == place.file)?;
        let text = f.text.lines().nth(place.line.checked_sub(1)?)?;
        Some(format!(
            "{place}: {text}\nsnapshot file sha256 {}",
            f.sha256
        ))
    });
    CheckResult {
        item_id: v.item.to_string().into(),
        status: v.verdict.status,
        reason: format!("from the pushed configuration: {}", v.verdict.reason),
        observed: v.verdict.observed.clone(),
        evidence: line.unwrap_or_else(|| v.verdict.reason.clone()),
        duration_ms: 0,
        at: at.to_string(),
    }
}

/// The newest push's ledger row and snapshot, if the cluster pushed one.
pub(crate) async fn latest_snapshot(
    state: &AppState,
    cluster_id: ClusterId,
) -> Result<Option<(Seq, ConfigSnapshot)>, ServiceError> {
    let mut db = state.db.read().await?;
    Ok(newest_pushes(&mut db, state, cluster_id, 1)
        .await?
        .into_iter()
        .next()
        .map(|(seq, _, snap)| (seq, snap)))
}

/// The newest `n` pushes whose snapshot can be read, newest first, each
/// with its row and snapshot. A snapshot that cannot be read (its file
/// gone from the evidence store) is logged and passed over: the page,
/// the check runs and the next push go on without it.
async fn newest_pushes(
    conn: &mut crate::store::Conn,
    state: &AppState,
    cluster_id: ClusterId,
    n: i64,
) -> Result<Vec<(Seq, shipshape_domain::ledger::LedgerEntry, ConfigSnapshot)>, ServiceError> {
    let rows = conn
        .ledger()
        .newest_with_action(cluster_id, ACTION, n)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let c = row.content();
        let Some(details) = ConfigPushDetails::parse(&c.details) else {
            continue;
        };
        match read_snapshot(state, &details.snapshot_sha256).await {
            Some(snap) => out.push((c.seq, row.clone(), snap)),
            None => tracing::error!(
                cluster = cluster_id.get(),
                seq = c.seq.get(),
                "the configuration snapshot of this push cannot be read: passed over"
            ),
        }
    }
    Ok(out)
}

async fn read_snapshot(state: &AppState, sha256: &str) -> Option<ConfigSnapshot> {
    let path = state.files.path_of(sha256)?;
    let json = tokio::fs::read_to_string(&path).await.ok()?;
    ConfigSnapshot::from_json(&json)
}

/// The newest push with what changed since the one before it.
pub async fn latest(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<Option<LatestPush>, ServiceError> {
    require(actor, Permission::Read)?;
    cluster_by_id(state, cluster_id).await?;
    let mut db = state.db.read().await?;
    let mut pushes = newest_pushes(&mut db, state, cluster_id, 2)
        .await?
        .into_iter();
    let Some((seq, row, snapshot)) = pushes.next() else {
        return Ok(None);
    };
    let before = pushes.next().map(|(_, _, s)| s);
    let c = row.content();
    Ok(Some(LatestPush {
        seq: seq.get(),
        at: c.at.to_string(),
        actor: c.actor.clone(),
        details: ConfigPushDetails::parse(&c.details).unwrap_or_else(|| ConfigPushDetails {
            files: snapshot.summary(),
            snapshot_sha256: String::new(),
            source: String::new(),
            changes: 0,
        }),
        changes: diff(before.as_ref(), &snapshot),
        first: before.is_none(),
        snapshot,
    }))
}

/// Live results the configuration can stand in for: a live check that
/// could not decide (`error`) takes the newest push's verdict on its item,
/// saying both why the live check could not and where the configuration
/// decided.
pub(crate) async fn config_fallback(
    state: &AppState,
    cluster_id: ClusterId,
    results: &mut [CheckResult],
) -> Result<(), ServiceError> {
    if !results.iter().any(|r| r.status == CheckStatus::Error) {
        return Ok(());
    }
    let Some((_, snap)) = latest_snapshot(state, cluster_id).await? else {
        return Ok(());
    };
    let verdicts = config_verdicts(&snap.config_set());
    for r in results
        .iter_mut()
        .filter(|r| r.status == CheckStatus::Error)
    {
        let Some(v) = verdicts.iter().find(|v| v.item == r.item_id.as_str()) else {
            continue;
        };
        let live = std::mem::take(&mut r.reason);
        let from_config = config_result(v, &snap, now());
        r.status = from_config.status;
        r.reason = format!(
            "{} (the live check could not decide: {live})",
            from_config.reason
        );
        r.observed = from_config.observed;
        r.evidence = format!("{}\n\nlive check:\n{}", from_config.evidence, r.evidence);
    }
    Ok(())
}

/// The cluster page's configuration panel: the newest push, or what a
/// first push would verify, and the upgrade preflight to the newest
/// release covered.
pub async fn panel(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<shipshape_domain::trino_config::panel::ConfigPanel, ServiceError> {
    use shipshape_domain::trino_config::panel::{
        push_snippet, ConfigPanel, PushedView, CONFIG_ITEMS,
    };
    let cluster = cluster_by_id(state, cluster_id).await?;
    let pushed = latest(state, actor, cluster_id).await?.map(|p| PushedView {
        seq: p.seq,
        at: p.at,
        actor: p.actor,
        source: p.details.source,
        first: p.first,
        files: p.details.files,
        changes: p.changes,
    });
    let would_verify = CONFIG_ITEMS
        .iter()
        .filter_map(|id| state.runbook.item(id))
        .filter(|i| i.check.is_none())
        .map(|i| (i.id.clone(), i.title.clone()))
        .collect();
    let preflight = match super::preflight::preflight(state, actor, cluster_id, None).await {
        Ok(p) => Ok(p),
        Err(ServiceError::Invalid(e)) => Err(e
            .iter()
            .map(|(_, m)| m.to_string())
            .collect::<Vec<_>>()
            .join("; ")),
        Err(e) => return Err(e),
    };
    Ok(ConfigPanel {
        pushed,
        would_verify,
        snippet: push_snippet(&cluster.name),
        preflight,
    })
}
