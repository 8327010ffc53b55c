//! What the server answers a browser, through the real server: pages are
//! never kept for Back (they show the ledger as it is now), a page that
//! needs a login sends the person there and back, one note limit holds on
//! every way in, and a refused evidence upload comes back to its item.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::json;
use shipshape_domain::text_limit::NOTE_MAX_CHARS;
use support::*;

#[tokio::test]
async fn pages_are_not_kept_for_back_and_logins_return_to_the_asking_page() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "pages").await;

    let page = admin
        .get(s.url(&format!("/clusters/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");

    // Without a session: to the login page, which knows where to return.
    let r = client()
        .get(s.url(&format!("/clusters/{id}/report")))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()["location"],
        format!("/login?next=/clusters/{id}/report").as_str()
    );
    // The login form, sent without the page's script, returns there (and
    // only to a page of this site); with the script the login page goes to
    // the same place, so the two navigations agree.
    // The form's own address (the server function's path), as the page has it.
    let login_page = client()
        .get(s.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = login_page
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(action.starts_with("/api/login"), "{action}");
    let form_login = |next: String| {
        let c = client_for(&s);
        let url = s.url(&action);
        async move {
            c.post(url)
                .header("accept", "text/html")
                .form(&[
                    ("username", "admin"),
                    ("password", ADMIN_PASSWORD),
                    ("next", next.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = form_login(format!("/clusters/{id}/report")).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(
        r.headers()["location"],
        format!("/clusters/{id}/report").as_str()
    );
    let r = form_login("//evil.example/x".to_string()).await;
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn one_note_limit_holds_for_every_kind_of_note() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "limits").await;
    let at_limit = "n".repeat(NOTE_MAX_CHARS);
    let over = "n".repeat(NOTE_MAX_CHARS + 1);
    let message = format!("Keep it to {NOTE_MAX_CHARS} characters.");
    let until = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();

    // (what, path, body with the text, the field that is refused)
    let cases = |text: &str| {
        vec![
            (
                "cluster notes",
                "/api/v1/clusters".to_string(),
                json!({"name": format!("c{}", text.len()), "environment": "prod",
                       "coordinator_url": "https://trino.example.com", "notes": text}),
                "notes",
            ),
            (
                "sign-off note",
                format!("/api/v1/clusters/{id}/items/spill/signoffs"),
                json!({"status": "done", "note": text}),
                "note",
            ),
            (
                "waiver reason",
                format!("/api/v1/clusters/{id}/items/tls/waivers"),
                json!({"kind": "accepted_risk", "reason": text, "expires_on": until}),
                "reason",
            ),
        ]
    };
    for (what, path, body, field) in cases(&over) {
        let r = admin.post(s.url(&path)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422, "{what}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["fields"][field], message.as_str(), "{what}: {v}");
    }
    for (what, path, body, _) in cases(&at_limit) {
        let r = admin.post(s.url(&path)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201, "{what} at the limit");
    }
}

#[tokio::test]
async fn a_refused_evidence_upload_comes_back_to_its_item_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_MAX_UPLOAD_BYTES", "1024")]);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "uploads").await;
    let form = reqwest::multipart::Form::new()
        .text("status", "done")
        .text("note", "drill")
        .part(
            "files",
            reqwest::multipart::Part::bytes(vec![7u8; 64 * 1024]).file_name("big.bin"),
        );
    let r = admin
        .post(s.url(&format!("/clusters/{id}/items/backups/signoff")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.starts_with(&format!("/clusters/{id}?item=backups&error=")),
        "{back}"
    );
    assert!(
        back.contains("big.bin"),
        "the refusal names the file: {back}"
    );
    // Nothing was recorded.
    let history: Vec<serde_json::Value> = get_json(
        &admin,
        s.url(&format!("/api/v1/clusters/{id}/items/backups/history")),
    )
    .await;
    assert!(history.is_empty());
}

/// The login form sent before the page's script ran is a plain POST: the
/// server redirects back with the refusal in the URL, and the login page
/// (rendered on the server) shows it, as it does for a script-driven login.
#[tokio::test]
async fn a_login_sent_before_the_script_ran_still_shows_its_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let _admin = setup_admin(&s).await;
    let browser = client_for(&s);
    let page = browser
        .get(s.url("/login"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the login form's action");
    let r = browser
        .post(s.url(action))
        .header("accept", "text/html")
        .header("referer", s.url("/login"))
        .form(&[("username", "nobody"), ("password", "wrong-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.contains("/login?") && back.contains("__err="),
        "{back}"
    );
    let again = browser
        .get(&back)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let html = again.text().await.unwrap();
    assert!(
        html.contains("Wrong user name or password."),
        "the refusal is on the page"
    );
}

/// An unknown sign-off status is told the same thing at every door: the
/// JSON API, the page's server function and the plain form post, and
/// nothing is recorded.
#[tokio::test]
async fn an_unknown_sign_off_status_gets_one_message_at_every_door() {
    use leptos::server_fn::ServerFn;
    use shipshape_domain::signoff::STATUS_MESSAGE;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "doors").await;

    let api = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "approved", "note": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 422);
    let v: serde_json::Value = api.json().await.unwrap();
    assert_eq!(v["fields"]["status"], STATUS_MESSAGE, "{v}");

    let server_fn = admin
        .post(s.url(shipshape_app::api::checklist::SignItem::PATH))
        .header("accept", "application/json")
        .form(&[
            ("cluster_id", id.to_string().as_str()),
            ("item_id", "spill"),
            ("status", "approved"),
            ("note", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(server_fn.status(), 422);
    let body = server_fn.text().await.unwrap();
    assert!(body.contains(STATUS_MESSAGE), "{body}");

    let form = reqwest::multipart::Form::new()
        .text("status", "approved")
        .text("note", "");
    let plain = admin
        .post(s.url(&format!("/clusters/{id}/items/spill/signoff")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 422);
    let body = plain.text().await.unwrap();
    assert!(body.contains(STATUS_MESSAGE), "{body}");

    let history: Vec<serde_json::Value> = get_json(
        &admin,
        s.url(&format!("/api/v1/clusters/{id}/items/spill/history")),
    )
    .await;
    assert!(history.is_empty(), "nothing recorded: {history:?}");
}
