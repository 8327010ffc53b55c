//! Cuts the wasm into the main module, one module per lazily loaded route
//! and shared chunks (leptos's `#[lazy]` split points), and writes the
//! loader script and the manifest the server reads to preload a route's
//! chunks. The loader's name carries a placeholder of a hash's length, so
//! the hash can later be patched into the wasm in place.

use crate::error::{io, Result, SiteError};
use std::path::Path;

/// The loader's name before hashing; leptos looks for it under this name
/// when files are not hashed.
pub const LOADER: &str = "__wasm_split.______________________.js";
/// The manifest's name before hashing.
pub const MANIFEST: &str = "__wasm_split_manifest.json";

/// Splits `input` into `pkg` (the chunks, the loader and the manifest) and
/// `main_out` (the main module, still to be given its JS bindings).
/// `main_js` is the bindings' file name, which the loader imports.
pub fn split(input: &Path, pkg: &Path, main_out: &Path, main_js: &str) -> Result<()> {
    let wasm = std::fs::read(input).map_err(io("reading the wasm", input))?;
    let main_module = format!("./{main_js}");
    let link_name = format!("./{LOADER}");
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = pkg;
    opts.main_out_path = main_out;
    opts.main_module = &main_module;
    opts.link_name = &link_name;
    let out =
        wasm_split_cli_support::transform(opts).map_err(|e| SiteError::Split(format!("{e:#}")))?;
    let manifest = serde_json::to_string(&out.prefetch_map)
        .map_err(|e| SiteError::Split(format!("the manifest: {e}")))?;
    let path = pkg.join(MANIFEST);
    std::fs::write(&path, manifest).map_err(io("writing", &path))
}
