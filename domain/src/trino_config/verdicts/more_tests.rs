use super::*;
use crate::trino_config::set::config_set;

fn set(list: &[(&str, &str)]) -> ConfigSet {
    let files: Vec<(String, String)> = list
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    config_set(&files).unwrap_or_default()
}

fn status(v: Option<ConfigVerdict>) -> Option<CheckStatus> {
    v.map(|v| v.verdict.status)
}

const COORD: &str = "etc/config.properties";

#[test]
fn s3_needs_the_current_file_system_with_bounds() {
    let legacy = set(&[(
        "etc/catalog/hive.properties",
        "connector.name=hive\nhive.s3.max-connections=500\n",
    )]);
    let v = more::s3_connections(&legacy).unwrap_or_else(|| panic!("a verdict"));
    assert_eq!(v.verdict.status, CheckStatus::Fail);
    assert!(v.verdict.reason.contains("481"), "{}", v.verdict.reason);
    assert_eq!(v.at.map(|a| a.line), Some(2));

    let bare = set(&[(
        "etc/catalog/ice.properties",
        "connector.name=iceberg\nfs.s3.enabled=true\ns3.max-connections=500\n",
    )]);
    let v = more::s3_connections(&bare).unwrap_or_else(|| panic!("a verdict"));
    assert_eq!(v.verdict.status, CheckStatus::Fail);
    assert!(
        v.verdict
            .reason
            .contains("s3.socket-connect-timeout, s3.socket-timeout"),
        "{}",
        v.verdict.reason
    );

    let good = set(&[
        ("etc/catalog/ice.properties", "connector.name=iceberg\nfs.native-s3.enabled=true\ns3.max-connections=500\ns3.socket-connect-timeout=2s\ns3.socket-read-timeout=2m\n"),
        ("etc/catalog/tpch.properties", "connector.name=tpch\n"),
    ]);
    assert_eq!(status(more::s3_connections(&good)), Some(CheckStatus::Pass));
    assert_eq!(
        status(more::s3_connections(&set(&[(
            "etc/catalog/tpch.properties",
            "connector.name=tpch\n"
        )]))),
        None,
        "no catalog on S3: not decided"
    );
}

#[test]
fn iceberg_writes_parquet_with_zstd_by_default_and_other_formats_fail() {
    let default = set(&[("etc/catalog/ice.properties", "connector.name=iceberg\n")]);
    assert_eq!(
        status(more::file_formats(&default)),
        Some(CheckStatus::Pass)
    );
    let orc = set(&[(
        "etc/catalog/ice.properties",
        "connector.name=iceberg\niceberg.file-format=ORC\n",
    )]);
    assert_eq!(status(more::file_formats(&orc)), Some(CheckStatus::Fail));
    let snappy = set(&[(
        "etc/catalog/ice.properties",
        "connector.name=iceberg\niceberg.compression-codec=SNAPPY\n",
    )]);
    assert_eq!(status(more::file_formats(&snappy)), Some(CheckStatus::Fail));
    assert_eq!(
        status(more::file_formats(&set(&[(
            "etc/catalog/h.properties",
            "connector.name=hive\n"
        )]))),
        None
    );
}

#[test]
fn logs_pass_on_console_json_and_warn_on_the_file_alone() {
    let console = set(&[
        (COORD, "coordinator=true\nlog.console-format=JSON\n"),
        (
            "w/config.properties",
            "coordinator=false\nlog.console-format=json\n",
        ),
    ]);
    assert_eq!(
        status(more::centralized_logs(&console)),
        Some(CheckStatus::Pass)
    );
    let file_only = set(&[
        (COORD, "coordinator=true\nlog.console-format=JSON\n"),
        (
            "w/config.properties",
            "coordinator=false\nlog.format=json\n",
        ),
    ]);
    let v = more::centralized_logs(&file_only).unwrap_or_else(|| panic!("a verdict"));
    assert_eq!(v.verdict.status, CheckStatus::Warn);
    assert!(v.verdict.reason.contains("471"));
    let text = set(&[(COORD, "coordinator=true\n")]);
    assert_eq!(
        status(more::centralized_logs(&text)),
        Some(CheckStatus::Fail)
    );
}

#[test]
fn joins_retries_authentication_access_control_and_audit() {
    let c = |text: &str| set(&[(COORD, text)]);
    assert_eq!(
        status(more::joins(&c("coordinator=true\n"))),
        Some(CheckStatus::Pass)
    );
    assert_eq!(
        status(more::joins(&c(
            "coordinator=true\njoin-distribution-type=BROADCAST\n"
        ))),
        Some(CheckStatus::Warn)
    );

    assert_eq!(
        status(more::fault_tolerance(&c(
            "coordinator=true\nretry-policy=TASK\n"
        ))),
        Some(CheckStatus::Fail)
    );
    let with_exchange = set(&[
        (COORD, "coordinator=true\nretry-policy=TASK\n"),
        (
            "etc/exchange-manager.properties",
            "exchange-manager.name=filesystem\n",
        ),
    ]);
    assert_eq!(
        status(more::fault_tolerance(&with_exchange)),
        Some(CheckStatus::Pass)
    );
    assert_eq!(
        status(more::fault_tolerance(&c("coordinator=true\n"))),
        Some(CheckStatus::Warn)
    );

    assert_eq!(status(more::authentication(&c("coordinator=true\nhttp-server.https.enabled=true\nhttp-server.authentication.type=PASSWORD\n"))), Some(CheckStatus::Pass));
    assert_eq!(
        status(more::authentication(&c(
            "coordinator=true\nhttp-server.authentication.type=PASSWORD\n"
        ))),
        Some(CheckStatus::Fail)
    );
    assert_eq!(
        status(more::authentication(&c(
            "coordinator=true\nhttp-server.https.enabled=true\n"
        ))),
        Some(CheckStatus::Fail)
    );

    assert_eq!(
        status(more::authorization(&c("coordinator=true\n"))),
        Some(CheckStatus::Fail)
    );
    let opa = set(&[
        (COORD, "coordinator=true\n"),
        ("etc/access-control.properties", "access-control.name=opa\n"),
    ]);
    assert_eq!(status(more::authorization(&opa)), Some(CheckStatus::Pass));
    let all = set(&[
        (COORD, "coordinator=true\n"),
        (
            "etc/access-control.properties",
            "access-control.name=allow-all\n",
        ),
    ]);
    assert_eq!(status(more::authorization(&all)), Some(CheckStatus::Fail));

    assert_eq!(
        status(more::audit(&c("coordinator=true\n"))),
        Some(CheckStatus::Fail)
    );
    let listener = set(&[
        (
            COORD,
            "coordinator=true\nevent-listener.config-files=etc/mysql-event-listener.properties\n",
        ),
        (
            "etc/mysql-event-listener.properties",
            "event-listener.name=mysql\n",
        ),
    ]);
    assert_eq!(status(more::audit(&listener)), Some(CheckStatus::Pass));
    // Nothing about a coordinator was pushed: nothing is decided.
    assert_eq!(
        status(more::joins(&set(&[(
            "etc/catalog/x.properties",
            "connector.name=tpch\n"
        )]))),
        None
    );
}

#[test]
fn resource_groups_need_a_manager_and_groups_with_selectors() {
    let c = "coordinator=true\n";
    assert_eq!(
        status(more::resource_groups(&set(&[(COORD, c)]))),
        Some(CheckStatus::Fail)
    );
    let props = "resource-groups.configuration-manager=file\nresource-groups.config-file=etc/resource-groups.json\n";
    let unpushed = set(&[(COORD, c), ("etc/resource-groups.properties", props)]);
    assert_eq!(
        status(more::resource_groups(&unpushed)),
        Some(CheckStatus::Warn)
    );
    let good = set(&[
        (COORD, c),
        ("etc/resource-groups.properties", props),
        (
            "etc/resource-groups.json",
            r#"{"rootGroups": [{"name": "etl"}], "selectors": [{"group": "etl"}]}"#,
        ),
    ]);
    assert_eq!(
        status(more::resource_groups(&good)),
        Some(CheckStatus::Pass)
    );
    let empty = set(&[
        (COORD, c),
        ("etc/resource-groups.properties", props),
        ("etc/resource-groups.json", r#"{"rootGroups": []}"#),
    ]);
    assert_eq!(
        status(more::resource_groups(&empty)),
        Some(CheckStatus::Fail)
    );
    let db = set(&[
        (COORD, c),
        (
            "etc/resource-groups.properties",
            "resource-groups.configuration-manager=db\n",
        ),
    ]);
    assert_eq!(status(more::resource_groups(&db)), Some(CheckStatus::Pass));
    let broken = crate::trino_config::set::config_set(&[(
        "etc/resource-groups.json".to_string(),
        "{\n  \"rootGroups\": [\n".to_string(),
    )]);
    assert_eq!(
        broken
            .err()
            .map(|e| (e[0].line, e[0].message.starts_with("not JSON"))),
        Some((3, true))
    );
}

#[test]
fn jvm_config_sets_the_heap_and_exits_on_out_of_memory() {
    let j = |text: &str| set(&[("w/jvm.config", text)]);
    assert_eq!(
        status(more::jvm_flags(&j("-server\n"))),
        Some(CheckStatus::Fail)
    );
    assert_eq!(
        status(more::jvm_flags(&j("-Xmx16G\n"))),
        Some(CheckStatus::Fail)
    );
    assert_eq!(
        status(more::jvm_flags(&j(
            "-Xmx16G\n-XX:+ExitOnOutOfMemoryError\n"
        ))),
        Some(CheckStatus::Warn)
    );
    assert_eq!(
        status(more::jvm_flags(&j(
            "-Xmx16G\n-XX:+ExitOnOutOfMemoryError\n-XX:+HeapDumpOnOutOfMemoryError\n"
        ))),
        Some(CheckStatus::Pass)
    );
    assert_eq!(
        status(more::jvm_flags(&set(&[(COORD, "coordinator=true\n")]))),
        None
    );
}

#[test]
fn spill_says_its_size_and_refuses_one_trino_cannot_read() {
    let w = |extra: &str| {
        set(&[(
            "w/config.properties",
            &format!("coordinator=false\nspill-enabled=true\nspiller-spill-path=/spill\n{extra}"),
        )])
    };
    let v = spill(&w("max-spill-per-node=200GB\n")).unwrap_or_else(|| panic!("a verdict"));
    assert_eq!(v.verdict.status, CheckStatus::Pass);
    assert!(
        v.verdict.reason.contains("at most 200GB per node"),
        "{}",
        v.verdict.reason
    );
    assert_eq!(
        status(spill(&w("max-spill-per-node=lots\n"))),
        Some(CheckStatus::Fail)
    );
    assert!(spill(&w("")).is_some_and(|v| v.verdict.reason.contains("Trino's default")));
}
