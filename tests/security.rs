//! The second security review's findings, each through the real server:
//! tokens that cannot grow, account changes that revoke tokens, system
//! actor names refused, the login limiter behind a proxy, file modes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::json;
use support::*;

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

async fn make_token(s: &Server, c: &reqwest::Client, name: &str, read_only: bool) -> String {
    let r = c
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": name, "expires_in_days": 30, "read_only": read_only}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "token {name}");
    let v: serde_json::Value = r.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_read_only_token_cannot_manage_the_accounts_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let ro = make_token(&s, &admin, "dashboards", true).await;
    let bot = reqwest::Client::new();
    // Minting a full-rights token (the finding), or any token at all.
    for read_only in [false, true] {
        let r = bot
            .post(s.url("/api/v1/tokens"))
            .header("authorization", bearer(&ro))
            .json(&json!({"name": "escalate", "read_only": read_only}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "read_only = {read_only}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("read-only"));
    }
    // Listing, revoking, the calendar link, the password, every session.
    let r = bot
        .get(s.url("/api/v1/tokens"))
        .header("authorization", bearer(&ro))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = bot
        .delete(s.url("/api/v1/tokens/1"))
        .header("authorization", bearer(&ro))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    for path in ["/api/v1/calendar-link", "/api/v1/session/everywhere"] {
        let r = bot
            .post(s.url(path))
            .header("authorization", bearer(&ro))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let r = bot
        .post(s.url("/api/v1/session/password"))
        .header("authorization", bearer(&ro))
        .json(&json!({"current_password": ADMIN_PASSWORD, "new_password": "another-password-9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Nothing was made: the admin still has the one token, and the session
    // still works (not signed out everywhere).
    let listed: Vec<serde_json::Value> = get_json(&admin, s.url("/api/v1/tokens")).await;
    assert_eq!(listed.len(), 1);
    // Reading still works with it.
    let r = bot
        .get(s.url("/api/v1/fleet"))
        .header("authorization", bearer(&ro))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // A full-rights token may manage tokens (automation rotates its own),
    // never beyond its owner's role.
    let full = make_token(&s, &admin, "rotation", false).await;
    let r = bot
        .post(s.url("/api/v1/tokens"))
        .header("authorization", bearer(&full))
        .json(&json!({"name": "next", "read_only": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn an_admins_reset_disable_or_role_change_revokes_the_accounts_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let bot = reqwest::Client::new();
    let sam = add_user(&s, &admin, "sam", "sre", "sam-password-1").await;
    let users: Vec<serde_json::Value> = get_json(&admin, s.url("/api/v1/users")).await;
    let sam_id = users.iter().find(|u| u["username"] == "sam").unwrap()["id"]
        .as_i64()
        .unwrap();
    let works = |t: String| {
        let bot = bot.clone();
        let url = s.url("/api/v1/fleet");
        async move {
            bot.get(url)
                .header("authorization", bearer(&t))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let change = |body: serde_json::Value| {
        admin
            .put(s.url(&format!("/api/v1/users/{sam_id}")))
            .json(&body)
            .send()
    };

    // A role change.
    let t1 = make_token(&s, &sam, "one", false).await;
    let t2 = make_token(&s, &sam, "two", true).await;
    assert_eq!(works(t1.clone()).await, 200);
    let r = change(json!({"role": "manager"})).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(works(t1).await, 401);
    assert_eq!(works(t2).await, 401);

    // A password reset by an admin.
    let sam = login(&s, "sam", "sam-password-1").await;
    let t3 = make_token(&s, &sam, "three", false).await;
    let r = admin
        .post(s.url(&format!("/api/v1/users/{sam_id}/password")))
        .json(&json!({"password": "reset-password-2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(works(t3).await, 401);

    // Disabled, then enabled again: the old token stays revoked.
    let sam = login(&s, "sam", "reset-password-2").await;
    let t4 = make_token(&s, &sam, "four", false).await;
    assert_eq!(
        change(json!({"disabled": true})).await.unwrap().status(),
        200
    );
    assert_eq!(
        change(json!({"disabled": false})).await.unwrap().status(),
        200
    );
    assert_eq!(works(t4).await, 401);
    let listed: Vec<serde_json::Value> = get_json(&admin, s.url("/api/v1/tokens")).await;
    assert!(listed.is_empty(), "the admin's own tokens are untouched");
}

#[tokio::test]
async fn system_actor_names_are_refused_as_user_names() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    for name in ["shipshape", "ldap", "oidc", "setup", "cli", "Shipshape"] {
        let r = admin
            .post(s.url("/api/v1/users"))
            .json(&json!({"username": name, "role": "sre", "password": "a-good-password-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{name}");
    }
    drop(s);
    let out = cli(
        dir.path(),
        &["user", "add", "shipshape", "--role", "admin"],
        &[("SHIPSHAPE_PASSWORD", "a-good-password-1")],
    );
    assert!(!out.status.success(), "the CLI refuses it too");
}

/// A wrong login from `client` (an address behind the proxy) for `user`.
async fn login_status(
    s: &Server,
    c: &reqwest::Client,
    forwarded_for: Option<&str>,
    user: &str,
    password: &str,
) -> u16 {
    let mut r = c
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": user, "password": password}));
    if let Some(a) = forwarded_for {
        r = r.header("x-forwarded-for", a);
    }
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_address_cannot_lock_everyone_out() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[("SHIPSHAPE_TRUSTED_PROXIES", "[\"127.0.0.1\"]")],
    );
    setup_admin(&s).await;
    let attacker = reqwest::Client::new();
    // 30 wrong logins for other names, then for the admin, from one client
    // address behind the proxy.
    for n in 0..30 {
        let status = login_status(
            &s,
            &attacker,
            Some("203.0.113.66"),
            &format!("user{n}"),
            "wrong-password",
        )
        .await;
        assert!(status == 401 || status == 429, "{status}");
    }
    for _ in 0..6 {
        login_status(
            &s,
            &attacker,
            Some("203.0.113.66"),
            "admin",
            "wrong-password",
        )
        .await;
    }
    assert_eq!(
        login_status(&s, &attacker, Some("203.0.113.66"), "admin", ADMIN_PASSWORD).await,
        429,
        "the guessing address is limited"
    );
    // The admin from another address behind the same proxy: in.
    let admin = reqwest::Client::new();
    assert_eq!(
        login_status(&s, &admin, Some("198.51.100.10"), "admin", ADMIN_PASSWORD).await,
        200
    );
    // A forged first hop does not help the attacker (the client is the
    // rightmost untrusted address).
    assert_eq!(
        login_status(
            &s,
            &attacker,
            Some("198.51.100.10, 203.0.113.66"),
            "admin",
            ADMIN_PASSWORD
        )
        .await,
        429
    );
}

#[tokio::test]
async fn a_morning_rush_of_right_passwords_from_one_address_is_never_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    for n in 0..30 {
        let r = admin
            .post(s.url("/api/v1/users"))
            .json(&json!({"username": format!("person{n}"), "role": "auditor", "password": "person-password-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let logins = (0..30).map(|n| {
        let url = s.url("/api/v1/session");
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&json!({"username": format!("person{n}"), "password": "person-password-1"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(logins).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

#[tokio::test]
async fn the_database_its_wal_and_backups_are_private() {
    use std::os::unix::fs::PermissionsExt;
    if postgres::suite_on_postgres() {
        return;
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // An install an older version left with default modes.
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = Server::start(&data);
    let admin = setup_admin(&s).await;
    create_cluster(&s, &admin, "modes").await;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("shipshape.db")), 0o600);
    assert_eq!(mode(&data.join("shipshape.db-wal")), 0o600);
    drop(s);
    let backups = dir.path().join("backups");
    let out = cli(
        &data,
        &["backup", "--to", path_str(&backups.join("b1"))],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for entry in std::fs::read_dir(backups.join("b1")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

#[tokio::test]
async fn a_cross_site_page_cannot_log_a_visitor_in() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    setup_admin(&s).await;
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/session"))
        .header("origin", "https://evil.example")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The sign-in form's server function, as a cross-site form would post it.
    use leptos::server_fn::ServerFn;
    let r = reqwest::Client::new()
        .post(s.url(shipshape_app::api::session::Login::PATH))
        .header("origin", "https://evil.example")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Scripts (no Origin) and the site's own pages still log in.
    let r = client_for(&s)
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn metrics_without_a_token_answer_this_machine_only_and_other_hosts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        dir.path(),
        &[],
        &[("SHIPSHAPE_PUBLIC_URL", "https://shipshape.example.com")],
    );
    // Loopback: served.
    let r = reqwest::Client::new()
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A re-pointed name (DNS rebinding): refused before any handler.
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/session"))
        .header("host", "rebind.attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let r = reqwest::Client::new()
        .get(s.url("/healthz"))
        .header("host", "shipshape.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn weak_settings_stop_the_server_at_start_up() {
    for env in [
        vec![
            ("SHIPSHAPE_NOTIFY_URL", "https://hooks.example.com/x"),
            ("SHIPSHAPE_NOTIFY_SECRET", "short"),
        ],
        vec![("SHIPSHAPE_METRICS_TOKEN", "")],
        vec![("SHIPSHAPE_PUBLIC_URL", "http://shipshape.example.com")],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = cli(dir.path(), &["serve", "--bind", "127.0.0.1:0"], &env);
        assert!(!out.status.success(), "{env:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("configuration"), "{env:?}: {err}");
    }
}

#[tokio::test]
async fn an_oversized_text_part_of_an_upload_is_refused_as_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "multipart").await;
    // A 20 MB "note": refused after its first 64 KiB, nothing recorded.
    let form = reqwest::multipart::Form::new()
        .text("status", "done")
        .text("note", "x".repeat(20 * 1024 * 1024));
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["fields"]["note"]
            .as_str()
            .unwrap_or("")
            .contains("too long"),
        "{body}"
    );
    let rows = export_rows(&s, &admin, "item=spill").await;
    assert!(rows.is_empty(), "{rows:?}");
}
