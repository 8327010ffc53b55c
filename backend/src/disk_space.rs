//! Room on the file system under the data directory: `/readyz` counts a
//! disk with less than [`LOW_SPACE_BYTES`] left as full, and an upload is
//! refused before its body is read when it would not fit with that much to
//! spare.

use std::path::Path;

/// Less room than this counts as a full disk (a few hundred SQLite pages;
/// nothing Shipshape writes at once needs more, bar evidence files, which
/// are checked against their own size).
pub const LOW_SPACE_BYTES: u64 = 1024 * 1024;

/// Bytes an unprivileged process may still write on the file system that
/// holds `path` (or its nearest existing parent); `None` when that cannot
/// be read, which is never taken for a full disk.
pub fn available(path: &Path) -> Option<u64> {
    let existing = path
        .ancestors()
        .find(|p| !p.as_os_str().is_empty() && p.exists())
        .unwrap_or(Path::new("."));
    match rustix::fs::statvfs(existing) {
        Ok(s) => Some(s.f_bavail.saturating_mul(s.f_frsize)),
        Err(e) => {
            tracing::debug!(path = %existing.display(), error = %e, "free space unknown");
            None
        }
    }
}

/// True when `path`'s file system has less than `needed` bytes plus
/// [`LOW_SPACE_BYTES`] left.
pub fn lacks_room(path: &Path, needed: u64) -> bool {
    available(path).is_some_and(|free| free < needed.saturating_add(LOW_SPACE_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_read_from_the_nearest_existing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let free = available(dir.path()).unwrap();
        assert!(free > 0);
        let deeper = available(&dir.path().join("not/made/yet")).unwrap();
        assert!(deeper > 0);
        assert!(!lacks_room(dir.path(), 0) || free < LOW_SPACE_BYTES);
        assert!(lacks_room(dir.path(), u64::MAX));
    }
}
