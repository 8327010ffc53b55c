//! `shipshape-site`: the release site from the compiled wasm, as
//! `cargo leptos build --release --precompress --split` makes it after
//! compiling, so a new machine needs no cargo-leptos (whose build took
//! half of the first command's time on a fresh machine). The steps:
//! the style sheet and the assets, the split into lazily loaded modules
//! ([`split`]), the JS bindings ([`bindgen`]), binaryen's optimiser on
//! every module and `esbuild` on the JS and CSS ([`tools`]), content-hashed names
//! ([`hash`]) and precompressed copies ([`compress`]). The site is built
//! beside the old one (`--stage`) and swapped in with its `hash.txt`
//! (`--swap`; both by default), so a failed build leaves the previous site
//! whole, and the release script swaps only once the server built too.

mod args;
mod bindgen;
mod compress;
mod error;
mod hash;
mod split;
mod tools;

use error::{io, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let result = args::Args::parse(std::env::args().skip(1)).and_then(|a| build(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shipshape-site: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints how long a step took.
fn step<T>(what: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let out = work()?;
    println!("  {what}: {:.1} s", started.elapsed().as_secs_f64());
    Ok(out)
}

fn build(a: &args::Args) -> Result<()> {
    if !a.swap_only {
        stage(a)?;
    }
    if !a.stage_only {
        swap(a)?;
    }
    Ok(())
}

/// Builds the new site in `target/site.new` and its names in
/// `hash.txt.new`; the site being served is not touched.
fn stage(a: &args::Args) -> Result<()> {
    let started = Instant::now();
    let staging = sibling(&a.site, "new");
    let scratch = sibling(&a.site, "work");
    for dir in [&staging, &scratch] {
        remove_dir(dir)?;
    }
    let pkg = staging.join("pkg");
    std::fs::create_dir_all(&pkg).map_err(io("creating", &pkg))?;
    std::fs::create_dir_all(&scratch).map_err(io("creating", &scratch))?;
    println!(
        "building the site in {} from {}",
        staging.display(),
        a.wasm.display()
    );

    step("assets and style sheet", || {
        copy_dir(&a.assets, &staging)?;
        tools::minify(&a.esbuild, &a.style, &pkg.join(format!("{}.css", a.name)))
    })?;
    let js = format!("{}.js", a.name);
    let main_module = scratch.join("main_split.wasm");
    step("split into lazily loaded modules", || {
        split::split(&a.wasm, &pkg, &main_module, &js)
    })?;
    step("JS bindings", || {
        bindgen::bindgen(&main_module, &pkg, &a.name)
    })?;
    let wasm: Vec<PathBuf> = compress::files_under(&pkg)?
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "wasm"))
        .collect();
    step(
        &format!("{} wasm modules optimised for size", wasm.len()),
        || tools::optimize_wasm(&a.node, &a.binaryen, &scratch, &wasm, a.jobs),
    )?;
    step("JS minified", || {
        let scripts = [pkg.join(&js), pkg.join(split::LOADER)];
        for f in scripts.iter().filter(|f| f.is_file()) {
            let min = scratch.join("min.js");
            tools::minify(&a.esbuild, f, &min)?;
            std::fs::rename(&min, f).map_err(io("replacing", f))?;
        }
        Ok(())
    })?;
    let hashes = step("content-hashed names", || {
        hash::name_by_content(&pkg, &a.name)
    })?;
    let files = compress::files_under(&staging)?;
    step(&format!("{} files precompressed", files.len()), || {
        tools::each(&files, a.jobs, |f| compress::precompress(f))
    })?;
    let hash_new = sibling(&a.hash_file, "new");
    if let Some(dir) = hash_new.parent() {
        std::fs::create_dir_all(dir).map_err(io("creating", dir))?;
    }
    std::fs::write(&hash_new, hashes.file_text()).map_err(io("writing", &hash_new))?;
    remove_dir(&scratch)?;
    println!(
        "site staged in {:.1} s: {} (names in {})",
        started.elapsed().as_secs_f64(),
        staging.display(),
        hash_new.display()
    );
    Ok(())
}

/// Puts the staged site and its names in place. Should a step fail, the
/// previous site and names are put back, so the server keeps a site whose
/// names it knows.
fn swap(a: &args::Args) -> Result<()> {
    let staging = sibling(&a.site, "new");
    let hash_new = sibling(&a.hash_file, "new");
    if !staging.is_dir() || !hash_new.is_file() {
        return Err(error::SiteError::Content {
            path: staging,
            message: "nothing staged to swap in (run without --swap, or with --stage first)".into(),
        });
    }
    let old = sibling(&a.site, "old");
    remove_dir(&old)?;
    let had_site = a.site.exists();
    if had_site {
        std::fs::rename(&a.site, &old).map_err(io("moving aside", &a.site))?;
    }
    let put_back = |e: error::SiteError| {
        if had_site {
            let _ = std::fs::rename(&old, &a.site);
        }
        e
    };
    std::fs::rename(&staging, &a.site)
        .map_err(|e| put_back(io("moving into place", &staging)(e)))?;
    if let Err(e) = std::fs::rename(&hash_new, &a.hash_file) {
        let _ = std::fs::rename(&a.site, &staging);
        return Err(put_back(io("moving into place", &hash_new)(e)));
    }
    remove_dir(&old)?;
    println!(
        "site in place: {} (names in {})",
        a.site.display(),
        a.hash_file.display()
    );
    Ok(())
}

/// `target/site` → `target/site.new` (or `.work`, `.old`), whatever
/// trailing slash the path was given with.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let clean: PathBuf = path.components().collect();
    let mut name = clean.file_name().map(|n| n.to_owned()).unwrap_or_default();
    name.push(".");
    name.push(suffix);
    clean.with_file_name(name)
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("removing", dir)(e)),
        _ => Ok(()),
    }
}

/// Copies the assets directory's files, keeping subdirectories.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(io("listing", from))? {
        let path = entry.map_err(io("listing", from))?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        let target = to.join(name);
        if path.is_dir() {
            std::fs::create_dir_all(&target).map_err(io("creating", &target))?;
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(io("copying", &path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_sit_beside_the_directory_whatever_its_spelling() {
        assert_eq!(
            sibling(Path::new("target/site"), "new"),
            PathBuf::from("target/site.new")
        );
        assert_eq!(
            sibling(Path::new("target/site/"), "old"),
            PathBuf::from("target/site.old")
        );
        assert_eq!(
            sibling(Path::new("target/release/hash.txt"), "new"),
            PathBuf::from("target/release/hash.txt.new")
        );
    }

    #[test]
    fn a_swap_puts_the_staged_site_and_names_in_place_or_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = args::Args {
            site: dir.path().join("site"),
            hash_file: dir.path().join("release/hash.txt"),
            ..args::Args::default()
        };
        // Nothing staged: refused, nothing touched.
        std::fs::create_dir_all(a.site.join("pkg")).unwrap();
        std::fs::write(a.site.join("pkg/old.js"), "old").unwrap();
        assert!(swap(&a).unwrap_err().to_string().contains("nothing staged"));
        assert!(a.site.join("pkg/old.js").is_file());
        // Staged: swapped in, with its names.
        std::fs::create_dir_all(sibling(&a.site, "new").join("pkg")).unwrap();
        std::fs::write(sibling(&a.site, "new").join("pkg/new.js"), "new").unwrap();
        std::fs::create_dir_all(dir.path().join("release")).unwrap();
        std::fs::write(sibling(&a.hash_file, "new"), "js: x\n").unwrap();
        swap(&a).unwrap();
        assert!(a.site.join("pkg/new.js").is_file() && !a.site.join("pkg/old.js").exists());
        assert_eq!(std::fs::read_to_string(&a.hash_file).unwrap(), "js: x\n");
        assert!(!sibling(&a.site, "old").exists() && !sibling(&a.site, "new").exists());
    }
}
