//! The same-origin rule for state-changing requests on a cookie session: a
//! POST (PUT, PATCH, DELETE) that carries the session cookie must say it
//! comes from this site, by its `Origin` header or, without one, its
//! `Referer`; otherwise it is refused. A page on another site cannot make
//! the browser act with its cookie (`SameSite=Lax` alone lets some through).

use url::Url;

/// `host:port` of an origin or URL (port made explicit), lower-case.
fn authority_of(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    Some(format!(
        "{}:{}",
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default()?
    ))
}

/// `host:port` from a `Host` header; `scheme` gives the default port.
fn authority_of_host(host: &str, scheme: &str) -> Option<String> {
    authority_of(&format!("{scheme}://{}", host.trim()))
}

/// Whether a request may change state: `origin` and `referer` are the
/// request's headers, `host` its `Host`, `scheme` how it was served.
pub fn same_origin(
    origin: Option<&str>,
    referer: Option<&str>,
    host: Option<&str>,
    scheme: &str,
) -> bool {
    let Some(own) = host.and_then(|h| authority_of_host(h, scheme)) else {
        return false;
    };
    let claimed = match (origin, referer) {
        (Some(o), _) if o != "null" => authority_of(o),
        (Some(_), _) => None,
        (None, Some(r)) => authority_of(r),
        (None, None) => None,
    };
    claimed.is_some_and(|c| c == own)
}

/// Whether a request's `Host` may be served when the dashboard's address
/// is `public_url`: its own host name, `localhost`, or an IP address (a
/// load balancer's health check by address). Any other name is refused:
/// a page on a name that an attacker re-pointed at this server (DNS
/// rebinding) must not be answered as if it were the dashboard.
pub fn host_allowed(host: Option<&str>, public_url: &str) -> bool {
    let Some(host) = host else {
        return false;
    };
    let Ok(public) = Url::parse(public_url) else {
        return true;
    };
    let Ok(asked) = Url::parse(&format!("http://{}", host.trim())) else {
        return false;
    };
    match asked.host() {
        Some(url::Host::Ipv4(_)) | Some(url::Host::Ipv6(_)) => true,
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || public.host_str().is_some_and(|p| p.eq_ignore_ascii_case(d))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_dashboards_own_name_or_an_address_is_served() {
        let public = "https://shipshape.example.com";
        assert!(host_allowed(Some("shipshape.example.com"), public));
        assert!(host_allowed(Some("SHIPSHAPE.example.com:443"), public));
        assert!(host_allowed(Some("10.0.3.7:3000"), public));
        assert!(host_allowed(Some("[::1]:3000"), public));
        assert!(host_allowed(Some("localhost:3000"), public));
        assert!(!host_allowed(Some("rebind.attacker.example"), public));
        assert!(!host_allowed(None, public));
    }

    #[test]
    fn only_this_site_may_post_with_the_cookie() {
        let host = Some("127.0.0.1:3917");
        assert!(same_origin(
            Some("http://127.0.0.1:3917"),
            None,
            host,
            "http"
        ));
        assert!(!same_origin(
            Some("https://evil.example"),
            None,
            host,
            "http"
        ));
        assert!(
            !same_origin(Some("http://127.0.0.1:8080"), None, host, "http"),
            "another port is another origin"
        );
        assert!(!same_origin(Some("null"), None, host, "http"));
        // Without Origin, the Referer's origin decides.
        assert!(same_origin(
            None,
            Some("http://127.0.0.1:3917/clusters/1"),
            host,
            "http"
        ));
        assert!(!same_origin(
            None,
            Some("https://evil.example/page"),
            host,
            "http"
        ));
        assert!(
            !same_origin(None, None, host, "http"),
            "no evidence, no change"
        );
        // Default ports on either side.
        assert!(same_origin(
            Some("https://ship.example.com"),
            None,
            Some("SHIP.example.com:443"),
            "https"
        ));
        assert!(same_origin(
            Some("https://ship.example.com:443"),
            None,
            Some("ship.example.com"),
            "https"
        ));
        assert!(!same_origin(
            Some("http://ship.example.com"),
            None,
            None,
            "http"
        ));
    }
}
