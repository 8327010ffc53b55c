//! Where live checks may connect, under the admin's `cluster_hosts` (the
//! rule is `shipshape_domain::cluster_hosts`): a host's name is resolved
//! once, its addresses checked, and the check's connections go to exactly
//! those addresses, so a name cannot point somewhere else (DNS rebinding)
//! between the check and the connection.
//!
//! Before anything is sent to a coordinator or a worker, the caller asks
//! [`HostGuard::admit`]: it resolves the URL's host, applies the rule and
//! pins the addresses it checked. The check clients resolve names only
//! through [`PinnedResolver`], which answers with pinned addresses and
//! nothing else: a name nobody admitted is refused, not looked up (so a
//! forgotten `admit` fails closed). Addresses written in a URL are never
//! resolved; `admit` checks them as they are. With `cluster_hosts` set the
//! clients use no proxy (a proxy would connect wherever it resolves).
//!
//! Without `cluster_hosts` nothing here applies: clients resolve as usual.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use shipshape_domain::cluster_hosts::ClusterHosts;
use shipshape_domain::reach::host_port;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// Past this many pinned names the pins start afresh.
const MAX_PINS: usize = 4096;

type Pins = Arc<Mutex<HashMap<String, Arc<Vec<IpAddr>>>>>;

/// The `cluster_hosts` rule and the addresses it admitted, by host name.
#[derive(Clone, Default)]
pub struct HostGuard {
    rule: Option<Arc<ClusterHosts>>,
    pins: Pins,
}

/// Resolves only names [`HostGuard::admit`] pinned, to those addresses.
struct PinnedResolver {
    pins: Pins,
}

impl Resolve for PinnedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let pinned = self
            .pins
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host)
            .cloned();
        Box::pin(async move {
            let ips = pinned.ok_or_else(|| -> Box<dyn std::error::Error + Send + Sync> {
                format!("{host} was not checked against cluster_hosts: not connected").into()
            })?;
            // Port 0: the URL's port (or the scheme's) is used.
            let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl HostGuard {
    pub fn new(rule: Option<ClusterHosts>) -> HostGuard {
        HostGuard {
            rule: rule.map(Arc::new),
            pins: Default::default(),
        }
    }

    /// Whether `cluster_hosts` is set.
    pub fn is_on(&self) -> bool {
        self.rule.is_some()
    }

    /// Puts the guard on a client builder: the pinned resolver and no
    /// proxy, when `cluster_hosts` is set; the builder as it is otherwise.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if self.is_on() {
            builder.no_proxy().dns_resolver(Arc::new(PinnedResolver {
                pins: self.pins.clone(),
            }))
        } else {
            builder
        }
    }

    /// Resolves `url`'s host (within `limit`), applies the rule, and pins
    /// the addresses for the connections that follow. The error is a phrase
    /// naming the host and why ("… resolves to 127.0.0.1, a loopback
    /// address …"); nothing may be sent when it is returned.
    pub async fn admit(&self, url: &Url, limit: Duration) -> Result<(), String> {
        let Some(rule) = &self.rule else {
            return Ok(());
        };
        let (host, port) = host_port(url).ok_or_else(|| format!("{url} names no host"))?;
        let ips = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => lookup(&host, port, limit).await?,
        };
        rule.admit(&host, port, &ips)?;
        if host.parse::<IpAddr>().is_err() {
            let mut pins = self.pins.lock().unwrap_or_else(|e| e.into_inner());
            if pins.len() >= MAX_PINS {
                pins.clear();
            }
            pins.insert(host, Arc::new(ips));
        }
        Ok(())
    }

    /// The form-time rule for a coordinator URL: as [`HostGuard::admit`],
    /// except that a name matching a host pattern which does not resolve
    /// (yet) is accepted: every check run checks it again before sending.
    /// Nothing is pinned.
    pub async fn check_form(&self, url: &Url, limit: Duration) -> Result<(), String> {
        let Some(rule) = &self.rule else {
            return Ok(());
        };
        let (host, port) = host_port(url).ok_or_else(|| format!("{url} names no host"))?;
        let ips = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => match lookup(&host, port, limit).await {
                Ok(ips) => ips,
                Err(_) if rule.name_matches(&host, port) => return Ok(()),
                Err(e) => return Err(e),
            },
        };
        rule.admit(&host, port, &ips)
    }

    /// The configured entries, for messages.
    pub fn shown(&self) -> &str {
        self.rule.as_ref().map_or("", |r| r.shown())
    }
}

/// The addresses `host` resolves to, each once, in the order given.
async fn lookup(host: &str, port: u16, limit: Duration) -> Result<Vec<IpAddr>, String> {
    let found = tokio::time::timeout(limit, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| format!("{host} did not resolve within {limit:?}"))?
        .map_err(|e| format!("{host} does not resolve ({e})"))?;
    let mut ips: Vec<IpAddr> = Vec::new();
    for a in found {
        if !ips.contains(&a.ip()) {
            ips.push(a.ip());
        }
    }
    Ok(ips)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(entries: &[&str]) -> HostGuard {
        let v: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        HostGuard::new(ClusterHosts::parse(&v).unwrap())
    }

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const LIMIT: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn off_admits_everything_and_pins_nothing() {
        let g = HostGuard::default();
        assert!(!g.is_on());
        assert!(g.admit(&u("http://127.0.0.1:9"), LIMIT).await.is_ok());
        assert!(g.admit(&u("http://localhost:9"), LIMIT).await.is_ok());
        assert!(g.pins.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn names_are_resolved_checked_and_pinned() {
        let g = guard(&["*.example.com", "10.0.0.0/8"]);
        let e = g
            .admit(&u("http://127.0.0.1:8080"), LIMIT)
            .await
            .unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        let e = g
            .admit(&u("http://localhost:8080"), LIMIT)
            .await
            .unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        assert!(g.pins.lock().unwrap().is_empty());

        let local = guard(&["127.0.0.0/8", "::1"]);
        local
            .admit(&u("http://localhost:8080"), LIMIT)
            .await
            .unwrap();
        let pinned = local.pins.lock().unwrap().get("localhost").cloned();
        assert!(pinned.is_some_and(|ips| ips.iter().all(|ip| ip.is_loopback())));
        // Addresses in the URL are checked, never pinned.
        local
            .admit(&u("http://127.0.0.1:8080"), LIMIT)
            .await
            .unwrap();
        assert_eq!(local.pins.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_resolver_answers_only_pinned_names() {
        let g = guard(&["127.0.0.0/8", "::1"]);
        let r = PinnedResolver {
            pins: g.pins.clone(),
        };
        let name = |s: &str| s.parse::<Name>().unwrap();
        assert!(r.resolve(name("localhost")).await.is_err());
        g.admit(&u("http://localhost:8080"), LIMIT).await.unwrap();
        let addrs: Vec<SocketAddr> = r.resolve(name("localhost")).await.unwrap().collect();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 0));
    }

    #[tokio::test]
    async fn forms_accept_a_matching_name_that_does_not_resolve_yet() {
        let g = guard(&["*.invalid"]);
        assert!(g
            .check_form(&u("https://trino.shipshape-test.invalid"), LIMIT)
            .await
            .is_ok());
        let e = g
            .admit(&u("https://trino.shipshape-test.invalid"), LIMIT)
            .await
            .unwrap_err();
        assert!(e.contains("resolve"), "{e}");
        assert!(g
            .check_form(&u("https://other.shipshape-test.example"), LIMIT)
            .await
            .is_err());
    }
}
