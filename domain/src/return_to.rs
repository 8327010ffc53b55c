//! Where the login page sends a person after they log in: back to the page
//! that asked for it (`/login?next=/clusters/3?item=spill`), but only to a
//! path on this site, never to another host (an open redirect).

/// The login page's address that returns to `path_and_query` afterwards.
pub fn login_href(path_and_query: &str) -> String {
    match safe_return(path_and_query) {
        Some(p) if p != "/" => format!("/login?next={}", encode(p)),
        _ => "/login".to_string(),
    }
}

/// `next` when it is a path on this site (starts with one `/`, no
/// backslash or control character, not the login or setup page itself).
pub fn safe_return(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    let loops = ["/login", "/setup"]
        .iter()
        .any(|p| next == *p || next.starts_with(&format!("{p}?")));
    (local && !loops).then_some(next)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        assert_eq!(
            safe_return("/clusters/3?item=spill"),
            Some("/clusters/3?item=spill")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil",
            "evil",
            "",
            "/login?next=/x",
            "/setup",
        ] {
            assert_eq!(safe_return(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_login_link_carries_the_page_encoded() {
        assert_eq!(
            login_href("/clusters/3?item=spill&x=1"),
            "/login?next=/clusters/3%3Fitem%3Dspill%26x%3D1"
        );
        assert_eq!(login_href("/"), "/login");
        assert_eq!(login_href("//evil"), "/login");
    }
}
