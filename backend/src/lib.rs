//! Shipshape's application layer.
//!
//! - [`config`]: layered, typed configuration (defaults, file, `SHIPSHAPE_` env).
//! - [`directory`]: LDAP and OpenID Connect logins.
//! - [`keys`]: the ledger's Ed25519 signing key, kept outside the database.
//! - [`ledger`]: the ledger's write rules (sealing a row, folding it into the
//!   read model, rebuilding), the same for both databases.
//! - [`store`]: all persistence and the only place with SQL: one file per
//!   table group, one SQL text per query for SQLite and PostgreSQL, and the
//!   few true differences between them in `store::sqlite` / `store::postgres`.
//! - [`service`]: what the UI's server functions and the JSON API call; each
//!   service takes the caller's identity, applies the domain rules and returns
//!   domain types or a [`ServiceError`].
//! - [`state`]: the one [`AppState`] shared by every request.

pub mod checks;
pub mod config;
pub mod directory;
pub mod disk_space;
pub mod error;
pub mod files;
pub mod heavy;
pub mod ical;
pub mod jobs;
pub mod keys;
pub mod ledger;
pub mod lifecycle;
pub mod login_guard;
pub mod password;
pub mod read_cache;
pub mod redacted;
pub mod secret;
pub mod service;
pub mod session;
pub mod setup_token;
pub mod state;
pub mod storage_error;
pub mod store;
pub mod trino;

pub use error::ServiceError;
pub use state::AppState;
