//! Shipshape's domain: the rules of the product in plain Rust.
//!
//! Nothing here knows about HTTP, SQL or the browser. The runbook model and its
//! parser, the readiness arithmetic, the sign-off rules, the hash-chained ledger,
//! roles and input validation live here, each with unit tests beside it. The
//! storage layer, the JSON API and the UI all call into this crate.

pub mod account;
pub mod api_token;
pub mod attachment;
pub mod bundle;
pub mod chain;
pub mod chart;
pub mod check;
pub mod checklist;
pub mod checkpoint;
pub mod client_address;
pub mod cluster;
pub mod cluster_change;
pub mod cluster_hosts;
pub mod cluster_reach;
pub mod connection;
pub mod csv;
pub mod day2;
pub mod directory;
pub mod drift;
pub mod export;
pub mod fields;
pub mod gate;
pub mod ids;
pub mod item_filter;
pub mod item_line;
pub mod item_state;
pub mod ledger;
pub mod ledger_action;
pub mod login_limit;
pub mod markup;
pub mod metrics;
pub mod notify;
pub mod origin;
pub mod preflight;
pub mod prometheus;
pub mod rate_window;
pub mod reach;
pub mod readiness;
pub mod report;
pub mod return_to;
pub mod role;
pub mod runbook;
pub mod secret_eq;
pub mod session;
pub mod signing;
pub mod signoff;
pub mod standing;
pub mod text_limit;
pub mod time;
pub mod trend;
pub mod trino_config;
pub mod user;
pub mod waiver;
