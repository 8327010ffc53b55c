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

#[cfg(test)]
mod tests {
    use super::*;

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
