//! The two tools fetched from npm: binaryen, whose optimiser shrinks the
//! wasm (Debian's is too old to produce wasm that hydrates), and
//! `esbuild`, which minifies the JS and CSS; and running work on every
//! core.

use crate::error::{io, Result, SiteError};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The script that optimises wasm files with binaryen's JS build.
const OPTIMIZE_SCRIPT: &str = include_str!("optimize.mjs");

/// Optimises the wasm files for size, in place (`wasm-opt -Oz`), on `jobs`
/// node processes, each loading binaryen once. The files are shared out
/// by size, the largest first, so the processes finish together.
pub fn optimize_wasm(
    node: &Path,
    binaryen: &Path,
    scratch: &Path,
    files: &[PathBuf],
    jobs: usize,
) -> Result<()> {
    let script = scratch.join("optimize.mjs");
    std::fs::write(&script, OPTIMIZE_SCRIPT).map_err(io("writing", &script))?;
    let index = binaryen.join("index.js");
    if !index.is_file() {
        return Err(SiteError::Tool {
            tool: "binaryen",
            path: index,
            detail: "not installed (run `npm ci` in tools/)".into(),
        });
    }
    let shares = share_by_size(files, jobs)?;
    let mut running = Vec::new();
    for share in shares.iter().filter(|s| !s.is_empty()) {
        let child = Command::new(node)
            .arg(&script)
            .arg(&index)
            .args(share)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| SiteError::Tool {
                tool: "node",
                path: script.clone(),
                detail: format!("could not start {}: {e}", node.display()),
            })?;
        running.push(child);
    }
    let mut failed = None;
    for child in running {
        let out = child
            .wait_with_output()
            .map_err(io("waiting for", &script))?;
        if !out.status.success() && failed.is_none() {
            failed = Some(SiteError::Tool {
                tool: "binaryen",
                path: script.clone(),
                detail: format!(
                    "{}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
    }
    failed.map_or(Ok(()), Err)
}

/// `jobs` lists of files of about equal total size.
fn share_by_size(files: &[PathBuf], jobs: usize) -> Result<Vec<Vec<PathBuf>>> {
    let mut sized = Vec::with_capacity(files.len());
    for f in files {
        sized.push((
            std::fs::metadata(f).map_err(io("reading", f))?.len(),
            f.clone(),
        ));
    }
    sized.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut shares: Vec<(u64, Vec<PathBuf>)> = vec![(0, Vec::new()); jobs.max(1)];
    for (size, f) in sized {
        if let Some(least) = shares.iter_mut().min_by_key(|s| s.0) {
            least.0 += size;
            least.1.push(f);
        }
    }
    Ok(shares.into_iter().map(|s| s.1).collect())
}

/// Minifies a JS module or a style sheet from `from` into `to`. ES module
/// syntax is kept as it is (nothing is bundled), and so are the strings
/// that name other files, which the hashing step rewrites afterwards.
pub fn minify(program: &Path, from: &Path, to: &Path) -> Result<()> {
    let mut cmd = Command::new(program);
    cmd.arg(from).arg("--minify").arg("--log-level=warning");
    if from.extension().is_some_and(|e| e == "css") {
        // Browsers of the last few years, as cargo-leptos's "defaults" query.
        cmd.arg("--target=chrome109,edge109,firefox115,safari15.6");
    }
    run(
        "esbuild",
        cmd.arg(format!("--outfile={}", to.display())),
        from,
    )
}

fn run(tool: &'static str, cmd: &mut Command, path: &Path) -> Result<()> {
    let fail = |detail: String| SiteError::Tool {
        tool,
        path: path.to_path_buf(),
        detail,
    };
    let out = cmd.output().map_err(|e| {
        fail(format!(
            "could not start {}: {e} (is `npm ci` done in tools/?)",
            cmd.get_program().to_string_lossy()
        ))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "{}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Runs `work` on every item, `jobs` at once; the first error is returned
/// once the running ones have finished.
pub fn each<T: Sync>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> Result<()> + Sync,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<SiteError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if let Err(e) = work(item) {
                    if let Ok(mut f) = failed.lock() {
                        f.get_or_insert(e);
                    }
                    next.store(items.len(), Ordering::Relaxed);
                    break;
                }
            });
        }
    });
    match failed.into_inner() {
        Ok(Some(e)) => Err(e),
        Ok(None) => Ok(()),
        Err(poisoned) => poisoned.into_inner().map_or(Ok(()), Err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worked_once_and_an_error_comes_back() {
        let seen = Mutex::new(Vec::new());
        each(&[1, 2, 3, 4, 5], 3, |n| {
            seen.lock().unwrap().push(*n);
            Ok(())
        })
        .unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        let e = each(&[1, 2, 3], 2, |n| {
            if *n == 2 {
                Err(SiteError::Split("two".into()))
            } else {
                Ok(())
            }
        });
        assert!(e.unwrap_err().to_string().contains("two"));
    }

    #[test]
    fn a_missing_program_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = minify(
            Path::new("/nonexistent/esbuild"),
            &dir.path().join("a.js"),
            &dir.path().join("b.js"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("could not start /nonexistent/esbuild"),
            "{e}"
        );
        let e = optimize_wasm(
            Path::new("node"),
            Path::new("/nonexistent"),
            dir.path(),
            &[],
            2,
        )
        .unwrap_err();
        assert!(e.to_string().contains("npm ci"), "{e}");
    }

    #[test]
    fn files_are_shared_out_by_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (name, size) in [("a", 100), ("b", 60), ("c", 50), ("d", 10)] {
            let f = dir.path().join(name);
            std::fs::write(&f, vec![0u8; size]).unwrap();
            files.push(f);
        }
        let shares = share_by_size(&files, 2).unwrap();
        let names = |s: &Vec<PathBuf>| {
            s.iter()
                .map(|f| f.file_name().unwrap().to_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&shares[0]), ["a", "d"]);
        assert_eq!(names(&shares[1]), ["b", "c"]);
    }
}
