//! The ledger's signing key and checkpoints through the real server and CLI:
//! the key is made private at first start and refused when exposed or
//! malformed; the server signs the chain head as checkpoint rows; `ledger
//! verify` checks them, so a ledger rewritten and re-hashed whole by someone
//! with the database but not the key fails, as does a checkpoint signed by
//! another key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use shipshape_domain::checkpoint::CheckpointDetails;
use shipshape_domain::ids::{ClusterId, ItemId, Seq};
use shipshape_domain::ledger::{EntryContent, LedgerEntry};
use shipshape_domain::signing::SecretKey;
use shipshape_domain::time::Timestamp;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn sign(s: &Server, c: &reqwest::Client, id: i64, item: &str, status: &str) {
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
        .json(&json!({"status": status, "note": "checked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

async fn db(data: &Path) -> SqlitePool {
    SqlitePool::connect_with(SqliteConnectOptions::new().filename(data.join("shipshape.db")))
        .await
        .unwrap()
}

async fn rows(pool: &SqlitePool) -> Vec<LedgerEntry> {
    sqlx::query("SELECT seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash FROM ledger ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            LedgerEntry::from_stored(
                EntryContent {
                    seq: Seq::new(r.get(0)),
                    at: Timestamp::parse(r.get(1)).unwrap(),
                    actor: r.get(2),
                    cluster_id: ClusterId::new(r.get(3)),
                    item_id: ItemId::new(r.get::<String, _>(4)),
                    action: r.get(5),
                    note: r.get(6),
                    details: r.get(7),
                    prev_hash: r.get(8),
                },
                r.get(9),
            )
        })
        .collect()
}

/// What someone with write access to the database file (and not the key)
/// can do: drop the append-only triggers, rewrite rows and re-hash.
async fn rewrite(pool: &SqlitePool, rows: &[LedgerEntry]) {
    sqlx::query("DROP TRIGGER ledger_append_only_update")
        .execute(pool)
        .await
        .unwrap();
    for e in rows {
        sqlx::query(
            "UPDATE ledger SET note = ?, details = ?, prev_hash = ?, hash = ? WHERE seq = ?",
        )
        .bind(&e.content().note)
        .bind(&e.content().details)
        .bind(&e.content().prev_hash)
        .bind(e.hash())
        .bind(e.content().seq.get())
        .execute(pool)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn the_key_is_private_shown_and_refused_when_exposed_or_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let key_file = dir.path().join("keys").join("ledger-signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&key_file), 0o600);
        assert_eq!(mode(&dir.path().join("keys")), 0o700);
    }
    let secret = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(secret.trim().len(), 64);

    let admin = setup_admin(&s).await;
    let key: Value = get_json(&admin, s.url("/api/v1/ledger/key")).await;
    assert_eq!(key["algorithm"], "ed25519");
    let public = key["public_key"].as_str().unwrap().to_string();
    let fingerprint = key["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(public.len(), 64);
    assert_eq!(fingerprint.len(), 16);
    assert_ne!(public, secret.trim());
    let r = client()
        .get(s.url("/api/v1/ledger/key"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The Export page shows it too.
    let page = admin
        .get(s.url("/export"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&public) && page.contains(&fingerprint));
    s.stop();

    let out = cli(dir.path(), &["ledger", "key"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains(&format!("public key:  {public}")),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("fingerprint: {fingerprint}")),
        "{printed}"
    );
    assert!(
        !printed.contains(secret.trim()),
        "the secret is never printed"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = cli(dir.path(), &["serve", "--bind", "127.0.0.1:0"], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let err = text(&out);
        assert!(err.contains(&key_file.display().to_string()), "{err}");
        assert!(err.contains("0644"), "{err}");
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(&key_file, "-----BEGIN SOMETHING-----\n").unwrap();
    let out = cli(dir.path(), &["serve", "--bind", "127.0.0.1:0"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = text(&out);
    assert!(
        err.contains(&key_file.display().to_string()) && err.contains("malformed"),
        "{err}"
    );
    assert!(!err.contains(secret.trim()));

    // A configured key file must exist; the original key, moved there, works.
    std::fs::write(&key_file, &secret).unwrap();
    let elsewhere = dir.path().join("ledger.key");
    let env = [("SHIPSHAPE_SIGNING_KEY_FILE", elsewhere.to_str().unwrap())];
    let out = cli(dir.path(), &["ledger", "key"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("does not exist"), "{}", text(&out));
    std::fs::rename(&key_file, &elsewhere).unwrap();
    let out = cli(dir.path(), &["ledger", "key"], &env);
    assert!(text(&out).contains(&public), "{}", text(&out));
}

#[tokio::test]
async fn checkpoints_sign_the_chain_and_a_rehashed_ledger_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_CHECKPOINT_EVERY_ROWS", "3")]);
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    sign(&s, &admin, a, "spill", "done").await;
    sign(&s, &admin, a, "tls", "done").await;
    sign(&s, &admin, a, "spill", "revoked").await;

    // The background loop signs once three rows are in.
    let deadline = Instant::now() + Duration::from_secs(30);
    let v = loop {
        let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
        if v["checkpoints"] == 1 {
            break v;
        }
        assert!(Instant::now() < deadline, "no checkpoint came: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(v["ok"], true);
    let signed = v["signed_head"].as_i64().unwrap();
    assert!(signed >= 3, "{v}");
    let key: Value = get_json(&admin, s.url("/api/v1/ledger/key")).await;

    // The checkpoint row, as the export shows it.
    let jsonl = admin
        .get(s.url("/api/v1/export/signoffs.jsonl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cp = lines.iter().find(|l| l["action"] == "checkpoint").unwrap();
    assert_eq!(cp["actor"], "shipshape");
    assert_eq!(cp["item_id"], "_checkpoint");
    assert_eq!(cp["seq"], signed + 1);
    assert_eq!(cp["cluster_id"], a, "the cluster of the row it signs");
    let details: Value = serde_json::from_str(cp["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["signed_seq"], signed);
    assert_eq!(details["signed_hash"], cp["prev_hash"]);
    assert_eq!(details["public_key"], key["public_key"]);
    assert_eq!(details["signature"].as_str().unwrap().len(), 128);

    // Nothing new since: no second checkpoint; one more row, none yet.
    sign(&s, &admin, a, "tls", "revoked").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(
        (v["ok"].clone(), v["checkpoints"].clone()),
        (json!(true), json!(1))
    );
    s.stop();

    let out = cli(dir.path(), &["ledger", "verify"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("rows up to seq {signed} are signed")),
        "{}",
        text(&out)
    );

    // Someone with the database but not the key rewrites a signed row and
    // re-hashes the whole chain after it: every hash and link is consistent
    // again, but the checkpoint's signed hash no longer matches.
    let pool = db(dir.path()).await;
    let mut chain = rows(&pool).await;
    let victim = chain
        .iter()
        .position(|e| e.content().action == "done")
        .unwrap();
    assert!(chain[victim].content().seq < signed.into());
    chain[victim] = chain[victim].tampered(|c| c.note = "never checked".into());
    for i in victim..chain.len() {
        let mut content = chain[i].content().clone();
        if i > 0 {
            content.prev_hash = chain[i - 1].hash().to_string();
        }
        chain[i] = content.seal();
    }
    rewrite(&pool, &chain[victim..]).await;
    pool.close().await;
    assert!(shipshape_domain::chain::verify_chain(&chain[..signed as usize]).ok);

    let out = cli(dir.path(), &["ledger", "verify"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = text(&out);
    assert!(
        err.contains(&format!("broken at seq {}", signed + 1)),
        "names the checkpoint: {err}"
    );
    assert!(err.contains(&format!("seq {signed}")), "{err}");
    assert!(err.contains("changed after they were signed"), "{err}");
    // The server will not sign on top of it either.
    let out = cli(dir.path(), &["ledger", "checkpoint"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no checkpoint signed"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn a_checkpoint_signed_by_another_key_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    sign(&s, &admin, a, "spill", "done").await;
    s.stop();

    // `ledger checkpoint` signs now, once.
    let out = cli(dir.path(), &["ledger", "checkpoint"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("checkpoint seq"), "{}", text(&out));
    let out = cli(dir.path(), &["ledger", "checkpoint"], &[]);
    assert!(text(&out).contains("nothing to sign"), "{}", text(&out));
    let out = cli(dir.path(), &["ledger", "verify"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 checkpoint(s) verified"),
        "{}",
        text(&out)
    );

    // A row more, and a checkpoint over it made with some other key.
    let s = Server::start(dir.path());
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    sign(&s, &admin, a, "tls", "done").await;
    s.stop();
    let pool = db(dir.path()).await;
    let chain = rows(&pool).await;
    let tip = chain.last().unwrap();
    let other = SecretKey::from_bytes(&[7; 32]);
    let forged = EntryContent {
        seq: tip.content().seq.next(),
        at: tip.content().at,
        actor: "shipshape".into(),
        cluster_id: tip.content().cluster_id,
        item_id: "_checkpoint".into(),
        action: "checkpoint".into(),
        note: String::new(),
        details: CheckpointDetails::sign(&other, tip.content().seq, tip.hash())
            .to_json()
            .unwrap(),
        prev_hash: tip.hash().to_string(),
    }
    .seal();
    sqlx::query("INSERT INTO ledger (seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(forged.content().seq.get())
        .bind(forged.content().at.to_string())
        .bind(&forged.content().actor)
        .bind(forged.content().cluster_id.get())
        .bind(forged.content().item_id.as_str())
        .bind(&forged.content().action)
        .bind(&forged.content().note)
        .bind(&forged.content().details)
        .bind(&forged.content().prev_hash)
        .bind(forged.hash())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let out = cli(dir.path(), &["ledger", "verify"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = text(&out);
    assert!(
        err.contains(&format!("broken at seq {}", forged.content().seq)),
        "{err}"
    );
    assert!(err.contains("another key"), "{err}");
    assert!(err.contains(&other.public_key().fingerprint()), "{err}");

    // Only whoever trusts that other key would take it.
    let out = cli(
        dir.path(),
        &[
            "ledger",
            "verify",
            "--public-key",
            &other.public_key().to_hex(),
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the first checkpoint is the server's"
    );
    let out = cli(
        dir.path(),
        &["ledger", "verify", "--public-key", "abc"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--public-key"), "{}", text(&out));
}
