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

/// A key's words: split at every character that is not a letter or digit
/// and where a lower-case letter meets an upper-case one, lower-cased
/// (`javax.net.ssl.keyStorePassword` → javax, net, ssl, key, store,
/// password; `DD_API_KEY` → dd, api, key).
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Words that name a secret wherever they stand in a key.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "accountkey",
];

/// Last words that say the key names where or what a secret is, not the
/// secret itself (a path, a file, a lifetime, a class of secrets).
const NAMING_WORDS: &[&str] = &[
    "path", "file", "files", "dir", "lifetime", "class", "type", "enabled",
];

/// Whether a key holds a secret: one of its words names a password, secret,
/// token, credential or private key, or its last word is `key`
/// (`….key`, `gcs.json-key`, `DD_API_KEY`). Erring on the side of
/// redacting is the safe side; only keys whose last word says they name a
/// file, a path or a kind of secret are kept.
pub fn is_secret_key(key: &str) -> bool {
    let w = words(key);
    if w.last().is_some_and(|l| NAMING_WORDS.contains(&l.as_str())) {
        return false;
    }
    w.iter().any(|x| SECRET_WORDS.contains(&x.as_str())) || w.last().is_some_and(|l| l == "key")
}

/// Whether a value only refers to where a secret is kept: the whole value
/// is one `${PROVIDER:…}` reference (`${ENV:LDAP_PASSWORD}`), nothing else.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) else {
        return false;
    };
    let Some((provider, _)) = inner.split_once(':') else {
        return false;
    };
    !inner.contains(['{', '}'])
        && !provider.is_empty()
        && provider.chars().all(|c| c.is_ascii_alphabetic())
}

/// Whether an ordinary value carries a secret inside it: a password in a
/// URL (`scheme://user:password@host`), a connection string's key or
/// signature (`AccountKey=…`, `Password=…`, `SharedAccessSignature=…`,
/// `sig=…`), or a bearer token in a header.
pub fn holds_secret(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    let url_password = v.split("://").skip(1).any(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        authority
            .rsplit_once('@')
            .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    });
    url_password
        || [
            "accountkey=",
            "password=",
            "pwd=",
            "sharedaccesssignature=",
            "sig=",
            "bearer ",
            "basic ",
        ]
        .iter()
        .any(|marker| v.contains(marker))
}

/// The value as it may be stored.
pub fn stored_value<'a>(key: &str, value: &'a str) -> Cow<'a, str> {
    if value.is_empty() || is_reference(value) {
        return Cow::Borrowed(value);
    }
    if is_secret_key(key) || holds_secret(value) {
        Cow::Borrowed(REDACTED)
    } else {
        Cow::Borrowed(value)
    }
}

/// Text with every line ending as `\n`: Java's `Properties`, the JVM's
/// option reader and YAML all end a line at `\r\n` or a lone `\r` too, and
/// the redaction works line by line, so a lone `\r` must not hide a line.
/// Line numbers are unchanged.
pub fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
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
    fn keys_are_read_by_their_words_and_values_for_what_they_carry() {
        for key in [
            "DD_API_KEY",
            "SNOWFLAKE_PRIVATE_KEY",
            "x.license_key",
            "x.apiKey",
            "javax.net.ssl.keyStorePassword",
            "credentialsSecret",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "requestedSecretLifetime",
            "secretClass",
            "http-server.https.keystore.path",
            "keystore.type",
            "node-scheduler.include-coordinator",
            "hive.metastore.uri",
            "monkey",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
        for (key, value) in [
            ("mongodb.connection-url", "mongodb://u:pw@host:27017/db"),
            (
                "exchange.azure.connection-string",
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==",
            ),
            (
                "http-event-listener.connect-http-headers",
                "Authorization: Bearer abc.def",
            ),
        ] {
            assert_eq!(stored_value(key, value), REDACTED, "{key}");
        }
        assert_eq!(
            stored_value("hive.metastore.uri", "thrift://hms:9083"),
            "thrift://hms:9083"
        );
        assert_eq!(
            stored_value("x.url", "https://user@host/"),
            "https://user@host/"
        );
        // Only a whole reference is a reference.
        assert_eq!(
            stored_value("ldap.bind-password", "${ENV:X}hunter2}"),
            REDACTED
        );
        assert_eq!(
            stored_value("ldap.bind-password", "${ENV:X}x${ENV:Y}"),
            REDACTED
        );
        assert_eq!(
            stored_value("ldap.bind-password", "${ENV:LDAP_PW}"),
            "${ENV:LDAP_PW}"
        );
        assert_eq!(normalize_newlines("a=1\rb=2\r\nc=3"), "a=1\nb=2\nc=3");
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
