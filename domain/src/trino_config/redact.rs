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

#[cfg(test)]
mod tests {
    use super::*;

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
