//! The `shipshape` server: HTTP wiring and the command line.
//!
//! - [`router`]: one axum router for the pages (Leptos SSR + hydration), the
//!   server functions, the JSON API, sessions and static files;
//! - [`api`]: the JSON API, handlers thin over the services;
//! - [`error`]: the one mapping from service errors to HTTP responses;
//! - [`cli`]: subcommands (serve, user, ledger, runbook, gate);
//! - [`gate_cli`]: `shipshape gate`, the readiness gate for CI pipelines;
//! - [`sso`]: "Log in with <provider>" (OpenID Connect);
//! - [`sessions`]: login sessions in the install's database;
//! - [`metrics`]: `/metrics` for Prometheus;
//! - [`shutdown`]: draining and stopping on `SIGTERM`;
//! - [`telemetry`]: logging set-up.

pub mod allocator;
pub mod api;
pub mod api_client;
pub mod cli;
pub mod config_push_cli;
pub mod csrf;
pub mod error;
pub mod file_modes;
pub mod forms;
pub mod gate_cli;
pub mod host_check;
pub mod junit;
pub mod metrics;
pub mod router;
pub mod server_fn_status;
pub mod sessions;
pub mod shutdown;
pub mod sso;
pub mod state;
pub mod static_files;
pub mod telemetry;
pub mod upload;
