//! Static files and compression: `/pkg` serves the build's precompressed
//! brotli and gzip files as the client accepts them (with `Vary`), pages
//! and JSON are compressed on the fly, exports and downloads are not.
//! (Hashed names with a year's caching are checked in the browser tests,
//! against the release build.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use support::*;

#[tokio::test]
async fn built_files_are_served_precompressed_and_pages_compressed() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.js"), "console.log('plain');").unwrap();
    std::fs::write(pkg.join("app.js.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("app.js.gz"), b"gzip bytes").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[("SHIPSHAPE_SITE_ROOT", path_str(site.path()))],
    );
    let c = client();
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "console.log('plain');"),
    ] {
        let r = c
            .get(s.url("/pkg/app.js"))
            .header(ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{accept}");
        assert_eq!(
            r.headers()
                .get(CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert!(r.headers()[VARY]
            .to_str()
            .unwrap()
            .contains("accept-encoding"));
        // The debug binary has no hash.txt beside it: names are not hashed.
        assert_eq!(r.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(r.text().await.unwrap(), body);
    }
    assert_eq!(
        c.get(s.url("/pkg/missing.js"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Pages and JSON are compressed as they go out.
    let page = c
        .get(s.url("/setup"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[CONTENT_ENCODING], "gzip");
    let admin = setup_admin(&s).await;
    let json = admin
        .get(s.url("/api/v1/fleet"))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(json.headers()[CONTENT_ENCODING], "br");
    // Exports stream as they are (a CSV, a ZIP of evidence).
    let csv = admin
        .get(s.url("/api/v1/export/signoffs.csv"))
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers().get(CONTENT_ENCODING).is_none());
    assert!(csv.text().await.unwrap().starts_with("seq,"));
    let jsonl = admin
        .get(s.url("/api/v1/export/signoffs.jsonl"))
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(jsonl.status(), 200);
    assert!(jsonl.headers().get(CONTENT_ENCODING).is_none());
    assert!(jsonl.text().await.unwrap().contains("account_created"));
}
