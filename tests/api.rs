//! The JSON API and the pages' HTTP behaviour, through the real server on a
//! random port with a temp SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use support::*;

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json body")
}

#[tokio::test]
async fn health_and_first_run_setup() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    assert_eq!(
        client()
            .get(s.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    if !postgres::suite_on_postgres() {
        assert!(
            dir.path().join("shipshape.db").exists(),
            "database file created at start"
        );
    }

    // An empty install sends browsers to setup.
    let r = client()
        .get(s.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/setup");

    // Without the one-time setup token nobody becomes admin, whatever
    // reaches the port.
    for token in [None, Some("0123456789abcdef")] {
        let mut b = json!({"username": "mallory", "password": "a-long-password-1"});
        if let Some(t) = token {
            b["setup_token"] = json!(t);
        }
        let r = client()
            .post(s.url("/api/v1/setup"))
            .json(&b)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(body(r).await["fields"]["setup_token"].is_string());
    }
    let token = setup_token(&s);
    let weak = client()
        .post(s.url("/api/v1/setup"))
        .json(&json!({"username": "admin", "password": "short", "setup_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    assert!(body(weak).await["fields"]["password"].is_string());

    let admin = setup_admin(&s).await;
    assert!(
        !s.data.join("setup-token").exists(),
        "the token file is gone once used"
    );
    let again = client()
        .post(s.url("/api/v1/setup"))
        .json(&json!({"username": "x", "password": "another-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    // Setup logged the admin in.
    let me = body(admin.get(s.url("/api/v1/session")).send().await.unwrap()).await;
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");

    // Now anonymous visitors are sent to the login page instead.
    let r = client()
        .get(s.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/login");
    let page = admin
        .get(s.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert!(page.text().await.unwrap().contains("Fleet readiness"));
}

#[tokio::test]
async fn login_logout_and_bad_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    setup_admin(&s).await;
    let c = client();
    for (user, pw) in [
        ("admin", "wrong-password"),
        ("nobody", ADMIN_PASSWORD),
        ("", ""),
    ] {
        let r = c
            .post(s.url("/api/v1/session"))
            .json(&json!({"username": user, "password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{user}");
        assert_eq!(body(r).await["error"], "wrong user name or password");
    }
    let r = c
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("shipshape_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        c.get(s.url("/api/v1/clusters"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // State changes on a cookie session need a same-origin Origin (or
    // Referer): a page elsewhere cannot act with the cookie.
    let id = create_cluster_at(
        &s,
        &login(&s, "admin", ADMIN_PASSWORD).await,
        "c1",
        "https://trino.example.com",
    )
    .await;
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let mut r = c.post(s.url(&format!("/api/v1/clusters/{id}/archive")));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 403, "{origin:?}");
    }
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{id}/archive")))
        .header("referer", "https://evil.example/page")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let cluster: Value = get_json(&c, s.url(&format!("/api/v1/clusters/{id}"))).await;
    assert!(cluster["archived_at"].is_null(), "nothing was archived");
    // A server function and a no-JS form post are refused the same way.
    let r = c
        .post(s.url("/api/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        c.delete(s.url("/api/v1/session"))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        c.delete(s.url("/api/v1/session"))
            .header("referer", s.url("/clusters"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        c.get(s.url("/api/v1/clusters"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn clusters_validate_and_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let anon = client()
        .post(s.url("/api/v1/clusters"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);

    let bad = admin
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": "", "environment": "prod", "coordinator_url": "ftp://x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let v = body(bad).await;
    assert!(v["fields"]["name"].is_string(), "{v}");
    assert!(
        v["fields"]["coordinator_url"]
            .as_str()
            .unwrap()
            .contains("http"),
        "{v}"
    );
    assert!(v["fields"].get("environment").is_none(), "{v}");

    let id = create_cluster(&s, &admin, "Analytics").await;
    assert!(id > 0);
    let dup = admin
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": "analytics", "environment": "staging", "coordinator_url": "http://t:8080"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    assert!(body(dup).await["error"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    // Malformed bodies get JSON errors too.
    let r = admin
        .post(s.url("/api/v1/clusters"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(body(r).await["error"].is_string());
    let r = admin
        .post(s.url("/api/v1/clusters"))
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let r = admin
        .post(s.url("/api/v1/clusters"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Edit, archive, restore.
    let r = admin
        .put(s.url(&format!("/api/v1/clusters/{id}")))
        .json(&json!({"name": "Analytics EU", "environment": "prod", "coordinator_url": "https://eu.example.com/", "notes": "primary"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["coordinator_url"], "https://eu.example.com");
    assert_eq!(
        admin
            .post(s.url(&format!("/api/v1/clusters/{id}/archive")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let list = body(admin.get(s.url("/api/v1/clusters")).send().await.unwrap()).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let list = body(
        admin
            .get(s.url("/api/v1/clusters?archived=true"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list[0]["name"], "Analytics EU");
    assert!(list[0]["archived_at"].is_string());
    assert_eq!(
        admin
            .post(s.url(&format!("/api/v1/clusters/{id}/restore")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        admin
            .get(s.url("/api/v1/clusters/999"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        admin
            .get(s.url("/api/v1/clusters/abc"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn checklist_signoffs_history_and_every_error_code() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "c1").await;
    let sign = |item: &str| s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs"));

    let c = body(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/checklist")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let sections = c["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 9);
    let spill = &sections[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "spill")
        .unwrap()
        .clone();
    assert_eq!(spill["status"], "open");
    assert!(spill["by"].is_null() && spill["at"].is_null());
    assert_eq!(c["overall"]["done"], 0);

    let r = admin
        .post(sign("spill"))
        .json(&json!({"status": "done", "note": "spill on NVMe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let first = body(r).await;
    assert_eq!(
        first["seq"], 3,
        "row 1 records the first admin, row 2 the cluster's registration"
    );
    assert_eq!(first["status"], "done");

    // errors
    assert_eq!(
        admin
            .post(sign("no-such-item"))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        admin
            .post(s.url("/api/v1/clusters/999/items/spill/signoffs"))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = admin
        .post(sign("tls"))
        .json(&json!({"status": "not_applicable", "note": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(body(r).await["fields"]["note"]
        .as_str()
        .unwrap()
        .contains("reason"));
    let r = admin
        .post(sign("tls"))
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(body(r).await["fields"]["status"].is_string());
    let r = admin
        .post(sign("tls"))
        .json(&json!({"status": "revoked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "nothing to revoke");
    assert_eq!(
        client()
            .post(sign("tls"))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    for role in ["manager", "auditor"] {
        let who = add_user(&s, &admin, role, role, "a-long-password").await;
        let r = who
            .post(sign("tls"))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{role} may not sign");
        assert_eq!(
            who.get(s.url(&format!("/api/v1/clusters/{id}/checklist")))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            who.get(s.url("/api/v1/users"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
    }

    let r = admin
        .post(sign("tls"))
        .json(&json!({"status": "not_applicable", "note": "internal network only"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = admin
        .post(sign("spill"))
        .json(&json!({"status": "revoked", "note": "disk not mounted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let c = body(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/checklist")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let items: Vec<&Value> = c["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    let find = |id: &str| items.iter().find(|i| i["id"] == id).unwrap();
    assert_eq!(find("tls")["status"], "not_applicable");
    assert_eq!(find("tls")["by"], "admin");
    assert!(find("tls")["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(find("spill")["status"], "open");
    assert_eq!(c["overall"]["not_applicable"], 1);

    let h = body(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/items/spill/history")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let rows = h.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["status"], "revoked");
    assert_eq!(rows[0]["note"], "disk not mounted");
    assert_eq!(rows[1]["status"], "done");
    for key in ["seq", "at", "actor", "status", "note", "hash", "prev_hash"] {
        assert!(!rows[0][key].is_null(), "{key}");
    }
    // The sign-off links to the row before it: the cluster's registration.
    let changes: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/changes"))).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["action"], "cluster_registered");
    // ...which links to the first row of all, the first admin's account.
    assert_ne!(changes[0]["prev_hash"], "0".repeat(64));
    assert_eq!(rows[1]["prev_hash"], changes[0]["hash"]);
    assert_eq!(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/items/nope/history")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let v = body(
        admin
            .get(s.url("/api/v1/ledger/verify"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["ok"], true);
    assert_eq!(
        v["entries"], 7,
        "three accounts, a registration and three sign-off rows"
    );
}

#[tokio::test]
async fn fifty_concurrent_signoffs_are_all_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "busy").await;
    let sre = add_user(&s, &admin, "sre", "sre", "sre-password-1").await;
    let mut tasks = Vec::new();
    for n in 0..50 {
        let c = if n % 2 == 0 {
            admin.clone()
        } else {
            sre.clone()
        };
        let url = s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs"));
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .json(&json!({"status": "done", "note": format!("attempt {n}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let h = body(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/items/spill/history")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let rows = h.as_array().unwrap();
    assert_eq!(rows.len(), 50);
    let mut notes: Vec<&str> = rows.iter().map(|r| r["note"].as_str().unwrap()).collect();
    notes.sort();
    notes.dedup();
    assert_eq!(notes.len(), 50, "every attempt landed once");
    let actors: std::collections::HashSet<&str> =
        rows.iter().map(|r| r["actor"].as_str().unwrap()).collect();
    assert_eq!(actors.len(), 2);
    let v = body(
        admin
            .get(s.url("/api/v1/ledger/verify"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        v,
        json!({"ok": true, "entries": 53, "head": rows[0]["hash"], "broken_seq": null, "reason": null, "checkpoints": 0, "signed_head": null})
    );
}

#[tokio::test]
async fn tampering_is_reported_by_the_api_and_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "c1").await;
    for item in ["spill", "tls", "jvm", "audit", "alerts"] {
        let r = admin
            .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    s.stop();
    let ok = cli(dir.path(), &["ledger", "verify"], &[]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ledger ok: 7 entries"));

    // Someone with the database's owner rights edits history behind the
    // triggers.
    let upd = postgres::raw_sql(dir.path(), &["UPDATE ledger SET note = 'x' WHERE seq = 2"]).await;
    assert!(upd.is_err(), "the trigger refuses updates");
    postgres::raw_sql(
        dir.path(),
        &[
            &postgres::drop_trigger("ledger_append_only_update", "ledger"),
            "UPDATE ledger SET actor = 'mallory' WHERE seq = 4",
        ],
    )
    .await
    .unwrap();
    let bad = cli(dir.path(), &["ledger", "verify"], &[]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("broken at seq 4"), "{err}");

    let s = Server::start(dir.path());
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let v = body(
        admin
            .get(s.url("/api/v1/ledger/verify"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["broken_seq"], 4);
}

#[tokio::test]
async fn removed_items_keep_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "c1").await;
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done", "note": "kept"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    s.stop();

    let custom = dir.path().join("small.toml");
    std::fs::write(
        &custom,
        "id = \"small\"\ntitle = \"Small\"\n[[section]]\nid = \"one\"\ntitle = \"One\"\n[[section.item]]\nid = \"tls\"\ntitle = \"TLS\"\nkind = \"checklist\"\nwhy = \"encrypt\"\nsource = \"test\"\n",
    )
    .unwrap();
    let s = Server::start_with(dir.path(), &["--runbook", path_str(&custom)]);
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let c = body(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/checklist")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(c["runbook_id"], "small");
    assert_eq!(c["retired"], json!(["spill"]));
    let h = body(
        admin
            .get(s.url(&format!("/api/v1/clusters/{id}/items/spill/history")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h[0]["note"], "kept");
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "a retired item cannot be signed");
}

#[tokio::test]
async fn no_javascript_forms_work_through_server_functions() {
    // A browser before hydration (or without JS) posts plain forms.
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let c = client();
    let page = c
        .get(s.url("/setup"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("setup form action")
        .to_string();
    let r = c
        .post(s.url(&action))
        .header("accept", "text/html")
        .form(&[
            ("username", "ada"),
            ("password", "ada-password-1"),
            ("confirm", "ada-password-1"),
            ("setup_token", setup_token(&s).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "{}", r.text().await.unwrap_or_default());
    let home = c
        .get(s.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("ada"));
}

#[tokio::test]
async fn pages_carry_a_csp_naming_the_nonce_of_their_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let r = admin
        .get(s.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|t| t.split('\'').next())
        .expect("a nonce in the CSP")
        .to_string();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the scripts carry the CSP's nonce"
    );
    // A fresh nonce on every page.
    let again = admin.get(s.url("/")).send().await.unwrap();
    let csp2 = again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(csp, csp2);
    // Other answers keep the strict default.
    let r = admin.get(s.url("/api/v1/fleet")).send().await.unwrap();
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("frame-ancestors 'none'"));
}

/// `/readyz` is 200 only while the database takes writes, no migration is
/// pending and the read model is current; `/healthz` stays 200 throughout.
#[tokio::test]
async fn readiness_fails_while_the_database_is_locked_or_a_migration_is_pending() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let c = client();
    let ready = |c: reqwest::Client, url: String| async move {
        let r = c.get(url).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap())
    };
    let (status, body) = ready(c.clone(), s.url("/readyz")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["checks"],
        json!({"writable": true, "migrations_applied": true, "read_model_current": true, "disk_space": true})
    );

    // Answers are shared for a quarter second (an anonymous flood costs one
    // probe per quarter second): each change below waits that out.
    let shared = || tokio::time::sleep(std::time::Duration::from_millis(300));
    // Someone else holds the write lock: not ready, still alive.
    let other = postgres::WriteLock::take(dir.path()).await.unwrap();
    shared().await;
    let (status, body) = ready(c.clone(), s.url("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["writable"], false);
    assert_eq!(c.get(s.url("/healthz")).send().await.unwrap().status(), 200);
    other.release().await.unwrap();

    // The newest migration counts as not applied.
    postgres::raw_sql(
        dir.path(),
        &["UPDATE _sqlx_migrations SET success = false WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)"],
    )
    .await
    .unwrap();
    shared().await;
    let (status, body) = ready(c.clone(), s.url("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["migrations_applied"], false);
    assert_eq!(body["checks"]["writable"], true);
    postgres::raw_sql(dir.path(), &["UPDATE _sqlx_migrations SET success = true"])
        .await
        .unwrap();
    shared().await;
    let (status, _) = ready(c.clone(), s.url("/readyz")).await;
    assert_eq!(status, 200);
    // and the probe left no row behind
    let probes = postgres::raw_count(
        dir.path(),
        "SELECT COUNT(*) FROM view_meta WHERE name = 'readyz-probe'",
    )
    .await
    .unwrap();
    assert_eq!(probes, 0);
}

/// A NUL character in free text gets a clear 422 (and in a login name a
/// 401), never a server error, on either database (PostgreSQL cannot store
/// one at all).
#[tokio::test]
async fn nul_characters_get_a_clear_error_not_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "c1").await;
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .json(&json!({"status": "done", "note": "spill\u{0}dir"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e = body(r).await;
    assert!(e.to_string().contains("NUL"), "{e}");
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/tls/waivers")))
        .json(&json!({"kind": "accepted_risk", "reason": "later\u{0}", "expires_on": "2099-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = client_for(&s)
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "ad\u{0}min", "password": "whatever-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = admin
        .get(s.url("/api/v1/export/signoffs.csv?user=a%00b"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Nothing was written: the ledger holds the account and the cluster.
    let v = body(
        admin
            .get(s.url("/api/v1/ledger/verify"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["entries"], 2, "{v}");
}
