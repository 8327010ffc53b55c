//! Upgrade preflight for a registered cluster (`GET /api/v1/clusters/{id}/
//! preflight?to=N`, `shipshape preflight`, the cluster page's panel): the
//! domain's change table judged against the newest pushed configuration
//! and the live facts (the release and the Java the nodes run).

use super::config_push::latest_snapshot;
use super::{cluster_by_id, require};
use crate::{AppState, ServiceError};
use shipshape_domain::check::trino_release_number;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::preflight::{preflight as judge, Preflight, NEWEST_COVERED};
use shipshape_domain::role::Permission;
use shipshape_domain::trino_config::set::cluster_side;
use shipshape_domain::trino_config::verdicts::ConfigSet;
use shipshape_domain::user::User;

/// The oldest Java feature version among the nodes' (`"24.0.1, 25"`).
fn oldest_java(versions: &str) -> Option<u32> {
    versions
        .split(',')
        .filter_map(|v| {
            let v = v.trim();
            let major = v.split(['.', '+', '-']).next()?;
            // Java 8 and older report 1.8.
            if major == "1" {
                v.split('.').nth(1)?.parse().ok()
            } else {
                major.parse().ok()
            }
        })
        .min()
}

/// What upgrading the cluster to `to` (default: the newest release the
/// table covers) meets.
pub async fn preflight(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    to: Option<u32>,
) -> Result<Preflight, ServiceError> {
    require(actor, Permission::Read)?;
    cluster_by_id(state, cluster_id).await?;
    let facts = state.db.read().await?.verdicts().facts_all().await?;
    let facts = facts.get(&cluster_id).map(|(f, _)| f);
    let release = facts
        .and_then(|f| f.trino_version.as_deref())
        .and_then(trino_release_number);
    let java = facts
        .and_then(|f| f.java_version.as_deref())
        .and_then(oldest_java);
    let set = latest_snapshot(state, cluster_id)
        .await?
        .map(|(_, s)| s.config_set())
        .unwrap_or_else(ConfigSet::default);
    let to = to.unwrap_or(NEWEST_COVERED);
    judge(&cluster_side(&set, release, java), to).map_err(|e| {
        ServiceError::Invalid(shipshape_domain::fields::FieldErrors::single(
            "to",
            e.to_string(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::oldest_java;

    #[test]
    fn the_oldest_java_of_the_nodes_counts() {
        assert_eq!(oldest_java("24.0.1, 25"), Some(24));
        assert_eq!(oldest_java("25+36"), Some(25));
        assert_eq!(oldest_java("1.8.0_392"), Some(8));
        assert_eq!(oldest_java("unknown"), None);
    }
}
