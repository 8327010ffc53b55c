//! Managers' view through the real server: waivers from request to decision
//! and their effect on the score, re-certification dates, the fleet API with
//! its filter, order and counts, the 90-day trend, the report, and which role
//! may call which endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use support::*;

fn in_days(n: i64) -> String {
    (Utc::now().date_naive() + Duration::days(n)).to_string()
}

async fn post(c: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let r = c.post(url).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn sign(s: &Server, c: &reqwest::Client, id: i64, item: &str) {
    let (status, _) = post(
        c,
        s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")),
        json!({"status": "done", "note": "checked"}),
    )
    .await;
    assert_eq!(status, 201);
}

fn fleet_entry<'a>(fleet: &'a Value, name: &str) -> &'a Value {
    fleet["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["cluster"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {fleet}"))
}

fn item<'a>(checklist: &'a Value, id: &str) -> &'a Value {
    checklist["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .find(|i| i["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn a_waiver_goes_from_request_to_approval_and_changes_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "alpha").await;
    let sam = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let maya = add_user(&s, &admin, "maya", "manager", "manager-pass-1").await;
    let aud = add_user(&s, &admin, "aud", "auditor", "auditor-pass-1").await;
    sign(&s, &sam, id, "spill").await;

    let before: Value = get_json(&maya, s.url("/api/v1/fleet")).await;
    let b = fleet_entry(&before, "alpha")["readiness"]["overall"].clone();
    assert_eq!(b["done"], 1);
    assert_eq!(b["waived"], 0);

    let request_url = s.url(&format!("/api/v1/clusters/{id}/items/tls/waivers"));
    // refused requests: wrong fields, wrong roles, a Day-2 task
    let (status, body) = post(
        &sam,
        request_url.clone(),
        json!({"kind": "forever", "reason": " ", "expires_on": in_days(0)}),
    )
    .await;
    assert_eq!(status, 422);
    let fields = &body["fields"];
    assert!(
        fields["kind"].is_string() && fields["reason"].is_string(),
        "{body}"
    );
    assert!(fields["expires_on"]
        .as_str()
        .unwrap()
        .contains("after today"));
    let good = json!({"kind": "accepted_risk", "reason": "internal network only, mTLS at the proxy", "expires_on": in_days(30)});
    for c in [&maya, &aud] {
        assert_eq!(post(c, request_url.clone(), good.clone()).await.0, 403);
    }
    let (status, body) = post(
        &sam,
        s.url(&format!(
            "/api/v1/clusters/{id}/items/weekly-failed-queries/waivers"
        )),
        good.clone(),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    let (status, w) = post(&sam, request_url.clone(), good.clone()).await;
    assert_eq!(status, 201, "{w}");
    assert_eq!(w["state"], "pending");
    assert_eq!(w["requested_by"], "sam");
    let seq = w["request_seq"].as_i64().unwrap();
    assert_eq!(
        post(&sam, request_url.clone(), good.clone()).await.0,
        422,
        "one pending request per item"
    );

    let pending: Value = get_json(&maya, s.url("/api/v1/fleet")).await;
    assert_eq!(fleet_entry(&pending, "alpha")["pending_waivers"], 1);
    assert_eq!(
        fleet_entry(&pending, "alpha")["readiness"]["overall"]["waived"],
        0,
        "a pending waiver does not count"
    );

    let decide_url = s.url(&format!("/api/v1/clusters/{id}/waivers/{seq}/decision"));
    for c in [&sam, &aud] {
        assert_eq!(
            post(c, decide_url.clone(), json!({"decision": "approve"}))
                .await
                .0,
            403
        );
    }
    let (status, body) = post(
        &maya,
        decide_url.clone(),
        json!({"decision": "reject", "note": ""}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["fields"]["decision"].as_str().unwrap().contains("why"));
    let (status, body) = post(&maya, decide_url.clone(), json!({"decision": "maybe"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, w) = post(
        &maya,
        decide_url.clone(),
        json!({"decision": "approve", "note": "until the proxy move"}),
    )
    .await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["state"], "approved");
    assert_eq!(w["decision"]["by"], "maya");
    let (status, body) = post(
        &maya,
        decide_url.clone(),
        json!({"decision": "reject", "note": "changed my mind"}),
    )
    .await;
    assert_eq!(status, 422, "a decided waiver stays decided: {body}");

    let after: Value = get_json(&maya, s.url("/api/v1/fleet")).await;
    let a = &fleet_entry(&after, "alpha")["readiness"]["overall"];
    assert_eq!(a["waived"], 1);
    assert_eq!(a["total"], b["total"]);
    let applicable = |p: &Value| {
        p["total"].as_u64().unwrap()
            - p["not_applicable"].as_u64().unwrap()
            - p["waived"].as_u64().unwrap()
    };
    assert_eq!(applicable(a), applicable(&b) - 1);

    let checklist: Value = get_json(&aud, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    let tls = item(&checklist, "tls");
    assert_eq!(tls["standing"], "waived");
    assert_eq!(tls["status"], "open", "the sign-off status is unchanged");
    assert_eq!(tls["waiver"]["state"], "approved");

    let list: Vec<Value> = get_json(&aud, s.url("/api/v1/waivers")).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["cluster_name"], "alpha");

    // every step is a ledger row, and the chain still verifies
    let history: Vec<Value> = get_json(
        &aud,
        s.url(&format!("/api/v1/clusters/{id}/items/tls/history")),
    )
    .await;
    let actions: Vec<&str> = history
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["waiver_approved", "waiver_requested"]);
    let verify: Value = get_json(&aud, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(verify["ok"], true, "{verify}");
}

#[tokio::test]
async fn nobody_approves_their_own_request() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "alpha").await;
    let (status, w) = post(
        &admin,
        s.url(&format!("/api/v1/clusters/{id}/items/audit/waivers")),
        json!({"kind": "not_applicable", "reason": "no audit sink yet", "expires_on": in_days(10)}),
    )
    .await;
    assert_eq!(status, 201);
    let seq = w["request_seq"].as_i64().unwrap();
    let (status, body) = post(
        &admin,
        s.url(&format!("/api/v1/clusters/{id}/waivers/{seq}/decision")),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["fields"]["decision"]
        .as_str()
        .unwrap()
        .contains("another manager"));
    assert_eq!(
        post(
            &admin,
            s.url(&format!("/api/v1/clusters/{id}/waivers/999/decision")),
            json!({"decision": "approve"})
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn the_fleet_filters_by_environment_sorts_worst_first_and_has_a_trend() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let a = create_cluster(&s, &admin, "alpha").await;
    let b = create_cluster(&s, &admin, "beta").await;
    let (status, _) = post(
        &admin,
        s.url("/api/v1/clusters"),
        json!({"name": "gamma", "environment": "staging", "coordinator_url": "https://g.example.com"}),
    )
    .await;
    assert_eq!(status, 201);
    for item in ["spill", "tls", "audit"] {
        sign(&s, &admin, b, item).await;
    }
    sign(&s, &admin, a, "spill").await;
    sign(&s, &admin, b, "backups").await;

    let fleet: Value = get_json(&admin, s.url("/api/v1/fleet")).await;
    assert!(fleet["score"].as_str().unwrap().contains("applicable"));
    let names: Vec<&str> = fleet["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cluster"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gamma", "alpha", "beta"], "worst first");
    let beta = fleet_entry(&fleet, "beta");
    assert_eq!(beta["readiness"]["overall"]["done"], 4);
    assert!(beta["readiness"]["sections"].as_array().unwrap().len() > 5);
    assert_eq!(
        beta["overdue_tasks"], 0,
        "a new cluster has nothing overdue"
    );

    let prod: Value = get_json(&admin, s.url("/api/v1/fleet?env=PROD")).await;
    let names: Vec<&str> = prod["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cluster"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);

    // re-certification: backups are valid for 30 days from the sign-off
    let checklist: Value =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{b}/checklist"))).await;
    let backups = item(&checklist, "backups");
    assert_eq!(backups["valid_for_days"], 30);
    let signed = chrono::DateTime::parse_from_rfc3339(backups["at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(backups["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - signed, Duration::days(30));
    assert_eq!(backups["standing"], "done");
    assert!(item(&checklist, "spill")["expires_at"].is_null());

    let trend: Vec<Value> = get_json(&admin, s.url(&format!("/api/v1/clusters/{b}/trend"))).await;
    assert_eq!(trend.len(), 90);
    let last = trend.last().unwrap();
    assert_eq!(last["date"], Utc::now().date_naive().to_string());
    assert_eq!(last["progress"]["done"], 4);
    assert_eq!(
        trend[0]["progress"]["total"], 0,
        "not registered 90 days ago"
    );
    let fleet_trend: Vec<Value> = get_json(&admin, s.url("/api/v1/fleet/trend?env=prod")).await;
    assert_eq!(fleet_trend.last().unwrap()["progress"]["done"], 5);

    let report: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{b}/report"))).await;
    assert_eq!(report["cluster"]["name"], "beta");
    assert_eq!(report["generated_by"], "admin");
    assert!(report["ledger_head"][0].as_i64().unwrap() >= 5);
    let page = admin
        .get(s.url(&format!("/clusters/{b}/report")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Readiness report: beta"),
        "the report renders on the server"
    );
}

/// Every endpoint, every role: what each may do is enforced by the server.
#[tokio::test]
async fn each_endpoint_enforces_roles() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "alpha").await;
    let sam = add_user(&s, &admin, "sam", "sre", "sre-pass-123").await;
    let maya = add_user(&s, &admin, "maya", "manager", "manager-pass-1").await;
    let aud = add_user(&s, &admin, "aud", "auditor", "auditor-pass-1").await;
    let (_, w) = post(
        &sam,
        s.url(&format!("/api/v1/clusters/{id}/items/tls/waivers")),
        json!({"kind": "accepted_risk", "reason": "r", "expires_on": in_days(5)}),
    )
    .await;
    let seq = w["request_seq"].as_i64().unwrap();

    let reads = [
        "/api/v1/fleet".to_string(),
        "/api/v1/fleet/trend".into(),
        "/api/v1/clusters".into(),
        format!("/api/v1/clusters/{id}"),
        format!("/api/v1/clusters/{id}/checklist"),
        format!("/api/v1/clusters/{id}/checks"),
        format!("/api/v1/clusters/{id}/trend"),
        format!("/api/v1/clusters/{id}/report"),
        format!("/api/v1/clusters/{id}/items/tls/history"),
        format!("/api/v1/clusters/{id}/tasks"),
        "/api/v1/tasks".into(),
        "/api/v1/waivers".into(),
        "/api/v1/export/signoffs.csv".into(),
        "/api/v1/export/signoffs.jsonl".into(),
        "/api/v1/export/bundle.zip".into(),
        "/api/v1/ledger/verify".into(),
    ];
    let anonymous = client();
    for path in &reads {
        for (who, c) in [("sre", &sam), ("manager", &maya), ("auditor", &aud)] {
            let r = c.get(s.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{who} reads {path}");
        }
        let r = anonymous.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous reads {path}");
    }

    // (path, body, the roles allowed) — a refused role gets 403 and nothing changes
    let cluster =
        json!({"name": "x", "environment": "prod", "coordinator_url": "https://x.example.com"});
    let writes: Vec<(String, Value, &[&str])> = vec![
        ("/api/v1/clusters".into(), cluster.clone(), &["sre"]),
        (
            format!("/api/v1/clusters/{id}/items/spill/signoffs"),
            json!({"status": "done"}),
            &["sre"],
        ),
        (
            format!("/api/v1/clusters/{id}/checks/run"),
            json!({}),
            &["sre"],
        ),
        (
            format!("/api/v1/clusters/{id}/items/audit/waivers"),
            json!({"kind": "accepted_risk", "reason": "r", "expires_on": in_days(5)}),
            &["sre"],
        ),
        (
            format!("/api/v1/clusters/{id}/waivers/{seq}/decision"),
            json!({"decision": "approve"}),
            &["manager"],
        ),
        (
            "/api/v1/users".into(),
            json!({"username": "zed", "role": "sre", "password": "zed-pass-1234"}),
            &[],
        ),
        // last: archiving changes what the writes above may do
        (
            format!("/api/v1/clusters/{id}/archive"),
            json!({}),
            &["sre"],
        ),
    ];
    for (path, body, allowed) in &writes {
        for (who, c) in [("sre", &sam), ("manager", &maya), ("auditor", &aud)] {
            let r = c.post(s.url(path)).json(body).send().await.unwrap();
            let status = r.status().as_u16();
            if allowed.contains(&who) {
                assert_ne!(status, 403, "{who} may POST {path}");
                assert_ne!(status, 401, "{who} may POST {path}");
            } else {
                assert_eq!(status, 403, "{who} may not POST {path}");
            }
        }
        let r = anonymous.post(s.url(path)).json(body).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous POST {path}");
    }
    let r = aud
        .put(s.url(&format!("/api/v1/clusters/{id}")))
        .json(&cluster)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "auditors edit no cluster");
}
