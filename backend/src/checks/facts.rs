//! What a check run reads about a cluster besides its verdicts: the facts
//! that should match across clusters of one environment (fleet drift) and
//! the Trino release it runs. Each fact that cannot be read stays unknown;
//! reading facts never fails a run.

use super::{node_version, rows_of, text};
use crate::trino::Target;
use shipshape_domain::check::{CATALOGS_SQL, JVM_SQL, MAX_EXECUTION_TIME_SQL, SPILL_SQL};
use shipshape_domain::drift::ClusterFacts;

/// Reads the facts, one request at a time (they are few and small).
pub async fn read(client: &reqwest::Client, target: &Target) -> ClusterFacts {
    let mut facts = ClusterFacts {
        trino_version: node_version(client, target).await.ok().and_then(|(v, _)| v),
        ..ClusterFacts::default()
    };
    if let Ok(rows) = rows_of(client, target, JVM_SQL).await {
        let mut javas: Vec<String> = rows.iter().map(|r| text(r.get(1))).collect();
        javas.sort();
        javas.dedup();
        facts.java_version = (!javas.is_empty()).then(|| javas.join(", "));
    }
    if let Ok(rows) = rows_of(client, target, CATALOGS_SQL).await {
        let mut names: Vec<String> = rows.iter().map(|r| text(r.first())).collect();
        names.sort();
        facts.catalogs = Some(names.join(", "));
    }
    // SHOW SESSION: Name, Value, Default, Type, Description.
    let session_value = |rows: Vec<Vec<serde_json::Value>>| {
        rows.first()
            .map(|r| text(r.get(1)))
            .filter(|v| !v.is_empty())
    };
    facts.spill_enabled = rows_of(client, target, SPILL_SQL)
        .await
        .ok()
        .and_then(session_value);
    facts.max_execution_time = rows_of(client, target, MAX_EXECUTION_TIME_SQL)
        .await
        .ok()
        .and_then(session_value);
    facts
}
