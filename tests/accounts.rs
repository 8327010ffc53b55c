//! Accounts under attack, through the real server: failed logins are
//! limited per user name and per client address (429 with `Retry-After`),
//! and a flood of concurrent wrong logins neither crashes the server nor
//! takes its memory, because password hashing waits for a few slots.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn five_wrong_passwords_lock_the_name_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    setup_admin(&s).await;
    let c = client();
    let attempt = |password: &'static str| {
        c.post(s.url("/api/v1/session"))
            .json(&json!({"username": "admin", "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong-password-1").await.unwrap().status(), 401);
    }
    let r = attempt("wrong-password-1").await.unwrap();
    assert_eq!(r.status(), 429);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // While locked, even the right password waits (no hashing at all).
    assert_eq!(attempt(ADMIN_PASSWORD).await.unwrap().status(), 429);
}

#[tokio::test]
async fn four_hundred_concurrent_wrong_logins_leave_the_server_standing() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    setup_admin(&s).await;
    let before = s.peak_rss_bytes().expect("VmHWM");
    let c = client();
    let started = std::time::Instant::now();
    let attempts = (0..400).map(|n| {
        let c = c.clone();
        let url = s.url("/api/v1/session");
        async move {
            c.post(url)
                .json(&json!({"username": format!("guess{n}"), "password": "not-the-password"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let elapsed = started.elapsed();
    let refused = statuses.iter().filter(|s| **s == 401 || **s == 429).count();
    assert_eq!(refused, 400, "every attempt refused cleanly: {statuses:?}");
    let peak = s.peak_rss_bytes().expect("VmHWM");
    println!(
        "400 concurrent wrong logins: {} x 401, {} x 429 in {elapsed:.2?}; server peak RSS {} MB (before: {} MB)",
        statuses.iter().filter(|s| **s == 401).count(),
        statuses.iter().filter(|s| **s == 429).count(),
        peak / 1_000_000,
        before / 1_000_000
    );
    assert!(peak < 150_000_000, "peak RSS {peak} bytes");
    // The address's limit refused most of them without hashing at all.
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 300,
        "{statuses:?}"
    );
    // The server still answers; this address stays refused until its
    // failures age out (even with the right password).
    let r = c.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}
