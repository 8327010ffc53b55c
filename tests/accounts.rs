//! Accounts under attack, through the real server: failed logins are
//! limited per user name and per client address (429 with `Retry-After`),
//! and a flood of concurrent wrong logins neither crashes the server nor
//! takes its memory, because password hashing waits for a few slots.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

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

#[tokio::test]
async fn api_tokens_work_for_automation_until_revoked_or_expired() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod-a").await;
    let make = |name: &str, read_only: bool| {
        admin
            .post(s.url("/api/v1/tokens"))
            .json(&json!({"name": name, "expires_in_days": 30, "read_only": read_only}))
            .send()
    };
    let r = make("ci-gate", false).await.unwrap();
    assert_eq!(r.status(), 201);
    let full: serde_json::Value = r.json().await.unwrap();
    let token = full["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("shp_"));
    let ro: serde_json::Value = make("dashboards", true)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ro_token = ro["token"].as_str().unwrap().to_string();
    assert_eq!(make("", false).await.unwrap().status(), 422);

    // Bearer, no cookie, no Origin: the JSON API and exports answer.
    let bot = reqwest::Client::new();
    let bearer = |t: &str| format!("Bearer {t}");
    let r = bot
        .get(s.url("/api/v1/fleet"))
        .header("authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = bot
        .get(s.url("/api/v1/export/signoffs.csv"))
        .header("authorization", bearer(&ro_token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // With the owner's role: the full token signs; the read-only one cannot.
    let sign = |t: String| {
        bot.post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
            .header("authorization", bearer(&t))
            .json(&json!({"status": "done", "note": "from CI"}))
            .send()
    };
    assert_eq!(sign(ro_token.clone()).await.unwrap().status(), 403);
    assert_eq!(sign(token.clone()).await.unwrap().status(), 201);
    // The token never opens HTML pages or forms.
    let r = bot
        .get(s.url("/"))
        .header("accept", "text/html")
        .header("authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/login", "pages want a session");

    // Listed with their last use, the secret never again.
    let listed: Vec<serde_json::Value> = get_json(&admin, s.url("/api/v1/tokens")).await;
    assert_eq!(listed.len(), 2);
    let used = listed.iter().find(|t| t["name"] == "ci-gate").unwrap();
    assert!(used["last_used_at"].is_string());
    assert!(!serde_json::to_string(&listed).unwrap().contains(&token));
    // Only the SHA-256 is stored (the SQLite file is all the database).
    if !postgres::suite_on_postgres() {
        let db = std::fs::read(dir.path().join("shipshape.db")).unwrap();
        assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));
    }

    // Revoked: 401 at once; a made-up token too.
    let r = admin
        .delete(s.url(&format!("/api/v1/tokens/{}", full["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = bot
        .get(s.url("/api/v1/fleet"))
        .header("authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = bot
        .get(s.url("/api/v1/fleet"))
        .header("authorization", bearer(&format!("shp_{}", "0".repeat(64))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Expired: the read-only token's expiry moved into the past.
    postgres::raw_sql(
        dir.path(),
        &[&format!(
            "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = {}",
            ro["id"].as_i64().unwrap()
        )],
    )
    .await
    .unwrap();
    let r = bot
        .get(s.url("/api/v1/fleet"))
        .header("authorization", bearer(&ro_token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// A multipart body that sends its first part, then stalls for `stall`
/// (forever when `None`) before the rest.
fn stalling_upload(stall: Option<std::time::Duration>) -> reqwest::Body {
    let head = b"--XyZ\r\nContent-Disposition: form-data; name=\"outcome\"\r\n\r\nok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfirst bytes".to_vec();
    let tail = b" and the rest\r\n--XyZ--\r\n".to_vec();
    let stream = futures::stream::iter(vec![head])
        .chain(futures::stream::once(async move {
            match stall {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
            tail
        }))
        .map(Ok::<_, std::io::Error>);
    reqwest::Body::wrap_stream(stream)
}

use futures::StreamExt;

#[tokio::test]
async fn uploads_check_the_role_first_and_a_stalled_body_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_UPLOAD_IDLE_SECS", "1")]);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "uploads").await;
    let auditor = add_user(&s, &admin, "aud", "auditor", "auditor-pass-1").await;
    let url = s.url(&format!(
        "/api/v1/clusters/{id}/tasks/weekly-failed-queries/completions"
    ));
    let post = |c: &reqwest::Client, body: reqwest::Body| {
        c.post(url.clone())
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
    };
    // The auditor's body never finishes: refused by role, without waiting
    // for (or storing) any of it.
    let started = std::time::Instant::now();
    let r = post(&auditor, stalling_upload(None)).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // An SRE's body that stalls is cut off after the idle time; nothing kept.
    let sre = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let r = post(
        &sre,
        stalling_upload(Some(std::time::Duration::from_secs(4))),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("stalled"), "{text}");
    let tmp = dir.path().join("attachments").join("tmp");
    let left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "no temporary file left");
    // A body that arrives in time is recorded.
    let r = post(
        &sre,
        stalling_upload(Some(std::time::Duration::from_millis(100))),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_but_a_new_login_works() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let laptop = setup_admin(&s).await;
    let phone = login(&s, "admin", ADMIN_PASSWORD).await;
    let me = |c: &reqwest::Client| c.get(s.url("/api/v1/session")).send();
    assert_eq!(me(&laptop).await.unwrap().status(), 200);
    assert_eq!(me(&phone).await.unwrap().status(), 200);
    let r = phone
        .post(s.url("/api/v1/session/everywhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(me(&laptop).await.unwrap().status(), 401);
    assert_eq!(me(&phone).await.unwrap().status(), 401);
    // A login right afterwards counts.
    let again = login(&s, "admin", ADMIN_PASSWORD).await;
    assert_eq!(me(&again).await.unwrap().status(), 200);
}

#[tokio::test]
async fn admins_disable_enable_change_roles_and_reset_passwords_as_ledger_rows() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod-a").await;
    let sam = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let sam_id = get_json::<serde_json::Value>(&sam, s.url("/api/v1/session")).await["id"]
        .as_i64()
        .unwrap();
    let token: serde_json::Value = sam
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": "sam-ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let bot = reqwest::Client::new();
    let with_token = || {
        bot.get(s.url("/api/v1/fleet"))
            .header("authorization", format!("Bearer {token}"))
            .send()
    };
    assert_eq!(with_token().await.unwrap().status(), 200);
    let change = |body: serde_json::Value| {
        admin
            .put(s.url(&format!("/api/v1/users/{sam_id}")))
            .json(&body)
            .send()
    };

    // Disabled: the session, the token and the password stop at once.
    assert_eq!(
        change(json!({"disabled": true})).await.unwrap().status(),
        200
    );
    assert_eq!(
        sam.get(s.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(with_token().await.unwrap().status(), 401);
    let r = client_for(&s)
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "sam", "password": "sre-pass-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let users: Vec<serde_json::Value> = get_json(&admin, s.url("/api/v1/users")).await;
    assert_eq!(
        users.iter().find(|u| u["username"] == "sam").unwrap()["disabled"],
        true
    );

    // Enabled again, then made a manager: a manager cannot sign.
    assert_eq!(
        change(json!({"disabled": false})).await.unwrap().status(),
        200
    );
    assert_eq!(
        change(json!({"role": "manager"})).await.unwrap().status(),
        200
    );
    let sam = login(&s, "sam", "sre-pass-123").await;
    let r = sam
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A reset password: the old one and the old session stop.
    let r = admin
        .post(s.url(&format!("/api/v1/users/{sam_id}/password")))
        .json(&json!({"password": "a-new-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        sam.get(s.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    login(&s, "sam", "a-new-password-1").await;

    // Nobody disables themselves; the last admin stays an admin.
    let admin_id = get_json::<serde_json::Value>(&admin, s.url("/api/v1/session")).await["id"]
        .as_i64()
        .unwrap();
    let own = |body: serde_json::Value| {
        admin
            .put(s.url(&format!("/api/v1/users/{admin_id}")))
            .json(&body)
            .send()
    };
    assert_eq!(own(json!({"disabled": true})).await.unwrap().status(), 422);
    assert_eq!(own(json!({"role": "sre"})).await.unwrap().status(), 422);
    // Only admins change accounts.
    let r = sam
        .put(s.url(&format!("/api/v1/users/{admin_id}")))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status() == 403 || r.status() == 401, "{}", r.status());

    // Each change is a row in the one chain: who did what to whom.
    let v: serde_json::Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(v["ok"], true, "{v}");
    let rows = export_rows(&s, &admin, "item=_account").await;
    let notes: Vec<&str> = rows.iter().map(|r| r["note"].as_str().unwrap()).collect();
    assert_eq!(
        notes,
        vec![
            "created admin as admin (local)",
            "created sam as sre (local)",
            "disabled sam",
            "enabled sam",
            "role of sam: sre → manager",
            "password of sam reset"
        ]
    );
    assert_eq!(rows[0]["actor"], "setup");
    assert!(rows[1..]
        .iter()
        .all(|r| r["actor"] == "admin" && r["cluster_id"] == 0));
}

#[tokio::test]
async fn people_change_their_own_password_with_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let other = login(&s, "admin", ADMIN_PASSWORD).await;
    let change = |current: &str, new: &str| {
        admin
            .post(s.url("/api/v1/session/password"))
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };
    let r = change("not-my-password", "a-brand-new-pass-1")
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = change(ADMIN_PASSWORD, "short").await.unwrap();
    assert_eq!(r.status(), 422);
    let r = change(ADMIN_PASSWORD, "a-brand-new-pass-1").await.unwrap();
    assert_eq!(r.status(), 204);
    // Every session ends; the new password logs in, the old one does not.
    assert_eq!(
        other
            .get(s.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    login(&s, "admin", "a-brand-new-pass-1").await;
    let r = client_for(&s)
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
