//! The `check_results` table: appended per run, read newest per item.

use super::DbResult;
use shipshape_domain::check::{CheckResult, CheckStatus};
use sqlx::FromRow;

#[async_trait::async_trait]
pub trait CheckResultRepo: Send {
    async fn insert(&mut self, cluster_id: i64, run_id: &str, r: &CheckResult) -> DbResult<()>;
    /// The newest result per item of one cluster, among results at or after
    /// `since` (the cluster's last check-target change), if given.
    async fn latest_per_item(
        &mut self,
        cluster_id: i64,
        since: Option<&str>,
    ) -> DbResult<Vec<CheckResult>>;
}

#[derive(FromRow)]
pub(crate) struct CheckRow {
    pub item_id: String,
    pub status: String,
    pub reason: String,
    pub observed: String,
    pub evidence: String,
    pub duration_ms: i64,
    pub at: String,
}

impl CheckRow {
    pub(crate) fn into_result(self) -> DbResult<CheckResult> {
        let status = CheckStatus::parse(&self.status).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown check status {:?}", self.status).into())
        })?;
        Ok(CheckResult {
            item_id: self.item_id,
            status,
            reason: self.reason,
            observed: self.observed,
            evidence: self.evidence,
            duration_ms: self.duration_ms,
            at: self.at,
        })
    }
}
