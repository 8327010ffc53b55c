//! Who is asking: the client's address behind the operator's reverse
//! proxies. Shipshape has no TLS of its own, so every HTTPS deployment puts
//! a proxy in front of it, and the TCP peer is then the proxy for everyone.
//! `X-Forwarded-For` / `Forwarded` are believed only when the peer is one of
//! the configured `trusted_proxies`; the client is then the first address
//! that is not a trusted proxy, read right to left (the rightmost entries
//! are the ones our own proxies wrote; anything left of them came from the
//! client and could be forged).

use ipnet::IpNet;
use std::net::IpAddr;

/// Parses `trusted_proxies` entries: an address (`10.0.0.5`, `::1`) or a
/// CIDR range (`10.0.0.0/8`). Errors name the entry.
pub fn parse_networks(entries: &[String]) -> Result<Vec<IpNet>, String> {
    entries
        .iter()
        .map(|e| {
            let e = e.trim();
            e.parse::<IpNet>()
                .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("{e:?} is neither an IP address nor a CIDR range such as 10.0.0.0/8")
                })
        })
        .collect()
}

fn trusted(addr: IpAddr, proxies: &[IpNet]) -> bool {
    let addr = canonical(addr);
    proxies.iter().any(|n| n.contains(&addr))
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// One hop of `X-Forwarded-For` (`203.0.113.7`, `[2001:db8::1]:443`) or of
/// `Forwarded`'s `for=` (`"[2001:db8::1]:443"`, `203.0.113.7:51000`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let h = hop.trim().trim_matches('"');
    if let Ok(a) = h.parse::<IpAddr>() {
        return Some(a);
    }
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split_once(']').and_then(|(a, _)| a.parse().ok());
    }
    // v4 with a port
    h.rsplit_once(':')
        .filter(|(a, _)| !a.contains(':'))
        .and_then(|(a, _)| a.parse().ok())
}

/// The hops a request passed through, oldest first, from every
/// `Forwarded` header's `for=` (RFC 7239) or, without one, every
/// `X-Forwarded-For` header. `None` for a hop that is not an address
/// (`unknown`, an obfuscated name).
fn hops(forwarded: &[&str], x_forwarded_for: &[&str]) -> Vec<Option<IpAddr>> {
    if !forwarded.is_empty() {
        forwarded
            .iter()
            .flat_map(|h| h.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_hop(v))
            })
            .collect()
    } else {
        x_forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(parse_hop)
            .collect()
    }
}

/// The client's address: the peer itself unless it is a trusted proxy; then
/// the rightmost forwarded hop that is not a trusted proxy. A hop that is
/// not an address stops the walk at the last trusted one (the proxy that
/// wrote it is who we can vouch for).
pub fn client_address(
    peer: IpAddr,
    forwarded: &[&str],
    x_forwarded_for: &[&str],
    proxies: &[IpNet],
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted(peer, proxies) {
        return peer;
    }
    let mut client = peer;
    for hop in hops(forwarded, x_forwarded_for).into_iter().rev() {
        match hop {
            Some(a) => {
                client = canonical(a);
                if !trusted(client, proxies) {
                    return client;
                }
            }
            None => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(v: &[&str]) -> Vec<IpNet> {
        parse_networks(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let a = client_address(
            ip("198.51.100.2"),
            &[],
            &["10.9.9.9"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(a, ip("198.51.100.2"));
        assert_eq!(
            client_address(ip("127.0.0.1"), &[], &["1.2.3.4"], &[]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop() {
        let proxies = nets(&["10.0.0.0/8", "127.0.0.1"]);
        // The client forged a first hop; our two proxies appended theirs.
        let a = client_address(
            ip("127.0.0.1"),
            &[],
            &["6.6.6.6, 203.0.113.7", "10.1.2.3"],
            &proxies,
        );
        assert_eq!(a, ip("203.0.113.7"));
        // Only trusted hops: the leftmost one is the best we know.
        let a = client_address(ip("127.0.0.1"), &[], &["10.0.0.9"], &proxies);
        assert_eq!(a, ip("10.0.0.9"));
        // No header at all: the proxy.
        assert_eq!(
            client_address(ip("127.0.0.1"), &[], &[], &proxies),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn forwarded_wins_and_takes_ports_brackets_and_quotes() {
        let proxies = nets(&["::1", "10.0.0.0/8"]);
        let a = client_address(
            ip("::1"),
            &["for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.2"],
            &["9.9.9.9"],
            &proxies,
        );
        assert_eq!(a, ip("2001:db8::7"));
        let a = client_address(ip("::1"), &["for=192.0.2.60:51000"], &[], &proxies);
        assert_eq!(a, ip("192.0.2.60"));
        // An obfuscated hop: the last trusted one stands.
        let a = client_address(ip("::1"), &["for=_hidden, for=10.0.0.3"], &[], &proxies);
        assert_eq!(a, ip("10.0.0.3"));
    }

    #[test]
    fn mapped_addresses_match_v4_ranges_and_bad_entries_are_named() {
        let proxies = nets(&["127.0.0.0/8"]);
        let a = client_address(ip("::ffff:127.0.0.1"), &[], &["192.0.2.1"], &proxies);
        assert_eq!(a, ip("192.0.2.1"));
        let e = parse_networks(&["10.0.0.0/33".to_string()]).unwrap_err();
        assert!(e.contains("10.0.0.0/33"), "{e}");
        assert!(parse_networks(&["proxy.example.com".to_string()]).is_err());
    }
}
