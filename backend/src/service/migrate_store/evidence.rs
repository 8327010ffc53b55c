//! Evidence files: every SHA-256 the `attachments` table names must be a
//! file in the source's attachments directory with that SHA-256. When the
//! new install keeps its files elsewhere (the `attachments_dir` replicas
//! share), each is copied there under a temporary name, checked, and then
//! renamed into place; a file already there is kept if it is the same and
//! refused if it differs (never overwritten).

use super::{io, MigrateError};
use crate::files::BlobStore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What happened to the evidence files.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// Files named and found intact in the source.
    pub checked: usize,
    /// Copied into the target's directory.
    pub copied: usize,
    /// Already in the target's directory, the same.
    pub already_there: usize,
    pub bytes: u64,
    /// The new install's attachments directory.
    pub target_dir: PathBuf,
    /// The source's and the target's directory are one.
    pub same_dir: bool,
}

impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.same_dir {
            write!(
                f,
                "evidence files: {} checked ({} bytes), kept in place in {}",
                self.checked,
                self.bytes,
                self.target_dir.display()
            )
        } else {
            write!(
                f,
                "evidence files: {} checked ({} bytes), {} copied to {}, {} already there",
                self.checked,
                self.bytes,
                self.copied,
                self.target_dir.display(),
                self.already_there
            )
        }
    }
}

/// Whether two directories are the same one (a missing one is the same
/// only as the identical path).
fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Checks every file in `named` in `from`, and copies it into `to` when
/// that is another directory.
pub async fn check_and_copy(
    named: &[String],
    from: &Path,
    to: &Path,
) -> Result<FileReport, MigrateError> {
    let mut report = FileReport {
        target_dir: to.to_path_buf(),
        same_dir: same_dir(from, to),
        ..FileReport::default()
    };
    let (source, target) = (
        BlobStore::new(from.to_path_buf()),
        BlobStore::new(to.to_path_buf()),
    );
    for sha in named {
        let (Some(src), Some(dst)) = (source.path_of(sha), target.path_of(sha)) else {
            return Err(MigrateError::Refused(format!(
                "the source's attachments table names a file by a malformed hash: {sha:?}"
            )));
        };
        if !src.is_file() {
            return Err(MigrateError::Refused(format!(
                "evidence file {sha}, named by the source's ledger, is missing from {} (is --from-data-dir the source's data directory?)",
                from.display()
            )));
        }
        let existed = !report.same_dir && dst.exists();
        let (got, bytes) = if report.same_dir || existed {
            hash_file(&src).await?
        } else {
            copy_checked(&src, &dst, sha).await?
        };
        if got != *sha {
            return Err(MigrateError::Refused(format!(
                "evidence file {} does not match its hash (its SHA-256 is {got}): the source's attachments are damaged",
                src.display()
            )));
        }
        report.checked += 1;
        report.bytes += bytes;
        if report.same_dir {
            continue;
        }
        if existed {
            let (there, _) = hash_file(&dst).await?;
            if there != *sha {
                return Err(MigrateError::Refused(format!(
                    "{} already exists and is not evidence file {sha} (its SHA-256 is {there}); it is not overwritten: move it away and migrate again",
                    dst.display()
                )));
            }
            report.already_there += 1;
        } else {
            report.copied += 1;
        }
    }
    Ok(report)
}

/// Reads a file whole; returns (sha256, bytes).
async fn hash_file(path: &Path) -> Result<(String, u64), MigrateError> {
    let context = || format!("reading {}", path.display());
    let mut file = tokio::fs::File::open(path).await.map_err(io(context()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).await.map_err(io(context()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), bytes))
}

/// Copies `from` to `to` through a temporary file beside it while hashing;
/// returns (sha256, bytes). Only a copy whose SHA-256 is `expected` is
/// renamed into place (once whole and on disk).
async fn copy_checked(
    from: &Path,
    to: &Path,
    expected: &str,
) -> Result<(String, u64), MigrateError> {
    let dir = to.parent().unwrap_or(Path::new("."));
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(io(format!("creating {}", dir.display())))?;
    let tmp = dir.join(format!(".{expected}.{}.migrating", std::process::id()));
    let copied = copy_into(from, &tmp).await;
    let placed = match copied {
        Ok((sha, bytes)) if sha == expected => tokio::fs::rename(&tmp, to)
            .await
            .map(|()| (sha, bytes))
            .map_err(io(format!("placing {}", to.display()))),
        other => other,
    };
    let _ = tokio::fs::remove_file(&tmp).await;
    placed
}

async fn copy_into(from: &Path, tmp: &Path) -> Result<(String, u64), MigrateError> {
    let reading = || format!("reading {}", from.display());
    let writing = || format!("writing {}", tmp.display());
    let mut src = tokio::fs::File::open(from).await.map_err(io(reading()))?;
    let mut dst = tokio::fs::File::create(tmp).await.map_err(io(writing()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = src.read(&mut buf).await.map_err(io(reading()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n]).await.map_err(io(writing()))?;
        bytes += n as u64;
    }
    dst.sync_all().await.map_err(io(writing()))?;
    Ok((hex::encode(hasher.finalize()), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn put(root: &Path, bytes: &[u8]) -> String {
        let s = sha(bytes);
        let dir = root.join(&s[..2]);
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(&s), bytes).expect("write");
        s
    }

    #[tokio::test]
    async fn files_are_checked_copied_and_never_overwritten() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let (from, to) = (tmp.path().join("a"), tmp.path().join("b"));
        let one = put(&from, b"one");
        let two = put(&from, b"two");
        put(&to, b"two");
        let r = check_and_copy(&[one.clone(), two.clone()], &from, &to)
            .await
            .expect("copied");
        assert_eq!((r.checked, r.copied, r.already_there), (2, 1, 1));
        assert_eq!(
            std::fs::read(to.join(&one[..2]).join(&one)).ok(),
            Some(b"one".to_vec())
        );

        // In place: checked only.
        let r = check_and_copy(std::slice::from_ref(&one), &from, &from)
            .await
            .expect("checked");
        assert!(r.same_dir && r.copied == 0 && r.checked == 1);

        // A damaged source file, a different file in the way, a missing one.
        let three = put(&from, b"three");
        std::fs::write(from.join(&three[..2]).join(&three), b"forged").expect("write");
        let e = check_and_copy(std::slice::from_ref(&three), &from, &to)
            .await
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("does not match its hash")));
        assert!(!to.join(&three[..2]).join(&three).exists());
        std::fs::write(to.join(&one[..2]).join(&one), b"other").expect("write");
        let e = check_and_copy(std::slice::from_ref(&one), &from, &to)
            .await
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("not overwritten")));
        assert_eq!(
            std::fs::read(to.join(&one[..2]).join(&one)).ok(),
            Some(b"other".to_vec())
        );
        let e = check_and_copy(&[sha(b"nowhere")], &from, &to)
            .await
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("is missing")));
    }
}
