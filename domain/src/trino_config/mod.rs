//! A Trino cluster's own configuration, read from the files a team keeps in
//! Git: property files as Trino parses them, and which values are secrets
//! that must never be stored.

pub mod properties;
pub mod redact;
pub mod set;
pub mod verdicts;
