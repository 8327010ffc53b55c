//! The client against the project's Trino simulator, served in-process.

use super::*;
use trino_sim::scenario::Scenario;

/// Whether an error is the one a fault should produce.
type Expect = fn(&TrinoError) -> bool;

const HEALTHY: &str = include_str!("../../../sim/scenarios/healthy.toml");
const NODES: &str =
    "SELECT node_id, http_uri, node_version, coordinator, state FROM system.runtime.nodes";

async fn sim(prefix: &str) -> Url {
    let scenario = Scenario::parse("test", &format!("{prefix}\n{HEALTHY}")).expect("scenario");
    let base = trino_sim::serve_on_loopback(scenario).await.unwrap();
    Url::parse(&format!("{base}/")).unwrap()
}

fn target(base: Url, user: &str) -> Target {
    Target {
        base_url: base,
        user: user.into(),
        auth: Auth::None,
        query_timeout: Duration::from_secs(5),
    }
}

fn client() -> reqwest::Client {
    http_client(Duration::from_secs(2), None, false).unwrap()
}

#[tokio::test]
async fn reads_rows_spread_over_pages() {
    let out = query(&client(), &target(sim("").await, "alice"), NODES)
        .await
        .unwrap();
    assert_eq!(out.columns.len(), 5);
    assert_eq!(
        out.columns[3],
        Column {
            name: "coordinator".into(),
            type_name: "boolean".into()
        }
    );
    assert_eq!(out.rows.len(), 4);
    assert_eq!(out.rows[2][0], "worker-2");
    assert!(out.query_id.contains("simul"));
}

#[tokio::test]
async fn query_errors_carry_trino_error_name_and_type() {
    let e = query(
        &client(),
        &target(sim("").await, "alice"),
        "SELECT * FROM hr.salaries",
    )
    .await
    .unwrap_err();
    match e {
        TrinoError::QueryFailed {
            name,
            code,
            error_type,
            message,
        } => {
            assert_eq!(
                (name.as_str(), code, error_type.as_str()),
                ("PERMISSION_DENIED", 4, "USER_ERROR")
            );
            assert!(message.starts_with("Access Denied: "));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn retries_503_and_429_then_succeeds() {
    for fault in ["http503_then_ok", "http429"] {
        let t = std::time::Instant::now();
        let out = query(
            &client(),
            &target(sim(&format!("fault = \"{fault}\"")).await, "alice"),
            NODES,
        )
        .await;
        assert_eq!(out.unwrap().rows.len(), 4, "{fault}");
        if fault == "http429" {
            assert!(
                t.elapsed() >= Duration::from_secs(1),
                "Retry-After: 1 was honoured"
            );
        }
    }
}

#[tokio::test]
async fn faults_become_classified_errors() {
    let cases: [(&str, Expect); 4] = [
        ("http500", |e| matches!(e, TrinoError::Http(500))),
        (
            "malformed_json",
            |e| matches!(e, TrinoError::Protocol(m) if m.contains("JSON")),
        ),
        (
            "relative_next_uri",
            |e| matches!(e, TrinoError::Protocol(m) if m.contains("absolute")),
        ),
        ("require_credentials", |e| {
            matches!(e, TrinoError::Unauthorized)
        }),
    ];
    for (fault, expected) in cases {
        let e = query(
            &client(),
            &target(sim(&format!("fault = \"{fault}\"")).await, "alice"),
            NODES,
        )
        .await
        .unwrap_err();
        assert!(expected(&e), "{fault}: {e:?}");
    }
}

#[tokio::test]
async fn a_hung_cluster_times_out_within_the_limit() {
    let mut t = target(sim("fault = \"hang\"").await, "alice");
    t.query_timeout = Duration::from_millis(300);
    let start = std::time::Instant::now();
    let e = query(&client(), &t, NODES).await.unwrap_err();
    assert!(matches!(e, TrinoError::Timeout(_)), "{e:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn unreachable_and_insecure_password_are_refused_clearly() {
    let dead = Url::parse("http://127.0.0.1:9/").unwrap();
    let e = query(&client(), &target(dead, "alice"), NODES)
        .await
        .unwrap_err();
    assert!(matches!(e, TrinoError::Unreachable(_)), "{e:?}");
    let mut t = target(sim("").await, "alice");
    t.auth = Auth::Basic {
        user: "alice".into(),
        password: SecretString::from("pw"),
    };
    let e = query(&client(), &t, NODES).await.unwrap_err();
    assert!(
        matches!(e, TrinoError::Config(ref m) if m.contains("https")),
        "{e:?}"
    );
    assert!(
        !format!("{t:?}").contains("\"pw\""),
        "the password never shows in Debug"
    );
}

#[test]
fn pages_missing_required_fields_are_protocol_violations() {
    let ok = serde_json::json!({"id": "q", "infoUri": "http://x/ui", "stats": {}});
    assert!(parse_page(&ok).is_ok());
    for field in ["id", "infoUri", "stats"] {
        let mut v = ok.clone();
        v.as_object_mut().unwrap().remove(field);
        assert!(matches!(parse_page(&v), Err(TrinoError::Protocol(m)) if m.contains(field)));
    }
    let mut v = ok.clone();
    v["error"] = serde_json::json!({"message": "x", "errorName": "X"});
    assert!(matches!(parse_page(&v), Err(TrinoError::Protocol(m)) if m.contains("errorType")));
}
