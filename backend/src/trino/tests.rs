//! The client against the project's Trino simulator, served in-process.

use super::*;
use trino_sim::scenario::Scenario;

/// Whether an error is the one a fault should produce.
type Expect = fn(&TrinoError) -> bool;

const HEALTHY: &str = include_str!("../../../sim/scenarios/healthy.toml");
const NODES: &str =
    "SELECT node_id, http_uri, node_version, coordinator, state FROM system.runtime.nodes";

/// The healthy cluster over plain HTTP, without passwords: for protocol details.
async fn sim(prefix: &str) -> Url {
    let scenario = Scenario::parse("test", &format!("{prefix}\n{HEALTHY}")).expect("scenario");
    let base = trino_sim::serve_on_loopback(scenario.plain())
        .await
        .unwrap();
    Url::parse(&format!("{base}/")).unwrap()
}

/// The healthy cluster as it ships: HTTPS with a test CA, and passwords.
async fn secure_sim(prefix: &str) -> (Url, String) {
    serve_secure(&format!("{prefix}\n{HEALTHY}")).await
}

/// Serves an HTTPS scenario; returns its base URL and its CA's PEM.
async fn serve_secure(scenario: &str) -> (Url, String) {
    let scenario = Scenario::parse("test", scenario).expect("scenario");
    let served = trino_sim::serve_loopback(scenario).await.unwrap();
    let url = Url::parse(&format!("{}/", served.url)).unwrap();
    (url, served.ca_pem.expect("a CA for an HTTPS scenario"))
}

fn trusting(ca: &str) -> reqwest::Client {
    http_client(Duration::from_secs(2), Some(ca.as_bytes()), false).unwrap()
}

fn basic(password: &str) -> Auth {
    Auth::Basic {
        user: "shipshape".into(),
        password: SecretString::from(password.to_string()),
    }
}

fn target(base: Url, user: &str) -> Target {
    Target {
        base_url: base,
        user: user.into(),
        auth: Auth::None,
        query_timeout: Duration::from_secs(5),
        max_body: super::DEFAULT_MAX_BODY,
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

#[tokio::test]
async fn https_with_the_cluster_ca_and_a_password_works() {
    let (url, ca) = secure_sim("").await;
    assert_eq!(url.scheme(), "https");
    let trusting = trusting(&ca);
    let mut t = target(url.clone(), "shipshape");
    t.auth = basic("shipshape-sim-password");
    let out = query(&trusting, &t, NODES).await.unwrap();
    assert_eq!(out.rows.len(), 4);
    // Node URIs point back at the simulator over HTTPS.
    assert!(out.rows[1][1].as_str().unwrap().starts_with("https://"));

    // The presented certificate is readable, with its names and dates.
    let a = get(&trusting, &t, "/v1/info", Credentials::Withhold)
        .await
        .unwrap();
    let cert = cert_facts(&a.peer_certificate.expect("a peer certificate")).unwrap();
    assert!(cert.names.contains(&"127.0.0.1".to_string()), "{cert:?}");
    assert_eq!(cert.lifetime_days(), 120);
    assert!(cert.issuer.contains("trino-sim test CA"), "{}", cert.issuer);

    // A wrong password is a 401; no password is a 401 with WWW-Authenticate.
    t.auth = basic("wrong");
    let e = query(&trusting, &t, NODES).await.unwrap_err();
    assert_eq!(e, TrinoError::Unauthorized);
    let a = anonymous_statement(&trusting, &t).await.unwrap();
    assert_eq!(a.status, 401);
    assert!(a.www_authenticate.unwrap().starts_with("Basic"));

    // Without the CA the certificate is not trusted, and the error says so.
    let e = query(&client(), &t, NODES).await.unwrap_err();
    assert!(
        matches!(e, TrinoError::Tls(ref m) if m.contains("not signed by a trusted CA")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_bearer_token_authenticates_too() {
    let (url, ca) = secure_sim("").await;
    let trusting = trusting(&ca);
    let mut t = target(url, "jwt-user");
    t.auth = Auth::Bearer(SecretString::from("shipshape-sim-jwt"));
    assert_eq!(query(&trusting, &t, NODES).await.unwrap().rows.len(), 4);
    t.auth = Auth::Bearer(SecretString::from("forged"));
    assert_eq!(
        query(&trusting, &t, NODES).await.unwrap_err(),
        TrinoError::Unauthorized
    );
}

#[tokio::test]
async fn expired_and_wrong_host_certificates_are_named() {
    let refusal = |text: String| async move {
        let (url, ca) = serve_secure(&text).await;
        let t = target(url, "shipshape");
        let e = get(&trusting(&ca), &t, "/v1/info", Credentials::Withhold)
            .await
            .unwrap_err();
        (t, e)
    };
    let (_, e) = refusal(HEALTHY.replace("expires_in_days = 90", "expires_in_days = -2")).await;
    assert!(
        matches!(e, TrinoError::Tls(ref m) if m.contains("expired")),
        "{e:?}"
    );
    let (t, e) = refusal(HEALTHY.replace(
        "hosts = [\"localhost\", \"127.0.0.1\"]",
        "hosts = [\"trino.example.invalid\"]",
    ))
    .await;
    assert!(
        matches!(e, TrinoError::Tls(ref m) if m.contains("not valid for this host")),
        "{e:?}"
    );
    // Skipping verification reads it anyway (the TLS check uses this to show why).
    let insecure = http_client(Duration::from_secs(2), None, true).unwrap();
    let a = get(&insecure, &t, "/v1/info", Credentials::Withhold)
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert!(a.peer_certificate.is_some());
}
