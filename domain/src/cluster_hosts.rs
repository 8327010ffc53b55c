//! Where clusters may live: the admin's `cluster_hosts` setting and the rule
//! that decides whether live checks may connect to a host.
//!
//! Entries are host patterns (`trino.prod.example.com`, `*.example.com`,
//! optionally with `:port`; see [`crate::reach`]) and networks (`10.20.0.0/16`,
//! `2001:db8::/32`, or a single address such as `10.0.0.5`).
//!
//! A host, with the addresses its name resolved to (once, by the caller,
//! who then connects to exactly those), is allowed when:
//!
//! 1. no address is loopback (`127.0.0.0/8`, `::1`), link-local
//!    (`169.254.0.0/16`, `fe80::/10`) or unspecified (`0.0.0.0/8`, `::`),
//!    unless an allowed network *inside that special range* contains it
//!    (`127.0.0.0/8` allows loopback; `0.0.0.0/0` does not); and
//! 2. its name (and port) matches a host pattern, or else every address it
//!    resolved to lies in an allowed network.
//!
//! IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) count as the IPv4
//! address they are. A host that resolved to nothing is refused.

use crate::reach::{pattern_matches, valid_worker_pattern};
use ipnet::IpNet;
use std::net::IpAddr;

/// The parsed `cluster_hosts` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterHosts {
    patterns: Vec<String>,
    networks: Vec<IpNet>,
    shown: String,
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The special range an address lies in (loopback, link-local,
/// unspecified), with its name, if any.
pub fn special_range(ip: IpAddr) -> Option<(IpNet, &'static str)> {
    const RANGES: [(&str, &str); 6] = [
        ("127.0.0.0/8", "loopback"),
        ("::1/128", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("fe80::/10", "link-local"),
        ("0.0.0.0/8", "unspecified"),
        ("::/128", "unspecified"),
    ];
    let ip = canonical(ip);
    RANGES.iter().find_map(|(net, kind)| {
        let net: IpNet = net.parse().ok()?;
        net.contains(&ip).then_some((net, *kind))
    })
}

/// One entry as a network: `a.b.c.d/n`, `v6/n` or a bare address.
fn network(entry: &str) -> Option<IpNet> {
    let net = match entry.parse::<IpNet>() {
        Ok(n) => n.trunc(),
        Err(_) => IpNet::from(entry.parse::<IpAddr>().ok()?),
    };
    // `::ffff:a.b.c.d/n` (n ≥ 96) is the IPv4 network it maps.
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96)
                .map(|n| IpNet::V4(n.trunc()))
                .ok(),
            None => Some(net),
        },
        _ => Some(net),
    }
}

impl ClusterHosts {
    /// Parses the setting; `None` when it lists nothing (checks may then go
    /// anywhere, as before the setting existed). Errors name the entry.
    pub fn parse(entries: &[String]) -> Result<Option<ClusterHosts>, String> {
        let mut patterns = Vec::new();
        let mut networks = Vec::new();
        for raw in entries {
            let e = raw.trim();
            if e.is_empty() {
                return Err("an entry is empty".into());
            }
            if let Some(net) = network(e) {
                networks.push(net);
            } else if e.contains('/') {
                return Err(format!(
                    "{e:?} is not a network such as 10.20.0.0/16 or 2001:db8::/32"
                ));
            } else if valid_worker_pattern(e) {
                patterns.push(e.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "{e:?} is neither a host pattern (trino.example.com, *.example.com, optionally :port) nor a network (10.20.0.0/16)"
                ));
            }
        }
        if patterns.is_empty() && networks.is_empty() {
            return Ok(None);
        }
        let shown = entries
            .iter()
            .map(|e| e.trim())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Some(ClusterHosts {
            patterns,
            networks,
            shown,
        }))
    }

    /// The entries as configured, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether `host` (lower-case, IPv6 without brackets) and `port` match a
    /// host pattern. Alone this allows nothing: the addresses must pass
    /// [`ClusterHosts::admit`] too.
    pub fn name_matches(&self, host: &str, port: u16) -> bool {
        self.patterns
            .iter()
            .any(|p| pattern_matches(p, &host.to_ascii_lowercase(), port))
    }

    /// The rule (see the module's documentation): may a connection to
    /// `host:port`, whose name resolved to `addrs`, be made? The error is a
    /// phrase for a person, naming the host and the address at fault.
    pub fn admit(&self, host: &str, port: u16, addrs: &[IpAddr]) -> Result<(), String> {
        if addrs.is_empty() {
            return Err(format!("{host} resolves to no address"));
        }
        let literal = host.parse::<IpAddr>().is_ok();
        for ip in addrs.iter().map(|ip| canonical(*ip)) {
            if let Some((range, kind)) = special_range(ip) {
                let explicit = self
                    .networks
                    .iter()
                    .any(|n| n.contains(&ip) && range.contains(n));
                if !explicit {
                    let what = if literal {
                        format!("{ip} is")
                    } else {
                        format!("{host} resolves to {ip},")
                    };
                    return Err(format!(
                        "{what} a {kind} address, which only a network inside {range} in cluster_hosts allows"
                    ));
                }
            }
        }
        if self.name_matches(host, port) {
            return Ok(());
        }
        for ip in addrs.iter().map(|ip| canonical(*ip)) {
            if !self.networks.iter().any(|n| n.contains(&ip)) {
                return Err(if literal {
                    format!(
                        "{ip} (port {port}) matches no host pattern and lies in no allowed network"
                    )
                } else {
                    format!(
                        "{host}:{port} matches no host pattern, and it resolves to {ip}, which lies in no allowed network"
                    )
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> ClusterHosts {
        let v: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        ClusterHosts::parse(&v).unwrap().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn entries_parse_as_patterns_or_networks() {
        assert_eq!(ClusterHosts::parse(&[]).unwrap(), None);
        let h = hosts(&[
            "trino.prod.example.com",
            "*.example.com:8443",
            "10.20.0.0/16",
            "2001:db8::/32",
            "10.0.0.5",
            "[::1]:8080",
        ]);
        assert_eq!(h.patterns.len(), 3);
        assert_eq!(h.networks.len(), 3);
        assert!(h.shown().contains("*.example.com:8443"));
        for bad in ["10.0.0.0/33", "example.com/16", "http://x", "", " ", "a b"] {
            let e = ClusterHosts::parse(&[bad.to_string()]).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
    }

    #[test]
    fn a_name_matching_a_pattern_is_allowed_at_ordinary_addresses() {
        let h = hosts(&["*.example.com", "trino.corp:8443"]);
        assert!(h.admit("t.example.com", 443, &[ip("203.0.113.7")]).is_ok());
        assert!(h.admit("trino.corp", 8443, &[ip("192.168.1.5")]).is_ok());
        let e = h
            .admit("trino.corp", 9443, &[ip("192.168.1.5")])
            .unwrap_err();
        assert!(e.contains("matches no host pattern"), "{e}");
        assert!(h.admit("example.com", 443, &[ip("203.0.113.7")]).is_err());
        assert!(h.admit("T.Example.COM", 443, &[ip("203.0.113.7")]).is_ok());
    }

    #[test]
    fn otherwise_every_address_must_lie_in_a_network() {
        let h = hosts(&["*.example.com", "10.0.0.0/8", "2001:db8::/32"]);
        assert!(h.admit("db.internal", 8080, &[ip("10.1.2.3")]).is_ok());
        assert!(h
            .admit("db.internal", 8080, &[ip("10.1.2.3"), ip("2001:db8::7")])
            .is_ok());
        let e = h
            .admit("db.internal", 8080, &[ip("10.1.2.3"), ip("192.168.0.1")])
            .unwrap_err();
        assert!(e.contains("192.168.0.1"), "{e}");
        assert!(h.admit("10.9.9.9", 80, &[ip("10.9.9.9")]).is_ok());
        let e = h
            .admit("192.168.0.1", 80, &[ip("192.168.0.1")])
            .unwrap_err();
        assert!(e.contains("lies in no allowed network"), "{e}");
        assert!(h.admit("db.internal", 80, &[]).is_err());
        // A bare address is a network of one.
        let one = hosts(&["10.0.0.5"]);
        assert!(one.admit("10.0.0.5", 8080, &[ip("10.0.0.5")]).is_ok());
        assert!(one.admit("10.0.0.6", 8080, &[ip("10.0.0.6")]).is_err());
    }

    #[test]
    fn special_addresses_need_a_network_inside_their_range() {
        let h = hosts(&["*.example.com", "localhost", "0.0.0.0/0", "::/0"]);
        for (host, addr, kind) in [
            ("t.example.com", "127.0.0.1", "loopback"),
            ("localhost", "127.0.0.1", "loopback"),
            ("localhost", "::1", "loopback"),
            ("t.example.com", "169.254.169.254", "link-local"),
            ("t.example.com", "fe80::1", "link-local"),
            ("t.example.com", "0.0.0.0", "unspecified"),
            ("t.example.com", "::", "unspecified"),
            ("t.example.com", "::ffff:127.0.0.1", "loopback"),
        ] {
            let e = h.admit(host, 443, &[ip(addr)]).unwrap_err();
            assert!(e.contains(kind), "{host} {addr}: {e}");
        }
        // One bad address among good ones is enough to refuse.
        assert!(h
            .admit("t.example.com", 443, &[ip("203.0.113.7"), ip("127.0.0.1")])
            .is_err());
        // A network inside the range allows it, for names and literals.
        let local = hosts(&["127.0.0.0/8", "::1"]);
        assert!(local.admit("127.0.0.1", 8080, &[ip("127.0.0.1")]).is_ok());
        assert!(local
            .admit("localhost", 8080, &[ip("127.0.0.1"), ip("::1")])
            .is_ok());
        assert!(local.admit("::1", 8080, &[ip("::1")]).is_ok());
        assert!(local
            .admit("::ffff:127.0.0.2", 8080, &[ip("::ffff:127.0.0.2")])
            .is_ok());
        assert!(local.admit("x", 80, &[ip("169.254.169.254")]).is_err());
        let mapped = hosts(&["::ffff:127.0.0.0/104"]);
        assert!(mapped.admit("127.0.0.1", 80, &[ip("127.0.0.1")]).is_ok());
    }

    #[test]
    fn the_special_ranges_are_named() {
        assert_eq!(
            special_range(ip("127.8.9.10")).map(|r| r.1),
            Some("loopback")
        );
        assert_eq!(special_range(ip("10.0.0.1")), None);
        assert_eq!(special_range(ip("2001:db8::1")), None);
        assert_eq!(
            special_range(ip("169.254.169.254")).map(|r| r.1),
            Some("link-local")
        );
    }
}
