//! Clusters: what is registered about one, and the rules its fields follow.

use crate::connection::{validate_connection, Connection, ConnectionInput};
use crate::fields::FieldErrors;
use crate::ids::ClusterId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 64;
pub const ENVIRONMENT_MAX: usize = 32;
/// A cluster's notes follow the one limit of every note ([`crate::text_limit`]).
pub const NOTES_MAX: usize = crate::text_limit::NOTE_MAX_CHARS;
pub const URL_MAX: usize = 2048;
/// Offered in forms; other slugs are accepted too.
pub const SUGGESTED_ENVIRONMENTS: [&str; 4] = ["prod", "staging", "dev", "test"];

/// A registered cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: ClusterId,
    pub name: String,
    pub environment: String,
    pub coordinator_url: String,
    pub notes: String,
    /// How live checks connect; holds no secret.
    #[serde(default)]
    pub connection: Connection,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub archived_at: Option<Timestamp>,
    /// When the check target last changed, and why; results from before
    /// then do not count.
    #[serde(default)]
    pub checks_reset_at: Option<Timestamp>,
    #[serde(default)]
    pub checks_reset_reason: Option<String>,
}

impl Cluster {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// The fields a person fills in, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterInput {
    pub name: String,
    pub environment: String,
    pub coordinator_url: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub connection: ConnectionInput,
}

/// Fields that passed validation, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCluster {
    name: String,
    environment: String,
    coordinator_url: String,
    notes: String,
    connection: Connection,
}

/// Read-only: a value cannot change after it was validated.
impl ValidCluster {
    /// A value as if validated, for other modules' unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests(
        name: &str,
        coordinator_url: &str,
        notes: &str,
        connection: Connection,
    ) -> ValidCluster {
        ValidCluster {
            name: name.into(),
            environment: "prod".into(),
            coordinator_url: coordinator_url.into(),
            notes: notes.into(),
            connection,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    pub fn coordinator_url(&self) -> &str {
        &self.coordinator_url
    }

    pub fn notes(&self) -> &str {
        &self.notes
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }
}

/// Validates every field and reports all problems at once.
pub fn validate_cluster(input: &ClusterInput) -> Result<ValidCluster, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.add("name", "Give the cluster a name.");
    } else if name.chars().count() > NAME_MAX {
        errors.add("name", format!("Keep the name to {NAME_MAX} characters."));
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
    {
        errors.add(
            "name",
            "Use letters, digits, spaces, '-', '_' and '.' only.",
        );
    }
    let environment = input.environment.trim().to_ascii_lowercase();
    if environment.is_empty() {
        errors.add(
            "environment",
            "Say which environment this is, e.g. prod or staging.",
        );
    } else if environment.len() > ENVIRONMENT_MAX
        || !environment.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !environment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.add(
            "environment",
            format!("Use up to {ENVIRONMENT_MAX} letters, digits and '-', e.g. prod or staging."),
        );
    }
    let coordinator_url = match normalize_coordinator_url(&input.coordinator_url) {
        Ok(u) => u,
        Err(message) => {
            errors.add("coordinator_url", message);
            String::new()
        }
    };
    let notes = input.notes.trim();
    crate::text_limit::check(&mut errors, "notes", notes);
    errors.refuse_nul("notes", notes);
    let https = coordinator_url.starts_with("https://");
    let connection = validate_connection(&input.connection, https, &mut errors);
    errors.into_result(ValidCluster {
        name: name.to_string(),
        environment,
        coordinator_url,
        notes: notes.to_string(),
        connection,
    })
}

/// A coordinator's base URL: http or https, a host, no credentials, no query.
/// Returned without a trailing slash.
pub fn normalize_coordinator_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Give the coordinator's URL, e.g. https://trino.example.com:8443".into());
    }
    if raw.len() > URL_MAX {
        return Err(format!("Keep the URL to {URL_MAX} characters."));
    }
    let url = url::Url::parse(raw)
        .map_err(|e| format!("Not a valid URL ({e}); e.g. https://trino.example.com:8443"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("The URL must start with http:// or https://".into());
    }
    if url.host_str().map(str::is_empty).unwrap_or(true) {
        return Err("The URL needs a host name.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Leave credentials out of the URL.".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("Give the coordinator's base URL, without ?query or #fragment.".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, env: &str, url: &str) -> ClusterInput {
        ClusterInput {
            name: name.into(),
            environment: env.into(),
            coordinator_url: url.into(),
            notes: String::new(),
            connection: ConnectionInput::default(),
        }
    }

    #[test]
    fn a_good_cluster_is_normalized() {
        let v = validate_cluster(&input(
            "  analytics-prod ",
            "Prod",
            "https://trino.example.com:8443/",
        ))
        .unwrap();
        assert_eq!(v.name, "analytics-prod");
        assert_eq!(v.environment, "prod");
        assert_eq!(v.coordinator_url, "https://trino.example.com:8443");
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let e = validate_cluster(&input("", "", "")).unwrap_err();
        assert!(e.get("name").is_some());
        assert!(e.get("environment").is_some());
        assert!(e.get("coordinator_url").is_some());
    }

    #[test]
    fn urls_must_be_plain_http_bases() {
        for bad in [
            "trino.example.com",
            "ftp://trino.example.com",
            "https://user:pw@trino.example.com",
            "https://trino.example.com/?x=1",
            "https://trino.example.com/#top",
            "http://",
            "not a url",
        ] {
            assert!(normalize_coordinator_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            normalize_coordinator_url("http://10.0.0.5:8080").unwrap(),
            "http://10.0.0.5:8080"
        );
        assert_eq!(
            normalize_coordinator_url("https://t.example/trino/").unwrap(),
            "https://t.example/trino"
        );
    }

    #[test]
    fn names_and_environments_are_restricted() {
        assert!(validate_cluster(&input("a<script>", "prod", "http://t"))
            .unwrap_err()
            .get("name")
            .is_some());
        assert!(
            validate_cluster(&input(&"x".repeat(65), "prod", "http://t"))
                .unwrap_err()
                .get("name")
                .is_some()
        );
        assert!(validate_cluster(&input("ok", "pr od", "http://t"))
            .unwrap_err()
            .get("environment")
            .is_some());
        assert!(validate_cluster(&input("ok", "-prod", "http://t"))
            .unwrap_err()
            .get("environment")
            .is_some());
        assert!(validate_cluster(&input("ok name.v2", "eu-prod-2", "http://t")).is_ok());
    }

    #[test]
    fn long_notes_are_refused() {
        let mut i = input("ok", "prod", "http://t");
        i.notes = "n".repeat(NOTES_MAX + 1);
        assert!(validate_cluster(&i).unwrap_err().get("notes").is_some());
    }
}
