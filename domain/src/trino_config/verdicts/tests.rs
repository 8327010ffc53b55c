use super::*;
use crate::trino_config::properties::parse;

fn file(name: &str, text: &str) -> ConfigFile {
    ConfigFile {
        name: name.into(),
        properties: parse(name, text).unwrap(),
    }
}

fn set(coordinator: &str, worker: &str, jvm: &str) -> ConfigSet {
    ConfigSet {
        files: vec![
            file("coordinator/config.properties", coordinator),
            file("worker/config.properties", worker),
        ],
        jvm: vec![parse_jvm_config("worker/jvm.config", jvm)],
        manifests: Vec::new(),
        resource_groups: Vec::new(),
    }
}

const GOOD_COORDINATOR: &str = "coordinator=true\nnode-scheduler.include-coordinator=false\n";
const GOOD_WORKER: &str = "coordinator=false\nspill-enabled=true\nspiller-spill-path=/nvme/spill\nquery.max-memory-per-node=8GB\nmemory.heap-headroom-per-node=4GB\n";
const JVM: &str = "-server\n# heap\n-Xmx16G\n-XX:+UseG1GC\n";

#[test]
fn a_good_configuration_passes_each_item_and_says_where() {
    let v = config_verdicts(&set(GOOD_COORDINATOR, GOOD_WORKER, JVM));
    let by = |item: &str| v.iter().find(|c| c.item == item).unwrap();
    let iso = by("coordinator-isolation");
    assert_eq!(iso.verdict.status, CheckStatus::Pass);
    assert_eq!(
        iso.at.as_ref().unwrap().to_string(),
        "coordinator/config.properties:2"
    );
    assert_eq!(by("spill").verdict.status, CheckStatus::Pass);
    assert!(by("spill").verdict.reason.contains("/nvme/spill"));
    let mem = by("memory-guardrails");
    assert_eq!(
        mem.verdict.status,
        CheckStatus::Pass,
        "{}",
        mem.verdict.reason
    );
    assert_eq!(mem.verdict.observed, "worker/config.properties:4");
}

#[test]
fn an_unset_include_coordinator_fails_on_trinos_default() {
    let v = coordinator_isolation(&set("coordinator=true\n", GOOD_WORKER, JVM)).unwrap();
    assert_eq!(v.verdict.status, CheckStatus::Fail);
    assert!(
        v.verdict.reason.contains("default is true"),
        "{}",
        v.verdict.reason
    );
    let v = coordinator_isolation(&set(
        "coordinator=true\nnode-scheduler.include-coordinator = true\n",
        GOOD_WORKER,
        JVM,
    ))
    .unwrap();
    assert_eq!(v.verdict.status, CheckStatus::Fail);
    // No coordinator file pushed: nothing to say.
    let only_worker = ConfigSet {
        files: vec![file("worker/config.properties", GOOD_WORKER)],
        jvm: Vec::new(),
        manifests: Vec::new(),
        resource_groups: Vec::new(),
    };
    assert!(coordinator_isolation(&only_worker).is_none());
}

#[test]
fn spill_needs_enabled_and_a_path_on_every_worker() {
    let off = spill(&set(GOOD_COORDINATOR, "coordinator=false\n", JVM)).unwrap();
    assert_eq!(off.verdict.status, CheckStatus::Fail);
    assert!(off.verdict.reason.contains("default is false"));
    let no_path = spill(&set(
        GOOD_COORDINATOR,
        "coordinator=false\nspill-enabled=true\n",
        JVM,
    ))
    .unwrap();
    assert_eq!(no_path.verdict.status, CheckStatus::Fail);
    assert!(no_path.verdict.reason.contains("spiller-spill-path"));
    assert_eq!(no_path.at.unwrap().line, 2);
}

#[test]
fn the_defunct_memory_property_and_an_overcommitted_heap_fail() {
    let defunct = memory(&set(
        GOOD_COORDINATOR,
        &format!("{GOOD_WORKER}query.max-total-memory-per-node=12GB\n"),
        JVM,
    ))
    .unwrap();
    assert_eq!(defunct.verdict.status, CheckStatus::Fail);
    assert!(defunct.verdict.reason.contains("369"));
    assert_eq!(defunct.at.unwrap().line, 6);
    let over = memory(&set(
        GOOD_COORDINATOR,
        "coordinator=false\nquery.max-memory-per-node=12GB\nmemory.heap-headroom-per-node=4GB\n",
        JVM,
    ))
    .unwrap();
    assert_eq!(
        over.verdict.status,
        CheckStatus::Fail,
        "12 + 4 = 16 is not less than 16"
    );
    assert!(
        over.verdict.reason.contains("worker/jvm.config:3"),
        "{}",
        over.verdict.reason
    );
    let defaults = memory(&set(GOOD_COORDINATOR, "coordinator=false\n", JVM)).unwrap();
    assert_eq!(defaults.verdict.status, CheckStatus::Warn);
    assert!(
        defaults.verdict.reason.contains("4.8GB"),
        "{}",
        defaults.verdict.reason
    );
    let bad = memory(&set(
        GOOD_COORDINATOR,
        "coordinator=false\nquery.max-memory-per-node=lots\n",
        JVM,
    ))
    .unwrap();
    assert_eq!(bad.verdict.status, CheckStatus::Fail);
    assert!(bad.verdict.reason.contains("not a data size"));
}

#[test]
fn sizes_read_as_trino_and_the_jvm_read_them() {
    assert_eq!(data_size("8GB"), Some(8 << 30));
    assert_eq!(data_size("1.5TB"), Some(3 << 39));
    assert_eq!(data_size("512MB"), Some(512 << 20));
    assert_eq!(data_size("8 GB"), Some(8 << 30));
    assert_eq!(data_size("8gb"), None, "units are case-sensitive");
    assert_eq!(data_size("GB"), None);
    assert_eq!(jvm_size("16G"), Some(16 << 30));
    assert_eq!(jvm_size("512m"), Some(512 << 20));
    assert_eq!(jvm_size("1048576"), Some(1 << 20));
    assert_eq!(jvm_size("16X"), None);
    let jvm = parse_jvm_config("jvm.config", "-Xmx8G\n-Xmx16G\n");
    assert_eq!(
        jvm.max_heap().map(|(b, at)| (b, at.line)),
        Some((16 << 30, 2)),
        "the last -Xmx counts"
    );
}

/// A whole repository read at once: `session-property-config.properties`
/// is not a server's configuration, and each role's heap is the
/// `jvm.config` beside its `config.properties`.
#[test]
fn only_config_properties_is_a_servers_configuration_and_heaps_pair_by_directory() {
    let set = ConfigSet {
        files: vec![
            file("coordinator/etc/config.properties", "coordinator=true\nnode-scheduler.include-coordinator=false\n"),
            file("coordinator/etc/session-property-config.properties", "x=1\n"),
            file(
                "worker/etc/config.properties",
                "coordinator=false\nspill-enabled=true\nspiller-spill-path=/spill\nquery.max-memory-per-node=10GB\nmemory.heap-headroom-per-node=4GB\n",
            ),
        ],
        jvm: vec![
            parse_jvm_config("coordinator/etc/jvm.config", "-Xmx8G\n"),
            parse_jvm_config("worker/etc/jvm.config", "-Xmx32G\n"),
        ],
        manifests: Vec::new(),
        resource_groups: Vec::new(),
    };
    let spill = spill(&set).unwrap();
    assert_eq!(
        spill.verdict.status,
        CheckStatus::Pass,
        "{}",
        spill.verdict.reason
    );
    let mem = memory(&set).unwrap();
    // 10 GB + 4 GB fit the worker's 32 GiB heap, not the coordinator's 8.
    assert_eq!(
        mem.verdict.status,
        CheckStatus::Pass,
        "{}",
        mem.verdict.reason
    );
}
