//! The team's own Prometheus as a source of verdicts: what its HTTP API
//! answers, read as plain data, and the rules judged against the runbook
//! (see [`alerts`]). Reading it is the backend's; these are the rules.

pub mod alerts;
pub mod targets;
