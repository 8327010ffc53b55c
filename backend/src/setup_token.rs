//! The one-time setup token: until the first account exists, creating it
//! needs a token the server makes at start-up, prints, and writes to
//! `<data_dir>/setup-token` (mode 0600). Whoever can reach the port, or a
//! web page open in the operator's browser, cannot make themselves admin
//! without reading the server's output or files. Used once, it is gone.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The file the token is written to.
pub fn token_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("setup-token")
}

/// Holds the SHA-256 of the current token, if one is outstanding.
#[derive(Clone, Default)]
pub struct SetupToken {
    digest: Arc<Mutex<Option<[u8; 32]>>>,
    file: Arc<Mutex<Option<PathBuf>>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

impl SetupToken {
    /// Makes a new token, writes it to `path` (0600) and returns it.
    pub fn issue(&self, path: PathBuf) -> std::io::Result<SecretString> {
        let mut bytes = [0u8; 24];
        argon2::password_hash::rand_core::RngCore::fill_bytes(
            &mut argon2::password_hash::rand_core::OsRng,
            &mut bytes,
        );
        let token = hex::encode(bytes);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(&path, &token)?;
        if let Ok(mut d) = self.digest.lock() {
            *d = Some(digest(&token));
        }
        if let Ok(mut f) = self.file.lock() {
            *f = Some(path);
        }
        Ok(SecretString::from(token))
    }

    /// Whether `given` is the outstanding token (constant-time compare):
    /// the one this server made, or the one now in its file. Replicas
    /// that share a data directory each write a token as they start, and
    /// the file holds the last one, which the operator reads: whichever
    /// replica the setup request reaches accepts it.
    pub fn matches(&self, given: &SecretString) -> bool {
        let Some(own) = self.digest.lock().ok().and_then(|d| *d) else {
            return false;
        };
        let got = digest(given.expose_secret());
        let on_disk = self
            .file
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .and_then(|path| std::fs::read_to_string(path).ok())
            .map(|text| digest(&text));
        same(&own, &got) | on_disk.is_some_and(|d| same(&d, &got))
    }

    /// The token was used (or setup happened another way): forget it and
    /// delete its file.
    pub fn consume(&self) {
        if let Ok(mut d) = self.digest.lock() {
            *d = None;
        }
        if let Some(path) = self.file.lock().ok().and_then(|mut f| f.take()) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(f, "{text}")
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{text}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_once_and_its_file_goes() {
        let dir = tempfile::tempdir().unwrap();
        let t = SetupToken::default();
        assert!(
            !t.matches(&SecretString::from("anything")),
            "no token, no setup"
        );
        let path = token_path(dir.path());
        let token = t.issue(path.clone()).unwrap();
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(on_disk.trim(), token.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(t.matches(&SecretString::from(format!(" {}\n", token.expose_secret()))));
        assert!(!t.matches(&SecretString::from("wrong")));
        t.consume();
        assert!(!t.matches(&token));
        assert!(!path.exists());
    }

    #[test]
    fn a_replica_accepts_the_token_another_replica_wrote_to_the_shared_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = token_path(dir.path());
        let (a, b) = (SetupToken::default(), SetupToken::default());
        let first = a.issue(path.clone()).unwrap();
        let last = b.issue(path.clone()).unwrap();
        assert!(a.matches(&last), "the token in the file opens a as well");
        assert!(b.matches(&last));
        assert!(a.matches(&first), "a's own token still opens a");
        assert!(
            !b.matches(&first),
            "but not b, whose file no longer holds it"
        );
        assert!(!a.matches(&SecretString::from("wrong")));
    }
}
