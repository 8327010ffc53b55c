//! Registering, editing and archiving clusters. Each is a ledger row in the
//! same hash chain as sign-offs (see `shipshape_domain::cluster_change`),
//! written in one `BEGIN IMMEDIATE` transaction with the change itself. An
//! edit that moves the check target resets the cluster's live verdicts in
//! that transaction. Connections must follow the server's rules (secret
//! bindings, `ca_dir`), and once a cluster uses a secret only admins may
//! change its connection.

use super::connect::{check_cluster_hosts, check_connection_rules};
use super::{now, require};
use crate::ledger::NewRow;
use crate::store::clusters::Write;
use crate::{AppState, ServiceError};
use shipshape_domain::cluster::{validate_cluster, Cluster, ClusterInput, ValidCluster};
use shipshape_domain::cluster_change::{
    self as change, ClusterChangeDetails, ACTION_ARCHIVED, ACTION_CHANGED, ACTION_REGISTERED,
    ACTION_RESTORED, CLUSTER_ITEM,
};
use shipshape_domain::ids::ClusterId;
use shipshape_domain::ledger::LedgerEntry;
use shipshape_domain::role::Permission;
use shipshape_domain::time::Timestamp;
use shipshape_domain::user::User;

fn name_taken(name: &str) -> ServiceError {
    ServiceError::Conflict(format!("A cluster named '{name}' already exists."))
}

/// Validates the fields, then the connection against the server's rules,
/// then the coordinator's host against `cluster_hosts` (its name resolved
/// once; see [`crate::trino::HostGuard::check_form`]).
async fn validate(state: &AppState, input: &ClusterInput) -> Result<ValidCluster, ServiceError> {
    let valid = validate_cluster(input)?;
    let mut errors = shipshape_domain::fields::FieldErrors::new();
    check_connection_rules(
        &state.config,
        valid.coordinator_url(),
        valid.connection(),
        &mut errors,
    );
    check_cluster_hosts(state, valid.coordinator_url(), &mut errors).await;
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Appends one cluster-level row.
async fn record(
    conn: &mut crate::store::Conn,
    actor: &User,
    cluster_id: ClusterId,
    action: &str,
    details: &ClusterChangeDetails,
    at: &Timestamp,
) -> Result<LedgerEntry, ServiceError> {
    let json = serde_json::to_string(details)
        .map_err(|e| ServiceError::internal("cluster change details", e))?;
    Ok(crate::ledger::append(
        conn,
        NewRow {
            at: *at,
            actor: &actor.username,
            cluster_id,
            item_id: CLUSTER_ITEM,
            action,
            note: change::note(details),
            details: json,
        },
    )
    .await?)
}

pub async fn create(
    state: &AppState,
    actor: &User,
    input: &ClusterInput,
) -> Result<Cluster, ServiceError> {
    require(actor, Permission::ManageClusters)?;
    let valid = validate(state, input).await?;
    // Registering a cluster that uses a secret decides where that secret
    // goes, as changing one's connection does: the same role for both.
    if valid.connection().auth.secret_env().is_some() {
        require(actor, Permission::ChangeSecretConnections)?;
    }
    let at = now();
    let mut tx = state.db.write().await?;
    let cluster = match tx.clusters().insert(&valid, at).await? {
        Write::Done(c) => *c,
        Write::NameTaken => return Err(name_taken(valid.name())),
        Write::Missing => return Err(ServiceError::NotFound("cluster")),
    };
    record(
        &mut tx,
        actor,
        cluster.id,
        ACTION_REGISTERED,
        &change::registration(&valid),
        &at,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(cluster = cluster.id.get(), name = %cluster.name, by = %actor.username, "cluster registered");
    Ok(cluster)
}

pub async fn update(
    state: &AppState,
    actor: &User,
    id: ClusterId,
    input: &ClusterInput,
) -> Result<Cluster, ServiceError> {
    require(actor, Permission::ManageClusters)?;
    let valid = validate(state, input).await?;
    let at = now();
    let mut tx = state.db.write().await?;
    let before = tx
        .clusters()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))?;
    let details = change::edit(&before, &valid);
    let uses_secret = before.connection.auth.secret_env().is_some()
        || valid.connection().auth.secret_env().is_some();
    if uses_secret && change::touches_connection(&details) {
        require(actor, Permission::ChangeSecretConnections)?;
    }
    let cluster = match tx.clusters().update(id, &valid, at).await? {
        Write::Done(c) => *c,
        Write::NameTaken => return Err(name_taken(valid.name())),
        Write::Missing => return Err(ServiceError::NotFound("cluster")),
    };
    if details.changes.is_empty() {
        tx.commit().await?;
        return Ok(cluster);
    }
    record(&mut tx, actor, id, ACTION_CHANGED, &details, &at).await?;
    if details.resets_verdicts {
        tx.clusters()
            .reset_checks(id, at, &change::reset_reason(&details))
            .await?;
        tx.verdicts().reset_cluster(id).await?;
    }
    let cluster = tx.clusters().by_id(id).await?.unwrap_or(cluster);
    tx.commit().await?;
    tracing::info!(cluster = id.get(), by = %actor.username, resets = details.resets_verdicts, "cluster changed");
    Ok(cluster)
}

/// Archives (`true`) or restores (`false`) a cluster. Archived clusters keep
/// their history and leave the home page.
pub async fn set_archived(
    state: &AppState,
    actor: &User,
    id: ClusterId,
    archived: bool,
) -> Result<Cluster, ServiceError> {
    require(actor, Permission::ManageClusters)?;
    let at = now();
    let mut tx = state.db.write().await?;
    let before = tx
        .clusters()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))?;
    let stamp = archived.then_some(at);
    let cluster = tx
        .clusters()
        .set_archived(id, stamp, at)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))?;
    if before.is_archived() != archived {
        let action = if archived {
            ACTION_ARCHIVED
        } else {
            ACTION_RESTORED
        };
        record(
            &mut tx,
            actor,
            id,
            action,
            &ClusterChangeDetails::default(),
            &at,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(cluster)
}

pub async fn get(state: &AppState, actor: &User, id: ClusterId) -> Result<Cluster, ServiceError> {
    require(actor, Permission::Read)?;
    super::cluster_by_id(state, id).await
}

/// The cluster's own history (registered, changed, archived, restored),
/// newest first.
pub async fn changes(
    state: &AppState,
    actor: &User,
    id: ClusterId,
) -> Result<Vec<LedgerEntry>, ServiceError> {
    require(actor, Permission::Read)?;
    super::cluster_by_id(state, id).await?;
    Ok(state
        .db
        .read()
        .await?
        .ledger()
        .item_history(id, CLUSTER_ITEM)
        .await?)
}

pub async fn list(
    state: &AppState,
    actor: &User,
    include_archived: bool,
) -> Result<Vec<Cluster>, ServiceError> {
    require(actor, Permission::Read)?;
    Ok(state
        .db
        .read()
        .await?
        .clusters()
        .list(include_archived)
        .await?)
}
