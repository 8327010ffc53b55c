//! Where Shipshape's live checks may send requests and secrets: the rules
//! that keep a cluster's settings, or what its coordinator answers, from
//! pointing checks (and credentials) at a host nobody approved.
//!
//! - A secret goes only to hosts its binding in the server's config lists
//!   (`host` for any port, `host:port` for one).
//! - A worker URI from `system.runtime.nodes` is fetched only when its host
//!   matches the cluster's `worker_hosts` patterns (`host`, `*.domain`,
//!   optionally `:port`). Without patterns: the coordinator's host and its
//!   parent domain's hosts; for a loopback coordinator, loopback only; for a
//!   coordinator given by IP address, that address only.

use std::net::IpAddr;
use url::Url;

/// Whether `url` is plain `http` to a host other than loopback
/// (`localhost`, `127.0.0.0/8`, `::1`): such an address would carry login
/// answers or links in the clear across a network.
pub fn plain_http_off_loopback(url: &Url) -> bool {
    if url.scheme() != "http" {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => !d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => !a.is_loopback(),
        Some(url::Host::Ipv6(a)) => !a.is_loopback(),
        None => true,
    }
}

/// A URL's lower-case host (IPv6 without brackets) and port (the scheme's
/// default when none is written).
pub fn host_port(url: &Url) -> Option<(String, u16)> {
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    Some((host.to_ascii_lowercase(), url.port_or_known_default()?))
}

/// Splits `host`, `host:port`, `[v6]:port` or `*.domain:port` into the host
/// part (lower-case, brackets removed) and the port, if any.
fn split_pattern(pattern: &str) -> (String, Option<u16>) {
    let p = pattern.trim().to_ascii_lowercase();
    if let Some(rest) = p.strip_prefix('[') {
        if let Some((host, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|t| t.parse().ok());
            return (host.to_string(), port);
        }
    }
    match p.rsplit_once(':') {
        // a bare IPv6 address has several colons and no port
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host.to_string(), Some(port)),
            Err(_) => (p.clone(), None),
        },
        _ => (p, None),
    }
}

fn host_matches(pattern_host: &str, host: &str) -> bool {
    match pattern_host.strip_prefix("*.") {
        Some(domain) => host.len() > domain.len() + 1 && host.ends_with(&format!(".{domain}")),
        None => pattern_host == host,
    }
}

/// One pattern (`host`, `host:port`, `*.domain`, `*.domain:port`) against a
/// host and port.
pub fn pattern_matches(pattern: &str, host: &str, port: u16) -> bool {
    let (ph, pp) = split_pattern(pattern);
    !ph.is_empty() && host_matches(&ph, host) && pp.is_none_or(|p| p == port)
}

/// Whether a secret bound to `hosts` may be sent to `url`.
pub fn secret_allowed(hosts: &[String], url: &Url) -> bool {
    host_port(url).is_some_and(|(h, p)| hosts.iter().any(|pat| pattern_matches(pat, &h, p)))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The worker patterns that apply when a cluster names none.
pub fn default_worker_patterns(coordinator: &Url) -> Vec<String> {
    let Some((host, _)) = host_port(coordinator) else {
        return Vec::new();
    };
    if is_loopback(&host) {
        return vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    }
    if host.parse::<IpAddr>().is_ok() {
        return vec![host];
    }
    let labels: Vec<&str> = host.split('.').collect();
    let parent = if labels.len() >= 3 {
        labels[1..].join(".")
    } else {
        host.clone()
    };
    vec![host.clone(), parent.clone(), format!("*.{parent}")]
}

/// Whether a worker URI may be fetched: http(s), and its host matches the
/// cluster's patterns (or the defaults). Loopback defaults also admit any
/// 127.x address.
pub fn worker_allowed(coordinator: &Url, patterns: &[String], worker: &Url) -> Result<(), String> {
    if !matches!(worker.scheme(), "http" | "https") {
        return Err(format!("{worker} is not http(s)"));
    }
    let Some((host, port)) = host_port(worker) else {
        return Err(format!("{worker} names no host"));
    };
    let allowed = if patterns.is_empty() {
        let coordinator_host = host_port(coordinator).map(|(h, _)| h).unwrap_or_default();
        if is_loopback(&coordinator_host) {
            is_loopback(&host)
        } else {
            default_worker_patterns(coordinator)
                .iter()
                .any(|p| pattern_matches(p, &host, port))
        }
    } else {
        patterns.iter().any(|p| pattern_matches(p, &host, port))
    };
    if allowed {
        Ok(())
    } else {
        let shown = if patterns.is_empty() {
            default_worker_patterns(coordinator).join(", ")
        } else {
            patterns.join(", ")
        };
        Err(format!(
            "{host}:{port} is not among the cluster's worker hosts ({shown}): not fetched"
        ))
    }
}

/// Checks a `worker_hosts` pattern as typed: `host`, `*.domain`, with an
/// optional `:port`; letters, digits, `.`, `-`, and `:` or brackets for
/// IPv6.
pub fn valid_worker_pattern(pattern: &str) -> bool {
    let (host, _) = split_pattern(pattern);
    let host = host.strip_prefix("*.").unwrap_or(&host);
    !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_http_is_refused_off_loopback_only() {
        let off = |u: &str| super::plain_http_off_loopback(&url::Url::parse(u).unwrap());
        assert!(off("http://id.example.com"));
        assert!(off("http://10.0.0.1:8080/"));
        assert!(!off("https://id.example.com"));
        assert!(!off("http://127.0.0.1:9000"));
        assert!(!off("http://localhost:3000"));
        assert!(!off("http://[::1]:3000"));
    }

    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn secrets_go_only_to_bound_hosts() {
        let hosts = vec!["trino.prod.example.com:8443".to_string(), "10.1.2.3".into()];
        assert!(secret_allowed(
            &hosts,
            &u("https://trino.prod.example.com:8443")
        ));
        assert!(secret_allowed(
            &hosts,
            &u("https://TRINO.prod.example.com:8443/")
        ));
        assert!(!secret_allowed(
            &hosts,
            &u("https://trino.prod.example.com:9443")
        ));
        assert!(
            !secret_allowed(&hosts, &u("https://trino.prod.example.com")),
            "443 is not 8443"
        );
        assert!(!secret_allowed(&hosts, &u("https://evil.example.com:8443")));
        assert!(
            secret_allowed(&hosts, &u("https://10.1.2.3:1234")),
            "a bare host allows any port"
        );
        assert!(secret_allowed(
            &["[::1]:8443".to_string()],
            &u("https://[::1]:8443")
        ));
        assert!(!secret_allowed(&[], &u("https://a.example.com")));
    }

    #[test]
    fn workers_default_to_the_coordinators_domain() {
        let c = u("https://trino.prod.example.com:8443");
        assert!(worker_allowed(&c, &[], &u("http://worker-1.prod.example.com:8080")).is_ok());
        assert!(worker_allowed(&c, &[], &u("http://trino.prod.example.com:8080")).is_ok());
        let e = worker_allowed(&c, &[], &u("http://metadata.internal:80")).unwrap_err();
        assert!(e.contains("not among the cluster's worker hosts"), "{e}");
        assert!(worker_allowed(&c, &[], &u("http://example.com.evil.net")).is_err());
        assert!(worker_allowed(&c, &[], &u("file:///etc/passwd")).is_err());
        // A loopback coordinator admits loopback workers only.
        let local = u("http://127.0.0.1:8080");
        assert!(worker_allowed(&local, &[], &u("http://127.0.0.1:9")).is_ok());
        assert!(worker_allowed(&local, &[], &u("http://localhost:9")).is_ok());
        assert!(worker_allowed(&local, &[], &u("http://192.168.1.5:8080")).is_err());
        // A coordinator by IP admits that IP only.
        let ip = u("http://10.0.0.7:8080");
        assert!(worker_allowed(&ip, &[], &u("http://10.0.0.7:8081")).is_ok());
        assert!(worker_allowed(&ip, &[], &u("http://10.0.0.8:8081")).is_err());
    }

    #[test]
    fn explicit_worker_patterns_replace_the_defaults() {
        let c = u("http://127.0.0.1:8080");
        let pats = vec!["*.workers.example.com:8080".to_string()];
        assert!(worker_allowed(&c, &pats, &u("http://w1.workers.example.com:8080")).is_ok());
        assert!(worker_allowed(&c, &pats, &u("http://w1.workers.example.com:8081")).is_err());
        assert!(worker_allowed(&c, &pats, &u("http://workers.example.com:8080")).is_err());
        assert!(worker_allowed(&c, &pats, &u("http://127.0.0.1:8080")).is_err());
        assert!(valid_worker_pattern("*.workers.example.com:8080"));
        assert!(valid_worker_pattern("[::1]:8080"));
        assert!(!valid_worker_pattern("http://x"));
        assert!(!valid_worker_pattern(""));
    }
}
