//! Verdicts from Stackable `TrinoCluster` manifests (see
//! [`crate::trino_config::manifest`] for the operator's rules and their
//! sources): the graceful-shutdown items, the certificate lifetime, fault
//! tolerance, OPA authorization and worker replicas.

use super::{verdict, ConfigSet, ConfigVerdict};
use crate::check::CheckStatus;
use crate::trino_config::manifest::{k8s_duration, Manifest, Role, RoleGroup};

fn human_secs(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        s if s % 86400 == 0 && s > 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn groups(m: &Manifest, role: Role) -> impl Iterator<Item = &RoleGroup> {
    m.groups.iter().filter(move |g| g.role == role)
}

/// A role group's grace period: its own or its role's, else the default.
fn grace(g: &RoleGroup) -> f64 {
    g.grace.as_ref().map_or(g.role.default_grace(), |(s, _)| *s)
}

/// The smallest worker grace period of a manifest, with its group.
fn smallest_worker_grace(m: &Manifest) -> Option<(f64, &RoleGroup)> {
    groups(m, Role::Workers)
        .map(|g| (grace(g), g))
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

fn described(g: &RoleGroup) -> String {
    match &g.grace {
        Some((s, at)) => format!("{} ({at})", human_secs(*s)),
        None => format!(
            "{} (the operator's default)",
            human_secs(g.role.default_grace())
        ),
    }
}

/// Every manifest verdict.
pub fn manifest_verdicts(set: &ConfigSet) -> Vec<ConfigVerdict> {
    set.manifests.iter().flat_map(one).collect()
}

fn one(m: &Manifest) -> Vec<ConfigVerdict> {
    let mut out = Vec::new();
    let worker_grace = smallest_worker_grace(m);
    let max_time = m.max_execution_time.as_ref().and_then(|(t, at)| {
        Some((
            k8s_duration(t).or_else(|| crate::check::parse_duration(t))?,
            t,
            at,
        ))
    });

    if let Some((secs, g)) = worker_grace {
        let longer = max_time.filter(|(t, ..)| *t > secs && m.fault_tolerant.is_none());
        out.push(match longer {
            Some((_, text, at)) => verdict(
                "worker-graceful-shutdown",
                CheckStatus::Fail,
                format!(
                    "role group '{}' drains for {}, but query.max-execution-time is {text}: a longer query is killed when its worker shuts down",
                    g.name,
                    described(g)
                ),
                Some(at.clone()),
            ),
            None => verdict(
                "worker-graceful-shutdown",
                CheckStatus::Pass,
                format!(
                    "every worker role group drains for at least {} (role group '{}', {})",
                    human_secs(secs),
                    g.name,
                    described(g)
                ),
                g.grace.as_ref().map(|(_, at)| at.clone()),
            ),
        });
        out.push(match (&m.fault_tolerant, max_time) {
            (Some(at), _) => verdict(
                "max-execution-time-vs-shutdown",
                CheckStatus::Pass,
                "spec.clusterConfig.faultTolerantExecution is set: the operator sets no query time limit and a query that outlives a grace period is retried, not lost",
                Some(at.clone()),
            ),
            (None, Some((t, text, at))) if t > secs => verdict(
                "max-execution-time-vs-shutdown",
                CheckStatus::Fail,
                format!(
                    "query.max-execution-time {text} is longer than the smallest worker grace period {}",
                    human_secs(secs)
                ),
                Some(at.clone()),
            ),
            (None, Some((_, text, at))) => verdict(
                "max-execution-time-vs-shutdown",
                CheckStatus::Pass,
                format!("query.max-execution-time {text} fits the smallest worker grace period {}", human_secs(secs)),
                Some(at.clone()),
            ),
            (None, None) => verdict(
                "max-execution-time-vs-shutdown",
                CheckStatus::Pass,
                format!(
                    "the operator sets query.max-execution-time to the smallest worker grace period, {}",
                    human_secs(secs)
                ),
                None,
            ),
        });
        let replicas: i64 = groups(m, Role::Workers)
            .map(|g| g.replicas.as_ref().map_or(1, |(n, _)| (*n).max(0)))
            .fold(0, i64::saturating_add);
        let replicas_at =
            groups(m, Role::Workers).find_map(|g| g.replicas.as_ref().map(|(_, at)| at.clone()));
        out.push(if replicas >= 2 {
            verdict(
                "worker-node-loss",
                CheckStatus::Pass,
                format!("{replicas} worker replicas: losing one leaves the others"),
                None,
            )
        } else {
            verdict(
                "worker-node-loss",
                CheckStatus::Fail,
                format!("{replicas} worker replica: losing it stops every query"),
                replicas_at,
            )
        });
    }
    if let Some(c) = groups(m, Role::Coordinators).next() {
        out.push(verdict(
            "coordinator-graceful-shutdown",
            CheckStatus::Pass,
            format!(
                "coordinators get {} to terminate; a coordinator restart still fails running queries, so keep restarts to maintenance windows",
                described(c)
            ),
            c.grace.as_ref().map(|(_, at)| at.clone()),
        ));
    }
    let unset: Vec<String> = m
        .groups
        .iter()
        .filter(|g| g.secret_lifetime.is_none())
        .map(|g| format!("{}/{}", g.role.key(), g.name))
        .collect();
    if !m.groups.is_empty() {
        out.push(if unset.is_empty() {
            let first = m.groups.iter().find_map(|g| g.secret_lifetime.as_ref());
            verdict(
                "certificate-lifetime",
                CheckStatus::Pass,
                format!(
                    "requestedSecretLifetime is set on every role group ({})",
                    first.map(|(l, _)| l.as_str()).unwrap_or_default()
                ),
                first.map(|(_, at)| at.clone()),
            )
        } else {
            verdict(
                "certificate-lifetime",
                CheckStatus::Fail,
                format!(
                    "requestedSecretLifetime is not set on {}: certificate renewals restart those Pods on the operator's schedule, not yours",
                    unset.join(", ")
                ),
                None,
            )
        });
    }
    out.push(match &m.fault_tolerant {
        Some(at) => verdict(
            "fault-tolerant-execution",
            CheckStatus::Pass,
            "spec.clusterConfig.faultTolerantExecution is set (supported natively since trino-operator 25.11.0)",
            Some(at.clone()),
        ),
        None => verdict(
            "fault-tolerant-execution",
            CheckStatus::Warn,
            format!(
                "{} has no spec.clusterConfig.faultTolerantExecution: a query on a worker that goes away fails",
                m.name
            ),
            None,
        ),
    });
    out.push(match &m.opa {
        Some((cm, at)) => verdict(
            "graceful-shutdown-authorization",
            CheckStatus::Pass,
            format!(
                "authorization through OPA (configMapName {cm}): the operator's rules let graceful-shutdown-user shut workers down"
            ),
            Some(at.clone()),
        ),
        None => verdict(
            "graceful-shutdown-authorization",
            CheckStatus::Fail,
            "no spec.clusterConfig.authorization.opa: graceful shutdown only works with OPA authorization, so workers shut down at once and fail their queries",
            None,
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trino_config::set::config_set;

    fn judge(yaml: &str) -> Vec<(String, CheckStatus, String)> {
        let set =
            config_set(&[("deploy/trino.yaml".to_string(), yaml.to_string())]).unwrap_or_default();
        manifest_verdicts(&set)
            .into_iter()
            .map(|v| (v.item.to_string(), v.verdict.status, v.verdict.reason))
            .collect()
    }

    fn status(v: &[(String, CheckStatus, String)], item: &str) -> Option<CheckStatus> {
        v.iter().find(|(i, ..)| i == item).map(|(_, s, _)| *s)
    }

    const SEED: &str = "apiVersion: trino.stackable.tech/v1alpha1\nkind: TrinoCluster\nmetadata:\n  name: trino\nspec:\n  coordinators:\n    roleGroups:\n      default:\n        replicas: 1\n  workers:\n    config:\n      gracefulShutdownTimeout: 1h\n    roleGroups:\n      default:\n        replicas: 1\n";

    #[test]
    fn the_seed_manifest_is_judged_item_by_item() {
        let v = judge(SEED);
        assert_eq!(
            status(&v, "worker-graceful-shutdown"),
            Some(CheckStatus::Pass)
        );
        assert_eq!(
            status(&v, "max-execution-time-vs-shutdown"),
            Some(CheckStatus::Pass)
        );
        assert_eq!(
            status(&v, "coordinator-graceful-shutdown"),
            Some(CheckStatus::Pass)
        );
        assert_eq!(status(&v, "certificate-lifetime"), Some(CheckStatus::Fail));
        assert_eq!(
            status(&v, "graceful-shutdown-authorization"),
            Some(CheckStatus::Fail)
        );
        assert_eq!(
            status(&v, "fault-tolerant-execution"),
            Some(CheckStatus::Warn)
        );
        assert_eq!(status(&v, "worker-node-loss"), Some(CheckStatus::Fail));
        let coordinator = v
            .iter()
            .find(|(i, ..)| i == "coordinator-graceful-shutdown")
            .map(|x| x.2.clone())
            .unwrap_or_default();
        assert!(
            coordinator.contains("15m (the operator's default)"),
            "{coordinator}"
        );
    }

    #[test]
    fn a_longer_query_limit_fails_unless_fault_tolerant_and_the_smallest_group_counts() {
        let longer = SEED.replace(
            "  coordinators:\n",
            "  coordinators:\n    configOverrides:\n      config.properties:\n        query.max-execution-time: 24h\n",
        );
        let v = judge(&longer);
        assert_eq!(
            status(&v, "worker-graceful-shutdown"),
            Some(CheckStatus::Fail)
        );
        assert_eq!(
            status(&v, "max-execution-time-vs-shutdown"),
            Some(CheckStatus::Fail)
        );
        let fte = longer.replace("spec:\n", "spec:\n  clusterConfig:\n    faultTolerantExecution:\n      task:\n        exchangeManager: {}\n    authorization:\n      opa:\n        configMapName: opa\n");
        let v = judge(&fte);
        assert_eq!(
            status(&v, "worker-graceful-shutdown"),
            Some(CheckStatus::Pass)
        );
        assert_eq!(
            status(&v, "max-execution-time-vs-shutdown"),
            Some(CheckStatus::Pass)
        );
        assert_eq!(
            status(&v, "fault-tolerant-execution"),
            Some(CheckStatus::Pass)
        );
        assert_eq!(
            status(&v, "graceful-shutdown-authorization"),
            Some(CheckStatus::Pass)
        );
        let short_group = SEED.replace(
            "        replicas: 1\n",
            "        replicas: 2\n",
        ) + "      fast:\n        replicas: 1\n        config:\n          gracefulShutdownTimeout: 10m\n";
        let v = judge(&short_group);
        let why = v
            .iter()
            .find(|(i, ..)| i == "max-execution-time-vs-shutdown")
            .map(|x| x.2.clone())
            .unwrap_or_default();
        assert!(why.contains("10m"), "{why}");
        assert_eq!(status(&v, "worker-node-loss"), Some(CheckStatus::Pass));
    }
}
