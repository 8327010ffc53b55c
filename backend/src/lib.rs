//! Shipshape's application layer.
//!
//! - [`config`]: layered, typed configuration (defaults, file, `SHIPSHAPE_` env).
//! - [`db`]: the SQLite pool (WAL, busy timeout) and embedded migrations.
//! - [`directory`]: LDAP and OpenID Connect logins.
//! - [`keys`]: the ledger's Ed25519 signing key, kept outside the database.
//! - [`repo`]: small repositories, one per table, the only place with SQL.
//! - [`service`]: what the UI's server functions and the JSON API call; each
//!   service takes the caller's identity, applies the domain rules and returns
//!   domain types or a [`ServiceError`].
//! - [`state`]: the one [`AppState`] shared by every request.

pub mod checks;
pub mod config;
pub mod db;
pub mod directory;
pub mod disk_space;
pub mod error;
pub mod files;
pub mod heavy;
pub mod keys;
pub mod lifecycle;
pub mod login_guard;
pub mod password;
pub mod read_cache;
pub mod repo;
pub mod secret;
pub mod service;
pub mod setup_token;
pub mod state;
pub mod storage_error;
pub mod store;
pub mod trino;

pub use error::ServiceError;
pub use state::AppState;
