//! What can stop a site build, each said with the file or tool concerned.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{0}\n\n{usage}", usage = crate::args::USAGE)]
    Usage(String),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("splitting the wasm into lazily loaded modules failed: {0}")]
    Split(String),
    #[error("generating the JS bindings failed (the `wasm-bindgen` crate the wasm was built with must be {version}): {message}", version = crate::bindgen::VERSION)]
    Bindgen { message: String },
    #[error("{tool} failed on {path}: {detail}")]
    Tool {
        tool: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error("{path}: {message}")]
    Content { path: PathBuf, message: String },
}

pub type Result<T> = std::result::Result<T, SiteError>;

/// Wraps an I/O error with what was being done to which file.
pub fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SiteError {
    let path = path.to_path_buf();
    move |source| SiteError::Io { what, path, source }
}
