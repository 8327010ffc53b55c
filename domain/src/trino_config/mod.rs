//! A Trino cluster's own configuration, read from the files a team keeps in
//! Git: property files as Trino parses them, which values are secrets that
//! must never be stored, a push as it is kept, what changed between two
//! pushes, and the verdicts the configuration decides.

pub mod diff;
pub mod manifest;
pub mod panel;
pub mod properties;
pub mod redact;
pub mod set;
pub mod snapshot;
pub mod verdicts;
