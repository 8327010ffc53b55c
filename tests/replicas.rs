//! Several replicas on one PostgreSQL database, as a platform team runs
//! them behind a load balancer: real `shipshape` processes sharing one
//! database and one data directory (the shared volume that holds the
//! signing key and the evidence files).
//!
//! - writers on both replicas append to one unforked chain;
//! - a session begun on one replica works on the other;
//! - evidence uploaded through one downloads through the other;
//! - replicas starting together on an empty database take turns at the
//!   migrations;
//! - exactly one replica leads, and when it is killed (SIGKILL) another
//!   takes over.
//!
//! Needs `TEST_POSTGRES_URL` (scripts/test.sh starts a throwaway
//! PostgreSQL and sets it). Figures printed here are for the note; speed
//! is never asserted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use support::*;

/// 20 concurrent writers in all, split across the two replicas.
const WRITERS_PER_REPLICA: usize = 10;
const SIGNOFFS_PER_WRITER: usize = 40;
const LEADER_INTERVAL_SECS: u64 = 1;

fn replica(data: &std::path::Path, database_url: &str) -> Server {
    let interval = LEADER_INTERVAL_SECS.to_string();
    Server::start_env(
        data,
        &[],
        &[
            ("SHIPSHAPE_DATABASE_URL", database_url),
            ("SHIPSHAPE_LEADER_INTERVAL_SECS", &interval),
            ("RUST_LOG", "info"),
        ],
    )
}

/// A bearer-token client for automation (tokens work on every replica).
async fn bearer(s: &Server, admin: &reqwest::Client) -> reqwest::Client {
    let r = admin
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": "writers", "expires_in_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token: Value = r.json().await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", token["token"].as_str().unwrap())
            .parse()
            .unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(WRITERS_PER_REPLICA)
        .build()
        .unwrap()
}

#[tokio::test]
async fn writers_on_two_replicas_share_one_chain_sessions_and_evidence() {
    let Some(admin_url) = postgres::admin_url() else {
        return;
    };
    let database = postgres::fresh_database(&admin_url);
    let dir = tempfile::tempdir().unwrap();
    // Both start on the empty install and each writes a setup token to
    // the shared file; b's is there now, and a accepts it.
    let a = replica(dir.path(), &database);
    let b = replica(dir.path(), &database);
    let admin = setup_admin(&a).await;
    let id = create_cluster(&a, &admin, "prod").await;

    // The session cookie from replica a opens replica b (same host, other
    // port: the cookie goes along, and b finds the session in the database).
    let me: Value = get_json(&admin, b.url("/api/v1/session")).await;
    assert_eq!(me["username"], "admin", "{me}");

    // Evidence uploaded through a downloads through b.
    let png = b"\x89PNG\r\n\x1a\nevidence from replica a".to_vec();
    let form = Form::new().text("status", "done").part(
        "files",
        Part::bytes(png.clone())
            .file_name("spill.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let r = admin
        .post(a.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let sha = hex::encode(Sha256::digest(&png));
    let r = admin
        .get(b.url(&format!("/api/v1/attachments/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), png.as_slice());

    let before: Value = get_json(&admin, a.url("/api/v1/ledger/verify")).await;
    let before = before["entries"].as_i64().unwrap();
    let writer = bearer(&a, &admin).await;
    let items = ["spill", "tls", "audit", "authentication", "authorization"];
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (r, server) in [&a, &b].into_iter().enumerate() {
        for w in 0..WRITERS_PER_REPLICA {
            let c = writer.clone();
            let base = server.base.clone();
            tasks.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for n in 0..SIGNOFFS_PER_WRITER {
                    let item = items[(w + n) % items.len()];
                    let resp = c
                        .post(format!("{base}/api/v1/clusters/{id}/items/{item}/signoffs"))
                        .json(&json!({"status": "done", "note": format!("r{r} w{w} n{n}")}))
                        .send()
                        .await;
                    statuses.push(resp.map(|r| r.status().as_u16()).unwrap_or(0));
                }
                statuses
            }));
        }
    }
    let mut landed = 0;
    for t in tasks {
        for status in t.await.unwrap() {
            assert_eq!(status, 201, "every sign-off lands");
            landed += 1;
        }
    }
    let took = started.elapsed();
    assert_eq!(landed, 2 * WRITERS_PER_REPLICA * SIGNOFFS_PER_WRITER);
    println!(
        "two replicas x {WRITERS_PER_REPLICA} writers each x {SIGNOFFS_PER_WRITER} sign-offs: {landed} rows in {:.2} s = {:.0} sign-offs/s",
        took.as_secs_f64(),
        landed as f64 / took.as_secs_f64()
    );

    // One chain, verified by either replica, with every row on it (and
    // perhaps a checkpoint the leader signed meanwhile).
    for s in [&a, &b] {
        let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
        assert_eq!(v["ok"], true, "{v}");
        assert!(
            v["entries"].as_i64().unwrap() >= before + landed as i64,
            "{v}"
        );
    }
    let mut history = 0;
    for item in items {
        let rows: Vec<Value> = get_json(
            &admin,
            b.url(&format!("/api/v1/clusters/{id}/items/{item}/history")),
        )
        .await;
        history += rows.len();
    }
    assert_eq!(
        history,
        landed + 1,
        "every sign-off once, and the one with evidence"
    );
    // The read model on both agrees with what was written.
    let ca: Value = get_json(&admin, a.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    let cb: Value = get_json(&admin, b.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert_eq!(ca, cb);
}

/// `shipshape_leader` as one replica's /metrics says it (None when the
/// replica does not answer).
async fn leads(s: &Server) -> Option<bool> {
    let text = client()
        .get(s.url("/metrics"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find(|l| l.starts_with("shipshape_leader "))
        .map(|l| l.trim_end().ends_with(" 1"))
}

#[tokio::test]
async fn one_replica_leads_and_another_takes_over_when_it_is_killed() {
    let Some(admin_url) = postgres::admin_url() else {
        return;
    };
    let database = postgres::fresh_database(&admin_url);
    let dir = tempfile::tempdir().unwrap();
    // Three replicas start at once on an empty database: they take turns
    // at the migrations (under the migrator's advisory lock), and all come
    // up.
    let mut replicas: Vec<Server> = std::thread::scope(|s| {
        let starts: Vec<_> = (0..3)
            .map(|_| s.spawn(|| replica(dir.path(), &database)))
            .collect();
        starts.into_iter().map(|h| h.join().unwrap()).collect()
    });

    // Exactly one leads once the first campaign round is over.
    let deadline = Instant::now() + Duration::from_secs(20);
    let leader = loop {
        let mut states = Vec::new();
        for s in &replicas {
            states.push(leads(s).await);
        }
        let leading: Vec<usize> = (0..states.len())
            .filter(|&i| states[i] == Some(true))
            .collect();
        let reported = states.iter().all(|s| s.is_some());
        if reported && leading.len() == 1 {
            break leading[0];
        }
        assert!(leading.len() <= 1, "two replicas lead at once: {states:?}");
        assert!(Instant::now() < deadline, "no leader emerged: {states:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // SIGKILL: no shutdown code runs; the database ends its session and
    // frees the lock when the socket closes.
    let killed = replicas.remove(leader);
    let started = Instant::now();
    killed.stop();
    let deadline = started + Duration::from_secs(30);
    let took = loop {
        let mut leading = 0;
        for s in &replicas {
            leading += usize::from(leads(s).await == Some(true));
        }
        assert!(leading <= 1, "two replicas lead at once");
        if leading == 1 {
            break started.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "no replica took over after the leader was killed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "leader hand-over after SIGKILL: {:.2} s (leader_interval_secs = {LEADER_INTERVAL_SECS})",
        took.as_secs_f64()
    );
}
