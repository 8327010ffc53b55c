//! Registering, editing and archiving clusters.

use super::{now, require};
use crate::repo::clusters::{self as repo, Write};
use crate::{AppState, ServiceError};
use shipshape_domain::cluster::{validate_cluster, Cluster, ClusterInput};
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;

fn name_taken(name: &str) -> ServiceError {
    ServiceError::Conflict(format!("A cluster named '{name}' already exists."))
}

pub async fn create(
    state: &AppState,
    actor: &User,
    input: &ClusterInput,
) -> Result<Cluster, ServiceError> {
    require(actor, Permission::ManageClusters)?;
    let valid = validate_cluster(input)?;
    match repo::insert(&state.pool, &valid, &now()).await? {
        Write::Done(c) => {
            tracing::info!(cluster = c.id, name = %c.name, by = %actor.username, "cluster registered");
            Ok(*c)
        }
        Write::NameTaken => Err(name_taken(&valid.name)),
        Write::Missing => Err(ServiceError::NotFound("cluster")),
    }
}

pub async fn update(
    state: &AppState,
    actor: &User,
    id: i64,
    input: &ClusterInput,
) -> Result<Cluster, ServiceError> {
    require(actor, Permission::ManageClusters)?;
    let valid = validate_cluster(input)?;
    match repo::update(&state.pool, id, &valid, &now()).await? {
        Write::Done(c) => Ok(*c),
        Write::NameTaken => Err(name_taken(&valid.name)),
        Write::Missing => Err(ServiceError::NotFound("cluster")),
    }
}

/// Archives (`true`) or restores (`false`) a cluster. Archived clusters keep
/// their history and leave the home page.
pub async fn set_archived(
    state: &AppState,
    actor: &User,
    id: i64,
    archived: bool,
) -> Result<Cluster, ServiceError> {
    require(actor, Permission::ManageClusters)?;
    let at = now();
    let stamp = archived.then_some(at.as_str());
    repo::set_archived(&state.pool, id, stamp, &at)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))
}

pub async fn get(state: &AppState, actor: &User, id: i64) -> Result<Cluster, ServiceError> {
    require(actor, Permission::Read)?;
    repo::by_id(&state.pool, id)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))
}

pub async fn list(
    state: &AppState,
    actor: &User,
    include_archived: bool,
) -> Result<Vec<Cluster>, ServiceError> {
    require(actor, Permission::Read)?;
    Ok(repo::list(&state.pool, include_archived).await?)
}
