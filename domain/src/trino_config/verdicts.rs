//! Verdicts on runbook items decided from a cluster's own configuration,
//! each naming the file and line it came from.
//!
//! Defaults are Trino's documented ones (trino.io/docs/current/admin):
//! `node-scheduler.include-coordinator` is `true`; `spill-enabled` is
//! `false` and `spiller-spill-path` has no default and "must be set when
//! spilling is enabled"; `query.max-memory-per-node` and
//! `memory.heap-headroom-per-node` are each 30% of the JVM's maximum heap,
//! and "the sum of query.max-memory-per-node and
//! memory.heap-headroom-per-node must be less than the maximum heap size".
//! `query.max-total-memory-per-node` was removed in release 369: a server
//! that still sets it does not start.

pub mod manifest_rules;
pub mod more;
#[cfg(test)]
mod more_tests;

use super::properties::{Properties, Property};
use crate::check::{CheckStatus, Verdict};
use crate::preflight::Place;

/// One property file of the pushed configuration.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// As pushed, e.g. `coordinator/etc/config.properties`.
    pub name: String,
    pub properties: Properties,
}

impl ConfigFile {
    /// `config.properties` itself (not `session-property-config.properties`
    /// or another file whose name merely ends so).
    fn is_server_config(&self) -> bool {
        file_name(&self.name) == "config.properties"
    }

    /// The directory the file is in, as pushed (`coordinator/etc`).
    fn dir(&self) -> &str {
        dir_of(&self.name)
    }

    fn is_coordinator(&self) -> bool {
        self.is_server_config() && self.properties.value("coordinator") == Some("true")
    }

    fn place(&self, p: &Property) -> Place {
        Place {
            file: self.name.clone(),
            line: p.line,
        }
    }
}

fn file_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn dir_of(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `jvm.config`: one JVM option per line, `#` comments.
#[derive(Debug, Clone)]
pub struct JvmConfig {
    pub name: String,
    /// Each option with its line.
    pub options: Vec<(String, usize)>,
}

/// Reads a `jvm.config` text.
pub fn parse_jvm_config(name: &str, text: &str) -> JvmConfig {
    let options = text
        .lines()
        .enumerate()
        .map(|(i, l)| (l.trim(), i + 1))
        .filter(|(l, _)| !l.is_empty() && !l.starts_with('#'))
        .map(|(l, n)| (l.to_string(), n))
        .collect();
    JvmConfig {
        name: name.to_string(),
        options,
    }
}

impl JvmConfig {
    /// The maximum heap (`-Xmx`; the last one counts, as in Java).
    pub fn max_heap(&self) -> Option<(u64, Place)> {
        self.options.iter().rev().find_map(|(o, line)| {
            let size = o.strip_prefix("-Xmx")?;
            Some((
                jvm_size(size)?,
                Place {
                    file: self.name.clone(),
                    line: *line,
                },
            ))
        })
    }
}

/// The files of one push.
#[derive(Debug, Clone, Default)]
pub struct ConfigSet {
    pub files: Vec<ConfigFile>,
    pub jvm: Vec<JvmConfig>,
    /// Stackable `TrinoCluster` manifests.
    pub manifests: Vec<super::manifest::Manifest>,
    /// Resource-group JSON files (name, content).
    pub resource_groups: Vec<(String, serde_json::Value)>,
}

/// A verdict from configuration, and where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigVerdict {
    pub item: &'static str,
    pub verdict: Verdict,
    pub at: Option<Place>,
}

fn verdict(
    item: &'static str,
    status: CheckStatus,
    reason: impl Into<String>,
    at: Option<Place>,
) -> ConfigVerdict {
    let at_text = at.as_ref().map(ToString::to_string).unwrap_or_default();
    ConfigVerdict {
        item,
        verdict: Verdict::new(status, reason, at_text),
        at,
    }
}

/// Every verdict the configuration decides, one per item: where the
/// property files and a manifest both judge an item, the worse verdict
/// stands (a failure found anywhere is not hidden by a pass elsewhere).
pub fn config_verdicts(set: &ConfigSet) -> Vec<ConfigVerdict> {
    let all = [
        coordinator_isolation(set),
        spill(set),
        memory(set),
        more::s3_connections(set),
        more::file_formats(set),
        more::centralized_logs(set),
        more::joins(set),
        more::fault_tolerance(set),
        more::authentication(set),
        more::authorization(set),
        more::audit(set),
        more::resource_groups(set),
        more::jvm_flags(set),
    ]
    .into_iter()
    .flatten()
    .chain(manifest_rules::manifest_verdicts(set));
    let mut out: Vec<ConfigVerdict> = Vec::new();
    for v in all {
        match out.iter_mut().find(|o| o.item == v.item) {
            Some(o) if severity(v.verdict.status) > severity(o.verdict.status) => *o = v,
            Some(_) => {}
            None => out.push(v),
        }
    }
    out
}

/// How bad a configuration verdict is, for keeping the worse of two.
fn severity(s: CheckStatus) -> u8 {
    match s {
        CheckStatus::Pass => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Error => 2,
        CheckStatus::Fail => 3,
    }
}

/// `coordinator-isolation`: the coordinator does not schedule work on itself.
pub fn coordinator_isolation(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "coordinator-isolation";
    const KEY: &str = "node-scheduler.include-coordinator";
    let coordinator = set.files.iter().find(|f| f.is_coordinator())?;
    Some(match coordinator.properties.get(KEY) {
        Some(p) if p.value.eq_ignore_ascii_case("false") => verdict(
            ITEM,
            CheckStatus::Pass,
            format!("{KEY}=false: the coordinator only schedules"),
            Some(coordinator.place(p)),
        ),
        Some(p) => verdict(
            ITEM,
            CheckStatus::Fail,
            format!("{KEY}={}: the coordinator also runs splits", p.value),
            Some(coordinator.place(p)),
        ),
        None => verdict(
            ITEM,
            CheckStatus::Fail,
            format!(
                "{KEY} is not set in {}, and Trino's default is true: the coordinator also runs splits",
                coordinator.name
            ),
            None,
        ),
    })
}

/// `spill`: every worker configuration spills, to a path of its own.
pub fn spill(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "spill";
    let workers: Vec<&ConfigFile> = set
        .files
        .iter()
        .filter(|f| f.is_server_config() && !f.is_coordinator())
        .collect();
    if workers.is_empty() {
        return None;
    }
    for w in &workers {
        let enabled = w.properties.get("spill-enabled");
        match enabled {
            Some(p) if p.value.eq_ignore_ascii_case("true") => {
                if w.properties.get("spiller-spill-path").is_none() {
                    return Some(verdict(
                        ITEM,
                        CheckStatus::Fail,
                        "spill-enabled=true without spiller-spill-path, which must be set when spilling is enabled",
                        Some(w.place(p)),
                    ));
                }
            }
            Some(p) => {
                return Some(verdict(
                    ITEM,
                    CheckStatus::Fail,
                    format!(
                        "spill-enabled={}: queries that outgrow memory fail",
                        p.value
                    ),
                    Some(w.place(p)),
                ))
            }
            None => {
                return Some(verdict(
                    ITEM,
                    CheckStatus::Fail,
                    format!(
                        "spill-enabled is not set in {}, and Trino's default is false",
                        w.name
                    ),
                    None,
                ))
            }
        }
    }
    let first = workers[0];
    let path = first.properties.get("spiller-spill-path")?;
    // The size each node may spill: a value Trino cannot read fails.
    let size = match first.properties.get("max-spill-per-node") {
        None => "max-spill-per-node at Trino's default".to_string(),
        Some(p) => match data_size(&p.value) {
            Some(bytes) => format!("at most {} per node", human(bytes)),
            None => {
                return Some(verdict(
                    ITEM,
                    CheckStatus::Fail,
                    format!(
                        "max-spill-per-node={} is not a data size Trino reads (e.g. 100GB)",
                        p.value
                    ),
                    Some(first.place(p)),
                ))
            }
        },
    };
    Some(verdict(
        ITEM,
        CheckStatus::Pass,
        format!(
            "spill is on in {} worker configuration{}, to {}, {size}",
            workers.len(),
            if workers.len() == 1 { "" } else { "s" },
            path.value
        ),
        Some(first.place(path)),
    ))
}

/// `memory-guardrails`: no defunct memory property, and the per-node query
/// limit plus the headroom fit in the heap.
pub fn memory(set: &ConfigSet) -> Option<ConfigVerdict> {
    const ITEM: &str = "memory-guardrails";
    for f in set.files.iter().filter(|f| f.is_server_config()) {
        if let Some(p) = f.properties.get("query.max-total-memory-per-node") {
            return Some(verdict(
                ITEM,
                CheckStatus::Fail,
                "query.max-total-memory-per-node was removed in Trino 369: a server that sets it does not start; keep query.max-memory-per-node and memory.heap-headroom-per-node",
                Some(f.place(p)),
            ));
        }
    }
    let worker = set
        .files
        .iter()
        .filter(|f| f.is_server_config())
        .find(|f| !f.is_coordinator())
        .or_else(|| set.files.iter().find(|f| f.is_server_config()))?;
    // The heap of the same node role: the jvm.config beside that
    // config.properties, else the only one there is.
    let beside = set.jvm.iter().find(|j| dir_of(&j.name) == worker.dir());
    let jvm = beside.or(if set.jvm.len() == 1 {
        set.jvm.first()
    } else {
        None
    })?;
    let (heap, heap_at) = jvm.max_heap()?;
    let read = |key: &str| -> Result<Option<(u64, &Property)>, ConfigVerdict> {
        match worker.properties.get(key) {
            None => Ok(None),
            Some(p) => match data_size(&p.value) {
                Some(size) => Ok(Some((size, p))),
                None => Err(verdict(
                    ITEM,
                    CheckStatus::Fail,
                    format!(
                        "{key}={} is not a data size Trino reads (e.g. 8GB)",
                        p.value
                    ),
                    Some(worker.place(p)),
                )),
            },
        }
    };
    let limit = match read("query.max-memory-per-node") {
        Ok(v) => v,
        Err(v) => return Some(v),
    };
    let headroom = match read("memory.heap-headroom-per-node") {
        Ok(v) => v,
        Err(v) => return Some(v),
    };
    let default = heap * 3 / 10;
    let limit_bytes = limit.map_or(default, |(b, _)| b);
    let headroom_bytes = headroom.map_or(default, |(b, _)| b);
    let at = limit
        .map(|(_, p)| worker.place(p))
        .or(Some(heap_at.clone()));
    if limit_bytes + headroom_bytes >= heap {
        return Some(verdict(
            ITEM,
            CheckStatus::Fail,
            format!(
                "query.max-memory-per-node ({}) plus memory.heap-headroom-per-node ({}) is not less than the heap ({} at {heap_at})",
                human(limit_bytes),
                human(headroom_bytes),
                human(heap)
            ),
            at,
        ));
    }
    if limit.is_none() {
        return Some(verdict(
            ITEM,
            CheckStatus::Warn,
            format!(
                "query.max-memory-per-node is not set in {}: Trino uses 30% of the heap ({})",
                worker.name,
                human(default)
            ),
            at,
        ));
    }
    Some(verdict(
        ITEM,
        CheckStatus::Pass,
        format!(
            "per-node limit {} plus headroom {} fits the {} heap",
            human(limit_bytes),
            human(headroom_bytes),
            human(heap)
        ),
        at,
    ))
}

/// An airlift data size as Trino reads it: `8GB`, `1.5TB`, `512MB`, `100B`
/// (units are powers of 1024).
pub fn data_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = t.split_at(split);
    let factor: u64 = match unit.trim() {
        "B" => 1,
        "kB" => 1 << 10,
        "MB" => 1 << 20,
        "GB" => 1 << 30,
        "TB" => 1 << 40,
        "PB" => 1 << 50,
        _ => return None,
    };
    let n: f64 = number.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some((n * factor as f64) as u64)
}

/// A JVM size (`-Xmx16G`, `16g`, `512m`, `1024k`, bytes without a unit).
fn jvm_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&t[..i], Some(c.to_ascii_lowercase())),
        _ => (t, None),
    };
    let n: u64 = digits.parse().ok()?;
    let factor: u64 = match unit {
        None => 1,
        Some('k') => 1 << 10,
        Some('m') => 1 << 20,
        Some('g') => 1 << 30,
        Some('t') => 1 << 40,
        Some(_) => return None,
    };
    n.checked_mul(factor)
}

fn human(bytes: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    let g = bytes as f64 / GIB;
    if g >= 1.0 {
        format!("{}GB", (g * 10.0).round() / 10.0)
    } else {
        format!("{}MB", bytes >> 20)
    }
}

#[cfg(test)]
mod tests;
