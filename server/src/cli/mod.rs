//! The command line: `shipshape` serves by default; subcommands do admin work.
//!
//! This file holds the clap types and the dispatch; each subcommand's body
//! lives in its own file: `serve`, `backup` (backup and restore),
//! `migrate_store`, `user`, `ledger`, `runbook` and `config_check`; `gate` is in
//! [`crate::gate_cli`]. [`CliError`] is in `error`.

mod backup;
mod config_check;
mod error;
mod ledger;
mod migrate_store;
mod runbook;
mod serve;
mod user;

pub use error::CliError;

use clap::{Args, Parser, Subcommand};
use shipshape_backend::config::{Config, Overrides};
use shipshape_backend::AppState;
use shipshape_domain::role::Role;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "shipshape",
    version,
    about = "Production-readiness dashboard for Trino clusters"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Config file (TOML); default: ./shipshape.toml when present.
    #[arg(long, global = true, env = "SHIPSHAPE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory for the database; created if missing.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// A custom runbook file (TOML) instead of the shipped one.
    #[arg(long, global = true)]
    pub runbook: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard (the default).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:3000 (port 0: any free port).
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Inspect the sign-off ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Work with runbook files.
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// A cluster's own configuration, read from a directory.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Ask a running server whether a cluster is ready (for CI pipelines):
    /// exits 0 when ready, 1 when not (naming each blocking item), 2 on a
    /// usage or connection error.
    Gate(crate::gate_cli::GateArgs),
    /// Ask a running server what upgrading a cluster to a Trino release
    /// meets (its pushed configuration and live facts against what each
    /// release removed or renamed): exits 0 when nothing blocks, 1 with
    /// blockers (each named with its fix), 2 on a usage or connection
    /// error.
    Preflight(crate::config_push_cli::PreflightArgs),
    /// Copy the install (database, attachments, signing key, manifest) into
    /// a new directory; safe while the server runs.
    Backup {
        /// A new or empty directory.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty data directory, after checking every
    /// file's SHA-256 and the whole hash chain.
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// The install's public signing key (hex) to verify the backup's
        /// checkpoints with, unless a configured key file exists.
        #[arg(long)]
        public_key: Option<String>,
        /// Accept the signing key inside the backup instead.
        #[arg(long)]
        trust_backup_key: bool,
    },
    /// Move a whole SQLite install into an empty PostgreSQL database (stop
    /// the server first): every table but sessions in one transaction, the
    /// ledger verified on arrival, evidence files checked and copied into
    /// this install's data directory, as is the signing key. Exits 2,
    /// with nothing committed, on any refusal.
    MigrateStore {
        /// The SQLite file of the install to move.
        #[arg(long, value_name = "sqlite:PATH")]
        from: String,
        /// The empty target database (default: database_url, i.e.
        /// SHIPSHAPE_DATABASE_URL, which keeps the password off the
        /// command line).
        #[arg(long, value_name = "postgres://USER:PASSWORD@HOST/DB")]
        to: Option<String>,
        /// The source install's data directory, with its attachments and
        /// signing key (default: the directory holding the SQLite file).
        #[arg(long, value_name = "DIR")]
        from_data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Push a cluster's configuration files to a running server as signed
    /// evidence (for a GitOps pipeline, on every merge): one ledger row
    /// with each file's SHA-256 and a snapshot with every secret value
    /// redacted; the configuration's verdicts are printed. Exits 0 when
    /// pushed (or unchanged), 1 when the server refused a file (each named
    /// with its line), 2 on a usage or connection error.
    Push(crate::config_push_cli::PushArgs),
    /// Judge a cluster's configuration as the team keeps it in Git (every
    /// `*.properties` file, `jvm.config` and Stackable TrinoCluster
    /// manifest under DIR, at any depth): the items the configuration
    /// decides (isolation, spill, memory, S3, formats, logs, joins, retries,
    /// security, graceful shutdown), each naming the file and line it read;
    /// with --to, also what upgrading to that Trino release meets (removed
    /// or renamed properties and connectors, Java). Names keys, files and
    /// lines; never prints a secret. Exits 0 when nothing fails and nothing
    /// blocks, 1 otherwise, 2 on unreadable or malformed files (each named
    /// with its line).
    Check {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The Trino release the cluster runs now.
        #[arg(long, value_name = "RELEASE")]
        from: Option<u32>,
        /// The Trino release to check an upgrade to.
        #[arg(long, value_name = "RELEASE")]
        to: Option<u32>,
        /// The Java feature version the nodes run (e.g. 24).
        #[arg(long, value_name = "VERSION")]
        java: Option<u32>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password comes from SHIPSHAPE_PASSWORD or a prompt.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List users.
    List,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Verify the hash chain and every signed checkpoint; exits 1 and names
    /// the first broken row if it is broken. With --export, check an
    /// evidence bundle (ZIP) offline instead.
    Verify {
        /// An evidence bundle downloaded from the Export page or
        /// /api/v1/export/bundle.zip: checks its signature, files,
        /// SHA256SUMS, each row's hash and links, and its attachments; exits
        /// 1 naming what fails.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// The server's public key (64 hex digits, as `shipshape ledger key`
        /// and the Export page show it) to check signatures with; default:
        /// this install's own key file.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
    /// Print the public key that signs checkpoints and bundles, and its
    /// fingerprint (the key is made at first start if there is none).
    Key,
    /// Sign a checkpoint now if rows were added since the last one (the
    /// server also does it on its own, see checkpoint_every_rows).
    Checkpoint,
    /// Recompute the read model (each cluster × item's state) from the
    /// ledger, the source of truth. Safe while the server runs.
    RebuildViews,
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Check a runbook file (default: the configured one) and summarise it.
    Check { file: Option<PathBuf> },
    /// Import a Markdown runbook (a `- [ ] **Title**` task list) as runbook
    /// TOML; prints it, or writes it with -o and prints a summary.
    Import {
        /// The Markdown file.
        file: PathBuf,
        /// Write the TOML to this file instead of printing it.
        #[arg(short = 'o', long = "output", value_name = "FILE.toml")]
        output: Option<PathBuf>,
        /// An existing runbook file: matching items (by id, else by title)
        /// keep its ids, checks, corrections, valid_for_days and evidence
        /// queries, and the runbook keeps its id.
        #[arg(long, value_name = "OLD.toml")]
        base: Option<PathBuf>,
    },
    /// Compare two runbook files: items added, removed and changed. Exits 0
    /// when they are the same, 1 when they differ.
    Diff {
        #[arg(value_name = "OLD.toml")]
        old: PathBuf,
        #[arg(value_name = "NEW.toml")]
        new: PathBuf,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected admin, sre, manager or auditor".to_string())
}

pub fn config(global: &Global, bind: Option<SocketAddr>) -> Result<Config, CliError> {
    let overrides = Overrides {
        bind,
        data_dir: global.data_dir.clone(),
        runbook: global.runbook.clone(),
    };
    Config::load(global.config.as_deref(), &overrides).map_err(|e| CliError::Message(e.to_string()))
}

/// Opens the install: runbook, key, database (migrated), and the read
/// model built from the ledger if it is missing or of an older version.
async fn open(config: Config) -> Result<AppState, CliError> {
    crate::file_modes::private_by_default();
    let state = AppState::open(config)
        .await
        .map_err(|e| CliError::Message(e.to_string()))?;
    crate::file_modes::tighten_existing(&state.config);
    shipshape_backend::service::views::ensure_current(&state).await?;
    Ok(state)
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    let global = &cli.global;
    match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { bind } => serve::serve(global, bind).await,
        Command::Gate(args) => crate::gate_cli::run(args).await,
        Command::Preflight(args) => crate::config_push_cli::preflight(args).await,
        Command::Config(ConfigCommand::Push(args)) => crate::config_push_cli::push(args).await,
        Command::Backup { to } => backup::backup(global, to).await,
        Command::Restore {
            from,
            public_key,
            trust_backup_key,
        } => backup::restore(global, from, public_key, trust_backup_key).await,
        Command::MigrateStore {
            from,
            to,
            from_data_dir,
        } => migrate_store::migrate_store(global, from, to, from_data_dir).await,
        Command::User(UserCommand::Add { name, role }) => user::add(global, name, role).await,
        Command::User(UserCommand::List) => user::list(global).await,
        Command::Ledger(LedgerCommand::Verify {
            export: Some(file),
            public_key,
        }) => ledger::verify_export(global, file, public_key).await,
        Command::Ledger(LedgerCommand::Verify {
            export: None,
            public_key,
        }) => ledger::verify(global, public_key).await,
        Command::Ledger(LedgerCommand::Key) => ledger::key(global),
        Command::Ledger(LedgerCommand::RebuildViews) => ledger::rebuild_views(global).await,
        Command::Ledger(LedgerCommand::Checkpoint) => ledger::checkpoint(global).await,
        Command::Runbook(RunbookCommand::Check { file }) => runbook::check(global, file),
        Command::Runbook(RunbookCommand::Import { file, output, base }) => {
            runbook::import(file, output, base)
        }
        Command::Runbook(RunbookCommand::Diff { old, new }) => runbook::diff(old, new),
        Command::Config(ConfigCommand::Check {
            dir,
            from,
            to,
            java,
            json,
        }) => config_check::check(dir, from, to, java, json),
    }
}
