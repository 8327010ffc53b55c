//! The JS bindings for the main module (wasm-bindgen as a library, so no
//! separate tool is installed): an ES module for the web, with the
//! linker's exports kept and names not demangled, as the split loader
//! needs.

use crate::error::{io, Result, SiteError};
use std::path::Path;

/// The `wasm-bindgen` version this generator is, which must be the exact
/// version the wasm was compiled with (the workspace pins `=0.2.130`).
pub const VERSION: &str = "0.2.130";

/// Writes `{name}.js` and `{name}.wasm` into `pkg` from the split main
/// module.
pub fn bindgen(main_module: &Path, pkg: &Path, name: &str) -> Result<()> {
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    b.input_path(main_module)
        .out_name(name)
        .keep_lld_exports(true)
        .demangle(false)
        .typescript(false);
    b.web(true).map_err(|e| SiteError::Bindgen {
        message: format!("{e:#}"),
    })?;
    b.generate(pkg).map_err(|e| SiteError::Bindgen {
        message: format!("{e:#}"),
    })?;
    // leptos preloads `{name}.wasm` (cargo-leptos renames it the same way).
    let from = pkg.join(format!("{name}_bg.wasm"));
    let to = pkg.join(format!("{name}.wasm"));
    std::fs::rename(&from, &to).map_err(io("renaming", &from))
}
