//! `/metrics` as Prometheus sees it: the real server scraped by Debian's
//! `prometheus` (queried over its HTTP API), the exposition linted by
//! `promtool check metrics`, the example alert rules checked and unit-tested
//! by `promtool`, and every series the alert rules and the Grafana dashboard
//! name present in a real scrape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

const TOKEN: &str = "scrape-token-for-tests-1";

fn tool(name: &str) -> String {
    for dir in ["/usr/bin", "/usr/local/bin"] {
        let p = format!("{dir}/{name}");
        if Path::new(&p).exists() {
            return p;
        }
    }
    panic!("{name} is missing: scripts/setup.sh --test installs Debian's prometheus package");
}

fn repo_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

async fn scrape(s: &Server, token: Option<&str>) -> reqwest::Response {
    let mut r = client().get(s.url("/metrics"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

/// The metric names an expression mentions (words starting `shipshape_`).
fn names_in(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("shipshape_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

#[tokio::test]
async fn prometheus_scrapes_readiness_and_the_rules_and_dashboard_name_real_series() {
    let promtool = tool("promtool");
    let prometheus = tool("prometheus");
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(dir.path(), &[], &[("SHIPSHAPE_METRICS_TOKEN", TOKEN)]);
    let c = setup_admin(&s).await;
    let id = create_cluster(&s, &c, "analytics-prod").await;
    for item in ["spill", "tls", "jvm"] {
        let r = c
            .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
            .json(&json!({"status": "done", "note": "metrics"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{item}");
    }
    let fleet: Value = get_json(&c, s.url("/api/v1/fleet")).await;
    let overall = &fleet["clusters"][0]["readiness"]["overall"];
    let applicable = overall["total"].as_u64().unwrap()
        - overall["not_applicable"].as_u64().unwrap()
        - overall["waived"].as_u64().unwrap();
    let expected = 3.0 / applicable as f64;

    // The token is required when set; a wrong one is refused.
    assert_eq!(scrape(&s, None).await.status(), 401);
    assert_eq!(scrape(&s, Some("wrong")).await.status(), 401);
    let r = scrape(&s, Some(TOKEN)).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    assert!(text.contains(&format!(
        "shipshape_cluster_readiness_ratio{{cluster=\"analytics-prod\",environment=\"prod\"}} {expected}\n"
    )), "{text}");
    assert!(text.contains("shipshape_cluster_items{cluster=\"analytics-prod\",environment=\"prod\",standing=\"done\"} 3\n"));
    assert!(text.contains("shipshape_build_info{version=\""));
    // Requests are timed under their route template, not the raw path.
    assert!(
        text.contains("route=\"/api/v1/clusters/{id}/items/{item_id}/signoffs\""),
        "{text}"
    );
    assert!(!text.contains(&format!("route=\"/api/v1/clusters/{id}/")));

    // promtool lints the exposition as Prometheus parses it.
    let mut lint = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(lint.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    let out = lint.wait_with_output().unwrap();
    let complaints =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "promtool check metrics: {complaints}");

    // The example rules load and behave as their unit tests say.
    for args in [
        vec!["check", "rules", "docs/prometheus/alerts.yml"],
        vec!["test", "rules", "docs/prometheus/alerts.test.yml"],
    ] {
        let out = Command::new(&promtool)
            .args(&args)
            .current_dir(repo_file(""))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Every series the rules and the dashboard use is one Shipshape serves
    // (histograms and counters by their base name).
    let served = |name: &str| {
        let base = name
            .trim_end_matches("_bucket")
            .trim_end_matches("_sum")
            .trim_end_matches("_count");
        text.contains(&format!("# TYPE {base} ")) || text.contains(&format!("\n{name}"))
    };
    let rules = std::fs::read_to_string(repo_file("docs/prometheus/alerts.yml")).unwrap();
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("docs/prometheus/grafana-dashboard.json")).unwrap(),
    )
    .unwrap();
    let mut exprs: Vec<String> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr: ").map(str::to_string))
        .collect();
    for panel in dashboard["panels"].as_array().unwrap() {
        for t in panel["targets"].as_array().unwrap() {
            exprs.push(t["expr"].as_str().unwrap().to_string());
        }
    }
    // Series that only appear once something happened (a check error, a
    // scheduled round) are declared by the code that records them.
    let recorded_later = [
        "shipshape_check_errors_total",
        "shipshape_scheduler_lag_seconds",
        "shipshape_check_verdict",
    ];
    for expr in &exprs {
        for name in names_in(expr) {
            assert!(
                served(&name) || recorded_later.contains(&name.as_str()),
                "{name} (in `{expr}`) is not in a scrape"
            );
        }
    }
    assert!(exprs.len() >= 12, "{exprs:?}");

    // Debian's Prometheus scrapes the server with the token.
    let port = free_port();
    let prom_dir = tempfile::tempdir().unwrap();
    let target = s.base.trim_start_matches("http://").to_string();
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shipshape\n    authorization:\n      credentials: {TOKEN}\n    static_configs:\n      - targets: ['{target}']\n"
    );
    std::fs::write(prom_dir.path().join("prometheus.yml"), config).unwrap();
    let mut prom = Command::new(&prometheus)
        .arg(format!(
            "--config.file={}",
            prom_dir.path().join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            prom_dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let query = |q: &'static str| {
        let url = format!("http://127.0.0.1:{port}/api/v1/query");
        async move {
            let r = client().get(url).query(&[("query", q)]).send().await.ok()?;
            let v: Value = r.json().await.ok()?;
            let result = v["data"]["result"].as_array()?.clone();
            (!result.is_empty()).then_some(result)
        }
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    let result = loop {
        if let Some(r) = query("shipshape_cluster_readiness_ratio").await {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never had the readiness series"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let up = query("up{job=\"shipshape\"}").await.unwrap_or_default();
    let _ = prom.kill();
    let _ = prom.wait();
    assert_eq!(result[0]["metric"]["cluster"], "analytics-prod");
    assert_eq!(result[0]["metric"]["environment"], "prod");
    let value: f64 = result[0]["value"][1].as_str().unwrap().parse().unwrap();
    assert!((value - expected).abs() < 1e-9, "{value} != {expected}");
    assert_eq!(up[0]["value"][1], "1", "{up:?}");
}
