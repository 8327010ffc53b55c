//! Hot backup and restore of an install.
//!
//! `backup` copies the database with SQLite's `VACUUM INTO` (one read
//! transaction: a consistent snapshot while writers go on), then every
//! attachment the snapshot's ledger names (each hashed as it is copied) and
//! the ledger's signing key when it lives in the data directory, and last a
//! `manifest.json` with each file's SHA-256 and size and the snapshot's
//! chain head. A backup without its manifest is partial and is refused.
//!
//! `restore` checks everything before it copies anything: the manifest,
//! each file's size and SHA-256, and the backup's whole hash chain (and its
//! signed checkpoints), whose head must be the manifest's. It restores only
//! into a data directory without a database or attachments.

use crate::config::Config;
use crate::files::BlobStore;
use crate::store::Conn;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shipshape_domain::chain::ChainVerifier;
use shipshape_domain::signing::PublicKey;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Component, Path, PathBuf};

pub const FORMAT: &str = "shipshape-backup/1";
const MANIFEST: &str = "manifest.json";
const DB_FILE: &str = "shipshape.db";
const KEY_FILE: &str = "keys/ledger-signing.key";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Something the operator can fix (a path, a partial or altered backup).
    #[error("{0}")]
    Refused(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let context = context.into();
    move |source| BackupError::Io { context, source }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub shipshape_version: String,
    /// The snapshot's newest row and its hash.
    pub head_seq: i64,
    pub head_hash: String,
    pub files: Vec<ManifestFile>,
}

/// What a finished backup or restore holds.
#[derive(Debug, Clone)]
pub struct Report {
    pub head_seq: i64,
    pub head_hash: String,
    pub files: usize,
    pub bytes: u64,
}

/// Copies `from` to `to` while hashing it; returns (sha256, bytes). A
/// `private` copy (the signing key) is readable by its owner only from
/// the moment it exists.
async fn copy_hashed(from: &Path, to: &Path, private: bool) -> Result<(String, u64), BackupError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if let Some(dir) = to.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(io(format!("creating {}", dir.display())))?;
    }
    let mut src = tokio::fs::File::open(from)
        .await
        .map_err(io(format!("reading {}", from.display())))?;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        options.mode(0o600);
        if let Some(dir) = to.parent() {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut dst = options
        .open(to)
        .await
        .map_err(io(format!("writing {}", to.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = src
            .read(&mut buf)
            .await
            .map_err(io(format!("reading {}", from.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n])
            .await
            .map_err(io(format!("writing {}", to.display())))?;
        bytes += n as u64;
    }
    dst.sync_all()
        .await
        .map_err(io(format!("writing {}", to.display())))?;
    Ok((hex::encode(hasher.finalize()), bytes))
}

async fn hash_file(path: &Path) -> Result<(String, u64), BackupError> {
    use tokio::io::AsyncReadExt;
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(io(format!("reading {}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .await
            .map_err(io(format!("reading {}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), bytes))
}

async fn open_read_only(path: &Path) -> Result<SqliteConnection, BackupError> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await?)
}

/// The chain head of a database: (seq, hash), (0, "") when empty.
async fn head(conn: &mut SqliteConnection) -> Result<(i64, String), BackupError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.unwrap_or((0, String::new())))
}

fn is_empty_dir(dir: &Path) -> Result<bool, BackupError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io(format!("reading {}", dir.display()))(e)),
    }
}

/// A consistent copy of the running install in `to` (a new or empty
/// directory).
pub async fn backup(state: &crate::AppState, to: &Path) -> Result<Report, BackupError> {
    if !is_empty_dir(to)? {
        return Err(BackupError::Refused(format!(
            "{} is not empty: back up into a new directory",
            to.display()
        )));
    }
    std::fs::create_dir_all(to).map_err(io(format!("creating {}", to.display())))?;
    let db_copy = to.join(DB_FILE);
    let target = db_copy
        .to_str()
        .ok_or_else(|| BackupError::Refused("the backup path must be valid UTF-8".into()))?
        .to_string();
    // One read transaction: every row committed before it, none after.
    sqlx::query("VACUUM INTO ?")
        .bind(&target)
        .execute(state.db.sqlite().ok_or_else(|| {
            BackupError::Refused(
                "on PostgreSQL, back up the database with pg_dump and the attachments directory with your file backups".into(),
            )
        })?)
        .await?;
    let mut snapshot = open_read_only(&db_copy).await?;
    let (head_seq, head_hash) = head(&mut snapshot).await?;
    let named: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256")
            .fetch_all(&mut snapshot)
            .await?;
    snapshot.close().await?;

    let mut files = Vec::new();
    let (sha256, bytes) = hash_file(&db_copy).await?;
    files.push(ManifestFile {
        path: DB_FILE.into(),
        sha256,
        bytes,
    });
    let store = BlobStore::new(state.config.attachments_dir());
    for sha in named {
        let Some(src) = store.path_of(&sha) else {
            return Err(BackupError::Refused(format!(
                "the ledger names an attachment with a malformed hash: {sha}"
            )));
        };
        let rel = format!("attachments/{}/{sha}", &sha[..2]);
        let (got, bytes) = copy_hashed(&src, &to.join(&rel), false).await?;
        if got != sha {
            return Err(BackupError::Refused(format!(
                "attachment {sha} in the data directory does not match its hash (found {got}); the store is damaged"
            )));
        }
        files.push(ManifestFile {
            path: rel,
            sha256: got,
            bytes,
        });
    }
    let (key, configured) = crate::keys::key_path(&state.config);
    if !configured && key.is_file() {
        let (sha256, bytes) = copy_hashed(&key, &to.join(KEY_FILE), true).await?;
        files.push(ManifestFile {
            path: KEY_FILE.into(),
            sha256,
            bytes,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: shipshape_domain::time::format_ts(chrono::Utc::now()),
        shipshape_version: env!("CARGO_PKG_VERSION").into(),
        head_seq,
        head_hash: head_hash.clone(),
        files,
    };
    let text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| BackupError::Refused(format!("writing the manifest: {e}")))?;
    // Written last, and whole: a backup without it is partial.
    let tmp = to.join("manifest.json.partial");
    std::fs::write(&tmp, text).map_err(io(format!("writing {}", tmp.display())))?;
    std::fs::rename(&tmp, to.join(MANIFEST)).map_err(io("finishing the manifest"))?;
    Ok(Report {
        head_seq,
        head_hash,
        files: manifest.files.len(),
        bytes: manifest.files.iter().map(|f| f.bytes).sum(),
    })
}

/// Scheduled backups: with `backup_dir` set, one every
/// `backup_interval_secs` into `<backup_dir>/shipshape-<UTC time>`, and
/// the oldest complete ones beyond `backup_keep` deleted once the new one
/// is complete. A failed backup is logged and its partial directory
/// removed; the next interval tries again.
pub async fn run_forever(state: crate::AppState) {
    let Some(root) = state.config.backup_dir.clone() else {
        return;
    };
    use crate::jobs::{leader_ticks, Start};
    let every = std::time::Duration::from_secs(state.config.backup_interval_secs);
    let stopping = &state.lifecycle;
    let mut ticks = leader_ticks(&state, every, Start::AfterOneInterval).await;
    while let Some(_due) = ticks.next().await {
        let name = format!(
            "shipshape-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        );
        let dir = root.join(&name);
        // Abandoned when the server stops: the unfinished copy (it has no
        // manifest yet) is removed.
        let Some(done) = stopping.unless_stopped(backup(&state, &dir)).await else {
            tracing::info!(dir = %dir.display(), "scheduled backup abandoned: the server is stopping");
            let _ = std::fs::remove_dir_all(&dir);
            break;
        };
        match done {
            Ok(r) => {
                tracing::info!(dir = %dir.display(), head_seq = r.head_seq, files = r.files, "scheduled backup done");
                prune(&root, state.config.backup_keep);
            }
            Err(e) => {
                tracing::error!(error = %e, dir = %dir.display(), "scheduled backup failed");
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
}

/// Deletes the oldest complete scheduled backups beyond `keep` (names sort
/// by time; directories without a manifest are not touched).
fn prune(root: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut complete: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shipshape-"))
                && p.join(MANIFEST).is_file()
        })
        .collect();
    complete.sort();
    let excess = complete.len().saturating_sub(keep);
    for old in complete.into_iter().take(excess) {
        if let Err(e) = std::fs::remove_dir_all(&old) {
            tracing::error!(error = %e, dir = %old.display(), "removing an old backup failed");
        }
    }
}

/// A relative path inside the backup, without `..` or a root.
fn safe_rel(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| p.to_path_buf())
}

/// Checks a backup whole: manifest, files, chain. Returns the manifest.
/// Which signing key a restore trusts to verify the backup's checkpoints.
#[derive(Debug, Clone, Default)]
pub struct RestoreTrust {
    /// The install's public key (hex), as `shipshape ledger key` or
    /// `GET /api/v1/ledger/key` shows it, recorded before the backup.
    pub public_key: Option<String>,
    /// Trust whatever key the backup holds (only its own consistency is
    /// then checked: whoever could write the backup could forge it).
    pub trust_backup_key: bool,
}

/// The key checkpoints must verify with: the configured signing key when
/// its file exists, else the public key given, else (only when asked
/// for) none, meaning the backup's own.
fn trusted_key(
    config: &Config,
    trust: &RestoreTrust,
    backup_has_key: bool,
) -> Result<Option<PublicKey>, BackupError> {
    let (key_file, configured) = crate::keys::key_path(config);
    if configured && key_file.exists() {
        let key = crate::keys::read_key_file(&key_file)
            .map_err(|e| BackupError::Refused(format!("the configured signing key: {e}")))?;
        return Ok(Some(key.public_key()));
    }
    if let Some(hex) = &trust.public_key {
        return PublicKey::from_hex(hex.trim())
            .map(Some)
            .map_err(|e| BackupError::Refused(format!("--public-key: {e}")));
    }
    if trust.trust_backup_key || !backup_has_key {
        return Ok(None);
    }
    Err(BackupError::Refused(
        "say which signing key to trust: --public-key HEX (the install's key, from `shipshape ledger key` or GET /api/v1/ledger/key, recorded before the backup), or --trust-backup-key to accept the key inside the backup".into(),
    ))
}

pub async fn check(from: &Path) -> Result<Manifest, BackupError> {
    check_with(from, None).await
}

/// [`check`], verifying the checkpoints with `trusted` when given (and
/// refusing a backup whose own key is another).
pub async fn check_with(from: &Path, trusted: Option<PublicKey>) -> Result<Manifest, BackupError> {
    let text = std::fs::read(from.join(MANIFEST)).map_err(|_| {
        BackupError::Refused(format!(
            "{} has no {MANIFEST}: not a backup, or one that did not finish",
            from.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| BackupError::Refused(format!("{MANIFEST} is malformed: {e}")))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "unknown backup format '{}' (this version reads {FORMAT})",
            manifest.format
        )));
    }
    if !manifest.files.iter().any(|f| f.path == DB_FILE) {
        return Err(BackupError::Refused(format!(
            "{MANIFEST} lists no database"
        )));
    }
    for f in &manifest.files {
        let rel = safe_rel(&f.path).ok_or_else(|| {
            BackupError::Refused(format!(
                "{MANIFEST} names a path outside the backup: {}",
                f.path
            ))
        })?;
        let path = from.join(rel);
        if !path.is_file() {
            return Err(BackupError::Refused(format!("{} is missing", f.path)));
        }
        let (sha, bytes) = hash_file(&path).await?;
        if sha != f.sha256 || bytes != f.bytes {
            return Err(BackupError::Refused(format!(
                "{} was altered: its SHA-256 or size differs from the manifest",
                f.path
            )));
        }
    }
    // The chain, and its checkpoints with the backed-up key when there is one.
    let key_file = from.join(KEY_FILE);
    let backed_up = if key_file.exists() {
        let key = crate::keys::read_key_file(&key_file)
            .map_err(|e| BackupError::Refused(format!("the backed-up signing key: {e}")))?;
        Some(key.public_key())
    } else {
        None
    };
    let key = match (trusted, backed_up) {
        (Some(t), Some(b)) if t.to_hex() != b.to_hex() => {
            return Err(BackupError::Refused(format!(
                "the backup's signing key ({}) is not the trusted one ({})",
                b.fingerprint(),
                t.fingerprint()
            )))
        }
        (Some(t), _) => Some(t),
        (None, b) => b,
    };
    let mut conn = Conn::own_sqlite(open_read_only(&from.join(DB_FILE)).await?);
    let mut verifier = ChainVerifier::with_key(key);
    let mut broken = None;
    {
        let mut rows = conn.ledger().stream_all();
        while let Some(entry) = rows.try_next().await? {
            if let Err(b) = verifier.push(&entry) {
                broken = Some(b);
                break;
            }
        }
    }
    let v = verifier.finish(broken);
    if !v.ok {
        return Err(BackupError::Refused(format!(
            "the backup's ledger is broken at seq {}: {}",
            v.broken_seq.unwrap_or_default(),
            v.reason.unwrap_or_default()
        )));
    }
    let (seq, hash) = conn
        .ledger()
        .tip()
        .await?
        .unwrap_or((0.into(), String::new()));
    drop(conn);
    if seq != manifest.head_seq || hash != manifest.head_hash {
        return Err(BackupError::Refused(
            "the backup's ledger head is not the one its manifest names".into(),
        ));
    }
    Ok(manifest)
}

/// Restores the backup in `from` into the configured data directory, which
/// must hold no database and no attachments yet.
pub async fn restore(
    from: &Path,
    config: &Config,
    trust: &RestoreTrust,
) -> Result<Report, BackupError> {
    let db = config.database_path();
    if db.exists() || !is_empty_dir(&config.attachments_dir())? {
        return Err(BackupError::Refused(format!(
            "{} already holds an install: restore into an empty data directory",
            config.data_dir.display()
        )));
    }
    let trusted = trusted_key(config, trust, from.join(KEY_FILE).exists())?;
    let manifest = check_with(from, trusted).await?;
    let (key_target, configured) = crate::keys::key_path(config);
    let mut bytes = 0;
    for f in &manifest.files {
        let Some(rel) = safe_rel(&f.path) else {
            continue;
        };
        let target = if f.path == DB_FILE {
            db.clone()
        } else if f.path == KEY_FILE {
            if configured && key_target.exists() {
                continue;
            }
            key_target.clone()
        } else {
            config.data_dir.join(&rel)
        };
        // Copied under a temporary name, checked again, then renamed.
        let tmp = target.with_extension("restoring");
        let (sha, n) = copy_hashed(&from.join(&rel), &tmp, f.path == KEY_FILE).await?;
        if sha != f.sha256 {
            let _ = std::fs::remove_file(&tmp);
            return Err(BackupError::Refused(format!(
                "{} changed while it was restored",
                f.path
            )));
        }
        std::fs::rename(&tmp, &target).map_err(io(format!("placing {}", target.display())))?;
        bytes += n;
    }
    Ok(Report {
        head_seq: manifest.head_seq,
        head_hash: manifest.head_hash,
        files: manifest.files.len(),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::safe_rel;

    #[test]
    fn manifest_paths_stay_inside_the_backup() {
        assert!(safe_rel("attachments/ab/abcd").is_some());
        assert!(safe_rel("shipshape.db").is_some());
        assert!(safe_rel("../etc/passwd").is_none());
        assert!(safe_rel("/etc/passwd").is_none());
        assert!(safe_rel("attachments/../../x").is_none());
    }
}
