//! The ledger's signing key. Checkpoint rows are signed with it, and a
//! server verifies them with its own key, so the new install must keep the
//! source's: it is copied to the new install's key file when there is none
//! there yet (mode 0600, never over another file), and a different key
//! already there is refused. The source's key also checks the copied
//! chain's checkpoints.

use super::MigrateError;
use crate::config::Config;
use crate::keys::{self, KEY_DIR, KEY_FILE};
use shipshape_domain::signing::PublicKey;
use std::fmt;
use std::path::{Path, PathBuf};

/// What to do with the key, decided before anything is copied.
#[derive(Debug)]
pub struct Plan {
    /// The key that checks the copied chain's checkpoints.
    pub verify_with: Option<PublicKey>,
    copy: Option<(PathBuf, PathBuf)>,
    outcome: KeyOutcome,
}

/// What happened to the signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// The new install reads the source's key file itself.
    Same(PathBuf),
    /// The source's key was copied to the new install's key file.
    Copied(PathBuf),
    /// The new install already had this same key.
    AlreadyThere(PathBuf),
    /// The source has no key file in its data directory: the new install
    /// keeps the key it has, or makes one at its first start.
    NoneInSource(PathBuf),
}

impl fmt::Display for KeyOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyOutcome::Same(p) => {
                write!(f, "signing key: {} (shared with the source)", p.display())
            }
            KeyOutcome::Copied(p) => write!(f, "signing key: copied to {}", p.display()),
            KeyOutcome::AlreadyThere(p) => {
                write!(f, "signing key: the same key already at {}", p.display())
            }
            KeyOutcome::NoneInSource(p) => write!(
                f,
                "signing key: none in the source's data directory; the new install uses {}",
                p.display()
            ),
        }
    }
}

fn refuse(e: impl fmt::Display) -> MigrateError {
    MigrateError::Refused(e.to_string())
}

/// Decides: which key verifies, and whether to copy the source's.
pub fn plan(source_dir: &Path, config: &Config) -> Result<Plan, MigrateError> {
    let from = source_dir.join(KEY_DIR).join(KEY_FILE);
    let (to, _) = keys::key_path(config);
    let source = match std::fs::symlink_metadata(&from) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(keys::read_key_file(&from).map_err(refuse)?),
    };
    let target = keys::load_existing(config).map_err(refuse)?;
    let same_file = match (std::fs::canonicalize(&from), std::fs::canonicalize(&to)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    Ok(match (source, target) {
        (Some(s), _) if same_file => Plan {
            verify_with: Some(s.public_key()),
            copy: None,
            outcome: KeyOutcome::Same(to),
        },
        (Some(s), Some(t)) if s.public_key() == t.public_key() => Plan {
            verify_with: Some(s.public_key()),
            copy: None,
            outcome: KeyOutcome::AlreadyThere(to),
        },
        (Some(s), Some(t)) => {
            return Err(MigrateError::Refused(format!(
                "the new install's signing key {} (fingerprint {}) is not the source's {} (fingerprint {}): the source's signed checkpoints would not verify. Move that file away (the source's key is copied in its place) or point signing_key_file at the source's key",
                to.display(),
                t.public_key().fingerprint(),
                from.display(),
                s.public_key().fingerprint()
            )))
        }
        (Some(s), None) => Plan {
            verify_with: Some(s.public_key()),
            copy: Some((from, to.clone())),
            outcome: KeyOutcome::Copied(to),
        },
        (None, t) => Plan {
            verify_with: t.map(|t| t.public_key()),
            copy: None,
            outcome: KeyOutcome::NoneInSource(to),
        },
    })
}

/// Copies the key if the plan says so (private to its owner from the
/// moment it exists, never over a file).
pub fn apply(plan: &Plan) -> Result<KeyOutcome, MigrateError> {
    if let Some((from, to)) = &plan.copy {
        copy_private(from, to).map_err(|e| MigrateError::Io {
            context: format!("copying the signing key to {}", to.display()),
            source: e,
        })?;
    }
    Ok(plan.outcome.clone())
}

fn copy_private(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let bytes = zeroize::Zeroizing::new(std::fs::read(from)?);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // A key directory made here is private, as the server makes it.
    if let Some(dir) = to
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(to)?;
    file.write_all(&bytes)?;
    file.sync_all()
}
