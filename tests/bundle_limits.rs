//! Expensive reads any logged-in caller may start, through the real server:
//! at most two evidence bundles are built at once (a third gets 429 with
//! `Retry-After`), a bundle whose client goes away stops building and
//! leaves no file behind, and a ledger verification of an unchanged chain
//! is reused rather than walked again (counted in `/metrics`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use std::io::Cursor;
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;

/// A bundle this large cannot sit whole in socket and channel buffers, so
/// a download nobody reads keeps its build running.
const BIG: usize = 24 * 1024 * 1024;

/// Bytes that do not compress.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn sign_with_file(s: &Server, c: &reqwest::Client, id: i64, bytes: Vec<u8>) {
    let form = Form::new()
        .text("status", "done")
        .text("note", "the big dump")
        .part(
            "files",
            Part::bytes(bytes)
                .file_name("dump.bin")
                .mime_str("application/octet-stream")
                .unwrap(),
        );
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
}

/// One series' value in `/metrics` (0 when absent).
async fn metric(s: &Server, series: &str) -> f64 {
    let text = client()
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

const RUNNING: &str = "shipshape_heavy_work_running{work=\"bundle\"}";

/// Files anywhere under `dir` whose name ends in `.zip`, or in a `tmp`
/// directory.
fn leftovers(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "zip")
                || p.parent().is_some_and(|q| q.ends_with("tmp"))
            {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

/// Waits until no bundle is running and no file is left behind.
async fn settles(s: &Server, dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let running = metric(s, RUNNING).await;
        let left = leftovers(dir);
        if running == 0.0 && left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{running} bundles still running, files left: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn bundles_are_bounded_and_stop_when_their_client_goes() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_CHECK_INTERVAL_SECS", "0")]);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "alpha").await;
    let dump = noise(BIG);
    sign_with_file(&s, &admin, id, dump.clone()).await;
    let auditor = add_user(&s, &admin, "aud", "auditor", "auditor-password-1").await;
    let url = s.url("/api/v1/export/bundle.zip");

    // Two downloads started and not read: both hold their place.
    let first = auditor.get(&url).send().await.unwrap();
    let second = auditor.get(&url).send().await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    assert!(first.headers().get("content-length").is_none(), "streamed");
    assert_eq!(metric(&s, RUNNING).await, 2.0);
    let third = auditor.get(&url).send().await.unwrap();
    assert_eq!(third.status(), 429);
    let retry: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = third.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("evidence bundles"),
        "{body}"
    );
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "only the message: {body}"
    );

    // The clients go: their builds stop, their places free up.
    drop(first);
    drop(second);
    settles(&s, dir.path()).await;

    // A dozen requests dropped right after sending (or as soon as their
    // answer starts): each build stops, and those waiting for a place take
    // it in turn, never more than two at once.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (c, url) = (auditor.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_millis(300), c.get(&url).send()).await {
                Ok(Ok(r)) => Some(r.status().as_u16()),
                _ => None,
            }
        }));
    }
    let mut peak: f64 = 0.0;
    for _ in 0..10 {
        peak = peak.max(metric(&s, RUNNING).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.extend(t.await.unwrap());
    }
    assert!(peak <= 2.0, "at most two at once, saw {peak}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    settles(&s, dir.path()).await;

    // Then a whole download works, the file in it intact.
    let zip = auditor
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(zip.to_vec())).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let file = names
        .iter()
        .find(|n| n.ends_with("/dump.bin"))
        .unwrap()
        .clone();
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(&file).unwrap(), &mut got).unwrap();
    assert!(got == dump, "the attachment arrives whole");
    settles(&s, dir.path()).await;
}

#[tokio::test]
async fn a_verification_of_an_unchanged_chain_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_CHECK_INTERVAL_SECS", "0")]);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "alpha").await;
    let cached = "shipshape_ledger_verify_total{result=\"cached\"}";
    let computed = "shipshape_ledger_verify_total{result=\"computed\"}";

    let first: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    let second: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first, second);
    assert_eq!(
        (metric(&s, computed).await, metric(&s, cached).await),
        (1.0, 1.0)
    );

    // A new row moves the tip: walked again, and the new row counted.
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let third: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(third["entries"], first["entries"].as_i64().unwrap() + 1);
    assert_eq!(
        (metric(&s, computed).await, metric(&s, cached).await),
        (2.0, 1.0)
    );
}
