//! The auditor's evidence bundle through the real server and the real CLI:
//! the ZIP holds the CSV export byte for byte, every attached file, a
//! manifest with the chain head and a SHA256SUMS that checks; `shipshape
//! ledger verify --export` passes it, and names the file or the row when one
//! byte is changed. Only logged-in users may download; bad filters are
//! refused like the CSV export's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};
use std::path::Path;
use support::*;

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn sign(
    s: &Server,
    c: &reqwest::Client,
    id: i64,
    item: &str,
    status: &str,
    note: &str,
    files: &[(&str, &[u8])],
) {
    let mut form = Form::new().text("status", status.to_string());
    form = form.text("note", note.to_string());
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str("application/octet-stream")
                .unwrap(),
        );
    }
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
}

async fn get_bytes(c: &reqwest::Client, url: String) -> (u16, String, Vec<u8>) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

/// Every entry of a ZIP, by name, in order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().to_string(), bytes)
        })
        .collect()
}

/// The same ZIP with one entry's content changed by `change`.
fn rewrite(zip: &[u8], name: &str, change: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, mut bytes) in entries(zip) {
        if n == name {
            change(&mut bytes);
        }
        out.start_file(n.as_str(), options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn verify(data: &Path, file: &Path) -> (Option<i32>, String) {
    let out = cli(data, &["ledger", "verify", "--export", path_str(file)], &[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// What `sha256sum -c SHA256SUMS` does after `unzip`.
fn sha256sum_check(files: &[(String, Vec<u8>)]) -> usize {
    let sums = &files.iter().find(|(n, _)| n == "SHA256SUMS").unwrap().1;
    let sums = String::from_utf8(sums.clone()).unwrap();
    let mut checked = 0;
    for line in sums.lines() {
        let (digest, path) = line.split_once("  ").unwrap();
        let content = &files.iter().find(|(n, _)| n == path).unwrap().1;
        assert_eq!(sha(content), digest, "{path}");
        checked += 1;
    }
    checked
}

#[tokio::test]
async fn the_evidence_bundle_holds_the_export_and_its_files_and_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    let b = create_cluster(&s, &admin, "beta").await;
    let sam = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let auditor = add_user(&s, &admin, "aud", "auditor", "auditor-pass-1").await;
    let png = b"\x89PNG fake screenshot of the spill dashboard".to_vec();
    let yaml = b"spec:\n  workers:\n    config:\n      requestedSecretLifetime: 14d\n".to_vec();
    sign(
        &s,
        &admin,
        a,
        "spill",
        "done",
        "spill on, \"nvme\"\nsecond line",
        &[("grafana.png", &png)],
    )
    .await;
    sign(
        &s,
        &admin,
        a,
        "tls",
        "not_applicable",
        "internal only, behind mTLS proxy",
        &[],
    )
    .await;
    sign(
        &s,
        &sam,
        b,
        "certificate-lifetime",
        "done",
        "14d everywhere",
        &[("trino-cluster.yaml", &yaml), ("grafana.png", &png)],
    )
    .await;
    sign(&s, &admin, a, "spill", "revoked", "", &[]).await;

    let (status, ct, zip) = get_bytes(&auditor, s.url("/api/v1/export/bundle.zip")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&zip));
    assert_eq!(ct, "application/zip");
    let files = entries(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let png_path = format!("attachments/{}/grafana.png", sha(&png));
    let yaml_path = format!("attachments/{}/trino-cluster.yaml", sha(&yaml));
    let mut attached = [png_path.as_str(), yaml_path.as_str()];
    attached.sort();
    assert_eq!(
        names,
        [
            "signoffs.csv",
            attached[0],
            attached[1],
            "manifest.json",
            "SHA256SUMS"
        ],
        "each file once, attachments in path order"
    );
    let content = |name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let (_, _, csv) = get_bytes(&auditor, s.url("/api/v1/export/signoffs.csv")).await;
    assert_eq!(
        content("signoffs.csv"),
        csv,
        "the CSV export, byte for byte"
    );
    assert_eq!(content(&png_path), png);
    assert_eq!(content(&yaml_path), yaml);

    let manifest: Value = serde_json::from_slice(&content("manifest.json")).unwrap();
    let chain: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(manifest["format"], "shipshape-evidence-bundle/1");
    assert_eq!(manifest["generated_by"], "aud");
    // three new accounts, two cluster registrations and four sign-offs
    assert_eq!(manifest["rows"], 9);
    assert_eq!(manifest["first_seq"], 1);
    assert_eq!(manifest["last_seq"], 9);
    assert_eq!(manifest["chain_head"]["seq"], 9);
    assert_eq!(manifest["chain_head"]["hash"], chain["head"]);
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "every file but the manifest and the sums");
    let png_entry = listed
        .iter()
        .find(|f| f["path"] == png_path.as_str())
        .unwrap();
    assert_eq!(png_entry["sha256"], sha(&png));
    assert_eq!(png_entry["bytes"], png.len());
    assert_eq!(
        sha256sum_check(&files),
        4,
        "sha256sum -c covers all but itself"
    );

    // The real binary, offline: all is well.
    let bundle = dir.path().join("bundle.zip");
    std::fs::write(&bundle, &zip).unwrap();
    let (code, text) = verify(dir.path(), &bundle);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("OK"), "{text}");
    assert!(text.contains(chain["head"].as_str().unwrap()), "{text}");

    // One byte of one attachment changed: exit 1, naming that file.
    let tampered = dir.path().join("tampered-file.zip");
    std::fs::write(
        &tampered,
        rewrite(&zip, &yaml_path, |bytes| bytes[7] ^= 0x01),
    )
    .unwrap();
    let (code, text) = verify(dir.path(), &tampered);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&yaml_path), "{text}");
    assert!(!text.contains(&format!("file {png_path}")), "{text}");

    // A note changed in the CSV: exit 1, naming the row.
    let tampered = dir.path().join("tampered-row.zip");
    std::fs::write(
        &tampered,
        rewrite(&zip, "signoffs.csv", |bytes| {
            let text = String::from_utf8(bytes.clone()).unwrap();
            *bytes = text.replace("internal only", "internal ONLY").into_bytes();
        }),
    )
    .unwrap();
    let (code, text) = verify(dir.path(), &tampered);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("row seq 7"), "{text}");

    // Not a ZIP at all: exit 2.
    let junk = dir.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip").unwrap();
    assert_eq!(verify(dir.path(), &junk).0, Some(2));

    // Filtered: beta's registration and one sign-off (gaps in seq are
    // fine), its two files.
    let (status, _, zip) = get_bytes(
        &auditor,
        s.url(&format!("/api/v1/export/bundle.zip?cluster={b}")),
    )
    .await;
    assert_eq!(status, 200);
    let files = entries(&zip);
    let (_, _, csv) = get_bytes(
        &auditor,
        s.url(&format!("/api/v1/export/signoffs.csv?cluster={b}")),
    )
    .await;
    assert_eq!(files[0].1, csv);
    assert_eq!(files.len(), 5);
    let manifest: Value = serde_json::from_slice(&files[3].1).unwrap();
    assert_eq!(manifest["rows"], 2);
    assert_eq!(manifest["first_seq"], 3);
    assert_eq!(manifest["filters"]["cluster"], b);
    assert_eq!(manifest["chain_head"]["seq"], 9);
    let filtered = dir.path().join("filtered.zip");
    std::fs::write(&filtered, &zip).unwrap();
    let (code, text) = verify(dir.path(), &filtered);
    assert_eq!(code, Some(0), "{text}");

    // The temporary ZIPs are gone once downloaded.
    let tmp = dir.path().join("attachments").join("tmp");
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "temporary bundles are removed");

    // Refusals: no session, a bad filter (like the CSV export's).
    let (status, _, _) = get_bytes(&client(), s.url("/api/v1/export/bundle.zip")).await;
    assert_eq!(status, 401);
    let r = auditor
        .get(s.url("/api/v1/export/bundle.zip?from=last-week&cluster=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["from"].is_string(), "{body}");
    assert!(body["fields"]["cluster"].is_string(), "{body}");

    // A file missing from the store: a plain 500, nothing leaked, nothing left.
    let yaml_sha = sha(&yaml);
    std::fs::remove_file(
        dir.path()
            .join("attachments")
            .join(&yaml_sha[..2])
            .join(&yaml_sha),
    )
    .unwrap();
    let (status, _, body) = get_bytes(&auditor, s.url("/api/v1/export/bundle.zip")).await;
    assert_eq!(status, 500);
    assert!(!String::from_utf8_lossy(&body).contains(&yaml_sha));
    assert_eq!(std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0), 0);
}

/// The ZIP rebuilt from `files`, in order, with `SHA256SUMS` recomputed from
/// the manifest they hold: what a forger without the key can do.
fn rezip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let content = |name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let manifest_bytes = content("manifest.json");
    let manifest: Value = serde_json::from_slice(&manifest_bytes).unwrap();
    let mut sums = String::new();
    for f in manifest["files"].as_array().unwrap() {
        sums.push_str(&format!(
            "{}  {}\n",
            f["sha256"].as_str().unwrap(),
            f["path"].as_str().unwrap()
        ));
    }
    sums.push_str(&format!("{}  manifest.json\n", sha(&manifest_bytes)));
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, bytes) in files {
        out.start_file(n.as_str(), options).unwrap();
        if n == "SHA256SUMS" {
            out.write_all(sums.as_bytes()).unwrap();
        } else {
            out.write_all(bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// `ledger verify --export` run in `data`, with `--public-key` if given.
fn verify_key(data: &Path, file: &Path, key: Option<&str>) -> (Option<i32>, String) {
    let mut args = vec!["ledger", "verify", "--export", path_str(file)];
    if let Some(k) = key {
        args.extend(["--public-key", k]);
    }
    let out = cli(data, &args, &[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[tokio::test]
async fn bundles_are_signed_and_a_forged_one_fails_against_the_servers_key() {
    use shipshape_domain::bundle::Manifest;
    use shipshape_domain::signing::SecretKey;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    let png = b"\x89PNG dashboard".to_vec();
    let formula = "=HYPERLINK(\"http://x\")";
    sign(
        &s,
        &admin,
        a,
        "spill",
        "done",
        formula,
        &[("grafana.png", &png)],
    )
    .await;
    sign(
        &s,
        &admin,
        a,
        "tls",
        "not_applicable",
        "'quoted already",
        &[],
    )
    .await;
    let key: Value = get_json(&admin, s.url("/api/v1/ledger/key")).await;
    let public = key["public_key"].as_str().unwrap().to_string();
    let fingerprint = key["fingerprint"].as_str().unwrap().to_string();

    let (status, _, zip) = get_bytes(&admin, s.url("/api/v1/export/bundle.zip")).await;
    assert_eq!(status, 200);
    let files = entries(&zip);
    let content = |name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let manifest: Value = serde_json::from_slice(&content("manifest.json")).unwrap();
    assert_eq!(manifest["public_key"], public.as_str());
    assert_eq!(manifest["signature"].as_str().unwrap().len(), 128);
    // Spreadsheet formulas are neutralised in the CSV, and still verify.
    let csv = String::from_utf8(content("signoffs.csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "a formula note gets a leading quote: {csv}"
    );
    assert!(
        csv.contains(",''quoted already,"),
        "a leading quote gets another: {csv}"
    );
    let bundle = dir.path().join("bundle.zip");
    std::fs::write(&bundle, &zip).unwrap();
    let (code, text) = verify(dir.path(), &bundle);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("signature:   valid"), "{text}");
    assert!(text.contains(&fingerprint), "{text}");

    // An auditor elsewhere has no key file: the bundle's own key is not
    // trusted; the server's, passed explicitly, is.
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, text) = verify_key(elsewhere.path(), &bundle, None);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("--public-key"), "{text}");
    assert!(text.contains(&fingerprint), "{text}");
    let (code, text) = verify_key(elsewhere.path(), &bundle, Some(&public));
    assert_eq!(code, Some(0), "{text}");

    // One byte of the signature changed, SHA256SUMS recomputed: refused.
    let mut forged = files.clone();
    for (name, bytes) in forged.iter_mut() {
        if name == "manifest.json" {
            let mut m: Value = serde_json::from_slice(bytes).unwrap();
            let mut sig = hex::decode(m["signature"].as_str().unwrap()).unwrap();
            sig[10] ^= 0x01;
            m["signature"] = Value::from(hex::encode(sig));
            *bytes = serde_json::to_vec_pretty(&m).unwrap();
        }
    }
    let file = dir.path().join("bad-signature.zip");
    std::fs::write(&file, rezip(&forged)).unwrap();
    let (code, text) = verify_key(elsewhere.path(), &file, Some(&public));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("does not verify"), "{text}");
    assert!(
        !text.contains("SHA256SUMS says"),
        "the sums were recomputed: {text}"
    );

    // The manifest edited and re-signed with another key (the bundle is
    // consistent in itself): refused against the server's key, both keys'
    // fingerprints named.
    let other = SecretKey::from_bytes(&[7; 32]);
    let mut forged = files.clone();
    for (name, bytes) in forged.iter_mut() {
        if name == "manifest.json" {
            let mut m: Manifest = serde_json::from_slice(bytes).unwrap();
            m.generated_by = "someone-else".into();
            m.sign(&other).unwrap();
            *bytes = serde_json::to_vec_pretty(&m).unwrap();
        }
    }
    let file = dir.path().join("resigned.zip");
    std::fs::write(&file, rezip(&forged)).unwrap();
    let (code, text) = verify(dir.path(), &file);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not by the trusted key"), "{text}");
    assert!(text.contains(&fingerprint), "{text}");
    assert!(text.contains(&other.public_key().fingerprint()), "{text}");
}
