//! Evidence files on disk, content-addressed: `<root>/ab/abcdef…` by SHA-256.
//!
//! An upload is streamed into a temporary file under `<root>/tmp` while it is
//! hashed and counted; nothing is ever held whole in memory. Only when the
//! whole request was accepted is the temporary file moved to its final name
//! ([`Pending::keep`]); a refused, failed or interrupted upload drops its
//! [`Pending`] and the temporary file is removed. Final paths are built from
//! the hex digest alone, so no name a user sends can reach the file system.
//!
//! A full disk is [`FileError::Full`]: checked before a body is read
//! ([`BlobStore::ensure_room`]), and when a write fails with `ENOSPC` the
//! half-written temporary file goes with its upload.

use sha2::{Digest, Sha256};
use shipshape_domain::attachment::is_sha256_hex;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::AsyncWriteExt;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file is empty")]
    Empty,
    /// No room left on the disk (checked before, or `ENOSPC` while writing).
    #[error("the disk is full")]
    Full,
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl BlobStore {
    pub fn new(root: PathBuf) -> Self {
        BlobStore { root }
    }

    /// The final path of a stored file, or `None` for anything that is not
    /// a SHA-256 hex digest.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256_hex(sha256).then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Refuses with [`FileError::Full`] when `needed` bytes would not fit
    /// on the store's file system with [`crate::disk_space::LOW_SPACE_BYTES`]
    /// to spare (before a byte of an upload is read).
    pub fn ensure_room(&self, needed: u64) -> Result<(), FileError> {
        if crate::disk_space::lacks_room(&self.root, needed) {
            return Err(FileError::Full);
        }
        Ok(())
    }

    /// Starts an upload limited to `limit` bytes.
    pub async fn begin(&self, limit: u64) -> Result<Upload, FileError> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = dir.join(format!("{}-{nanos}-{n}.part", std::process::id()));
        let file = tokio::fs::File::create(&path).await.map_err(io)?;
        Ok(Upload {
            guard: TempGuard(Some(path)),
            file,
            hasher: Sha256::new(),
            size: 0,
            limit,
        })
    }
}

/// An I/O error, or [`FileError::Full`] when it says there is no room.
fn io(e: std::io::Error) -> FileError {
    if crate::storage_error::io_is_disk_full(&e) {
        FileError::Full
    } else {
        FileError::Io(e)
    }
}

/// Removes a temporary file when dropped, unless it was moved away.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A file being received.
pub struct Upload {
    guard: TempGuard,
    file: tokio::fs::File,
    hasher: Sha256,
    size: u64,
    limit: u64,
}

impl Upload {
    /// Appends a chunk; past the limit, or when the disk is full, the upload
    /// fails (and its temporary file goes when the upload is dropped).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), FileError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(FileError::TooLarge { limit: self.limit });
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await.map_err(io)?;
        Ok(())
    }

    /// The whole file arrived: flushed to disk, not yet stored.
    pub async fn finish(mut self) -> Result<Pending, FileError> {
        if self.size == 0 {
            return Err(FileError::Empty);
        }
        self.file.flush().await.map_err(io)?;
        self.file.sync_all().await.map_err(io)?;
        Ok(Pending {
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            guard: self.guard,
        })
    }
}

/// A received file waiting for its request to be accepted.
pub struct Pending {
    pub sha256: String,
    pub size: u64,
    guard: TempGuard,
}

impl Pending {
    /// Moves the file to its content address (an identical file already
    /// there is kept as is).
    pub async fn keep(mut self, store: &BlobStore) -> Result<(), FileError> {
        let Some(dest) = store.path_of(&self.sha256) else {
            return Err(FileError::Io(std::io::Error::other("bad digest")));
        };
        let Some(tmp) = self.guard.0.take() else {
            return Ok(());
        };
        if let Some(parent) = dest.parent() {
            if let Err(e) = tokio::fs::create_dir_all(parent).await {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(io(e));
            }
        }
        if tokio::fs::try_exists(&dest).await.unwrap_or(false) {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Ok(());
        }
        if let Err(e) = tokio::fs::rename(&tmp, &dest).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(e));
        }
        Ok(())
    }
}

/// How long a temporary file must have been left untouched before it
/// counts as a crash's leftover: an upload in flight writes to its file all
/// the time, so this never takes one from under a live server, even from a
/// replica that shares the directory.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Temporary files left by a crash (untouched for an hour), removed when
/// the server starts (never by the CLI).
pub fn clear_temporary(root: &Path) {
    clear_temporary_older_than(root, ABANDONED_AFTER)
}

fn clear_temporary_older_than(root: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(root.join("tmp")) else {
        return;
    };
    for e in entries.flatten() {
        let untouched = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|elapsed| elapsed >= age);
        if untouched {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_abandoned_temporary_files_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join("in-flight"), b"x").unwrap();
        clear_temporary(dir.path());
        assert!(tmp.join("in-flight").exists(), "a fresh file stays");
        clear_temporary_older_than(dir.path(), std::time::Duration::ZERO);
        assert!(!tmp.join("in-flight").exists(), "an abandoned one goes");
    }

    #[tokio::test]
    async fn streamed_files_are_stored_by_hash_and_refusals_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().to_path_buf());
        let mut up = store.begin(10).await.unwrap();
        up.write(b"hello ").await.unwrap();
        up.write(b"you").await.unwrap();
        let pending = up.finish().await.unwrap();
        assert_eq!(pending.size, 9);
        let sha = pending.sha256.clone();
        pending.keep(&store).await.unwrap();
        let path = store.path_of(&sha).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello you");

        // Too large: refused, and the temporary file is gone.
        let mut up = store.begin(4).await.unwrap();
        assert!(matches!(
            up.write(b"12345").await,
            Err(FileError::TooLarge { limit: 4 })
        ));
        drop(up);
        // Accepted but the request failed later: dropped, gone too.
        let mut up = store.begin(4).await.unwrap();
        up.write(b"1234").await.unwrap();
        drop(up.finish().await.unwrap());
        assert!(matches!(
            store.begin(4).await.unwrap().finish().await,
            Err(FileError::Empty)
        ));
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
        assert_eq!(store.path_of("../../etc/passwd"), None);
    }
}
