//! Hot backup and restore: `shipshape backup` while 8 writers sign off
//! through the real server is a consistent prefix of the chain with every
//! attachment; `shipshape restore` into an empty data directory gives an
//! install whose `ledger verify` is ok at the backup's head; partial or
//! altered backups, and non-empty targets, are refused with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use support::*;

fn run(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = cli(data, args, &[]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_backup_under_eight_writers_restores_to_a_verified_prefix_of_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "analytics-prod").await;
    // One sign-off with an evidence file, so there is an attachment to copy.
    let evidence = b"spill volume mounted on every worker\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("status", "done")
        .text("note", "with evidence")
        .part(
            "files",
            reqwest::multipart::Part::bytes(evidence.clone())
                .file_name("spill.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/spill/signoffs")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // Eight writers sign off while the backup runs.
    let items = [
        "tls",
        "jvm",
        "coordinator-isolation",
        "memory-guardrails",
        "authorization",
        "authentication",
        "centralized-logs",
        "prometheus-grafana",
    ];
    let mut writers = Vec::new();
    for item in items {
        let (c, url) = (
            admin.clone(),
            s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")),
        );
        writers.push(tokio::spawn(async move {
            for n in 0..40 {
                let status = if n % 2 == 0 { "done" } else { "revoked" };
                let r = c
                    .post(&url)
                    .json(&json!({"status": status, "note": format!("w{n}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let backup_dir = dir.path().join("backup-1");
    let (data, to) = (dir.path().to_path_buf(), backup_dir.clone());
    let (code, out, err) =
        tokio::task::spawn_blocking(move || run(&data, &["backup", "--to", to.to_str().unwrap()]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{out}{err}");
    for w in writers {
        w.await.unwrap();
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup_dir.join("manifest.json")).unwrap()).unwrap();
    let head_seq = manifest["head_seq"].as_i64().unwrap();
    let head_hash = manifest["head_hash"].as_str().unwrap().to_string();
    assert!(
        out.contains(&format!("ledger head seq {head_seq} hash {head_hash}")),
        "{out}"
    );
    let paths: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"shipshape.db") && paths.contains(&"keys/ledger-signing.key"),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.starts_with("attachments/")),
        "{paths:?}"
    );

    // A prefix of the live chain: the live row at the backup's head has its hash.
    let live: Vec<Value> = get_text(&admin, s.url("/api/v1/export/signoffs.jsonl"))
        .await
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total = live.len() as i64;
    assert!(
        head_seq > 5 && head_seq <= total,
        "head {head_seq} of {total}"
    );
    let at_head = live.iter().find(|r| r["seq"] == head_seq).unwrap();
    assert_eq!(at_head["hash"], head_hash.as_str());

    // A restore must say which signing key it trusts: the key inside a
    // backup proves nothing about who wrote it.
    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().join("data");
    let (code, _, err) = run(
        &target,
        &["restore", "--from", backup_dir.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--public-key"), "{err}");
    let other_key = "ab".repeat(32);
    let (code, _, err) = run(
        &target,
        &[
            "restore",
            "--from",
            backup_dir.to_str().unwrap(),
            "--public-key",
            &other_key,
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("is not the trusted one") || err.contains("public-key"),
        "{err}"
    );
    assert!(!target.join("shipshape.db").exists());
    // Restore into an empty data directory with the install's public key,
    // recorded beforehand; the ledger verifies at that head.
    let (code, key_out, err) = run(dir.path(), &["ledger", "key"]);
    assert_eq!(code, 0, "{err}");
    let public_key = key_out
        .lines()
        .find_map(|l| l.strip_prefix("public key:"))
        .unwrap()
        .trim()
        .to_string();
    let (code, out, err) = run(
        &target,
        &[
            "restore",
            "--from",
            backup_dir.to_str().unwrap(),
            "--public-key",
            &public_key,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&target, &["ledger", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("ledger ok: {head_seq} entries, head {head_hash}")),
        "{out}"
    );
    // The restored server serves the evidence file.
    drop(s);
    let s2 = Server::start(&target);
    let c = login(&s2, "admin", ADMIN_PASSWORD).await;
    let tasks_rows = get_text(&c, s2.url("/api/v1/export/signoffs.jsonl?item=spill")).await;
    let sha = hex_sha256(&evidence);
    assert!(tasks_rows.contains(&sha), "{tasks_rows}");
    let r = c
        .get(s2.url(&format!("/api/v1/attachments/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), evidence);
    drop(s2);

    // Refusals, with nothing written.
    let (code, _, err) = run(
        &target,
        &[
            "restore",
            "--from",
            backup_dir.to_str().unwrap(),
            "--trust-backup-key",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("already holds an install"), "{err}");
    let altered = dir.path().join("backup-altered");
    copy_dir(&backup_dir, &altered);
    let attachment = paths
        .iter()
        .find(|p| p.starts_with("attachments/"))
        .unwrap();
    std::fs::write(altered.join(attachment), b"forged evidence\n").unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        fresh.path(),
        &[
            "restore",
            "--from",
            altered.to_str().unwrap(),
            "--trust-backup-key",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("was altered"), "{err}");
    assert!(!fresh.path().join("shipshape.db").exists());
    let partial = dir.path().join("backup-partial");
    copy_dir(&backup_dir, &partial);
    std::fs::remove_file(partial.join("manifest.json")).unwrap();
    let (code, _, err) = run(
        fresh.path(),
        &[
            "restore",
            "--from",
            partial.to_str().unwrap(),
            "--trust-backup-key",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("did not finish"), "{err}");
    assert!(!fresh.path().join("shipshape.db").exists());
    let (code, _, err) = run(
        dir.path(),
        &["backup", "--to", backup_dir.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(err.contains("is not empty"), "{err}");
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// With `backup_dir` set, the server backs itself up every interval and
/// keeps the newest `backup_keep` complete backups.
#[tokio::test]
async fn scheduled_backups_keep_the_newest_ones() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let s = Server::start_env(
        &dir.path().join("data"),
        &[],
        &[
            ("SHIPSHAPE_BACKUP_DIR", backups.to_str().unwrap()),
            ("SHIPSHAPE_BACKUP_INTERVAL_SECS", "1"),
            ("SHIPSHAPE_BACKUP_KEEP", "2"),
        ],
    );
    let _admin = setup_admin(&s).await;
    let complete = || -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(&backups)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.join("manifest.json").is_file())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "backups seen: {seen:?}"
        );
        let now = complete();
        assert!(
            now.len() <= 3,
            "more than keep (+ one being pruned): {now:?}"
        );
        seen.extend(now);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let kept = complete();
    assert!(kept.len() <= 2 + 1, "{kept:?}");
    drop(s);
    // Each kept one restores.
    let newest = complete().pop().unwrap();
    let target = dir.path().join("restored");
    let (code, out, err) = run(
        &target,
        &[
            "restore",
            "--from",
            newest.to_str().unwrap(),
            "--trust-backup-key",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
}
