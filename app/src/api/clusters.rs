//! Registering, editing and archiving clusters, and the fleet overview.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_domain::cluster::Cluster;
use shipshape_domain::readiness::FleetEntry;

#[server]
pub async fn fleet(include_archived: bool) -> Result<Vec<FleetEntry>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::fleet::fleet(&state, &user, include_archived).await?)
}

#[server]
pub async fn get_cluster(id: i64) -> Result<Cluster, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::clusters::get(&state, &user, id).await?)
}

#[server]
pub async fn create_cluster(
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
) -> Result<i64, AppError> {
    use shipshape_domain::cluster::ClusterInput;
    let (state, user) = crate::ssr::require_user().await?;
    let input = ClusterInput {
        name,
        environment,
        coordinator_url,
        notes,
    };
    let cluster = shipshape_backend::service::clusters::create(&state, &user, &input).await?;
    leptos_axum::redirect(&format!("/clusters/{}", cluster.id));
    Ok(cluster.id)
}

#[server]
pub async fn update_cluster(
    id: i64,
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
) -> Result<i64, AppError> {
    use shipshape_domain::cluster::ClusterInput;
    let (state, user) = crate::ssr::require_user().await?;
    let input = ClusterInput {
        name,
        environment,
        coordinator_url,
        notes,
    };
    let cluster = shipshape_backend::service::clusters::update(&state, &user, id, &input).await?;
    leptos_axum::redirect(&format!("/clusters/{}", cluster.id));
    Ok(cluster.id)
}

#[server]
pub async fn set_cluster_archived(id: i64, archived: bool) -> Result<(), AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    shipshape_backend::service::clusters::set_archived(&state, &user, id, archived).await?;
    if archived {
        leptos_axum::redirect("/");
    }
    Ok(())
}
