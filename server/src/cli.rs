//! The command line: `shipshape` serves by default; subcommands do admin work.

use clap::{Args, Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use shipshape_backend::config::{Config, Overrides};
use shipshape_backend::service::{signoffs, users};
use shipshape_backend::state::load_runbook;
use shipshape_backend::{AppState, ServiceError};
use shipshape_domain::role::Role;
use shipshape_domain::signing::PublicKey;
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
    /// Ask a running server whether a cluster is ready (for CI pipelines):
    /// exits 0 when ready, 1 when not (naming each blocking item), 2 on a
    /// usage or connection error.
    Gate(crate::gate_cli::GateArgs),
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

/// What went wrong, for the operator. Exit code 2 unless said otherwise.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Message(String),
    #[error("{0}")]
    Failed(String),
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(fields) => CliError::Message(fields.to_string()),
            other => CliError::Message(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for CliError {
    fn from(e: sqlx::Error) -> Self {
        CliError::Message(format!("database: {e}"))
    }
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Message(_) => 2,
            CliError::Failed(_) => 1,
        }
    }
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
    match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { bind } => {
            let config = config(&cli.global, bind)?;
            crate::telemetry::init(config.log_format);
            tracing::info!(?config, "starting");
            let state = open(config).await?;
            crate::router::serve(state)
                .await
                .map_err(|e| CliError::Message(format!("server: {e}")))
        }
        Command::Gate(args) => crate::gate_cli::run(args).await,
        Command::Backup { to } => {
            let state = open(config(&cli.global, None)?).await?;
            let r = shipshape_backend::service::backup::backup(&state, &to)
                .await
                .map_err(|e| CliError::Message(format!("backup: {e}")))?;
            println!(
                "backup written to {}: {} file(s), {} bytes; ledger head seq {} hash {}",
                to.display(),
                r.files,
                r.bytes,
                r.head_seq,
                r.head_hash
            );
            Ok(())
        }
        Command::Restore {
            from,
            public_key,
            trust_backup_key,
        } => {
            let config = config(&cli.global, None)?;
            let trust = shipshape_backend::service::backup::RestoreTrust {
                public_key,
                trust_backup_key,
            };
            let r = shipshape_backend::service::backup::restore(&from, &config, &trust)
                .await
                .map_err(|e| CliError::Message(format!("restore: {e}")))?;
            println!(
                "restored {} file(s), {} bytes into {}; ledger head seq {} hash {}",
                r.files,
                r.bytes,
                config.data_dir.display(),
                r.head_seq,
                r.head_hash
            );
            Ok(())
        }
        Command::MigrateStore {
            from,
            to,
            from_data_dir,
        } => {
            use shipshape_backend::service::migrate_store;
            let config = config(&cli.global, None)?;
            let request = migrate_store::Request {
                from,
                to,
                from_data_dir,
            };
            let r = migrate_store::migrate(&request, &config)
                .await
                .map_err(|e| CliError::Message(format!("migrate-store: {e}")))?;
            print!("{r}");
            Ok(())
        }
        Command::User(UserCommand::Add { name, role }) => {
            let state = open(config(&cli.global, None)?).await?;
            let password = password_from_env_or_prompt()?;
            let user = users::create_user(&state, &name, role, password).await?;
            println!("added user {} with role {}", user.username, user.role);
            Ok(())
        }
        Command::User(UserCommand::List) => {
            let state = open(config(&cli.global, None)?).await?;
            for u in state.db.read().await?.users().list().await? {
                println!("{}\t{}\t{}", u.username, u.role, u.created_at);
            }
            Ok(())
        }
        Command::Ledger(LedgerCommand::Verify {
            export: Some(file),
            public_key,
        }) => {
            let trusted = trusted_key(&cli.global, public_key.as_deref())?;
            verify_bundle(file, trusted).await
        }
        Command::Ledger(LedgerCommand::Verify {
            export: None,
            public_key,
        }) => {
            let given = public_key.as_deref().map(parse_public_key).transpose()?;
            let state = open(config(&cli.global, None)?).await?;
            let key = given.unwrap_or_else(|| state.ledger_key.public_key());
            let v = signoffs::verify_ledger_with(&state, key).await?;
            if v.ok {
                println!("ledger ok: {} entries, head {}", v.entries, v.head);
                match v.signed_head {
                    Some(seq) => println!(
                        "signed: {} checkpoint(s) verified with key {}; rows up to seq {seq} are signed, {} row(s) after it not yet",
                        v.checkpoints,
                        key.fingerprint(),
                        v.entries.saturating_sub(u64::try_from(seq).unwrap_or(0))
                    ),
                    None => println!(
                        "signed: no checkpoint yet (key {}); `shipshape ledger checkpoint` signs one now",
                        key.fingerprint()
                    ),
                }
                Ok(())
            } else {
                Err(CliError::Failed(format!(
                    "ledger chain broken at seq {}: {}",
                    v.broken_seq.unwrap_or_default(),
                    v.reason.unwrap_or_default()
                )))
            }
        }
        Command::Ledger(LedgerCommand::Key) => {
            let config = config(&cli.global, None)?;
            let key = shipshape_backend::keys::load_or_create(&config)
                .map_err(|e| CliError::Message(e.to_string()))?;
            let info = key.info();
            println!("public key:  {}", info.public_key);
            println!("fingerprint: {}", info.fingerprint);
            println!("algorithm:   {}", info.algorithm);
            println!("key file:    {}", key.path().display());
            Ok(())
        }
        Command::Ledger(LedgerCommand::RebuildViews) => {
            let state = open(config(&cli.global, None)?).await?;
            let n = shipshape_backend::service::views::rebuild(&state).await?;
            println!("read model rebuilt from the ledger: {n} item states");
            Ok(())
        }
        Command::Ledger(LedgerCommand::Checkpoint) => {
            let state = open(config(&cli.global, None)?).await?;
            match shipshape_backend::service::checkpoints::checkpoint_now(&state).await? {
                Some(e) => println!(
                    "checkpoint seq {} signs seq {} ({}) with key {}",
                    e.content.seq,
                    e.content.seq - 1,
                    e.content.prev_hash,
                    state.ledger_key.public_key().fingerprint()
                ),
                None => println!("nothing to sign: no row was added since the last checkpoint"),
            }
            Ok(())
        }
        Command::Runbook(RunbookCommand::Check { file }) => {
            let mut config = config(&cli.global, None)?;
            if file.is_some() {
                config.runbook = file;
            }
            let rb = load_runbook(&config).map_err(|e| CliError::Message(e.to_string()))?;
            let recurring = rb.items().filter(|(_, i)| i.is_recurring()).count();
            println!(
                "runbook {} ok: {} sections, {} items ({} checklist, {} recurring)",
                rb.id,
                rb.sections.len(),
                rb.item_count(),
                rb.item_count() - recurring,
                recurring
            );
            Ok(())
        }
        Command::Runbook(RunbookCommand::Import { file, output, base }) => {
            use shipshape_domain::runbook::markdown::{import_markdown, BaseFile};
            let read = |path: &PathBuf| {
                std::fs::read_to_string(path)
                    .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))
            };
            let name = file.display().to_string();
            let markdown = read(&file)?;
            let base = match &base {
                Some(path) => Some((path.display().to_string(), read(path)?)),
                None => None,
            };
            let base = base.as_ref().map(|(name, text)| BaseFile { name, text });
            let imported = import_markdown(&name, &markdown, base)
                .map_err(|e| CliError::Message(e.to_string()))?;
            let Some(output) = output else {
                print!("{}", imported.toml);
                return Ok(());
            };
            std::fs::write(&output, &imported.toml).map_err(|e| {
                CliError::Message(format!("cannot write {}: {e}", output.display()))
            })?;
            let rb = &imported.runbook;
            let day2 = rb.items().filter(|(_, i)| i.is_recurring()).count();
            println!(
                "imported {name} into {}: runbook {}, {} sections, {} items ({} checklist, {} day-2 tasks)",
                output.display(),
                rb.id,
                rb.sections.len(),
                rb.item_count(),
                rb.item_count() - day2,
                day2
            );
            Ok(())
        }
        Command::Runbook(RunbookCommand::Diff { old, new }) => {
            use shipshape_domain::runbook::{diff_runbooks, parse_runbook};
            let load = |path: &PathBuf| {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .map_err(|e| CliError::Message(format!("cannot read runbook {name}: {e}")))?;
                parse_runbook(&name, &text).map_err(|e| CliError::Message(e.to_string()))
            };
            let (old_rb, new_rb) = (load(&old)?, load(&new)?);
            let diff = diff_runbooks(&old_rb, &new_rb);
            print!("{diff}");
            if diff.is_empty() {
                Ok(())
            } else {
                Err(CliError::Failed(format!(
                    "{} and {} differ: {}",
                    old.display(),
                    new.display(),
                    diff.summary()
                )))
            }
        }
    }
}

fn parse_public_key(hex: &str) -> Result<PublicKey, CliError> {
    PublicKey::from_hex(hex).map_err(|e| {
        CliError::Message(format!(
            "--public-key: {e} (give the 64 hex digits `shipshape ledger key` prints)"
        ))
    })
}

/// Where trust comes from, for a bundle: `--public-key`, else this
/// install's key file (never created here), else none.
fn trusted_key(
    global: &Global,
    given: Option<&str>,
) -> Result<Option<(PublicKey, String)>, CliError> {
    if let Some(hex) = given {
        return Ok(Some((parse_public_key(hex)?, "--public-key".to_string())));
    }
    let config = config(global, None)?;
    let key = shipshape_backend::keys::load_existing(&config)
        .map_err(|e| CliError::Message(e.to_string()))?;
    Ok(key.map(|k| (k.public_key(), k.path().display().to_string())))
}

/// `ledger verify --export FILE`: prints the report; exit 1 when anything
/// fails (a signature that is missing, by another key or not valid, or no
/// key to check it with, included), 2 when the file is no readable ZIP.
async fn verify_bundle(
    file: PathBuf,
    trusted: Option<(PublicKey, String)>,
) -> Result<(), CliError> {
    match &trusted {
        Some((key, source)) => println!("trusted key: {} (from {source})", key.fingerprint()),
        None => println!("trusted key: none"),
    }
    let path = file.clone();
    let key = trusted.as_ref().map(|(k, _)| *k);
    let report = tokio::task::spawn_blocking(move || {
        shipshape_backend::service::bundle::verify_file(&path, key)
    })
    .await
    .map_err(|e| CliError::Message(format!("verification stopped: {e}")))?
    .map_err(|e| CliError::Message(e.to_string()))?;
    print!("{report}");
    if trusted.is_none() && !report.format.is_empty() {
        return Err(CliError::Failed(format!(
            "the evidence bundle {} cannot be trusted without the server's key: pass --public-key with the 64 hex digits of the public key that `shipshape ledger key` prints on the server (or its Export page shows){}",
            file.display(),
            report
                .signed_by
                .as_deref()
                .map(|fp| format!("; the bundle names key {fp}, which proves nothing by itself"))
                .unwrap_or_default()
        )));
    }
    if report.ok() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the evidence bundle {} failed verification: {} problem(s), first: {}",
            file.display(),
            report.problem_count(),
            report
                .problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        )))
    }
}

fn password_from_env_or_prompt() -> Result<SecretString, CliError> {
    if let Ok(p) = std::env::var("SHIPSHAPE_PASSWORD") {
        return Ok(SecretString::from(p));
    }
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Message(
            "no terminal to ask for a password: set SHIPSHAPE_PASSWORD".into(),
        ));
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| {
        CliError::Message(format!(
            "cannot read a password ({e}); set SHIPSHAPE_PASSWORD instead"
        ))
    })?;
    let second = rpassword::prompt_password("Repeat password: ").map_err(|e| {
        CliError::Message(format!(
            "cannot read a password ({e}); set SHIPSHAPE_PASSWORD instead"
        ))
    })?;
    if first != second {
        return Err(CliError::Message("the two passwords differ".into()));
    }
    let secret = SecretString::from(first);
    if secret.expose_secret().is_empty() {
        return Err(CliError::Message("empty password".into()));
    }
    Ok(secret)
}
