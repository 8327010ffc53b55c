//! `shipshape migrate-store`: moves a whole SQLite install into an empty
//! PostgreSQL database.
//!
//! The source file is opened read-only and read in one transaction (a
//! consistent snapshot); it must be fully migrated by this version. The
//! target is opened the normal way ([`crate::store::postgres::connect`],
//! which applies the PostgreSQL migrations) and must hold no rows. Then,
//! in order, with nothing committed until the end:
//!
//! 1. every evidence file the `attachments` table names is checked in the
//!    source's attachments directory (present, SHA-256 as named) and copied
//!    into the new install's attachments directory when that is another
//!    one ([`evidence`]); the ledger's signing key likewise ([`key`]);
//! 2. in one PostgreSQL transaction holding the ledger's write lock, every
//!    table is copied in batches, ids and seqs as they are ([`copy`]), and
//!    every identity sequence is moved past the copied ids;
//! 3. the copied ledger is read back in chain order and verified, and its
//!    head must be the source's ([`verify`]); only then does it commit.
//!
//! Any refusal rolls the transaction back: the target stays empty.

mod copy;
mod evidence;
mod key;
mod source;
mod tables;
mod target;
mod verify;

pub use evidence::FileReport;
pub use key::KeyOutcome;

use crate::config::Config;
use crate::store::Store;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// Something the operator can fix; nothing was committed.
    #[error("{0}")]
    Refused(String),
    /// The copy does not read back as the source; nothing was committed.
    #[error("the copied ledger does not match the source: {0}; nothing was committed")]
    Chain(String),
    /// The commit went through but the target does not read back as the
    /// source.
    #[error("after the commit, {0}: the target database cannot be trusted as a copy; drop it (DROP DATABASE) and migrate again into a new one")]
    Committed(String),
    #[error("{context}: {source} (nothing was committed)")]
    Db {
        context: String,
        source: sqlx::Error,
    },
    #[error("{context}: {source} (nothing was committed)")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

/// Wraps a database error with what was being done.
fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> MigrateError {
    let context = context.into();
    move |source| MigrateError::Db { context, source }
}

/// Wraps an I/O error with what was being done.
fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> MigrateError {
    let context = context.into();
    move |source| MigrateError::Io { context, source }
}

/// What to migrate, as the command line gives it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `sqlite:PATH` (also `sqlite://PATH`): the source database file.
    pub from: String,
    /// The target `postgres://` URL; `None`: the configuration's
    /// `database_url`.
    pub to: Option<String>,
    /// The source install's data directory (attachments, signing key);
    /// `None`: the directory holding the SQLite file.
    pub from_data_dir: Option<PathBuf>,
}

/// What a finished migration did.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: PathBuf,
    /// Host, port and database of the target (never its credentials).
    pub target: String,
    /// Rows copied per table, in copy order.
    pub tables: Vec<(&'static str, u64)>,
    pub head_seq: i64,
    pub head_hash: String,
    pub checkpoints: u64,
    pub files: FileReport,
    pub key: KeyOutcome,
    /// The whole command, the copy of the rows, the chain's read-back.
    pub elapsed: Duration,
    pub copy_time: Duration,
    pub verify_time: Duration,
}

/// The database file `sqlite:PATH` names.
pub fn parse_source(from: &str) -> Result<PathBuf, MigrateError> {
    let path = from
        .strip_prefix("sqlite:")
        .map(|p| p.strip_prefix("//").unwrap_or(p))
        .filter(|p| !p.is_empty() && !p.contains('?'))
        .ok_or_else(|| {
            MigrateError::Refused(format!(
                "--from must be sqlite:PATH naming the SQLite file (such as sqlite:data/shipshape.db), not '{from}'"
            ))
        })?;
    Ok(PathBuf::from(path))
}

/// The target URL: `--to`, else the configuration's `database_url`.
fn target_url(request: &Request, config: &Config) -> Result<String, MigrateError> {
    let url = match (&request.to, &config.database_url) {
        (Some(to), _) => to.clone(),
        (None, Some(url)) => url.expose().to_string(),
        (None, None) => {
            return Err(MigrateError::Refused(
                "no target: pass --to postgres://USER:PASSWORD@HOST/DB, or set database_url (SHIPSHAPE_DATABASE_URL)".into(),
            ))
        }
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(MigrateError::Refused(
            "the target must be a postgres:// URL".into(),
        ));
    }
    Ok(url)
}

/// Moves the SQLite install `request.from` into the empty PostgreSQL
/// database `request.to`; `config` is the new install's configuration
/// (its data directory receives the evidence files and the signing key).
pub async fn migrate(request: &Request, config: &Config) -> Result<Report, MigrateError> {
    let started = Instant::now();
    let source_file = parse_source(&request.from)?;
    let source_dir = match &request.from_data_dir {
        Some(d) => d.clone(),
        None => source_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    let url = target_url(request, config)?;

    let mut src = source::open(&source_file).await?;
    let pool = crate::store::postgres::connect(&url)
        .await
        .map_err(|e| MigrateError::Refused(format!("the target database: {e}")))?;
    let target = target::describe(&url);
    let outcome = run(&mut src, &pool, &source_dir, config, &target).await;
    pool.close().await;
    let done = outcome?;
    Ok(Report {
        source: source_file,
        target,
        tables: done.tables,
        head_seq: done.head.0,
        head_hash: done.head.1,
        checkpoints: done.checkpoints,
        files: done.files,
        key: done.key,
        elapsed: started.elapsed(),
        copy_time: done.copy_time,
        verify_time: done.verify_time,
    })
}

/// What [`run`] did.
struct Done {
    tables: Vec<(&'static str, u64)>,
    head: (i64, String),
    checkpoints: u64,
    files: FileReport,
    key: KeyOutcome,
    copy_time: Duration,
    verify_time: Duration,
}

async fn run(
    src: &mut sqlx::SqliteConnection,
    pool: &sqlx::PgPool,
    source_dir: &Path,
    config: &Config,
    target_name: &str,
) -> Result<Done, MigrateError> {
    {
        let mut conn = pool.acquire().await.map_err(db("the target database"))?;
        target::check_schema(&mut conn).await?;
        target::ensure_empty(&mut conn, target_name).await?;
    }
    let keys = key::plan(source_dir, config)?;
    // One read transaction on the source: every table from one snapshot.
    let mut snap = sqlx::Connection::begin(src)
        .await
        .map_err(db("reading the source"))?;
    let head = source::head(&mut snap).await?;
    let named = source::attachment_hashes(&mut snap).await?;
    let files = evidence::check_and_copy(
        &named,
        &source_dir.join("attachments"),
        &config.attachments_dir(),
    )
    .await?;

    let mut tx = Store::Postgres(pool.clone())
        .write()
        .await
        .map_err(db("taking the target's write lock"))?;
    let Some(conn) = tx.pg() else {
        return Err(MigrateError::Refused(
            "the target database is not PostgreSQL".into(),
        ));
    };
    target::ensure_empty(&mut *conn, target_name).await?;
    target::clear_replaced(&mut *conn).await?;
    let copying = Instant::now();
    let mut tables = Vec::new();
    for table in tables::TABLES {
        let rows = copy::table(&mut snap, &mut *conn, table).await?;
        tables.push((table.name, rows));
    }
    copy::reset_identities(&mut *conn).await?;
    let copy_time = copying.elapsed();
    let verifying = Instant::now();
    let verified = verify::chain(&mut tx, keys.verify_with, &head).await?;
    let verify_time = verifying.elapsed();
    let key = key::apply(&keys)?;
    tx.commit().await.map_err(db("committing the copy"))?;
    drop(snap);

    // Read back through the normal path, as a replica will.
    let tip = read_tip(&Store::Postgres(pool.clone()))
        .await
        .map_err(|e| MigrateError::Committed(format!("reading its ledger head failed ({e})")))?;
    if tip != head {
        return Err(MigrateError::Committed(format!(
            "its ledger head is seq {} where the source's is seq {}",
            tip.0, head.0
        )));
    }
    Ok(Done {
        tables,
        head,
        checkpoints: verified.checkpoints,
        files,
        key,
        copy_time,
        verify_time,
    })
}

/// The ledger's head as a server reads it: (seq, hash), (0, "") when empty.
async fn read_tip(store: &Store) -> Result<(i64, String), sqlx::Error> {
    let tip = store.read().await?.ledger().tip().await?;
    Ok(tip.map_or((0, String::new()), |(seq, hash)| (seq.get(), hash)))
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "migrated {} into {} in {:.1?} (one transaction: rows copied in {:.1?}, chain read back in {:.1?})",
            self.source.display(),
            self.target,
            self.elapsed,
            self.copy_time,
            self.verify_time
        )?;
        writeln!(f, "rows copied:")?;
        for (table, rows) in &self.tables {
            writeln!(f, "  {table:<20} {rows:>10}")?;
        }
        writeln!(
            f,
            "  (not copied: {}; people log in again)",
            tables::NOT_COPIED.join(", ")
        )?;
        writeln!(
            f,
            "ledger verified on arrival: head seq {} hash {}, {} signed checkpoint(s)",
            self.head_seq, self.head_hash, self.checkpoints
        )?;
        writeln!(f, "{}", self.files)?;
        writeln!(f, "{}", self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_a_sqlite_path() {
        assert_eq!(
            parse_source("sqlite:data/shipshape.db").ok(),
            Some(PathBuf::from("data/shipshape.db"))
        );
        assert_eq!(
            parse_source("sqlite:///srv/shipshape.db").ok(),
            Some(PathBuf::from("/srv/shipshape.db"))
        );
        assert!(parse_source("data/shipshape.db").is_err());
        assert!(parse_source("sqlite:").is_err());
        assert!(parse_source("postgres://x/y").is_err());
    }
}
