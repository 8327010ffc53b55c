//! Notifications through a capture listener: a signed-off item that
//! regresses and recovers, a waiver requested and approved, each delivered
//! once (a refused first attempt is retried), signed with
//! `X-Shipshape-Signature` over the raw body, naming the cluster, item,
//! event and a link; and the admin's test notification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use shipshape_domain::notify::verify;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::sims::*;
use support::*;

const SECRET: &str = "notify-secret-for-tests-0123";

/// Every request the listener got: its signature header and raw body.
type Seen = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

/// A webhook receiver that refuses its very first request (so a retry shows).
async fn capture() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let seen = seen.clone();
            move |headers: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                async move {
                    let sig = headers
                        .get("x-shipshape-signature")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let mut all = seen.lock().unwrap();
                    all.push((sig, body.to_vec()));
                    if all.len() == 1 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// Events delivered so far (signature checked), by their `event` name.
fn delivered(seen: &Seen) -> Vec<Value> {
    let now = chrono::Utc::now().timestamp();
    seen.lock()
        .unwrap()
        .iter()
        .map(|(sig, body)| {
            let sig = sig.as_deref().expect("every delivery is signed");
            assert!(
                verify(SECRET.as_bytes(), sig, body, now),
                "bad signature {sig}"
            );
            serde_json::from_slice(body).unwrap()
        })
        .collect()
}

async fn wait_for(seen: &Seen, event: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got: Vec<Value> = delivered(seen)
            .into_iter()
            .filter(|e| e["event"] == event)
            .collect();
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "no {event} among {:#?}",
            delivered(seen)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn regressions_recoveries_and_waivers_are_told_once_signed_with_a_link() {
    let (hook, seen) = capture().await;
    let dir = tempfile::tempdir().unwrap();
    // The shipped runbook, with benchmarking re-certified every 10 days: a
    // fresh sign-off of it is already "expiring soon" (within 14 days).
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runbooks/trino-production.toml"
    ))
    .unwrap();
    let short = shipped.replacen("id = \"benchmarking\"\ntitle = \"Benchmarking after upgrades\"\nkind = \"checklist\"\nvalid_for_days = 180", "id = \"benchmarking\"\ntitle = \"Benchmarking after upgrades\"\nkind = \"checklist\"\nvalid_for_days = 10", 1);
    assert_ne!(short, shipped);
    let runbook = dir.path().join("runbook.toml");
    std::fs::write(&runbook, short).unwrap();
    let s = start_configured(
        dir.path(),
        &format!("runbook = {:?}", runbook.to_str().unwrap()),
        &[
            ("SHIPSHAPE_NOTIFY_URL", hook.as_str()),
            ("SHIPSHAPE_NOTIFY_SECRET", SECRET),
            ("SHIPSHAPE_NOTIFY_INTERVAL_SECS", "1"),
            ("SHIPSHAPE_PUBLIC_URL", "https://shipshape.example.com/"),
        ],
    );
    let admin = setup_admin(&s).await;
    let healthy = sim("healthy.toml", "").await;
    let broken = sim("misconfigured.toml", "").await;
    let (url, breaks) = switchable(&healthy, &broken).await;
    let id = create_cluster_at(&s, &admin, "analytics-prod", &url).await;
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(run(&s, &admin, id).await["spill"]["status"], "pass");
    // Broken twice in a row: the failure counts, the signed-off item regressed.
    switch_to(&breaks, true).await;
    run(&s, &admin, id).await;
    run(&s, &admin, id).await;
    // The first delivery is refused and retried: the same event twice on
    // the wire, both signed; a receiver drops the repeat by `id`.
    let regressed = wait_for(&seen, "item_regressed", 2).await;
    assert_eq!(regressed[0]["id"], regressed[1]["id"]);
    let e = &regressed[0];
    assert_eq!(e["cluster"], "analytics-prod");
    assert_eq!(e["cluster_id"], id);
    assert_eq!(e["item_id"], "spill");
    assert_eq!(
        e["link"],
        format!("https://shipshape.example.com/clusters/{id}?item=spill")
    );
    assert!(
        e["summary"]
            .as_str()
            .unwrap()
            .contains("live check now fails"),
        "{e}"
    );
    // A body changed in transit no longer verifies.
    {
        let all = seen.lock().unwrap();
        let (sig, body) = all.last().unwrap().clone();
        let mut forged = body.clone();
        forged.extend_from_slice(b" ");
        let now = chrono::Utc::now().timestamp();
        assert!(verify(
            SECRET.as_bytes(),
            sig.as_deref().unwrap(),
            &body,
            now
        ));
        assert!(!verify(
            SECRET.as_bytes(),
            sig.as_deref().unwrap(),
            &forged,
            now
        ));
        assert!(!verify(
            b"another-secret-of-some-length",
            sig.as_deref().unwrap(),
            &body,
            now
        ));
    }

    // It recovers at once (a pass counts at the first run).
    switch_to(&breaks, false).await;
    run(&s, &admin, id).await;
    let recovered = wait_for(&seen, "item_recovered", 1).await;
    assert_eq!(recovered[0]["item_id"], "spill");

    // A waiver requested by an SRE, approved by a manager.
    let sam = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let maya = add_user(&s, &admin, "maya", "manager", "manager-pass-1").await;
    let until = (chrono::Utc::now() + chrono::Duration::days(60))
        .date_naive()
        .to_string();
    let r = sam
        .post(s.url(&format!("/api/v1/clusters/{id}/items/tls/waivers")))
        .json(&json!({"kind": "accepted_risk", "reason": "TLS at the load balancer until Q2", "expires_on": until}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let seq = r.json::<Value>().await.unwrap()["request_seq"]
        .as_i64()
        .unwrap();
    let r = maya
        .post(s.url(&format!("/api/v1/clusters/{id}/waivers/{seq}/decision")))
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let asked = wait_for(&seen, "waiver_requested", 1).await;
    assert!(
        asked[0]["summary"]
            .as_str()
            .unwrap()
            .contains("sam asks to waive"),
        "{}",
        asked[0]
    );
    wait_for(&seen, "waiver_approved", 1).await;

    // A sign-off that stops counting within two weeks is told once.
    let r = admin
        .post(s.url(&format!(
            "/api/v1/clusters/{id}/items/benchmarking/signoffs"
        )))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let expiring = wait_for(&seen, "signoff_expiring", 1).await;
    assert_eq!(expiring[0]["item_id"], "benchmarking");
    let until = (chrono::Utc::now() + chrono::Duration::days(10))
        .date_naive()
        .to_string();
    assert!(
        expiring[0]["summary"]
            .as_str()
            .unwrap()
            .ends_with(&format!("stops counting on {until}")),
        "{}",
        expiring[0]
    );

    // Several more rounds: nothing is told twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = delivered(&seen);
    let mut ids: Vec<String> = all
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(
        total,
        ids.len() + 1,
        "one retried delivery, no other repeat: {all:#?}"
    );
    for kind in [
        "item_regressed",
        "item_recovered",
        "waiver_requested",
        "waiver_approved",
    ] {
        assert_eq!(
            all.iter()
                .filter(|e| e["event"] == kind)
                .map(|e| e["id"].as_str().unwrap_or_default())
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            1,
            "{kind}"
        );
    }

    // The admin's test button; other roles may not.
    let r = admin
        .post(s.url("/api/v1/notifications/test"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().await.unwrap()["targets"], json!(["json"]));
    let test = wait_for(&seen, "test", 1).await;
    assert!(test[0]["summary"]
        .as_str()
        .unwrap()
        .contains("sent by admin"));
    let r = sam
        .post(s.url("/api/v1/notifications/test"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

/// Without a target the button says what to configure.
#[tokio::test]
async fn the_test_button_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let r = admin
        .post(s.url("/api/v1/notifications/test"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("notify_url"),
        "{body}"
    );
}
