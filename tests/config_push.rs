//! A cluster's configuration as signed evidence, through the real server:
//! `shipshape config push` with an API token (one ledger row per change, a
//! diff, no secret byte stored anywhere, malformed files named with their
//! line), the configuration deciding items no live check can and standing
//! in where a live check cannot decide, and `shipshape preflight` (exit
//! codes, JUnit, and the same answer over HTTP).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use std::path::Path;
use support::sims::*;
use support::*;

const SECRET_VALUE: &str = "hunter2-keystore-secret";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A configuration as a team keeps it in Git.
fn repo(dir: &Path) {
    write(
        dir,
        "coordinator/etc/config.properties",
        &format!(
            "coordinator=true\nnode-scheduler.include-coordinator=false\n\
             http-server.https.enabled=true\nhttp-server.authentication.type=PASSWORD\n\
             http-server.https.keystore.key={SECRET_VALUE}\nlog.console-format=JSON\n"
        ),
    );
    write(
        dir,
        "worker/etc/config.properties",
        "coordinator=false\nspill-enabled=true\nspiller-spill-path=/nvme/spill\n\
         query.max-memory-per-node=8GB\nmemory.heap-headroom-per-node=4GB\nlog.format=json\n",
    );
    write(
        dir,
        "worker/etc/jvm.config",
        "-server\n-Xmx16G\n-Djavax.net.ssl.keyStorePassword=changeit-too\n",
    );
    write(
        dir,
        "coordinator/etc/catalog/hive.properties",
        "connector.name=hive\nhive.s3.max-connections=500\nhive.metastore.uri=thrift://hms:9083\n",
    );
    write(dir, "README.md", "not configuration: left out\n");
}

async fn token(s: &Server, admin: &reqwest::Client, read_only: bool) -> String {
    let r = admin
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": format!("ci-{read_only}"), "expires_in_days": 30, "read_only": read_only}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn run_cli(s: &Server, args: &[&str]) -> (i32, String, String) {
    let out = cli(&s.data, args, &[]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn push(s: &Server, token: &str, cluster: &str, paths: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "config",
        "push",
        "--server",
        s.base.as_str(),
        "--token",
        token,
        "--cluster",
        cluster,
        "--source",
        "git:abc123",
    ];
    args.extend_from_slice(paths);
    run_cli(s, &args)
}

/// Every file under `dir` holding `needle`, by path.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(p.display().to_string());
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn a_push_is_one_ledger_row_with_a_diff_its_verdicts_and_no_secret_stored() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "etl-prod").await;
    let tok = token(&s, &admin, false).await;
    let git = tempfile::tempdir().unwrap();
    repo(git.path());
    let git_dir = git.path().to_str().unwrap();

    // Before any push there is nothing to read.
    let none: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/config"))).await;
    assert_eq!(none, Value::Null);
    // The page says what a push would verify, and how a pipeline pushes.
    let page = get_text(&admin, s.url(&format!("/clusters/{id}"))).await;
    assert!(
        page.contains("No configuration pushed yet"),
        "no config panel"
    );
    assert!(page.contains("S3/HDFS connections") && page.contains("--cluster etl-prod"));
    assert!(page.contains("Upgrade preflight"));

    let (code, out, err) = push(&s, &tok, "etl-prod", &[git_dir]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("pushed 4 file(s) as ledger row "), "{out}");
    // Items no live check decides are recorded; the others are printed
    // beside their live check.
    assert!(out.contains("s3-connections"), "{out}");
    assert!(out.contains("removed in Trino 481"), "{out}");
    assert!(out.contains("(beside the live check)"), "{out}");

    let latest: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/config"))).await;
    let first_seq = latest["seq"].as_i64().unwrap();
    assert_eq!(latest["details"]["source"], "git:abc123");
    assert_eq!(latest["details"]["files"].as_array().unwrap().len(), 4);
    assert_eq!(
        latest["changes"].as_array().unwrap().len(),
        4,
        "first push: every file added"
    );
    let text = latest.to_string();
    assert!(
        !text.contains(SECRET_VALUE) && !text.contains("changeit-too"),
        "{text}"
    );
    assert!(
        text.contains("http-server.https.keystore.key=<redacted>"),
        "{text}"
    );

    // The verdict of an item without a live check is its check result,
    // with the file and line, and counts at once.
    let checks: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checks"))).await;
    let s3 = checks
        .iter()
        .find(|c| c["item_id"] == "s3-connections")
        .expect("s3 result");
    assert_eq!(s3["status"], "fail", "{s3}");
    assert_eq!(s3["observed"], "coordinator/etc/catalog/hive.properties:2");
    assert!(s3["evidence"]
        .as_str()
        .unwrap()
        .contains("hive.s3.max-connections=500"));
    let logs = checks
        .iter()
        .find(|c| c["item_id"] == "centralized-logs")
        .expect("logs result");
    assert_eq!(logs["status"], "warn", "{logs}");
    assert!(
        checks
            .iter()
            .all(|c| c["item_id"] != "coordinator-isolation"),
        "a live-checked item keeps its live result"
    );
    let history: Value = get_json(
        &admin,
        s.url(&format!(
            "/api/v1/clusters/{id}/items/s3-connections/history"
        )),
    )
    .await;
    assert!(history.to_string().contains("check_verdict"), "{history}");

    // The same files again: nothing recorded.
    let (code, out, _) = push(&s, &tok, "etl-prod", &[git_dir]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next().unwrap(),
        format!("unchanged since ledger row {first_seq}: nothing recorded")
    );

    // A change: one more push row, and the diff names the key.
    write(
        git.path(),
        "coordinator/etc/catalog/hive.properties",
        "connector.name=hive\nfs.s3.enabled=true\ns3.max-connections=500\ns3.socket-connect-timeout=2s\ns3.socket-timeout=2m\nhive.metastore.uri=thrift://hms:9083\n",
    );
    let (code, out, err) = push(&s, &tok, "etl-prod", &[git_dir]);
    assert_eq!(code, 0, "{out}{err}");
    let latest: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/config"))).await;
    assert!(latest["seq"].as_i64().unwrap() > first_seq);
    let changes = latest["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["change"], "changed");
    assert_eq!(
        changes[0]["name"],
        "coordinator/etc/catalog/hive.properties"
    );
    let keys: Vec<&str> = changes[0]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"hive.s3.max-connections") && keys.contains(&"fs.s3.enabled"),
        "{keys:?}"
    );
    let checks: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checks"))).await;
    let s3 = checks
        .iter()
        .find(|c| c["item_id"] == "s3-connections")
        .unwrap();
    assert_eq!(s3["status"], "pass", "{s3}");

    // The ledger holds exactly two pushes, each with the snapshot attached.
    let export = get_text(&admin, s.url("/api/v1/export/signoffs.jsonl")).await;
    let pushes: Vec<Value> = export
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r["action"] == "config_pushed")
        .collect();
    assert_eq!(pushes.len(), 2, "{export}");
    assert!(pushes[1]["note"]
        .as_str()
        .unwrap()
        .contains("(from git:abc123)"));

    // No secret byte anywhere in the data directory: database, WAL,
    // evidence files.
    assert_eq!(
        files_holding(&s.data, SECRET_VALUE.as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(
        files_holding(&s.data, b"changeit-too"),
        Vec::<String>::new()
    );

    // A malformed file: refused whole, named with its line; exit 1.
    write(
        git.path(),
        "coordinator/etc/catalog/bad.properties",
        "connector.name=tpch\nx=\\u12\n",
    );
    let (code, out, err) = push(&s, &tok, "etl-prod", &[git_dir]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("coordinator/etc/catalog/bad.properties:2: malformed \\u escape"),
        "{err}"
    );
    let after: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/config"))).await;
    assert_eq!(after["seq"], latest["seq"], "nothing of a bad push is kept");

    // Over HTTP: odd names and bodies are 422 with a sentence; a read-only
    // token may not push.
    let bot = client();
    let post = |tok: String, body: Value| {
        bot.post(s.url(&format!("/api/v1/clusters/{id}/config")))
            .bearer_auth(tok)
            .json(&body)
            .send()
    };
    let r = post(
        tok.clone(),
        json!({"files": [{"name": "../../etc/passwd.properties", "text": "a=1"}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("give a relative path"));
    let r = post(
        tok.clone(),
        json!({"files": [{"name": "trino.yaml", "text": "kind: TrinoCluster\nspec: [\n"}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("trino.yaml:3: not YAML"));
    // Other YAML is not kept (it may be a Secret); a lone CR does not
    // hide a line from the redaction.
    let r = post(
        tok.clone(),
        json!({"files": [{"name": "deploy/ldap-secret.yaml", "text": "kind: Secret\nstringData:\n  password: yaml-secret-value\n"}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("names no TrinoCluster"));
    let r = post(
        tok.clone(),
        json!({"files": [{"name": "etc/config.properties", "text": "coordinator=true\rldap.bind-password=cr-secret-value\r"}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let latest: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/config"))).await;
    assert!(!latest.to_string().contains("cr-secret-value"), "{latest}");
    assert!(
        latest.to_string().contains("ldap.bind-password=<redacted>"),
        "{latest}"
    );
    for needle in ["yaml-secret-value", "cr-secret-value"] {
        assert_eq!(
            files_holding(&s.data, needle.as_bytes()),
            Vec::<String>::new()
        );
    }
    let r = post(tok.clone(), json!({"files": "nope"})).await.unwrap();
    assert_eq!(r.status(), 422);
    let r = post(tok.clone(), json!({"files": []})).await.unwrap();
    assert_eq!(r.status(), 422);
    let reader = token(&s, &admin, true).await;
    let r = post(
        reader,
        json!({"files": [{"name": "config.properties", "text": "a=1"}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn preflight_names_blockers_with_exit_codes_junit_and_http_status() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "etl-prod").await;
    let tok = token(&s, &admin, false).await;
    let git = tempfile::tempdir().unwrap();
    write(
        git.path(),
        "etc/config.properties",
        "coordinator=true\nquery.max-total-memory-per-node=60GB\n",
    );
    let (code, out, err) = push(
        &s,
        &tok,
        "etl-prod",
        &[git.path().join("etc/config.properties").to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}{err}");

    let junit = git.path().join("preflight.xml");
    let args = |to: &str| {
        vec![
            "preflight".to_string(),
            "--server".into(),
            s.base.clone(),
            "--token".into(),
            tok.clone(),
            "--cluster".into(),
            "etl-prod".into(),
            "--to".into(),
            to.into(),
            "--junit".into(),
            junit.to_str().unwrap().into(),
        ]
    };
    let a = args("483");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, out, err) = run_cli(&s, &a);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("BLOCKER  369 query.max-total-memory-per-node"),
        "{out}"
    );
    assert!(
        out.contains("(tmp") || out.contains("config.properties:2"),
        "{out}"
    );
    assert!(err.contains("cannot go to Trino 483"), "{err}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.contains("<failure"),
        "{xml}"
    );

    // Over HTTP: 412 with the same body; an unknown release is 422.
    let bot = client();
    let r = bot
        .get(s.url(&format!("/api/v1/clusters/{id}/preflight?to=483")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["findings"][0]["severity"], "blocker", "{v}");
    let r = bot
        .get(s.url(&format!("/api/v1/clusters/{id}/preflight?to=999")))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not a release Shipshape knows"));

    // Fixed in Git and pushed again: ready, exit 0.
    write(
        git.path(),
        "etc/config.properties",
        "coordinator=true\nquery.max-memory-per-node=8GB\n",
    );
    let (code, ..) = push(
        &s,
        &tok,
        "etl-prod",
        &[git.path().join("etc/config.properties").to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let (code, out, err) = run_cli(&s, &a);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 blocker(s)"), "{out}");
}

/// Where the live check cannot decide (the web UI wants its own login), the
/// pushed configuration decides, and the result says both.
#[tokio::test]
async fn the_pushed_configuration_decides_where_the_live_check_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path());
    let admin = setup_admin(&s).await;
    let id = secure_cluster(
        &s,
        &admin,
        dir.path(),
        "fte",
        "fault-tolerant.toml",
        json!({}),
    )
    .await;
    let results = run(&s, &admin, id).await;
    assert_eq!(results["coordinator-isolation"]["status"], "error");

    let tok = token(&s, &admin, false).await;
    let git = tempfile::tempdir().unwrap();
    write(
        git.path(),
        "etc/config.properties",
        "coordinator=true\nnode-scheduler.include-coordinator=false\n",
    );
    let (code, out, err) = push(&s, &tok, "fte", &[git.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let results = run(&s, &admin, id).await;
    let iso = &results["coordinator-isolation"];
    assert_eq!(iso["status"], "pass", "{iso}");
    let why = iso["reason"].as_str().unwrap();
    assert!(
        why.starts_with("from the pushed configuration: node-scheduler.include-coordinator=false"),
        "{why}"
    );
    assert!(why.contains("the live check could not decide"), "{why}");
    assert_eq!(iso["observed"], "etc/config.properties:2");
    assert!(iso["evidence"]
        .as_str()
        .unwrap()
        .contains("GET /ui/api/stats → 401"));
}

/// The graceful-shutdown items, decided from a Stackable manifest with the
/// line of each setting; a secret in its configOverrides is not stored.
#[tokio::test]
async fn a_trino_cluster_manifest_decides_the_graceful_shutdown_items() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "k8s-prod").await;
    let tok = token(&s, &admin, false).await;
    let git = tempfile::tempdir().unwrap();
    write(
        git.path(),
        "deploy/trino.yaml",
        &format!(
            "apiVersion: trino.stackable.tech/v1alpha1\nkind: TrinoCluster\nmetadata:\n  name: trino\nspec:\n\
             \x20 clusterConfig:\n    authorization:\n      opa:\n        configMapName: opa\n\
             \x20 coordinators:\n    configOverrides:\n      config.properties:\n        ldap.bind-password: {SECRET_VALUE}\n\
             \x20   roleGroups:\n      default:\n        replicas: 1\n\
             \x20 workers:\n    config:\n      gracefulShutdownTimeout: 2h\n    roleGroups:\n      default:\n        replicas: 3\n"
        ),
    );
    write(
        git.path(),
        "deploy/values.yaml",
        "not: [a, trino, manifest]\n",
    );
    let (code, out, err) = push(&s, &tok, "k8s-prod", &[git.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let checks: Vec<Value> =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checks"))).await;
    let result = |item: &str| {
        checks
            .iter()
            .find(|c| c["item_id"] == item)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let worker = result("worker-graceful-shutdown");
    assert_eq!(worker["status"], "pass", "{worker}");
    assert_eq!(worker["observed"], "deploy/trino.yaml:19");
    assert!(worker["evidence"]
        .as_str()
        .unwrap()
        .contains("gracefulShutdownTimeout: 2h"));
    assert_eq!(result("coordinator-graceful-shutdown")["status"], "pass");
    assert_eq!(result("graceful-shutdown-authorization")["status"], "pass");
    assert_eq!(
        files_holding(&s.data, SECRET_VALUE.as_bytes()),
        Vec::<String>::new()
    );
    let latest: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/config"))).await;
    assert!(latest
        .to_string()
        .contains("ldap.bind-password: <redacted>"));
}
