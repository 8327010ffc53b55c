//! The Java each Trino release needs, and the verdict on the JVMs a cluster
//! runs. The runbook's "Java 21" is out of date: Trino 447 and later need
//! Java 22, and 479 and later need Java 25.

use super::*;

/// The releases at which Trino's minimum Java changed, from each release's
/// notes (480-483 changed nothing): from this Trino release on, at least this
/// Java feature version. Releases between two steps need the older step's
/// Java; releases before the first step are not judged.
pub const JAVA_REQUIREMENTS: &[(u32, u32)] = &[
    (390, 17),
    (436, 21),
    (447, 22),
    (464, 23),
    (476, 24),
    (479, 25),
];

/// The requirement step a Trino release falls under: (the release that set
/// it, the Java feature version), if known.
pub fn java_requirement(trino: u32) -> Option<(u32, u32)> {
    JAVA_REQUIREMENTS
        .iter()
        .rev()
        .find(|(from, _)| *from <= trino)
        .copied()
}

/// The Java feature version a Trino release needs, if known.
pub fn java_required(trino: u32) -> Option<u32> {
    java_requirement(trino).map(|(_, java)| java)
}

/// `25`, `22.0.2`, `1.8` → 8.
pub fn java_feature_version(spec: &str) -> Option<u32> {
    let mut parts = spec.trim().split('.');
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        return parts.next()?.parse().ok();
    }
    Some(first)
}

/// `trino_version` from `/v1/info`; `nodes` are (node, specversion) rows.
pub fn judge_jvm(trino_version: &str, nodes: &[(String, String)]) -> Verdict {
    use CheckStatus::*;
    if nodes.is_empty() {
        return Verdict::new(
            Error,
            "the JMX catalog lists no nodes (is a `jmx` catalog configured?)",
            "0 nodes",
        );
    }
    let mut versions: Vec<(String, Vec<&str>)> = Vec::new();
    for (node, spec) in nodes {
        match versions.iter_mut().find(|(v, _)| v == spec) {
            Some((_, ns)) => ns.push(node),
            None => versions.push((spec.clone(), vec![node])),
        }
    }
    let observed = versions
        .iter()
        .map(|(v, ns)| format!("Java {v} on {} nodes", ns.len()))
        .collect::<Vec<_>>()
        .join(", ");
    if versions.len() > 1 {
        let detail = versions
            .iter()
            .map(|(v, ns)| format!("Java {v} on {}", ns.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        return Verdict::new(Fail, format!("mixed JVMs: {detail}"), observed);
    }
    let spec = &versions[0].0;
    let Some(java) = java_feature_version(spec) else {
        return Verdict::new(
            Error,
            format!("cannot read the Java version '{spec}'"),
            observed,
        );
    };
    let trino = trino_version
        .trim()
        .split(['-', '.'])
        .next()
        .and_then(|v| v.parse::<u32>().ok());
    let Some(trino) = trino else {
        return Verdict::new(
            Warn,
            format!("all nodes run Java {java}; cannot read the Trino version '{trino_version}'"),
            observed,
        );
    };
    match java_requirement(trino) {
        None => Verdict::new(
            Warn,
            format!("all nodes run Java {java}; Trino {trino} is older than the requirement table"),
            observed,
        ),
        Some((from, need)) if java < need => Verdict::new(
            Fail,
            format!("Trino {trino} runs on Java {java}; Trino {from} and later need Java {need}"),
            observed,
        ),
        Some((from, need)) => Verdict::new(
            Pass,
            format!(
                "all {} nodes run Java {java}; Trino {from} and later need Java {need}",
                nodes.len()
            ),
            observed,
        ),
    }
}
