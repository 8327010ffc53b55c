//! `shipshape migrate-store`: a SQLite install built through the API (an
//! admin and an SRE, a cluster, sign-offs, one with an evidence file, API
//! tokens, a signed checkpoint) moves into a fresh PostgreSQL database; a
//! server on PostgreSQL then verifies the same ledger head, lets the old
//! passwords and tokens in, serves the evidence file, and appends the next
//! seq. A target that is not empty, a damaged evidence file and a broken
//! chain are refused with exit code 2 and nothing committed.
//!
//! These tests need a PostgreSQL server: `TEST_POSTGRES_URL` holds an
//! admin URL (scripts/test.sh starts one and sets it; `scripts/pg.sh start
//! DIR` prints one). Without it they fail, unless `TEST_SKIP_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use sqlx::Connection;
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;

/// The admin URL of the test PostgreSQL server (`TEST_POSTGRES_URL`, set
/// by scripts/test.sh), or `None` when told to skip (`TEST_SKIP_POSTGRES=1`);
/// fails otherwise. Also `None` on the suite's all-PostgreSQL pass: these
/// tests build their SQLite source themselves, in the SQLite pass.
fn postgres_admin() -> Option<String> {
    if support::postgres::suite_on_postgres() {
        eprintln!("TEST_DATABASE=postgres: migrate-store is tested in the SQLite pass");
        return None;
    }
    support::postgres::admin_url()
}

/// A new, empty database on the test server; returns its URL.
async fn fresh_database(admin: &str) -> String {
    let admin = admin.to_string();
    tokio::task::spawn_blocking(move || support::postgres::fresh_database(&admin))
        .await
        .unwrap()
}

/// Drops a test database (best effort: a failed test leaves it behind).
async fn drop_database(admin: &str, url: &str) {
    let name = url::Url::parse(url)
        .map(|u| u.path().trim_start_matches('/').to_string())
        .unwrap_or_default();
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }
}

/// Rows in `table` of the database at `url`.
async fn count(url: &str, table: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await
        .expect("count");
    conn.close().await.expect("close");
    n
}

/// `shipshape migrate-store` with the new install's data directory `data`:
/// (exit code, stdout, stderr, how long it took).
fn migrate(data: &Path, args: &[&str]) -> (i32, String, String, Duration) {
    let mut all = vec!["migrate-store"];
    all.extend_from_slice(args);
    let started = Instant::now();
    let out = cli(data, &all, &[]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

fn sqlite_of(data: &Path) -> String {
    format!("sqlite:{}", path_str(&data.join("shipshape.db")))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Signs `item` off with one evidence file; returns the row's seq.
async fn sign_with_file(
    s: &Server,
    c: &reqwest::Client,
    cluster: i64,
    item: &str,
    file: &[u8],
) -> i64 {
    let form = reqwest::multipart::Form::new()
        .text("status", "done")
        .text("note", "with evidence")
        .part(
            "files",
            reqwest::multipart::Part::bytes(file.to_vec())
                .file_name("evidence.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{cluster}/items/{item}/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["seq"].as_i64().unwrap()
}

async fn sign(c: &reqwest::Client, url: String, status: &str) -> reqwest::Response {
    c.post(url)
        .json(&json!({"status": status, "note": "signed"}))
        .send()
        .await
        .unwrap()
}

async fn new_token(s: &Server, c: &reqwest::Client, name: &str, read_only: bool) -> String {
    let r = c
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": name, "expires_in_days": 30, "read_only": read_only}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_sqlite_install_moves_into_postgres_whole() {
    let Some(admin_url) = postgres_admin() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("sqlite-data");

    // The SQLite install, built through the API.
    let s = Server::start(&old);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "analytics-prod").await;
    let sre = add_user(&s, &admin, "sre-one", "sre", "sre-password-1").await;
    let evidence = b"spill volume mounted on every worker\n".to_vec();
    sign_with_file(&s, &sre, id, "spill", &evidence).await;
    let item = |item: &str| s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs"));
    for (it, status) in [
        ("tls", "done"),
        ("jvm", "not_applicable"),
        ("tls", "revoked"),
    ] {
        assert_eq!(sign(&admin, item(it), status).await.status(), 201);
    }
    let full_token = new_token(&s, &admin, "ci", false).await;
    let ro_token = new_token(&s, &admin, "dashboards", true).await;
    // A signed checkpoint: the new install must verify it with the old key.
    let out = cli(&old, &["ledger", "checkpoint"], &[]);
    assert!(out.status.success(), "{out:?}");
    let before: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(before["ok"], true, "{before}");
    assert!(before["checkpoints"].as_u64().unwrap() >= 1, "{before}");
    let entries = before["entries"].as_i64().unwrap();
    let head = before["head"].as_str().unwrap().to_string();
    let checklist = s.url(&format!("/api/v1/clusters/{id}/checklist"));
    let overall_before = get_json::<Value>(&admin, checklist.clone()).await["overall"].clone();
    s.stop();

    // Into a fresh database, for a new data directory: files and key move.
    let url = fresh_database(&admin_url).await;
    // A server started once on it (no setup) wrote only its bookkeeping,
    // which the copy replaces: the database still counts as empty.
    let warm = Server::start_env(
        &dir.path().join("started-once"),
        &[],
        &[("SHIPSHAPE_DATABASE_URL", url.as_str())],
    );
    warm.stop();
    let new = dir.path().join("pg-data");
    let (code, out, err, took) = migrate(&new, &["--from", &sqlite_of(&old), "--to", &url]);
    println!("migrate-store of {entries} ledger rows took {took:.2?}:\n{out}");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("head seq {entries} hash {head}")),
        "{out}"
    );
    let rows = |table: &str| -> Option<u64> {
        out.lines()
            .map(str::split_whitespace)
            .find_map(|mut w| (w.next() == Some(table)).then(|| w.next()?.parse().ok())?)
    };
    assert_eq!(rows("users"), Some(2), "{out}");
    assert_eq!(rows("clusters"), Some(1), "{out}");
    assert_eq!(rows("ledger"), Some(entries as u64), "{out}");
    assert_eq!(rows("attachments"), Some(1), "{out}");
    assert_eq!(rows("api_tokens"), Some(2), "{out}");
    assert!(out.contains("evidence files: 1 checked"), "{out}");
    assert!(out.contains("1 copied to"), "{out}");
    assert!(out.contains("signing key: copied to"), "{out}");
    assert!(
        !out.contains(&url) && !err.contains(&url),
        "the URL is not echoed"
    );
    let sha = sha256_hex(&evidence);
    assert_eq!(
        std::fs::read(new.join("attachments").join(&sha[..2]).join(&sha)).unwrap(),
        evidence
    );

    // A server on PostgreSQL serves the same install.
    let s = Server::start_env(&new, &[], &[("SHIPSHAPE_DATABASE_URL", url.as_str())]);
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let sre = login(&s, "sre-one", "sre-password-1").await;
    let after: Value = get_json(&sre, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(after["ok"], true, "{after}");
    assert_eq!(after["entries"].as_i64(), Some(entries), "{after}");
    assert_eq!(after["head"].as_str(), Some(head.as_str()), "{after}");
    assert_eq!(after["checkpoints"], before["checkpoints"], "{after}");
    let checklist = s.url(&format!("/api/v1/clusters/{id}/checklist"));
    assert_eq!(
        get_json::<Value>(&admin, checklist).await["overall"],
        overall_before
    );
    let r = sre
        .get(s.url(&format!("/api/v1/attachments/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), evidence);

    // Tokens keep their read-only flag; new rows take the next seq and ids.
    let bot = reqwest::Client::new();
    let item = |item: &str| s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs"));
    let by_token = |t: String, url: String| {
        let bot = bot.clone();
        async move {
            bot.post(url)
                .header("authorization", format!("Bearer {t}"))
                .json(&json!({"status": "done", "note": "from CI"}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(by_token(ro_token, item("jvm")).await.status(), 403);
    let r = by_token(full_token, item("jvm")).await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap()["seq"].as_i64(),
        Some(entries + 1)
    );
    let r = sign(&admin, item("tls"), "done").await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap()["seq"].as_i64(),
        Some(entries + 2)
    );
    let second = create_cluster(&s, &admin, "analytics-staging").await;
    assert_eq!(
        second,
        id + 1,
        "the id sequence was moved past the copied ids"
    );
    add_user(&s, &admin, "auditor-one", "auditor", "auditor-password-1").await;
    let last: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(last["ok"], true, "{last}");
    s.stop();
    drop_database(&admin_url, &url).await;
}

#[tokio::test]
async fn a_target_that_is_not_empty_or_a_damaged_source_is_refused_with_nothing_committed() {
    let Some(admin_url) = postgres_admin() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("sqlite-data");
    let s = Server::start(&old);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "analytics-prod").await;
    let evidence = b"spill volume mounted on every worker\n".to_vec();
    sign_with_file(&s, &admin, id, "spill", &evidence).await;
    s.stop();

    // A PostgreSQL install in use: its first admin is a user and a row.
    let used = fresh_database(&admin_url).await;
    let used_data = dir.path().join("pg-used");
    let p = Server::start_env(
        &used_data,
        &[],
        &[("SHIPSHAPE_DATABASE_URL", used.as_str())],
    );
    setup_admin(&p).await;
    p.stop();
    let rows_before = count(&used, "ledger").await;
    let (code, out, err, _) = migrate(&used_data, &["--from", &sqlite_of(&old), "--to", &used]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("is not empty"), "{err}");
    assert!(err.contains("already holds"), "{err}");
    assert_eq!(count(&used, "ledger").await, rows_before);
    assert_eq!(count(&used, "users").await, 1);
    assert_eq!(count(&used, "clusters").await, 0);

    let empty = fresh_database(&admin_url).await;
    let new = dir.path().join("pg-data");
    // No such source.
    let (code, _, err, _) = migrate(
        &new,
        &["--from", "sqlite:/nonexistent/shipshape.db", "--to", &empty],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        migrate(&new, &["--from", "data/shipshape.db", "--to", &empty])
            .2
            .contains("sqlite:PATH")
    );

    // A damaged evidence file.
    let sha = sha256_hex(&evidence);
    let file = old.join("attachments").join(&sha[..2]).join(&sha);
    std::fs::write(&file, b"forged evidence\n").unwrap();
    let (code, _, err, _) = migrate(&new, &["--from", &sqlite_of(&old), "--to", &empty]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not match its hash"), "{err}");
    assert!(!new.join("attachments").join(&sha[..2]).join(&sha).exists());
    std::fs::write(&file, &evidence).unwrap();

    // A chain altered behind the triggers' back: every table is copied,
    // then the read-back finds the break and the transaction rolls back.
    {
        let mut db = sqlx::SqliteConnection::connect(&sqlite_of(&old))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER ledger_append_only_update")
            .execute(&mut db)
            .await
            .unwrap();
        sqlx::query("UPDATE ledger SET note = 'forged' WHERE seq = 2")
            .execute(&mut db)
            .await
            .unwrap();
        db.close().await.unwrap();
    }
    let (code, _, err, _) = migrate(&new, &["--from", &sqlite_of(&old), "--to", &empty]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken at seq 2"), "{err}");
    assert!(err.contains("nothing was committed"), "{err}");
    for table in ["users", "clusters", "ledger", "attachments"] {
        assert_eq!(count(&empty, table).await, 0, "{table}");
    }
    drop_database(&admin_url, &used).await;
    drop_database(&admin_url, &empty).await;
}
