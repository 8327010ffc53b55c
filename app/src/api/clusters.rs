//! Registering, editing and archiving clusters, and the fleet overview.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shipshape_domain::cluster::Cluster;
use shipshape_domain::connection::ConnectionInput;
use shipshape_domain::drift::DriftRow;
use shipshape_domain::readiness::FleetEntry;
use shipshape_domain::trend::TrendPoint;

/// The connection fields of the cluster form, flat as the form posts them
/// (an unticked checkbox is simply absent).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionForm {
    pub conn_check_user: String,
    pub conn_auth: String,
    pub conn_auth_user: String,
    pub conn_secret_env: String,
    pub conn_ca_file: String,
    pub conn_insecure_tls: Option<String>,
    pub conn_connect_timeout_secs: String,
    pub conn_query_timeout_secs: String,
    pub conn_worker_hosts: String,
}

impl ConnectionForm {
    pub fn into_input(self) -> ConnectionInput {
        ConnectionInput {
            check_user: self.conn_check_user,
            auth: self.conn_auth,
            auth_user: self.conn_auth_user,
            secret_env: self.conn_secret_env,
            ca_file: self.conn_ca_file,
            insecure_tls: self.conn_insecure_tls.is_some(),
            connect_timeout_secs: self.conn_connect_timeout_secs,
            query_timeout_secs: self.conn_query_timeout_secs,
            worker_hosts: self.conn_worker_hosts,
        }
    }
}

/// The fleet view: clusters worst first and the environments to filter by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetPageData {
    pub entries: Vec<FleetEntry>,
    pub environments: Vec<String>,
}

#[server]
pub async fn fleet(
    include_archived: bool,
    environment: Option<String>,
) -> Result<FleetPageData, AppError> {
    use shipshape_backend::service::fleet;
    let (state, user) = crate::ssr::require_user().await?;
    let q = fleet::FleetQuery {
        include_archived,
        environment,
    };
    Ok(FleetPageData {
        entries: fleet::fleet(&state, &user, &q).await?,
        environments: fleet::environments(&state, &user).await?,
    })
}

/// The matching fleet's readiness over the last 90 days: its own request,
/// because replaying a long ledger takes longer than the table.
#[server]
pub async fn fleet_trend(
    include_archived: bool,
    environment: Option<String>,
) -> Result<Vec<TrendPoint>, AppError> {
    use shipshape_backend::service::fleet;
    let (state, user) = crate::ssr::require_user().await?;
    let q = fleet::FleetQuery {
        include_archived,
        environment,
    };
    Ok(fleet::readiness_trend(&state, &user, None, &q).await?)
}

/// Clusters of one environment that differ from their siblings.
#[server]
pub async fn fleet_drift(environment: Option<String>) -> Result<Vec<DriftRow>, AppError> {
    use shipshape_backend::service::fleet;
    let (state, user) = crate::ssr::require_user().await?;
    let q = fleet::FleetQuery {
        include_archived: false,
        environment,
    };
    Ok(fleet::drift(&state, &user, &q).await?)
}

/// One cluster's readiness over the last 90 days.
#[server]
pub async fn cluster_trend(cluster_id: i64) -> Result<Vec<TrendPoint>, AppError> {
    use shipshape_backend::service::fleet;
    let (state, user) = crate::ssr::require_user().await?;
    let q = fleet::FleetQuery {
        include_archived: true,
        environment: None,
    };
    Ok(fleet::readiness_trend(&state, &user, Some(cluster_id.into()), &q).await?)
}

/// Every cluster, archived ones too (for pickers such as the export filter).
#[server]
pub async fn list_clusters() -> Result<Vec<Cluster>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::clusters::list(&state, &user, true).await?)
}

#[server]
pub async fn get_cluster(id: i64) -> Result<Cluster, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::clusters::get(&state, &user, id.into()).await?)
}

#[server]
pub async fn create_cluster(
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
    #[server(flatten)] connection: ConnectionForm,
) -> Result<i64, AppError> {
    use shipshape_domain::cluster::ClusterInput;
    let (state, user) = crate::ssr::require_user().await?;
    let input = ClusterInput {
        name,
        environment,
        coordinator_url,
        notes,
        connection: connection.into_input(),
    };
    let cluster = shipshape_backend::service::clusters::create(&state, &user, &input).await?;
    leptos_axum::redirect(&format!("/clusters/{}", cluster.id));
    Ok(cluster.id.into())
}

#[server]
pub async fn update_cluster(
    id: i64,
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
    #[server(flatten)] connection: ConnectionForm,
) -> Result<i64, AppError> {
    use shipshape_domain::cluster::ClusterInput;
    let (state, user) = crate::ssr::require_user().await?;
    let input = ClusterInput {
        name,
        environment,
        coordinator_url,
        notes,
        connection: connection.into_input(),
    };
    let cluster =
        shipshape_backend::service::clusters::update(&state, &user, id.into(), &input).await?;
    leptos_axum::redirect(&format!("/clusters/{}", cluster.id));
    Ok(cluster.id.into())
}

#[server]
pub async fn set_cluster_archived(id: i64, archived: bool) -> Result<(), AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    shipshape_backend::service::clusters::set_archived(&state, &user, id.into(), archived).await?;
    if archived {
        leptos_axum::redirect("/");
    }
    Ok(())
}
