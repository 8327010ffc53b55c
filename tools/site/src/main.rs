//! `shipshape-site`: the release site from the compiled wasm, as
//! `cargo leptos build --release --precompress --split` makes it after
//! compiling, so a new machine needs no cargo-leptos (whose build took
//! half of the first command's time on a fresh machine). The steps:
//! the style sheet and the assets, the split into lazily loaded modules
//! ([`split`]), the JS bindings ([`bindgen`]), binaryen's optimiser on
//! every module and `esbuild` on the JS and CSS ([`tools`]), content-hashed names
//! ([`hash`]) and precompressed copies ([`compress`]). The site is built
//! beside the old one and swapped in at the end, and `hash.txt` is written
//! last, so a failed build leaves the previous site whole.

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

    // Swap the new site in, then name its files for the server.
    let old = sibling(&a.site, "old");
    remove_dir(&old)?;
    if a.site.exists() {
        std::fs::rename(&a.site, &old).map_err(io("moving aside", &a.site))?;
    }
    std::fs::rename(&staging, &a.site).map_err(io("moving into place", &staging))?;
    if let Some(dir) = a.hash_file.parent() {
        std::fs::create_dir_all(dir).map_err(io("creating", dir))?;
    }
    std::fs::write(&a.hash_file, hashes.file_text()).map_err(io("writing", &a.hash_file))?;
    remove_dir(&old)?;
    remove_dir(&scratch)?;
    println!(
        "site built in {:.1} s: {} (names in {})",
        started.elapsed().as_secs_f64(),
        a.site.display(),
        a.hash_file.display()
    );
    Ok(())
}

/// `target/site` → `target/site.new` (or `.work`, `.old`).
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
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
