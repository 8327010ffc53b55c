//! The printable readiness report of one cluster: its checklist with every
//! item's standing, who signed it and when, the evidence files of that
//! sign-off, its waivers and its live-check verdict changes, stamped with
//! when and from which ledger head it was made.

use crate::attachment::AttachedFile;
use crate::checklist::Checklist;
use crate::cluster::Cluster;
use crate::ids::{ItemId, Seq};
use crate::waiver::WaiverView;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most verdict changes a report lists.
pub const REPORT_VERDICT_CHANGES: i64 = 200;

/// One `check_verdict` ledger row as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictChangeRow {
    pub seq: Seq,
    pub at: String,
    pub item_id: ItemId,
    /// "pass → fail: <reason>"
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    pub cluster: Cluster,
    pub checklist: Checklist,
    /// Files attached to each item's newest sign-off, by item id.
    pub evidence: HashMap<String, Vec<AttachedFile>>,
    /// Each item's newest waiver, most pressing first.
    pub waivers: Vec<WaiverView>,
    /// Live-check verdict changes (drift and recovery), newest first, at
    /// most [`REPORT_VERDICT_CHANGES`].
    #[serde(default)]
    pub verdict_changes: Vec<VerdictChangeRow>,
    pub generated_at: String,
    pub generated_by: String,
    /// Seq and hash of the newest ledger row when the report was made.
    pub ledger_head: Option<(Seq, String)>,
}
