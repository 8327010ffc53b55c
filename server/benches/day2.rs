//! Benchmark: evidence upload and download of a 25 MiB file through the
//! real router (throughput and the process's peak RSS, to show the file is
//! streamed, not held), and the Day-2 pages with 50 clusters. Run with
//! `scripts/bench.sh` (or `cargo bench -p shipshape --bench day2`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use futures::StreamExt;
use shipshape_backend::service::day2;
use shipshape_backend::service::day2::CompletionInput;
use std::time::{Duration, Instant};
use support::peak_rss_kib;

mod support;

const CLUSTERS: usize = 50;
const FILE_MIB: usize = 25;
const SAMPLES: usize = 100;

#[tokio::main]
async fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (state, admin, ids) = support::install(tmp.path(), CLUSTERS, |_| "prod").await;
    // Every task done once on every cluster, a few of them weeks ago.
    let tasks: Vec<String> = state
        .runbook
        .items()
        .filter(|(_, i)| i.cadence().is_some())
        .map(|(_, i)| i.id.clone())
        .collect();
    let today = chrono::Utc::now().date_naive();
    for (n, id) in ids.iter().enumerate() {
        for (k, task) in tasks.iter().enumerate() {
            let done_on = if (n + k) % 3 == 0 {
                (today - chrono::Days::new(30)).to_string()
            } else {
                String::new()
            };
            let input = CompletionInput {
                note: "bench".into(),
                done_on,
                outcome: "ok".into(),
                evidence_as_of: String::new(),
                files: Vec::new(),
                capture_query: false,
            };
            day2::complete(&state, &admin, (*id).into(), task, input)
                .await
                .expect("complete");
        }
    }

    let (addr, client) = support::serve_logged_in(&state).await;

    for (name, url) in [
        (
            "Day-2 across 50 clusters (SSR HTML, 450 tasks)",
            format!("http://{addr}/day2"),
        ),
        (
            "Day-2 of one cluster (SSR HTML)",
            format!("http://{addr}/clusters/{}/day2", ids[7]),
        ),
        (
            "GET /api/v1/tasks (450 tasks, JSON)",
            format!("http://{addr}/api/v1/tasks"),
        ),
        (
            "GET /api/v1/calendar.ics (450 events)",
            format!("http://{addr}/api/v1/calendar.ics"),
        ),
    ] {
        let mut times = Vec::new();
        for i in 0..SAMPLES + 10 {
            let t = Instant::now();
            let r = client.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}");
            r.bytes().await.unwrap();
            if i >= 10 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        println!("{name}: p50 {:.1?}, p99 {:.1?}", p(0.5), p(0.99));
    }

    // 25 MiB generated on the fly and streamed up: the client holds one
    // MiB at a time, so a rise in peak RSS near 25 MiB would be the server
    // buffering the file.
    let rss_before = peak_rss_kib();
    let chunks = futures::stream::iter(0..FILE_MIB).map(|i| {
        let chunk: Vec<u8> = (0..1024 * 1024)
            .map(|b| ((b * 31 + i * 7) % 251) as u8)
            .collect();
        Ok::<_, std::io::Error>(chunk)
    });
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(chunks),
        (FILE_MIB * 1024 * 1024) as u64,
    )
    .file_name("heap-dump.bin")
    .mime_str("application/octet-stream")
    .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("outcome", "ok")
        .part("files", part);
    let t = Instant::now();
    let r = client
        .post(format!(
            "http://{addr}/api/v1/clusters/{}/tasks/monthly-spill-disk-usage/completions",
            ids[0]
        ))
        // a browser's form sends its origin; state changes on a cookie
        // session are refused without it
        .header("origin", format!("http://{addr}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let up = t.elapsed();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let done: serde_json::Value = r.json().await.unwrap();
    let sha = done["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let rss_up = peak_rss_kib();

    let t = Instant::now();
    let mut body = client
        .get(format!("http://{addr}/api/v1/attachments/{sha}"))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    let mut got = 0usize;
    while let Some(chunk) = body.next().await {
        got += chunk.unwrap().len();
    }
    let down = t.elapsed();
    assert_eq!(got, FILE_MIB * 1024 * 1024);
    let mib_s = |d: Duration| FILE_MIB as f64 / d.as_secs_f64();
    println!(
        "upload {FILE_MIB} MiB: {up:.2?} ({:.0} MiB/s, hashed and written to disk); download: {down:.2?} ({:.0} MiB/s)",
        mib_s(up),
        mib_s(down)
    );
    println!(
        "peak RSS: {rss_before} KiB before the upload, {rss_up} KiB after it, {} KiB at the end (server and client in one process)",
        peak_rss_kib()
    );
}
