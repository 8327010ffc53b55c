//! Server functions answer a refusal with its 4xx status (422 for a form
//! value, 403 for a role, 409 for a conflict, 401 for a wrong password, 404
//! for something missing), through the real server; only real faults are
//! 5xx. The body is still the error the form shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use leptos::server_fn::ServerFn;
use shipshape_app::api;
use support::*;

/// Posts a server function's form as the browser's JavaScript does (no
/// `Accept: text/html`, so the server answers with the encoded result).
async fn call(s: &Server, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = c
        .post(s.url(path))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Signs `spill` off on cluster `cluster_id` through the sign-off server
/// function, as `c`.
async fn sign(
    s: &Server,
    c: &reqwest::Client,
    cluster_id: &str,
    status: &str,
    note: &str,
) -> (u16, String) {
    call(
        s,
        c,
        api::checklist::SignItem::PATH,
        &[
            ("cluster_id", cluster_id),
            ("item_id", "spill"),
            ("status", status),
            ("note", note),
        ],
    )
    .await
}

#[tokio::test]
async fn each_kind_of_refusal_has_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "statuses").await.to_string();
    add_user(&s, &admin, "audrey", "auditor", "auditor-pass-1").await;
    let auditor = login(&s, "audrey", "auditor-pass-1").await;
    let anon = client_for(&s);

    // 401: a wrong password.
    let (status, body) = call(
        &s,
        &anon,
        api::session::Login::PATH,
        &[("username", "admin"), ("password", "not-the-password")],
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("BadCredentials"), "{body}");
    // 409: setting up again.
    let (status, body) = call(
        &s,
        &anon,
        api::session::SetupAdmin::PATH,
        &[
            ("username", "second"),
            ("password", "second-password-1"),
            ("confirm", "second-password-1"),
            ("setup_token", "whatever"),
        ],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    // 422: a bad user name; a sign-off status that is not one.
    let (status, body) = call(
        &s,
        &admin,
        api::users::AddUser::PATH,
        &[
            ("username", "no spaces allowed"),
            ("role", "sre"),
            ("password", "a-good-password-1"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = sign(&s, &admin, &id, "maybe", "").await;
    assert_eq!(status, 422, "{body}");
    // 403: a role that may not sign.
    let (status, body) = sign(&s, &auditor, &id, "done", "").await;
    assert_eq!(status, 403, "{body}");
    // 404: a cluster that does not exist.
    let (status, body) = sign(&s, &admin, "999999", "done", "").await;
    assert_eq!(status, 404, "{body}");
    // 401: not logged in at all.
    let (status, body) = sign(&s, &anon, &id, "done", "").await;
    assert_eq!(status, 401, "{body}");
    // A success is still 200 (and the refusals above wrote nothing).
    let (status, body) = sign(&s, &admin, &id, "done", "ok").await;
    assert_eq!(status, 200, "{body}");
    // /metrics counted no server error for any of them.
    let metrics = get_text(&admin, s.url("/metrics")).await;
    assert!(
        !metrics.lines().any(
            |l| l.starts_with("shipshape_http_request_duration_seconds_count")
                && l.contains("status=\"5xx\"")
        ),
        "{metrics}"
    );
}
