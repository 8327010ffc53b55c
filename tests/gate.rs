//! The readiness gate for CI: `shipshape gate` against the real server with
//! an API token (exit codes 0, 1 and 2; text, JSON and JUnit output), and
//! `GET /api/v1/clusters/{id}/gate` for pipelines that only have curl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use support::*;

fn gate(s: &Server, token: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "gate",
        "--server",
        s.base.as_str(),
        "--token",
        token,
        "--cluster",
        "analytics-prod",
    ];
    args.extend_from_slice(extra);
    let out = cli(&s.data, &args, &[]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_gate_says_ready_or_names_what_blocks_with_exit_codes_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "analytics-prod").await;
    let r = admin
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": "ci-gate", "expires_in_days": 30, "read_only": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Nothing signed off: not ready, each open item named.
    let (code, out, err) = gate(&s, &token, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("analytics-prod: NOT READY (score 0%, required 100%)"),
        "{out}"
    );
    assert!(out.contains("(spill): not signed off"), "{out}");
    assert!(
        err.contains("cluster 'analytics-prod' is not ready"),
        "{err}"
    );

    // Sign off every scored item but one.
    let checklist: Value =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    let mut scored = Vec::new();
    for section in checklist["sections"].as_array().unwrap() {
        if section["recurring"].as_bool().unwrap_or(false) {
            continue;
        }
        for item in section["items"].as_array().unwrap() {
            scored.push((
                section["id"].as_str().unwrap().to_string(),
                item["id"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert!(scored.len() >= 20, "{}", scored.len());
    let (last_section, last_item) = scored.last().cloned().unwrap();
    for (_, item) in &scored[..scored.len() - 1] {
        let r = admin
            .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
            .json(&json!({"status": "done", "note": "gate"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{item}");
    }
    let (code, out, _) = gate(&s, &token, &["--min-score", "90"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": READY (score 9"), "{out}");
    // The last item's section is required: that one item blocks.
    let (code, out, _) = gate(
        &s,
        &token,
        &[
            "--min-score",
            "90",
            "--require-section",
            &last_section,
            "--format",
            "junit",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("<?xml"));
    assert_eq!(out.matches("<testcase ").count(), scored.len() + 1, "{out}");
    assert_eq!(
        out.matches("<failure ").count(),
        2,
        "the score case and the item: {out}"
    );
    assert!(out.contains("failures=\"2\""));
    let (code, out, _) = gate(&s, &token, &["--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ready"], false);
    assert_eq!(v["blocking"][0]["item_id"], last_item.as_str());

    // The same answer over HTTP: 200 ready, 412 not, 422 for a bad bar.
    let bot = client();
    let ask = |q: &str| {
        bot.get(s.url(&format!("/api/v1/clusters/{id}/gate{q}")))
            .bearer_auth(&token)
            .send()
    };
    let r = ask("?min_score=90").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["ready"], true);
    let r = ask("").await.unwrap();
    assert_eq!(r.status(), 412);
    let r = ask("?format=junit").await.unwrap();
    assert_eq!(r.status(), 412);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    for bad in [
        "?min_score=abc",
        "?min_score=101",
        "?require_section=nope",
        "?format=yaml",
    ] {
        assert_eq!(ask(bad).await.unwrap().status(), 422, "{bad}");
    }
    assert_eq!(
        client()
            .get(s.url(&format!("/api/v1/clusters/{id}/gate")))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Usage and connection errors exit 2.
    let (code, _, err) = gate(&s, "shp_not-a-token", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("401"), "{err}");
    let (code, _, _) = gate(&s, &token, &["--min-score", "101"]);
    assert_eq!(code, 2);
    let out = cli(
        &s.data,
        &[
            "gate",
            "--server",
            &s.base,
            "--token",
            &token,
            "--cluster",
            "nope",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cluster named 'nope'"));
    let closed = format!("http://127.0.0.1:{}", free_port());
    let out = cli(
        &s.data,
        &[
            "gate",
            "--server",
            &closed,
            "--token",
            &token,
            "--cluster",
            "x",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));

    // The last sign-off: ready by default.
    let r = admin
        .post(s.url(&format!("/api/v1/clusters/{id}/items/{last_item}/signoffs")))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (code, out, _) = gate(&s, &token, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("analytics-prod: READY (score 100%, required 100%)"),
        "{out}"
    );
}
