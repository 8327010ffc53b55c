//! Upgrading a database that already holds history: the migration that
//! rebuilds the ledger (so install-level rows need no cluster) keeps every
//! row, every hash and every attachment's link to its row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use shipshape_backend::store::sqlite::MIGRATOR;
use shipshape_domain::chain::verify_chain;
use shipshape_domain::ledger::{EntryContent, LedgerEntry, GENESIS_HASH};
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};

/// The version of the migration that rebuilds the ledger.
const REBUILD: i64 = 20261202000013;

#[tokio::test]
async fn the_ledger_rebuild_keeps_rows_hashes_and_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true)
        .connect()
        .await
        .unwrap();
    // The schema as it was before the rebuild.
    let before = Migrator {
        migrations: MIGRATOR
            .migrations
            .iter()
            .filter(|m| m.version < REBUILD)
            .cloned()
            .collect(),
        ..Migrator::DEFAULT
    };
    before.run(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO clusters (id, name, environment, coordinator_url, notes, connection, created_at, updated_at) VALUES (1, 'c', 'prod', 'https://t.example.com', '', '{}', 't', 't')")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut prev = GENESIS_HASH.to_string();
    let mut rows: Vec<LedgerEntry> = Vec::new();
    for seq in 1..=3 {
        let e = EntryContent {
            seq: shipshape_domain::ids::Seq::new(seq),
            at: shipshape_domain::time::Timestamp::parse(&format!(
                "2026-11-2{seq}T10:00:00.000000Z"
            ))
            .unwrap(),
            actor: "sam".into(),
            cluster_id: shipshape_domain::ids::ClusterId::new(1),
            item_id: "spill".into(),
            action: "done".into(),
            note: format!("row {seq}"),
            details: String::new(),
            prev_hash: prev.clone(),
        }
        .seal();
        sqlx::query("INSERT INTO ledger (seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(e.content().seq.get()).bind(e.content().at.to_string()).bind(&e.content().actor).bind(e.content().cluster_id.get())
            .bind(e.content().item_id.as_str()).bind(&e.content().action).bind(&e.content().note).bind(&e.content().details)
            .bind(&e.content().prev_hash).bind(e.hash())
            .execute(&mut conn).await.unwrap();
        prev = e.hash().to_string();
        rows.push(e);
    }
    sqlx::query("INSERT INTO attachments (ledger_seq, sha256, name, content_type, size, uploaded_by, uploaded_at) VALUES (2, ?, 'a.png', 'image/png', 1, 'sam', 't')")
        .bind("0".repeat(64))
        .execute(&mut conn)
        .await
        .unwrap();

    // The upgrade.
    MIGRATOR.run(&mut conn).await.unwrap();

    let after: Vec<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM ledger ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let hashes: Vec<(i64, String)> = rows
        .iter()
        .map(|r| (r.content().seq.get(), r.hash().to_string()))
        .collect();
    assert_eq!(after, hashes, "every row and hash kept");
    assert!(verify_chain(&rows).ok);
    let violations = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(
        violations.is_empty(),
        "attachments still point at their rows"
    );
    let linked: i64 =
        sqlx::query("SELECT count(*) FROM attachments a JOIN ledger l ON l.seq = a.ledger_seq")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
    assert_eq!(linked, 1);
    // Install-level rows need no cluster now; the ledger is still append-only.
    sqlx::query("INSERT INTO ledger (seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash) VALUES (4, 't', 'admin', 0, '_account', 'role_changed', 'n', '', ?, ?)")
        .bind(&prev)
        .bind("f".repeat(64))
        .execute(&mut conn)
        .await
        .unwrap();
    assert!(sqlx::query("UPDATE ledger SET note = 'x' WHERE seq = 1")
        .execute(&mut conn)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM ledger WHERE seq = 1")
        .execute(&mut conn)
        .await
        .is_err());
    // And an attachment must still name an existing row.
    assert!(sqlx::query("INSERT INTO attachments (ledger_seq, sha256, name, content_type, size, uploaded_by, uploaded_at) VALUES (99, 'x', 'b', 't', 1, 'sam', 't')")
        .execute(&mut conn)
        .await
        .is_err());
}
