//! The `shipshape` command line: users, runbooks, start-up failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use support::*;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn user_add_takes_the_password_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &["user", "add", "alice", "--role", "sre"],
        &[("SHIPSHAPE_PASSWORD", "alice-password-1")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("added user alice with role sre"));
    let list = cli(dir.path(), &["user", "list"], &[]);
    assert!(text(&list.stdout).starts_with("alice\tsre\t"));

    let dup = cli(
        dir.path(),
        &["user", "add", "ALICE", "--role", "admin"],
        &[("SHIPSHAPE_PASSWORD", "alice-password-1")],
    );
    assert_eq!(dup.status.code(), Some(2));
    assert!(text(&dup.stderr).contains("taken"), "{}", text(&dup.stderr));

    let weak = cli(
        dir.path(),
        &["user", "add", "bob", "--role", "sre"],
        &[("SHIPSHAPE_PASSWORD", "short")],
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(text(&weak.stderr).contains("password"));

    let role = cli(
        dir.path(),
        &["user", "add", "carol", "--role", "root"],
        &[("SHIPSHAPE_PASSWORD", "carol-password-1")],
    );
    assert!(!role.status.success());
    assert!(text(&role.stderr).contains("admin, sre, manager or auditor"));

    // No password in the environment and no terminal: a clear error, no hang.
    let none = cli(dir.path(), &["user", "add", "dave", "--role", "sre"], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        text(&none.stderr).contains("SHIPSHAPE_PASSWORD"),
        "{}",
        text(&none.stderr)
    );
}

#[tokio::test]
async fn a_cli_user_can_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &["user", "add", "root", "--role", "admin"],
        &[("SHIPSHAPE_PASSWORD", "root-password-1")],
    );
    assert!(out.status.success());
    let s = Server::start(dir.path());
    let c = login(&s, "root", "root-password-1").await;
    let me: serde_json::Value = c
        .get(s.url("/api/v1/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
}

#[test]
fn runbook_check_reports_the_shipped_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["runbook", "check"], &[]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        "runbook trino-production ok: 9 sections, 40 items (31 checklist, 9 recurring)"
    );
}

#[test]
fn a_malformed_runbook_stops_start_up_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "id = \"x\"\ntitle = \"X\"\n[[section]]\nid = \"s\"\ntitle = \"S\"\n[[section.item]]\nid = \"a\"\ntitle = \"A\"\nkind = \"sometimes\"\nwhy = \"w\"\nsource = \"s\"\n").unwrap();
    let out = cli(
        dir.path(),
        &[
            "--runbook",
            path_str(&bad),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{}:9:", bad.display())), "{err}");
    assert!(err.contains("unknown kind 'sometimes'"), "{err}");
    assert!(
        !dir.path().join("shipshape.db").exists(),
        "nothing is created when the runbook is bad"
    );
    if postgres::suite_on_postgres() {
        let tables = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(postgres::raw_count(
                dir.path(),
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'ledger'",
            ))
            .unwrap();
        assert_eq!(tables, 0, "nothing is created when the runbook is bad");
    }

    let missing = cli(
        dir.path(),
        &["runbook", "check", "/nonexistent/runbook.toml"],
        &[],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/nonexistent/runbook.toml"));
}

#[test]
fn an_unknown_config_key_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("shipshape.toml");
    std::fs::write(&conf, "bnd = \"127.0.0.1:1\"\n").unwrap();
    let out = cli(
        dir.path(),
        &["--config", path_str(&conf), "ledger", "verify"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bnd"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn the_read_model_is_rebuilt_from_the_ledger_and_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    // No scheduled check rounds: their times would differ between runs.
    let no_checks = [("SHIPSHAPE_CHECK_INTERVAL_SECS", "0")];
    let s = Server::start_env(dir.path(), &[], &no_checks);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "alpha").await;
    for (item, status) in [
        ("spill", "done"),
        ("tls", "not_applicable"),
        ("spill", "revoked"),
        ("jvm", "done"),
    ] {
        let r = admin
            .post(s.url(&format!("/api/v1/clusters/{id}/items/{item}/signoffs")))
            .json(&serde_json::json!({"status": status, "note": "why: recorded by the test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let before: serde_json::Value =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    let fleet_before: serde_json::Value = get_json(&admin, s.url("/api/v1/fleet")).await;
    s.stop();

    // Someone empties the read model behind the server's back: a rebuild
    // from the ledger brings back exactly what was there.
    postgres::raw_sql(dir.path(), &["DELETE FROM item_state"])
        .await
        .unwrap();
    let out = cli(dir.path(), &["ledger", "rebuild-views"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 item states"),
        "{}",
        text(&out.stdout)
    );

    let s = Server::start_env(dir.path(), &[], &no_checks);
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let after: serde_json::Value =
        get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert!(before == after, "the checklist differs after the rebuild");
    let fleet_after: serde_json::Value = get_json(&admin, s.url("/api/v1/fleet")).await;
    assert!(
        fleet_before == fleet_after,
        "the fleet differs after the rebuild"
    );
    assert_eq!(after["overall"]["done"], 1, "{after}");
}

/// `shipshape config check DIR`: the team's configuration as kept in Git,
/// judged with file and line, and an upgrade preflight; no secret printed;
/// a malformed file is named with its line (exit 2), findings exit 1.
#[test]
fn config_check_judges_a_config_directory_and_its_upgrade() {
    let data = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let path = repo.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    };
    write(
        "coordinator/etc/config.properties",
        "coordinator=true\nnode-scheduler.include-coordinator=true\nhttp-server.https.keystore.key=hunter2-secret\n",
    );
    write(
        "coordinator/etc/catalog/hive.properties",
        "connector.name=hive\nhive.s3.aws-secret-key=AKIA-very-secret\n",
    );
    write("coordinator/etc/jvm.config", "-server\n-Xmx16G\n");
    let repo_path = path_str(repo.path());
    let out = cli(
        data.path(),
        &["config", "check", repo_path, "--from", "476", "--to", "483"],
        &[],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with("read 3 configuration files under"),
        "{stdout}"
    );
    assert!(
        stdout.contains("coordinator-isolation")
            && stdout.contains("(coordinator/etc/config.properties:2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("upgrade from Trino 476 to Trino 483: not ready"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hive.s3.aws-secret-key at coordinator/etc/catalog/hive.properties:2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("unknown: the Java the cluster runs is unknown"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("hunter2") && !stdout.contains("AKIA"),
        "a secret was printed: {stdout}"
    );

    // JSON says the same.
    let out = cli(
        data.path(),
        &[
            "config", "check", repo_path, "--to", "483", "--java", "25", "--json",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
    assert_eq!(v["preflight"]["ready"], false);
    assert!(v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["item"] == "coordinator-isolation" && x["status"] == "fail"));

    // Fixed, nothing fails (warnings do not fail the command).
    write(
        "coordinator/etc/config.properties",
        "coordinator=true\nnode-scheduler.include-coordinator=false\n\
         http-server.https.enabled=true\nhttp-server.authentication.type=PASSWORD\n\
         log.console-format=JSON\nretry-policy=QUERY\n",
    );
    write(
        "coordinator/etc/catalog/hive.properties",
        "connector.name=hive\nfs.s3.enabled=true\ns3.max-connections=500\n\
         s3.socket-connect-timeout=2s\ns3.socket-timeout=2m\n",
    );
    write(
        "coordinator/etc/access-control.properties",
        "access-control.name=opa\n",
    );
    write(
        "coordinator/etc/event-listener.properties",
        "event-listener.name=mysql\n",
    );
    write(
        "coordinator/etc/jvm.config",
        "-server\n-Xmx16G\n-XX:+ExitOnOutOfMemoryError\n-XX:+HeapDumpOnOutOfMemoryError\n",
    );
    write(
        "coordinator/etc/resource-groups.properties",
        "resource-groups.configuration-manager=file\nresource-groups.config-file=etc/resource-groups.json\n",
    );
    write(
        "coordinator/etc/resource-groups.json",
        r#"{"rootGroups": [{"name": "etl"}], "selectors": [{"group": "etl"}]}"#,
    );
    let out = cli(data.path(), &["config", "check", repo_path], &[]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    // A malformed file: its name and line, exit 2, nothing judged.
    write(
        "worker/etc/config.properties",
        "coordinator=false\nbroken=\\u12\n",
    );
    let out = cli(data.path(), &["config", "check", repo_path], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("worker/etc/config.properties:2:"), "{err}");
    assert!(text(&out.stdout).is_empty());
}
