//! Auditors' exports of the sign-off history through the real server:
//! CSV and JSON Lines match the ledger row for row, filters work, bad
//! filters are refused, and only logged-in users may export.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use support::*;

async fn sign(s: &Server, c: &reqwest::Client, id: i64, item: &str, status: &str, note: &str) {
    let r = c
        .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
        .json(&json!({"status": status, "note": note}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

/// Splits CSV text into records (handles quoted fields with commas, quotes
/// and line breaks), enough to check an export.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn exports_match_the_ledger_row_for_row_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    let b = create_cluster(&s, &admin, "beta").await;
    let sam = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let auditor = add_user(&s, &admin, "aud", "auditor", "auditor-pass-1").await;
    sign(
        &s,
        &admin,
        a,
        "spill",
        "done",
        "spill on, \"nvme\"\nsecond line",
    )
    .await;
    sign(
        &s,
        &admin,
        a,
        "tls",
        "not_applicable",
        "internal only, behind mTLS proxy",
    )
    .await;
    sign(&s, &admin, a, "spill", "revoked", "").await;
    sign(&s, &sam, b, "spill", "done", "ok").await;

    let csv = auditor
        .get(s.url("/api/v1/export/signoffs.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let rows = parse_csv(&csv.text().await.unwrap());
    assert_eq!(
        rows[0],
        [
            "seq",
            "at",
            "actor",
            "cluster_id",
            "item_id",
            "action",
            "note",
            "details",
            "prev_hash",
            "hash",
            "cluster_name"
        ]
    );
    // The cluster's name beside its id; account rows name no cluster.
    assert_eq!(rows[6][3], a.to_string());
    assert_eq!(rows[6][10], "alpha");
    assert_eq!(rows[1][10], "");
    // Row 1 records the first admin, rows 2-3 the clusters, rows 4-5 the
    // other two accounts (sam, the auditor); then the sign-offs.
    assert_eq!(
        rows.len(),
        10,
        "a header, three new accounts, two cluster registrations and four sign-offs"
    );
    assert_eq!(rows[1][5], "account_created");
    assert_eq!(rows[1][4], "_account");
    assert_eq!(rows[2][5], "cluster_registered");
    assert_eq!(rows[2][4], "_cluster");
    assert_eq!(rows[4][5], "account_created");
    assert_eq!(
        rows[6][6], "spill on, \"nvme\"\nsecond line",
        "quotes and line breaks survive"
    );
    // Row for row the chain: each row links to the one before, and the last
    // is the head the verifier reports.
    for w in rows[1..].windows(2) {
        assert_eq!(w[1][8], w[0][9]);
    }
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(rows[9][9], v["head"].as_str().unwrap());
    // The same rows as the item history shows.
    let history: Vec<Value> = get_json(
        &admin,
        s.url(&format!("/api/v1/clusters/{a}/items/spill/history")),
    )
    .await;
    assert_eq!(history[1]["hash"], rows[6][9].as_str());

    let jsonl = auditor
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
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[8]["actor"], "sam");
    assert_eq!(lines[5]["hash"], rows[6][9].as_str());

    let count = |q: &'static str| {
        let (c, url) = (
            auditor.clone(),
            s.url(&format!("/api/v1/export/signoffs.jsonl?{q}")),
        );
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .lines()
                .count()
        }
    };
    assert_eq!(
        count("cluster=2").await,
        2,
        "its registration and its sign-off"
    );
    assert_eq!(
        count("user=SAM").await,
        1,
        "user names match case-insensitively"
    );
    assert_eq!(count("item=spill").await, 3);
    let today = chrono::Utc::now().date_naive();
    let tomorrow = (today + chrono::Days::new(1)).to_string();
    let q: &'static str = Box::leak(format!("from={today}&to={today}").into_boxed_str());
    assert_eq!(count(q).await, 9);
    let q: &'static str = Box::leak(format!("from={tomorrow}").into_boxed_str());
    assert_eq!(count(q).await, 0);

    let r = auditor
        .get(s.url("/api/v1/export/signoffs.csv?from=last-week"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // An item or cluster that names nothing is refused, not answered with
    // an empty export; so is an end before the start.
    assert_eq!(count("item=_account").await, 3, "the ledger's own rows");
    for q in ["item=no-such-item", "cluster=999"] {
        for path in ["signoffs.csv", "signoffs.jsonl", "bundle.zip"] {
            let r = auditor
                .get(s.url(&format!("/api/v1/export/{path}?{q}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{path}?{q}");
        }
    }
    // A browser following the export page's button gets a page with the
    // reason and a way back, not a JSON document.
    let r = auditor
        .get(s.url(&format!(
            "/api/v1/export/bundle.zip?from={tomorrow}&to={today}"
        )))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(
        page.contains("The end date is before the start date."),
        "{page}"
    );
    assert!(page.contains("href=\"/export\""), "{page}");
    assert_eq!(
        client()
            .get(s.url("/api/v1/export/signoffs.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Auditors read and export; they change nothing.
    let r = auditor
        .post(s.url(&format!("/api/v1/clusters/{a}/items/tls/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn csv_cells_a_spreadsheet_would_run_get_a_leading_quote() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    sign(&s, &admin, a, "spill", "done", "=HYPERLINK(\"http://x\")").await;
    sign(&s, &admin, a, "tls", "not_applicable", "-1 node, '+' ok").await;
    sign(&s, &admin, a, "spill", "revoked", "'already quoted").await;
    sign(&s, &admin, a, "spill", "done", "plain, = inside").await;

    let csv = admin
        .get(s.url("/api/v1/export/signoffs.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows = parse_csv(&csv);
    let notes: Vec<&str> = rows[1..]
        .iter()
        .filter(|r| ["done", "not_applicable", "revoked"].contains(&r[5].as_str()))
        .map(|r| r[6].as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "'=HYPERLINK(\"http://x\")",
            "'-1 node, '+' ok",
            "''already quoted",
            "plain, = inside"
        ]
    );
    // JSON Lines carry the notes as they are.
    let jsonl = admin
        .get(s.url("/api/v1/export/signoffs.jsonl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let notes: Vec<String> = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| {
            !["cluster_registered", "account_created"].contains(&v["action"].as_str().unwrap_or(""))
        })
        .map(|v| v["note"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(notes[0], "=HYPERLINK(\"http://x\")");
    assert_eq!(notes[2], "'already quoted");
}
