//! The ledger's signing key, kept outside the database: by default
//! `<data_dir>/keys/ledger-signing.key`, created at first start (mode 0600 in
//! a 0700 directory), or the file `signing_key_file` /
//! `SHIPSHAPE_SIGNING_KEY_FILE` names, which must exist.
//!
//! The file holds the 32-byte Ed25519 secret as 64 hex digits and a newline.
//! A file that group or others may read or write, or that holds anything
//! else, stops start-up with an error naming it. The secret never appears in
//! `Debug` output or logs: only the public key's fingerprint does.

use crate::config::Config;
use shipshape_domain::signing::{KeyInfo, PublicKey, SecretKey};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The key directory under the data directory.
pub const KEY_DIR: &str = "keys";
/// The key file in it.
pub const KEY_FILE: &str = "ledger-signing.key";
/// A key file is a line of 64 hex digits; anything much longer is not one.
const MAX_KEY_FILE_BYTES: u64 = 1024;

/// The server's signing key, loaded. Cheap to clone.
#[derive(Clone)]
pub struct LedgerKey {
    secret: Arc<SecretKey>,
    public: PublicKey,
    path: PathBuf,
}

impl std::fmt::Debug for LedgerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerKey")
            .field("path", &self.path)
            .field("fingerprint", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

impl LedgerKey {
    fn new(secret: SecretKey, path: &Path) -> Self {
        LedgerKey {
            public: secret.public_key(),
            secret: Arc::new(secret),
            path: path.to_path_buf(),
        }
    }

    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// Public key, fingerprint and algorithm, as the API shows them.
    pub fn info(&self) -> KeyInfo {
        self.public.info()
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A key file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("ledger signing key {path}: {reason}")]
pub struct KeyFileError {
    pub path: String,
    pub reason: String,
}

fn problem(path: &Path, reason: impl Into<String>) -> KeyFileError {
    KeyFileError {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// Where the key is, and whether the configuration named it.
pub fn key_path(config: &Config) -> (PathBuf, bool) {
    match &config.signing_key_file {
        Some(p) => (p.clone(), true),
        None => (config.data_dir.join(KEY_DIR).join(KEY_FILE), false),
    }
}

/// The key for serving: read, or created at the default place if there is
/// none yet. A configured file must exist.
pub fn load_or_create(config: &Config) -> Result<LedgerKey, KeyFileError> {
    let (path, configured) = key_path(config);
    match load_existing(config)? {
        Some(key) => Ok(key),
        None if configured => Err(problem(
            &path,
            "does not exist (signing_key_file names it; put the key there, mode 0600, or leave the setting out to use <data_dir>/keys)",
        )),
        None => create(&path),
    }
}

/// The key if its file exists (`None` when it does not), for commands that
/// only check signatures and must not make a key.
pub fn load_existing(config: &Config) -> Result<Option<LedgerKey>, KeyFileError> {
    let (path, _) = key_path(config);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(problem(&path, format!("cannot be read: {e}"))),
        Ok(_) => read(&path).map(Some),
    }
}

/// Reads a key file, with the same checks as at start-up (a regular file,
/// private to its owner, one line of 64 hex digits).
pub fn read_key_file(path: &Path) -> Result<LedgerKey, KeyFileError> {
    read(path)
}

fn read(path: &Path) -> Result<LedgerKey, KeyFileError> {
    let file =
        std::fs::File::open(path).map_err(|e| problem(path, format!("cannot be read: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| problem(path, format!("cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(problem(path, "is not a regular file"));
    }
    check_private(path, &meta)?;
    // Room for the whole read up front, so no partial copy is left behind
    // by a reallocation (the buffer is wiped when dropped).
    let mut text = Zeroizing::new(String::with_capacity(2 * MAX_KEY_FILE_BYTES as usize));
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| problem(path, format!("cannot be read as text: {e}")))?;
    if text.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(problem(path, "is malformed: far too long for a key"));
    }
    let secret = SecretKey::from_hex(&text).map_err(|e| {
        problem(
            path,
            format!(
                "is malformed: {e} (it must hold one line of 64 hex digits, an Ed25519 secret key)"
            ),
        )
    })?;
    Ok(LedgerKey::new(secret, path))
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(problem(
            path,
            format!(
                "group or others may access it (mode {mode:04o}); the secret may have leaked. Run `chmod 600 {}` if it has not",
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), KeyFileError> {
    Ok(())
}

/// Makes a new key at `path` (the default place): the directory 0700, the
/// file 0600, written whole before it appears under its name, never over an
/// existing file (another process that got there first wins, and its key is
/// read).
fn create(path: &Path) -> Result<LedgerKey, KeyFileError> {
    use rand_core::RngCore;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    make_private_dir(dir)
        .map_err(|e| problem(path, format!("cannot create {}: {e}", dir.display())))?;
    let mut seed = Zeroizing::new([0u8; 32]);
    rand_core::OsRng
        .try_fill_bytes(seed.as_mut_slice())
        .map_err(|e| {
            problem(
                path,
                format!("no randomness from the operating system: {e}"),
            )
        })?;
    let secret = SecretKey::from_bytes(&seed);
    let tmp = dir.join(format!(".{KEY_FILE}.{}.tmp", std::process::id()));
    let written = write_private(&tmp, &secret);
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return read(path),
        Err(e) => return Err(problem(path, format!("cannot be written: {e}"))),
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    let key = LedgerKey::new(secret, path);
    tracing::info!(path = %path.display(), fingerprint = %key.public.fingerprint(), "created the ledger signing key");
    Ok(key)
}

fn write_private(path: &Path, secret: &SecretKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(secret.to_hex().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        }
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_key_is_made_once_privately_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        assert!(load_existing(&c).unwrap().is_none());
        let made = load_or_create(&c).unwrap();
        let path = dir.path().join("keys").join("ledger-signing.key");
        assert_eq!(made.path(), path);
        #[cfg(unix)]
        {
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.path().join("keys")), 0o700);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        assert!(text.ends_with('\n'));
        let again = load_or_create(&c).unwrap();
        assert_eq!(again.public_key(), made.public_key());
        assert_eq!(
            load_existing(&c).unwrap().unwrap().public_key(),
            made.public_key()
        );
        let shown = format!("{made:?}");
        assert!(!shown.contains(text.trim()), "{shown}");
        assert!(shown.contains(&made.public_key().fingerprint()), "{shown}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn an_exposed_or_malformed_key_file_is_refused_by_name() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        let key = load_or_create(&c).unwrap();
        std::fs::set_permissions(key.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_or_create(&c).unwrap_err().to_string();
        assert!(e.contains("ledger-signing.key"), "{e}");
        assert!(e.contains("0644") && e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(key.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(key.path(), "not a key\n").unwrap();
        let e = load_or_create(&c).unwrap_err().to_string();
        assert!(
            e.contains("ledger-signing.key") && e.contains("malformed"),
            "{e}"
        );
        assert!(load_existing(&c).is_err());
    }

    #[test]
    fn a_configured_key_file_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("elsewhere.key");
        let c = Config {
            signing_key_file: Some(file.clone()),
            ..config(dir.path())
        };
        let e = load_or_create(&c).unwrap_err().to_string();
        assert!(
            e.contains("elsewhere.key") && e.contains("does not exist"),
            "{e}"
        );
        assert!(!dir.path().join("keys").exists());
        // Moved there (as made at the default place), it is used.
        let made = load_or_create(&config(dir.path())).unwrap();
        std::fs::rename(made.path(), &file).unwrap();
        assert_eq!(load_or_create(&c).unwrap().public_key(), made.public_key());
    }
}
