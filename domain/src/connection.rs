//! How Shipshape connects to one cluster for live checks: the Trino user,
//! authentication, TLS trust and timeouts, and the rules they follow.
//!
//! No secret is ever held here. A password or JWT is *named* by an
//! environment variable of the Shipshape server (`TRINO_SECRET_…`), read only
//! when a check runs. So the database, its backups, exports and every page
//! carry the variable's name, never its value. The prefix keeps a cluster
//! form from pointing at any other variable of the server's environment.

use crate::fields::FieldErrors;
use serde::{Deserialize, Deserializer, Serialize};

/// Secrets are read only from environment variables named like this.
pub const SECRET_ENV_PREFIX: &str = "TRINO_SECRET_";
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u32 = 5;
pub const CONNECT_TIMEOUT_MAX: u32 = 60;
pub const QUERY_TIMEOUT_MAX: u32 = 600;
const NAME_MAX: usize = 128;
const PATH_MAX: usize = 1024;

/// Valid connection settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// `X-Trino-User` for checks; `None` uses the server's `check_user`.
    pub check_user: Option<String>,
    pub auth: Auth,
    /// A PEM file of CA certificates to trust besides the system's.
    pub ca_file: Option<String>,
    /// Skip certificate verification (an explicit, visible choice).
    pub insecure_tls: bool,
    pub connect_timeout_secs: u32,
    /// `None` uses the server's `check_timeout_secs`.
    pub query_timeout_secs: Option<u32>,
    /// Hosts whose worker URIs checks may fetch (`host`, `*.domain`,
    /// optionally `:port`); empty: see [`crate::reach::default_worker_patterns`].
    #[serde(default)]
    pub worker_hosts: Vec<String>,
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            check_user: None,
            auth: Auth::None,
            ca_file: None,
            insecure_tls: false,
            connect_timeout_secs: DEFAULT_CONNECT_TIMEOUT_SECS,
            query_timeout_secs: None,
            worker_hosts: Vec::new(),
        }
    }
}

impl Connection {
    /// One line for the cluster page: who checks connect as, how they
    /// authenticate and what they trust. Names variables, never values.
    pub fn describe(&self) -> String {
        let user = match (&self.check_user, &self.auth) {
            (Some(u), _) => u.clone(),
            (None, Auth::Basic { user, .. }) => user.clone(),
            (None, _) => "the server's check user".into(),
        };
        let auth = match &self.auth {
            Auth::None => "no credentials".to_string(),
            Auth::Basic { user, password_env } => {
                format!("password of {user} from ${password_env}")
            }
            Auth::Jwt { token_env } => format!("JWT from ${token_env}"),
        };
        let trust = match (&self.ca_file, self.insecure_tls) {
            (_, true) => "certificate verification skipped".to_string(),
            (Some(f), false) => format!("trusts {f}"),
            (None, false) => "trusts the system's CAs".to_string(),
        };
        let query = self
            .query_timeout_secs
            .map(|s| format!("{s}s"))
            .unwrap_or_else(|| "server default".into());
        format!(
            "Checks run as {user} with {auth}; {trust}; connect timeout {}s, query timeout {query}.",
            self.connect_timeout_secs
        )
    }
}

/// How checks authenticate; secrets are environment variable names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Auth {
    None,
    Basic { user: String, password_env: String },
    Jwt { token_env: String },
}

impl Auth {
    pub fn method(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Basic { .. } => "basic",
            Auth::Jwt { .. } => "jwt",
        }
    }
    /// The environment variable holding the secret, if any.
    pub fn secret_env(&self) -> Option<&str> {
        match self {
            Auth::None => None,
            Auth::Basic { password_env, .. } => Some(password_env),
            Auth::Jwt { token_env } => Some(token_env),
        }
    }
}

/// The connection fields as typed in a form or sent in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionInput {
    pub check_user: String,
    /// `none` (or empty), `basic` or `jwt`.
    pub auth: String,
    pub auth_user: String,
    pub secret_env: String,
    pub ca_file: String,
    pub insecure_tls: bool,
    #[serde(deserialize_with = "text_or_number")]
    pub connect_timeout_secs: String,
    #[serde(deserialize_with = "text_or_number")]
    pub query_timeout_secs: String,
    /// Worker host patterns, separated by commas or spaces.
    pub worker_hosts: String,
}

impl ConnectionInput {
    /// The form's view of stored settings (for editing).
    pub fn from_connection(c: &Connection) -> Self {
        let (auth_user, secret_env) = match &c.auth {
            Auth::None => (String::new(), String::new()),
            Auth::Basic { user, password_env } => (user.clone(), password_env.clone()),
            Auth::Jwt { token_env } => (String::new(), token_env.clone()),
        };
        ConnectionInput {
            check_user: c.check_user.clone().unwrap_or_default(),
            auth: c.auth.method().to_string(),
            auth_user,
            secret_env,
            ca_file: c.ca_file.clone().unwrap_or_default(),
            insecure_tls: c.insecure_tls,
            connect_timeout_secs: c.connect_timeout_secs.to_string(),
            query_timeout_secs: c
                .query_timeout_secs
                .map(|s| s.to_string())
                .unwrap_or_default(),
            worker_hosts: c.worker_hosts.join(", "),
        }
    }
}

/// JSON clients may send timeouts as numbers; forms send text.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(serde_json::Number),
        Null(()),
    }
    Ok(match TextOrNumber::deserialize(d)? {
        TextOrNumber::Text(s) => s,
        TextOrNumber::Number(n) => n.to_string(),
        TextOrNumber::Null(()) => String::new(),
    })
}

fn is_plain_name(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// Validates the connection fields into `errors` (field names prefixed
/// with `connection.`); `https` says whether the coordinator URL is HTTPS.
pub fn validate_connection(
    input: &ConnectionInput,
    https: bool,
    errors: &mut FieldErrors,
) -> Connection {
    let check_user = input.check_user.trim();
    if check_user.len() > NAME_MAX || !is_plain_name(check_user) {
        errors.add(
            "connection.check_user",
            "Use up to 128 letters, digits and . _ - @ for the Trino user.",
        );
    }
    let secret_env = input.secret_env.trim();
    let env_ok = secret_env.len() <= NAME_MAX
        && secret_env
            .strip_prefix(SECRET_ENV_PREFIX)
            .is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
    let need_env = |errors: &mut FieldErrors| {
        if !env_ok {
            errors.add(
                "connection.secret_env",
                format!(
                    "Name the server's environment variable that holds the secret, e.g. {SECRET_ENV_PREFIX}PROD (capitals, digits and _)."
                ),
            );
        }
    };
    let auth = match input.auth.trim() {
        "" | "none" => Auth::None,
        "basic" => {
            let user = input.auth_user.trim();
            if user.is_empty()
                || user.len() > NAME_MAX
                || user.contains(':')
                || !is_plain_name(user)
            {
                errors.add(
                    "connection.auth_user",
                    "Give the user to log in as (letters, digits and . _ - @).",
                );
            }
            need_env(errors);
            Auth::Basic {
                user: user.to_string(),
                password_env: secret_env.to_string(),
            }
        }
        "jwt" => {
            need_env(errors);
            Auth::Jwt {
                token_env: secret_env.to_string(),
            }
        }
        _ => {
            errors.add("connection.auth", "Choose none, basic or jwt.");
            Auth::None
        }
    };
    if auth != Auth::None && !https {
        errors.add(
            "connection.auth",
            "Credentials are sent only over HTTPS: use an https:// coordinator URL.",
        );
    }
    let ca_file = input.ca_file.trim();
    if !ca_file.is_empty()
        && (!ca_file.starts_with('/') || ca_file.len() > PATH_MAX || ca_file.contains('\0'))
    {
        errors.add(
            "connection.ca_file",
            "Give the absolute path of a PEM file on the Shipshape server.",
        );
    }
    if !ca_file.is_empty() && input.insecure_tls {
        errors.add(
            "connection.insecure_tls",
            "Trust a CA file or skip verification, not both.",
        );
    }
    let connect_timeout_secs = match input.connect_timeout_secs.trim() {
        "" => DEFAULT_CONNECT_TIMEOUT_SECS,
        t => match t.parse::<u32>() {
            Ok(n) if (1..=CONNECT_TIMEOUT_MAX).contains(&n) => n,
            _ => {
                errors.add(
                    "connection.connect_timeout_secs",
                    format!("A whole number of seconds from 1 to {CONNECT_TIMEOUT_MAX}."),
                );
                DEFAULT_CONNECT_TIMEOUT_SECS
            }
        },
    };
    let query_timeout_secs = match input.query_timeout_secs.trim() {
        "" => None,
        t => match t.parse::<u32>() {
            Ok(n) if (1..=QUERY_TIMEOUT_MAX).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "connection.query_timeout_secs",
                    format!(
                        "A whole number of seconds from 1 to {QUERY_TIMEOUT_MAX}, or empty for the server's default."
                    ),
                );
                None
            }
        },
    };
    let worker_hosts: Vec<String> = input
        .worker_hosts
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if worker_hosts.len() > 32
        || !worker_hosts
            .iter()
            .all(|p| crate::reach::valid_worker_pattern(p))
    {
        errors.add(
            "connection.worker_hosts",
            "List up to 32 hosts such as worker-1.example.com, *.workers.example.com or *.example.com:8080.",
        );
    }
    Connection {
        check_user: (!check_user.is_empty()).then(|| check_user.to_string()),
        auth,
        ca_file: (!ca_file.is_empty()).then(|| ca_file.to_string()),
        insecure_tls: input.insecure_tls,
        connect_timeout_secs,
        query_timeout_secs,
        worker_hosts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &ConnectionInput, https: bool) -> Result<Connection, FieldErrors> {
        let mut errors = FieldErrors::new();
        let c = validate_connection(input, https, &mut errors);
        errors.into_result(c)
    }

    #[test]
    fn empty_input_means_defaults() {
        assert_eq!(
            check(&ConnectionInput::default(), false).unwrap(),
            Connection::default()
        );
    }

    #[test]
    fn basic_auth_names_a_secret_and_needs_https() {
        let input = ConnectionInput {
            auth: "basic".into(),
            auth_user: "shipshape".into(),
            secret_env: "TRINO_SECRET_PROD".into(),
            connect_timeout_secs: "3".into(),
            query_timeout_secs: "30".into(),
            ..Default::default()
        };
        let c = check(&input, true).unwrap();
        assert_eq!(
            c.auth,
            Auth::Basic {
                user: "shipshape".into(),
                password_env: "TRINO_SECRET_PROD".into()
            }
        );
        assert_eq!(
            (c.connect_timeout_secs, c.query_timeout_secs),
            (3, Some(30))
        );
        assert_eq!(ConnectionInput::from_connection(&c), input);
        assert_eq!(
            c.describe(),
            "Checks run as shipshape with password of shipshape from $TRINO_SECRET_PROD; trusts the system's CAs; connect timeout 3s, query timeout 30s."
        );
        let e = check(&input, false).unwrap_err();
        assert!(e.get("connection.auth").unwrap().contains("HTTPS"));
    }

    #[test]
    fn secrets_come_only_from_prefixed_variables() {
        for bad in [
            "",
            "HOME",
            "SHIPSHAPE_SESSION_KEY",
            "TRINO_SECRET_",
            "TRINO_SECRET_prod",
            "TRINO_SECRET_A B",
        ] {
            let input = ConnectionInput {
                auth: "jwt".into(),
                secret_env: bad.into(),
                ..Default::default()
            };
            assert!(
                check(&input, true)
                    .unwrap_err()
                    .get("connection.secret_env")
                    .is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = ConnectionInput {
            check_user: "a user".into(),
            auth: "kerberos".into(),
            ca_file: "relative.pem".into(),
            insecure_tls: true,
            connect_timeout_secs: "0".into(),
            query_timeout_secs: "forever".into(),
            ..Default::default()
        };
        let e = check(&input, true).unwrap_err();
        for f in [
            "connection.check_user",
            "connection.auth",
            "connection.ca_file",
            "connection.insecure_tls",
            "connection.connect_timeout_secs",
            "connection.query_timeout_secs",
        ] {
            assert!(e.get(f).is_some(), "{f}");
        }
        let user = ConnectionInput {
            auth: "basic".into(),
            auth_user: "a:b".into(),
            secret_env: "TRINO_SECRET_X".into(),
            ..Default::default()
        };
        assert!(check(&user, true)
            .unwrap_err()
            .get("connection.auth_user")
            .is_some());
    }

    #[test]
    fn json_timeouts_may_be_numbers() {
        let c: ConnectionInput =
            serde_json::from_str(r#"{"connect_timeout_secs": 7, "query_timeout_secs": null}"#)
                .unwrap();
        assert_eq!(c.connect_timeout_secs, "7");
        assert_eq!(c.query_timeout_secs, "");
    }
}
