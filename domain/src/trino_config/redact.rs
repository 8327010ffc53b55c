//! Which property values are secrets, and what is kept of them.
//!
//! A value is kept as written when it only says where the secret is: Trino
//! replaces `${ENV:NAME}` (and `${FILE:…}`-style references of secret
//! providers) at start-up, so the text holds no secret. Any other value of a
//! key that names a secret is replaced before anything is stored, so no
//! secret byte reaches the database, an export or a page.

use std::borrow::Cow;

/// What a secret value is stored as.
pub const REDACTED: &str = "<redacted>";

/// Whether a key holds a secret: it names a password, secret, token,
/// credential or private key, or it is a key itself (`….key`, `…-key`, as
/// in `gcs.json-key`). Erring on the side of redacting is the safe side;
/// only keys that name a file (`password-authenticator.config-files`,
/// `….path`, `…-file`) are kept, since a path is not the secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if [".path", "-path", "-file", ".file", "-files", ".files"]
        .iter()
        .any(|end| k.ends_with(end))
    {
        return false;
    }
    ["password", "secret", "token", "credential", "private-key"]
        .iter()
        .any(|word| k.contains(word))
        || k.ends_with(".key")
        || k.ends_with("-key")
}

/// Whether a value only refers to where a secret is kept.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("${") && v.ends_with('}') && v[2..v.len() - 1].contains(':')
}

/// The value as it may be stored.
pub fn stored_value<'a>(key: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_key(key) && !value.is_empty() && !is_reference(value) {
        Cow::Borrowed(REDACTED)
    } else {
        Cow::Borrowed(value)
    }
}

/// A property file's text as it may be stored: every setting of a secret
/// key (earlier duplicates too) keeps its key and says `<redacted>`, its
/// continuation lines become empty, and every other line is kept as
/// written, so each line number still points where it did. Call on a text
/// that parsed.
pub fn redact_properties_text(text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for l in super::properties::logical_lines(text).flatten() {
        let (raw_key, raw_value) = super::properties::split_key(&l.text);
        let (Ok(key), Ok(value)) = (
            super::properties::unescape(raw_key),
            super::properties::unescape(raw_value),
        ) else {
            continue;
        };
        if stored_value(&key, &value) == value {
            continue;
        }
        if let Some(first) = lines.get_mut(l.start - 1) {
            *first = format!("{raw_key}={REDACTED}");
        }
        for n in l.start + 1..=l.end {
            if let Some(line) = lines.get_mut(n - 1) {
                line.clear();
            }
        }
    }
    join_lines(lines, text)
}

/// A `jvm.config` text as it may be stored: a system property that names a
/// secret (`-Djavax.net.ssl.keyStorePassword=…`) says `<redacted>`.
pub fn redact_jvm_text(text: &str) -> String {
    let lines = text
        .lines()
        .map(|line| {
            let option = line.trim();
            let Some((key, value)) = option.strip_prefix("-D").and_then(|kv| kv.split_once('='))
            else {
                return line.to_string();
            };
            if stored_value(key, value) == value {
                line.to_string()
            } else {
                format!("-D{key}={REDACTED}")
            }
        })
        .collect();
    join_lines(lines, text)
}

fn join_lines(lines: Vec<String>, original: &str) -> String {
    let mut out = lines.join("\n");
    if original.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_texts_keep_every_line_where_it_was_and_no_secret_byte() {
        let text = "# TLS\nhttp-server.https.keystore.key=hunter2\nnode.id=a\n\
                    ldap.bind-password = first\\\n   second\nquery.max-memory=5GB\n\
                    ldap.bind-password=${ENV:LDAP}\ninternal-communication.shared-secret:s3cr3t\n";
        let stored = redact_properties_text(text);
        assert!(
            !stored.contains("hunter2")
                && !stored.contains("first")
                && !stored.contains("second")
                && !stored.contains("s3cr3t"),
            "{stored}"
        );
        let lines: Vec<&str> = stored.lines().collect();
        assert_eq!(lines.len(), text.lines().count());
        assert_eq!(lines[1], "http-server.https.keystore.key=<redacted>");
        assert_eq!(lines[2], "node.id=a");
        assert_eq!(lines[3], "ldap.bind-password=<redacted>");
        assert_eq!(lines[4], "", "the continuation is emptied");
        assert_eq!(lines[5], "query.max-memory=5GB");
        assert_eq!(
            lines[6], "ldap.bind-password=${ENV:LDAP}",
            "a reference is kept"
        );
        assert!(stored.ends_with('\n'));
        // What is stored parses to the same keys on the same lines.
        let before = super::super::properties::parse("c", text).unwrap_or_default();
        let after = super::super::properties::parse("c", &stored).unwrap_or_default();
        let keys = |p: &super::super::properties::Properties| {
            p.entries
                .iter()
                .map(|e| (e.key.clone(), e.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&before), keys(&after));

        let jvm = "-Xmx16G\n-Djavax.net.ssl.keyStorePassword=changeit\n-Dfoo=bar\n";
        let stored = redact_jvm_text(jvm);
        assert_eq!(
            stored,
            "-Xmx16G\n-Djavax.net.ssl.keyStorePassword=<redacted>\n-Dfoo=bar\n"
        );
    }

    #[test]
    fn secrets_are_replaced_and_references_kept() {
        for key in [
            "http-server.https.keystore.key",
            "http-server.https.keystore.password",
            "ldap.bind-password",
            "hive.s3.aws-secret-key",
            "gcs.json-key",
            "internal-communication.shared-secret",
            "http-server.authentication.oauth2.client-secret",
            "kafka.sasl.jaas.token",
            "PASSWORD",
        ] {
            assert_eq!(stored_value(key, "hunter2"), REDACTED, "{key}");
        }
        assert_eq!(
            stored_value("ldap.bind-password", "${ENV:LDAP_PASSWORD}"),
            "${ENV:LDAP_PASSWORD}"
        );
        assert_eq!(
            stored_value("ldap.bind-password", ""),
            "",
            "nothing to hide"
        );
        assert_eq!(stored_value("ldap.bind-password", "${oops"), REDACTED);
        assert_eq!(
            stored_value(
                "password-authenticator.config-files",
                "etc/password-authenticator.properties"
            ),
            "etc/password-authenticator.properties",
            "a path names where the secret is"
        );
        assert_eq!(stored_value("query.max-memory", "50GB"), "50GB");
        assert_eq!(
            stored_value("http-server.https.keystore.path", "/etc/trino/k.jks"),
            "/etc/trino/k.jks"
        );
    }
}
