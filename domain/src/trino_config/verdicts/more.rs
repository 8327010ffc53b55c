//! The configuration verdicts on items the client protocol cannot see:
//! object-store connections and table formats (catalog files), where logs
//! go, how joins are distributed, retries with their exchange manager,
//! authentication, access control and the audit event listener.
//!
//! Sources (trino.io/docs, and the release notes named): native S3 is
//! enabled per catalog (`fs.native-s3.enabled`, named `fs.s3.enabled`
//! since 481, which removed the legacy `hive.s3.*` file system);
//! `log.console-format=JSON` (471) is what a container's log collector
//! reads, `log.format=json` covers the log file only;
//! `join-distribution-type` defaults to `AUTOMATIC`; the Iceberg
//! connector writes `PARQUET` with `ZSTD` unless `iceberg.file-format` /
//! `iceberg.compression-codec` say otherwise; `retry-policy=TASK` needs an
//! exchange manager (`exchange-manager.properties`); Trino's deployment
//! docs give every node's `jvm.config` `-XX:+ExitOnOutOfMemoryError` (a
//! node out of memory exits and is replaced, instead of running on broken)
//! and `-XX:+HeapDumpOnOutOfMemoryError`.

use super::{verdict, ConfigFile, ConfigSet, ConfigVerdict};
use crate::check::CheckStatus;

/// A catalog file: a property file in a `catalog` directory.
fn catalogs(set: &ConfigSet) -> impl Iterator<Item = &ConfigFile> {
    set.files
        .iter()
        .filter(|f| f.name.split('/').rev().nth(1) == Some("catalog"))
}

fn server_configs(set: &ConfigSet) -> impl Iterator<Item = &ConfigFile> {
    set.files.iter().filter(|f| f.is_server_config())
}

fn is_true(f: &ConfigFile, key: &str) -> bool {
    f.properties
        .value(key)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `s3-connections`: every catalog on S3 bounds its connection pool and
/// its timeouts, with the properties of the file system it uses.
pub fn s3_connections(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "s3-connections";
    let mut checked = 0;
    for c in catalogs(set) {
        if let Some(p) = c
            .properties
            .entries
            .iter()
            .find(|p| p.key.starts_with("hive.s3."))
        {
            return Some(verdict(
                ITEM,
                CheckStatus::Fail,
                format!(
                    "{} uses the legacy hive.s3.* file system ({}), removed in Trino 481: \
                     set fs.s3.enabled=true with s3.max-connections, s3.socket-connect-timeout \
                     and s3.socket-timeout",
                    c.name, p.key
                ),
                Some(c.place(p)),
            ));
        }
        let native = ["fs.s3.enabled", "fs.native-s3.enabled"]
            .into_iter()
            .find(|k| is_true(c, k));
        let Some(flag) = native else { continue };
        checked += 1;
        let missing: Vec<&str> = [
            &["s3.max-connections"][..],
            &["s3.socket-connect-timeout"],
            &["s3.socket-timeout", "s3.socket-read-timeout"],
        ]
        .iter()
        .filter(|alternatives| alternatives.iter().all(|k| c.properties.get(k).is_none()))
        .map(|alternatives| alternatives[0])
        .collect();
        if !missing.is_empty() {
            let at = c.properties.get(flag).map(|p| c.place(p));
            return Some(verdict(
                ITEM,
                CheckStatus::Fail,
                format!(
                    "{} reads S3 without {}: the pool and the timeouts stay at their defaults",
                    c.name,
                    missing.join(", ")
                ),
                at,
            ));
        }
    }
    if checked == 0 {
        return None;
    }
    Some(verdict(
        ITEM,
        CheckStatus::Pass,
        format!(
            "{checked} catalog{} on S3 bound{} connections and timeouts",
            if checked == 1 { "" } else { "s" },
            if checked == 1 { "s" } else { "" }
        ),
        None,
    ))
}

/// `file-formats`: Iceberg catalogs write Parquet with ZSTD.
pub fn file_formats(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "file-formats";
    let iceberg: Vec<&ConfigFile> = catalogs(set)
        .filter(|c| c.properties.value("connector.name") == Some("iceberg"))
        .collect();
    if iceberg.is_empty() {
        return None;
    }
    for c in &iceberg {
        for (key, wanted) in [
            ("iceberg.file-format", "PARQUET"),
            ("iceberg.compression-codec", "ZSTD"),
        ] {
            if let Some(p) = c.properties.get(key) {
                if !p.value.eq_ignore_ascii_case(wanted) {
                    return Some(verdict(
                        ITEM,
                        CheckStatus::Fail,
                        format!("{key}={}: the runbook asks for {wanted}", p.value),
                        Some(c.place(p)),
                    ));
                }
            }
        }
    }
    Some(verdict(
        ITEM,
        CheckStatus::Pass,
        format!(
            "{} Iceberg catalog{} write{} Parquet with ZSTD (compaction is still a person's word)",
            iceberg.len(),
            if iceberg.len() == 1 { "" } else { "s" },
            if iceberg.len() == 1 { "s" } else { "" }
        ),
        None,
    ))
}

/// `centralized-logs`: every node logs JSON to its console (what a
/// collector ships), or at least to its log file.
pub fn centralized_logs(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "centralized-logs";
    let servers: Vec<&ConfigFile> = server_configs(set).collect();
    if servers.is_empty() {
        return None;
    }
    let mut file_only = None;
    for s in &servers {
        let console = s.properties.get("log.console-format");
        if console.is_some_and(|p| p.value.eq_ignore_ascii_case("json")) {
            continue;
        }
        match s.properties.get("log.format") {
            Some(p) if p.value.eq_ignore_ascii_case("json") => {
                file_only.get_or_insert((s, p));
            }
            _ => {
                return Some(verdict(
                    ITEM,
                    CheckStatus::Fail,
                    format!(
                        "{} logs text: set log.console-format=JSON (Trino 471) so a collector can parse it",
                        s.name
                    ),
                    console.map(|p| s.place(p)),
                ))
            }
        }
    }
    Some(match file_only {
        Some((s, p)) => verdict(
            ITEM,
            CheckStatus::Warn,
            format!(
                "{}: log.format=json covers the log file only; in a container the console is \
                 what is collected, which needs log.console-format=JSON (Trino 471)",
                s.name
            ),
            Some(s.place(p)),
        ),
        None => verdict(
            ITEM,
            CheckStatus::Pass,
            format!(
                "log.console-format=JSON on {} node configuration{}",
                servers.len(),
                if servers.len() == 1 { "" } else { "s" }
            ),
            None,
        ),
    })
}

/// `joins`: the join distribution is left to the cost-based optimizer.
pub fn joins(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "joins";
    const KEY: &str = "join-distribution-type";
    let coordinator = set.files.iter().find(|f| f.is_coordinator())?;
    Some(match coordinator.properties.get(KEY) {
        Some(p) if !p.value.eq_ignore_ascii_case("AUTOMATIC") => verdict(
            ITEM,
            CheckStatus::Warn,
            format!(
                "{KEY}={}: every join is forced to one distribution; AUTOMATIC picks broadcast \
                 or partitioned from table statistics",
                p.value
            ),
            Some(coordinator.place(p)),
        ),
        p => verdict(
            ITEM,
            CheckStatus::Pass,
            format!("{KEY} is AUTOMATIC: the optimizer chooses from table statistics"),
            p.map(|p| coordinator.place(p)),
        ),
    })
}

/// `fault-tolerant-execution`: retries on, and an exchange manager where
/// task retries need one.
pub fn fault_tolerance(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "fault-tolerant-execution";
    let coordinator = set.files.iter().find(|f| f.is_coordinator())?;
    let exchange = set.files.iter().find(|f| {
        f.name.rsplit('/').next() == Some("exchange-manager.properties")
            && f.properties.get("exchange-manager.name").is_some()
    });
    Some(match coordinator.properties.get("retry-policy") {
        Some(p) if p.value.eq_ignore_ascii_case("TASK") => match exchange {
            Some(e) => verdict(
                ITEM,
                CheckStatus::Pass,
                "retry-policy=TASK with an exchange manager",
                e.properties
                    .get("exchange-manager.name")
                    .map(|x| e.place(x)),
            ),
            None => verdict(
                ITEM,
                CheckStatus::Fail,
                "retry-policy=TASK without exchange-manager.properties: task retries need an \
                 exchange manager to spool to",
                Some(coordinator.place(p)),
            ),
        },
        Some(p) if p.value.eq_ignore_ascii_case("QUERY") => verdict(
            ITEM,
            CheckStatus::Pass,
            "retry-policy=QUERY: a failed query is run again",
            Some(coordinator.place(p)),
        ),
        p => verdict(
            ITEM,
            CheckStatus::Warn,
            "retry-policy is NONE: a query on a worker that goes away fails",
            p.map(|p| coordinator.place(p)),
        ),
    })
}

/// `authentication`: the coordinator serves HTTPS and names an
/// authentication type.
pub fn authentication(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "authentication";
    let c = set.files.iter().find(|f| f.is_coordinator())?;
    let kind = c.properties.get("http-server.authentication.type");
    Some(match (is_true(c, "http-server.https.enabled"), kind) {
        (true, Some(k)) if !k.value.trim().is_empty() => verdict(
            ITEM,
            CheckStatus::Pass,
            format!("HTTPS on, authentication {}", k.value),
            Some(c.place(k)),
        ),
        (false, k) => verdict(
            ITEM,
            CheckStatus::Fail,
            "http-server.https.enabled is not true: Trino accepts passwords and tokens only over HTTPS",
            k.map(|k| c.place(k)),
        ),
        (true, _) => verdict(
            ITEM,
            CheckStatus::Fail,
            "http-server.authentication.type is not set: anyone may claim any user",
            None,
        ),
    })
}

/// `authorization`: an access control other than allow-all is configured.
pub fn authorization(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "authorization";
    let file = set
        .files
        .iter()
        .find(|f| f.name.rsplit('/').next() == Some("access-control.properties"));
    let Some(f) = file else {
        // Without the file Trino allows everything.
        set.files.iter().find(|f| f.is_coordinator())?;
        return Some(verdict(
            ITEM,
            CheckStatus::Fail,
            "no access-control.properties: Trino's default allows every user everything",
            None,
        ));
    };
    Some(match f.properties.get("access-control.name") {
        Some(p) if p.value == "allow-all" => verdict(
            ITEM,
            CheckStatus::Fail,
            "access-control.name=allow-all",
            Some(f.place(p)),
        ),
        Some(p) => verdict(
            ITEM,
            CheckStatus::Pass,
            format!("access-control.name={}", p.value),
            Some(f.place(p)),
        ),
        None => verdict(
            ITEM,
            CheckStatus::Fail,
            format!("{} names no access-control.name", f.name),
            None,
        ),
    })
}

/// `audit`: the coordinator loads an event listener.
pub fn audit(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "audit";
    let c = set.files.iter().find(|f| f.is_coordinator())?;
    let listeners = set.files.iter().find_map(|f| {
        let p = f.properties.get("event-listener.name")?;
        Some((f, p))
    });
    Some(match (listeners, c.properties.get("event-listener.config-files")) {
        (Some((f, p)), _) => verdict(
            ITEM,
            CheckStatus::Pass,
            format!("event listener {} configured", p.value),
            Some(f.place(p)),
        ),
        (None, Some(p)) => verdict(
            ITEM,
            CheckStatus::Warn,
            "event-listener.config-files is set but none of the pushed files names an event-listener.name",
            Some(c.place(p)),
        ),
        (None, None) => verdict(
            ITEM,
            CheckStatus::Fail,
            "no event listener: finished queries are not recorded anywhere",
            None,
        ),
    })
}

/// `resource-groups`: a resource-group manager, and for the file manager a
/// pushed JSON with root groups and selectors.
pub fn resource_groups(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "resource-groups";
    let Some(f) = set
        .files
        .iter()
        .find(|f| f.name.rsplit('/').next() == Some("resource-groups.properties"))
    else {
        set.files.iter().find(|f| f.is_coordinator())?;
        return Some(verdict(
            ITEM,
            CheckStatus::Fail,
            "no resource-groups.properties: queries are neither queued nor shared by workload",
            None,
        ));
    };
    let manager = f.properties.get("resource-groups.configuration-manager");
    match manager.map(|p| p.value.as_str()) {
        Some("file") => {}
        Some(other) => {
            return Some(verdict(
                ITEM,
                CheckStatus::Pass,
                format!("resource-groups.configuration-manager={other}"),
                manager.map(|p| f.place(p)),
            ))
        }
        None => {
            return Some(verdict(
                ITEM,
                CheckStatus::Fail,
                format!("{} names no resource-groups.configuration-manager", f.name),
                None,
            ))
        }
    }
    let Some(file) = f.properties.get("resource-groups.config-file") else {
        return Some(verdict(
            ITEM,
            CheckStatus::Fail,
            "the file manager without resource-groups.config-file",
            manager.map(|p| f.place(p)),
        ));
    };
    let wanted = file.value.rsplit('/').next().unwrap_or(&file.value);
    let Some((name, json)) = set
        .resource_groups
        .iter()
        .find(|(n, _)| n.rsplit('/').next() == Some(wanted))
    else {
        return Some(verdict(
            ITEM,
            CheckStatus::Warn,
            format!(
                "{} is not among the pushed files: its groups cannot be judged",
                file.value
            ),
            Some(f.place(file)),
        ));
    };
    let count = |key: &str| json.get(key).and_then(|v| v.as_array()).map_or(0, Vec::len);
    let (roots, selectors) = (count("rootGroups"), count("selectors"));
    Some(if roots == 0 || selectors == 0 {
        verdict(
            ITEM,
            CheckStatus::Fail,
            format!("{name} has {roots} root group(s) and {selectors} selector(s): queries are not sorted into groups"),
            Some(f.place(file)),
        )
    } else {
        verdict(
            ITEM,
            CheckStatus::Pass,
            format!("{name}: {roots} root group(s), {selectors} selector(s)"),
            Some(f.place(file)),
        )
    })
}

/// `jvm`: every `jvm.config` sets the heap and exits on running out of
/// memory; a missing heap dump on that exit is a warning.
pub fn jvm_flags(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "jvm";
    if set.jvm.is_empty() {
        return None;
    }
    let has = |j: &super::JvmConfig, flag: &str| j.options.iter().any(|(o, _)| o == flag);
    for j in &set.jvm {
        if j.max_heap().is_none() {
            return Some(verdict(
                ITEM,
                CheckStatus::Fail,
                format!(
                    "{} sets no -Xmx: the heap is left to the JVM's default share of memory",
                    j.name
                ),
                None,
            ));
        }
        if !has(j, "-XX:+ExitOnOutOfMemoryError") {
            return Some(verdict(
                ITEM,
                CheckStatus::Fail,
                format!(
                    "{} lacks -XX:+ExitOnOutOfMemoryError: a node out of memory keeps running, broken",
                    j.name
                ),
                None,
            ));
        }
    }
    if let Some(j) = set
        .jvm
        .iter()
        .find(|j| !has(j, "-XX:+HeapDumpOnOutOfMemoryError"))
    {
        return Some(verdict(
            ITEM,
            CheckStatus::Warn,
            format!(
                "{} lacks -XX:+HeapDumpOnOutOfMemoryError: an out-of-memory exit leaves nothing to study",
                j.name
            ),
            None,
        ));
    }
    Some(verdict(
        ITEM,
        CheckStatus::Pass,
        format!(
            "{} jvm.config file{} set the heap and exit (with a heap dump) on running out of memory",
            set.jvm.len(),
            if set.jvm.len() == 1 { "" } else { "s" }
        ),
        None,
    ))
}
