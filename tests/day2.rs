//! Day-2 tasks through the real server: schedules, completions with
//! evidence files, downloads, refusals that leave nothing behind, roles and
//! the iCal feed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use sha2::{Digest, Sha256};
use support::*;

fn file(name: &str, bytes: Vec<u8>, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap()
}

async fn tasks(s: &Server, c: &reqwest::Client, id: i64) -> Vec<Value> {
    let r = c
        .get(s.url(&format!("/api/v1/clusters/{id}/tasks")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn complete(
    s: &Server,
    c: &reqwest::Client,
    id: i64,
    task: &str,
    form: Form,
) -> reqwest::Response {
    c.post(s.url(&format!("/api/v1/clusters/{id}/tasks/{task}/completions")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Files in the evidence store (temporary ones included).
fn stored(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(p) {
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&dir.join("attachments"), &mut out);
    out
}

#[tokio::test]
async fn completing_a_task_with_evidence_moves_its_due_date_and_files_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod").await;

    let before = tasks(&s, &admin, id).await;
    assert_eq!(before.len(), 9, "every Day-2 task of the runbook");
    let weekly = before
        .iter()
        .find(|t| t["id"] == "weekly-failed-queries")
        .unwrap();
    assert_eq!(weekly["state"], "upcoming");
    assert_eq!(weekly["cadence"], "weekly");
    assert!(weekly["last"].is_null());

    let png = b"\x89PNG\r\n\x1a\nnot really an image".to_vec();
    let html = b"<script>alert(1)</script>".to_vec();
    let form = Form::new()
        .text("note", "12 failed queries, all user errors")
        .text("outcome", "issues_found")
        .text("evidence_as_of", "2026-11-23")
        .part(
            "files",
            file("../../failed queries.png", png.clone(), "image/png"),
        )
        .part("files", file("report.html", html.clone(), "text/html"));
    let r = complete(&s, &admin, id, "weekly-failed-queries", form).await;
    assert_eq!(r.status(), 201);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["outcome"], "issues_found");
    let files = done["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["name"], "failed queries.png", "the path is gone");
    let sha = hex::encode(Sha256::digest(&png));
    assert_eq!(files[0]["sha256"], sha);
    assert_eq!(files[0]["size"], png.len());
    assert_eq!(files[0]["evidence_as_of"], "2026-11-23");

    // Downloaded back byte for byte, as an attachment that cannot run here.
    let r = admin
        .get(s.url(&format!("/api/v1/attachments/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"failed queries.png\""
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    let html_sha = hex::encode(Sha256::digest(&html));
    let r = admin
        .get(s.url(&format!("/api/v1/attachments/{html_sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/html");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));

    // The task now shows who did it, and is upcoming a week after today.
    let after = tasks(&s, &admin, id).await;
    let weekly = after
        .iter()
        .find(|t| t["id"] == "weekly-failed-queries")
        .unwrap();
    assert_eq!(weekly["state"], "upcoming");
    assert_eq!(weekly["last"]["by"], "admin");
    assert_eq!(weekly["last"]["attachments"].as_array().unwrap().len(), 2);
    let today = chrono::Utc::now().date_naive();
    assert_eq!(weekly["due"], (today + chrono::Days::new(7)).to_string());

    // In the ledger, with the chain intact; the file store holds just the two.
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(stored(dir.path()).len(), 2, "{:?}", stored(dir.path()));

    // The feed for calendar apps: one all-day event per task.
    let r = admin
        .get(s.url(&format!("/api/v1/clusters/{id}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 9);
    assert!(ics.contains("\r\nEND:VCALENDAR\r\n"));
    let all = get_json::<Vec<Value>>(&admin, s.url("/api/v1/tasks")).await;
    assert_eq!(all.len(), 9);
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly_and_leave_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[
            ("SHIPSHAPE_MAX_UPLOAD_BYTES", "1024"),
            ("SHIPSHAPE_MAX_UPLOAD_FILES", "2"),
        ],
    );
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod").await;
    let task = "monthly-spill-disk-usage";
    let ok = || Form::new().text("outcome", "ok");

    let cases = [
        (
            ok().part("files", file("big.log", vec![b'x'; 4096], "text/plain")),
            "big.log is larger than the limit of 1 KiB",
        ),
        (
            ok().part("files", file("empty.txt", vec![], "text/plain")),
            "empty.txt is empty",
        ),
        (
            ok().part("files", file("a.txt", b"a".to_vec(), "text/plain"))
                .part("files", file("b.txt", b"b".to_vec(), "text/plain"))
                .part("files", file("c.txt", b"c".to_vec(), "text/plain")),
            "at most 2 files",
        ),
        (
            Form::new()
                .text("outcome", "great")
                .part("files", file("a.txt", b"a".to_vec(), "text/plain")),
            "Choose ok or issues found",
        ),
        (
            ok().text("evidence_as_of", "yesterday")
                .part("files", file("a.txt", b"a".to_vec(), "text/plain")),
            "A date like",
        ),
    ];
    for (form, expect) in cases {
        let r = complete(&s, &admin, id, task, form).await;
        assert_eq!(r.status(), 422, "{expect}");
        let body: Value = r.json().await.unwrap();
        assert!(body.to_string().contains(expect), "{expect}: {body}");
    }
    assert!(stored(dir.path()).is_empty(), "{:?}", stored(dir.path()));
    let t = tasks(&s, &admin, id).await;
    assert!(
        t.iter().all(|t| t["last"].is_null()),
        "nothing was recorded"
    );

    // A task that is not a Day-2 task, or an unknown one: 404.
    let r = complete(&s, &admin, id, "spill", ok()).await;
    assert_eq!(r.status(), 404);
    // Without files, a completion is fine.
    assert_eq!(
        complete(&s, &admin, id, task, ok().text("note", "disks at 40%"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn who_may_complete_and_download() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod").await;
    let form = Form::new().text("outcome", "ok").part(
        "files",
        file(
            "drill.txt",
            b"rollback took 12 minutes".to_vec(),
            "text/plain",
        ),
    );
    let r = complete(&s, &admin, id, "quarterly-upgrade-rollback-drill", form).await;
    assert_eq!(r.status(), 201);
    let sha = hex::encode(Sha256::digest(b"rollback took 12 minutes"));

    let manager = add_user(&s, &admin, "mia", "manager", "manager-pass-1").await;
    let auditor = add_user(&s, &admin, "aud", "auditor", "auditor-pass-1").await;
    let sre = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    for (who, c) in [("manager", &manager), ("auditor", &auditor)] {
        let r = complete(
            &s,
            c,
            id,
            "quarterly-dr-restore",
            Form::new().text("outcome", "ok"),
        )
        .await;
        assert_eq!(r.status(), 403, "{who} may not complete tasks");
        let r = c
            .get(s.url(&format!("/api/v1/attachments/{sha}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{who} may read evidence");
    }
    let r = complete(
        &s,
        &sre,
        id,
        "quarterly-dr-restore",
        Form::new().text("outcome", "ok"),
    )
    .await;
    assert_eq!(r.status(), 201);
    let anonymous = client();
    let r = anonymous
        .get(s.url(&format!("/api/v1/attachments/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    for bad in ["..%2F..%2Fshipshape.db", &"0".repeat(64), "abc"] {
        let r = admin
            .get(s.url(&format!("/api/v1/attachments/{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
}

/// A local webhook receiver: refuses the first request (500), then records
/// every message it accepts.
async fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let refused_once = Arc::new(AtomicBool::new(false));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let got = got.clone();
            move |axum::Json(v): axum::Json<Value>| {
                let (got, refused_once) = (got.clone(), refused_once.clone());
                async move {
                    if !refused_once.swap(true, Ordering::SeqCst) {
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    got.lock().unwrap().push(v);
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test]
async fn reminders_go_to_the_webhook_once_per_state_change_despite_a_failure() {
    let (hook, got) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[
            ("SHIPSHAPE_REMINDER_WEBHOOK_URL", hook.as_str()),
            ("SHIPSHAPE_REMINDER_INTERVAL_SECS", "1"),
        ],
    );
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod").await;
    let today = chrono::Utc::now().date_naive();
    // One task overdue, one due today; the rest of a fresh cluster is upcoming.
    for (task, days) in [
        ("weekly-failed-queries", 21),
        ("weekly-peak-concurrency", 7),
    ] {
        let done_on = (today - chrono::Days::new(days)).to_string();
        let form = Form::new().text("outcome", "ok").text("done_on", done_on);
        assert_eq!(complete(&s, &admin, id, task, form).await.status(), 201);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while got.lock().unwrap().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "reminders did not arrive: {:?}",
            got.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Several more rounds: nothing is sent again.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let msgs = got.lock().unwrap().clone();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    let texts: Vec<&str> = msgs.iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Overdue on prod: Top failed queries")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Due on prod") && t.contains("concurrency")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_checklist_sign_off_can_carry_evidence_files() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod").await;
    let yaml = b"spec:\n  workers:\n    config:\n      requestedSecretLifetime: 14d\n".to_vec();
    let form = Form::new()
        .text("status", "done")
        .text("note", "14d on every role group")
        .text("evidence_as_of", "2026-11-20")
        .part(
            "files",
            file("trino-cluster.yaml", yaml.clone(), "application/yaml"),
        );
    let r = admin
        .post(s.url(&format!(
            "/api/v1/clusters/{id}/items/certificate-lifetime/signoffs"
        )))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let row: Value = r.json().await.unwrap();
    let sha = hex::encode(Sha256::digest(&yaml));
    assert_eq!(row["files"][0]["sha256"], sha);
    assert_eq!(row["files"][0]["evidence_as_of"], "2026-11-20");
    let history: Vec<Value> = get_json(
        &admin,
        s.url(&format!(
            "/api/v1/clusters/{id}/items/certificate-lifetime/history"
        )),
    )
    .await;
    assert_eq!(history[0]["files"][0]["name"], "trino-cluster.yaml");
    let r = admin
        .get(s.url(&format!("/api/v1/attachments/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().to_vec(), yaml);
    // A refused sign-off (no reason for not applicable) stores nothing.
    let form = Form::new()
        .text("status", "not_applicable")
        .part("files", file("other.txt", b"other".to_vec(), "text/plain"));
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(stored(dir.path()).len(), 1, "{:?}", stored(dir.path()));
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(v["ok"], true);
}

#[tokio::test]
async fn the_html_forms_redirect_back_with_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "prod").await;
    let post = |path: String, form: Form| {
        let admin = admin.clone();
        async move { admin.post(path).multipart(form).send().await.unwrap() }
    };
    let r = post(
        s.url(&format!("/clusters/{id}/items/backups/signoff")),
        Form::new().text("status", "done").part(
            "files",
            file(
                "restore-log.txt",
                b"restored in 41 min".to_vec(),
                "text/plain",
            ),
        ),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/clusters/{id}?signed=backups")
    );
    let r = post(
        s.url(&format!(
            "/clusters/{id}/tasks/weekly-failed-queries/complete"
        )),
        Form::new().text("outcome", "perfect"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with(&format!(
            "/clusters/{id}/day2?task=weekly-failed-queries&error=Choose%20ok"
        )),
        "{to}"
    );
    // The page shows the message (rendered on the server).
    let page = admin
        .get(s.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Choose ok or issues found."),
        "the error is shown"
    );
    // Not logged in: to the login page.
    let r = client()
        .post(s.url(&format!(
            "/clusters/{id}/tasks/weekly-failed-queries/complete"
        )))
        .multipart(Form::new().text("outcome", "ok"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn a_task_query_result_is_captured_as_evidence_in_one_click() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/scenarios/healthy.toml");
    let scenario = trino_sim::scenario::Scenario::load(std::path::Path::new(path)).unwrap();
    let url = trino_sim::serve_on_loopback(scenario.plain())
        .await
        .unwrap();
    let id = create_cluster_at(&s, &admin, "prod", &url).await;
    let tasks = tasks(&s, &admin, id).await;
    let failed = tasks
        .iter()
        .find(|t| t["id"] == "weekly-failed-queries")
        .unwrap();
    assert!(failed["evidence_query"]
        .as_str()
        .unwrap()
        .contains("trino_queries"));

    let form = Form::new()
        .text("outcome", "issues_found")
        .text("capture_query", "on");
    let r = complete(&s, &admin, id, "weekly-failed-queries", form).await;
    assert_eq!(r.status(), 201);
    let done: Value = r.json().await.unwrap();
    let file = &done["attachments"][0];
    assert_eq!(file["content_type"], "text/csv");
    assert!(file["name"]
        .as_str()
        .unwrap()
        .starts_with("weekly-failed-queries-"));
    let csv = admin
        .get(s.url(&format!(
            "/api/v1/attachments/{}",
            file["sha256"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        "error_type,error_code,failures\r\nUSER_ERROR,SYNTAX_ERROR,41\r\nINSUFFICIENT_RESOURCES,EXCEEDED_LOCAL_MEMORY_LIMIT,3\r\nEXTERNAL,HIVE_METASTORE_ERROR,1\r\n"
    );
    // A task without a query, or an unreachable cluster: a clear refusal.
    let r = complete(
        &s,
        &admin,
        id,
        "monthly-spill-disk-usage",
        Form::new()
            .text("outcome", "ok")
            .text("capture_query", "on"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let gone = create_cluster_at(&s, &admin, "gone", "http://127.0.0.1:9").await;
    let r = complete(
        &s,
        &admin,
        gone,
        "weekly-failed-queries",
        Form::new()
            .text("outcome", "ok")
            .text("capture_query", "on"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"]["capture_query"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{body}"
    );
}

#[tokio::test]
async fn a_private_calendar_link_works_without_login_until_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    create_cluster(&s, &admin, "prod").await;
    let link = |c: reqwest::Client| {
        let url = s.url("/api/v1/calendar-link");
        async move {
            let r = c.post(url).send().await.unwrap();
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let first = link(admin.clone()).await;
    let app = client(); // a calendar app: no cookie
    let r = app.get(s.url(&first)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert_eq!(r.text().await.unwrap().matches("BEGIN:VEVENT").count(), 9);
    let second = link(admin.clone()).await;
    assert_ne!(first, second);
    assert_eq!(
        app.get(s.url(&first)).send().await.unwrap().status(),
        404,
        "replaced"
    );
    assert_eq!(app.get(s.url(&second)).send().await.unwrap().status(), 200);
    assert_eq!(
        app.get(s.url("/calendar/nope.ics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.post(s.url("/api/v1/calendar-link"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}
