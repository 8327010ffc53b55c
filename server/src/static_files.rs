//! The site's built files under `/pkg` (wasm, JS, CSS): served from disk,
//! precompressed (the release build writes `.br` and `.gz` beside each
//! file), with `Vary: accept-encoding`, and cached for a year when their
//! names carry content hashes (a build with `hash-files`, which leaves
//! `hash.txt` beside the server binary). Answers the server makes itself
//! (HTML, JSON) are compressed on the fly; downloads are not.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Version};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the site builder (`tools/site`) lists the hashed file names,
/// beside the binary.
pub const HASH_FILE: &str = "hash.txt";

/// Whether this binary's site has hashed file names.
pub fn hashed_build() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE).is_file()))
        .unwrap_or(false)
}

/// What `/pkg` answers with: a year for hashed names (a new build has
/// new names), otherwise ask again each time.
pub fn cache_control(hashed: bool) -> &'static str {
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// The `/pkg` service.
pub fn pkg(dir: &Path, hashed: bool) -> Router {
    let cache = HeaderValue::from_static(cache_control(hashed));
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |r: &Response| {
                (r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED)
                    .then(|| cache.clone())
            },
        ))
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// Whether an answer is one to compress on the fly: pages and JSON.
/// Evidence downloads, bundles and exports stream as they are.
pub fn compressible(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| matches!(t.trim(), "text/html" | "application/json"))
}

/// Compression (brotli or gzip, as the client accepts) for [`compressible`]
/// answers.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(DefaultPredicate::new().and(
            |_: StatusCode, _: Version, headers: &HeaderMap, _: &axum::http::Extensions| {
                compressible(headers)
            },
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_and_json_are_compressed_on_the_fly() {
        let mut h = HeaderMap::new();
        for (t, yes) in [
            ("text/html; charset=utf-8", true),
            ("application/json", true),
            ("text/csv; charset=utf-8", false),
            ("application/jsonl", false),
            ("application/x-ndjson", false),
            ("application/zip", false),
            ("image/png", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(t));
            assert_eq!(compressible(&h), yes, "{t}");
        }
        assert!(!compressible(&HeaderMap::new()));
    }

    #[test]
    fn hashed_names_are_kept_for_a_year() {
        assert!(cache_control(true).contains("immutable"));
        assert_eq!(cache_control(false), "no-cache");
    }
}
