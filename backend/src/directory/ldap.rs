//! LDAP logins (the `ldap3` client over `ldaps://` or StartTLS): find the
//! person with a service account and bind as them (search-then-bind), or
//! bind straight to a DN pattern; then read their groups and map them to a
//! role, afresh at every login.

use crate::redacted::Redacted;
use ldap3::{dn_escape, ldap_escape, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use shipshape_domain::directory::{fill, RoleMap};
use shipshape_domain::role::Role;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// `[ldap]` in the config file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapConfig {
    /// `ldaps://host:636`, or `ldap://host:389` with `starttls = true`.
    pub url: String,
    #[serde(default)]
    pub starttls: bool,
    /// PEM file of the CA that signed the directory's certificate; default:
    /// the system's roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Where people and groups are looked for (e.g. `dc=example,dc=com`).
    pub base_dn: String,
    /// Search-then-bind: the service account that looks people up.
    #[serde(default)]
    pub bind_dn: Option<String>,
    #[serde(default)]
    pub bind_password: Option<Redacted>,
    /// Where people are searched; default `base_dn`.
    #[serde(default)]
    pub user_base_dn: Option<String>,
    /// `{user}` is the escaped login name.
    #[serde(default = "default_user_filter")]
    pub user_filter: String,
    /// The attribute whose value becomes the Shipshape user name.
    #[serde(default = "default_username_attribute")]
    pub username_attribute: String,
    /// Direct bind instead: `uid={user},ou=people,dc=example,dc=com`.
    #[serde(default)]
    pub bind_pattern: Option<String>,
    /// Where groups are searched; default `base_dn`.
    #[serde(default)]
    pub group_base_dn: Option<String>,
    /// `{dn}` is the person's DN, `{user}` the login name; empty: only the
    /// person's `memberOf` values count.
    #[serde(default = "default_group_filter")]
    pub group_filter: String,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Role → group DN(s): `admin = "cn=trino-admins,ou=groups,dc=example,dc=com"`.
    #[serde(default)]
    pub roles: BTreeMap<String, Groups>,
    /// Seconds between refreshes of every LDAP account as the service
    /// account (search-then-bind): a person gone from the directory, or
    /// from every mapped group, is disabled; a changed role is applied.
    #[serde(default = "default_refresh_secs")]
    pub refresh_secs: u64,
    /// With direct bind (no service account to look people up), an LDAP
    /// account's sessions and API tokens work this many hours after its
    /// last login; then the person logs in again.
    #[serde(default = "default_account_max_hours")]
    pub account_max_hours: i64,
}

fn default_refresh_secs() -> u64 {
    900
}

fn default_account_max_hours() -> i64 {
    24
}

/// One group or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Groups {
    One(String),
    Many(Vec<String>),
}

impl Groups {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Groups::One(g) => vec![g.clone()],
            Groups::Many(g) => g.clone(),
        }
    }
}

fn default_user_filter() -> String {
    "(uid={user})".into()
}
fn default_username_attribute() -> String {
    "uid".into()
}
fn default_group_filter() -> String {
    "(|(member={dn})(uniqueMember={dn}))".into()
}
fn default_timeout() -> u64 {
    5
}

/// Parses `[x.roles]` into a role map, or says which key is wrong.
pub fn role_entries(
    section: &str,
    roles: &BTreeMap<String, Groups>,
) -> Result<Vec<(Role, Vec<String>)>, String> {
    let mut entries = Vec::new();
    for (name, groups) in roles {
        let role = Role::parse(name).ok_or_else(|| {
            format!("{section}.roles.{name}: roles are admin, sre, manager and auditor")
        })?;
        entries.push((role, groups.to_vec()));
    }
    if entries.iter().all(|(_, g)| g.is_empty()) {
        return Err(format!(
            "{section}.roles: map at least one group to a role (admin = \"...\")"
        ));
    }
    Ok(entries)
}

impl LdapConfig {
    /// Checks the settings that can be checked without the directory.
    pub fn check(&self) -> Result<(), String> {
        let url = url::Url::parse(&self.url).map_err(|e| format!("ldap.url: {e}"))?;
        match (url.scheme(), self.starttls) {
            ("ldaps", false) | ("ldap", true) => {}
            ("ldaps", true) => return Err("ldap: starttls is for ldap:// URLs, not ldaps://".into()),
            ("ldap", false) => {
                return Err(
                    "ldap.url: passwords are not sent in the clear; use ldaps:// or set starttls = true"
                        .into(),
                )
            }
            (other, _) => return Err(format!("ldap.url: scheme {other} is not ldap or ldaps")),
        }
        match (&self.bind_pattern, &self.bind_dn) {
            (Some(p), None) if p.contains("{user}") => {}
            (Some(_), None) => return Err("ldap.bind_pattern must contain {user}".into()),
            (None, Some(_)) if self.bind_password.is_none() => {
                return Err(
                    "ldap.bind_password (or SHIPSHAPE_LDAP__BIND_PASSWORD) is needed with bind_dn"
                        .into(),
                )
            }
            (None, Some(_)) if !self.user_filter.contains("{user}") => {
                return Err("ldap.user_filter must contain {user}".into())
            }
            (None, Some(_)) => {}
            (Some(_), Some(_)) => {
                return Err("ldap: give bind_dn (search, then bind) or bind_pattern (direct bind), not both".into())
            }
            (None, None) => {
                return Err("ldap: give bind_dn and bind_password (search, then bind) or bind_pattern (direct bind)".into())
            }
        }
        if self.timeout_secs == 0 || self.timeout_secs > 120 {
            return Err("ldap.timeout_secs must be from 1 to 120".into());
        }
        role_entries("ldap", &self.roles).map(|_| ())
    }
}

/// Why a directory login failed.
#[derive(Debug, thiserror::Error)]
pub enum LdapError {
    /// Unknown person or wrong password: the login form says no more.
    #[error("wrong user name or password")]
    BadCredentials,
    /// The directory could not be asked (down, TLS, service account).
    #[error("directory unavailable: {0}")]
    Unavailable(String),
}

/// A person the directory vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub username: String,
    pub dn: String,
    pub groups: Vec<String>,
    /// `None`: in no mapped group.
    pub role: Option<Role>,
}

/// A configured directory, ready to ask.
pub struct Ldap {
    config: LdapConfig,
    tls: Arc<rustls::ClientConfig>,
    roles: RoleMap,
    /// Binds in flight at once: a login flood does not become a
    /// directory flood.
    slots: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Ldap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ldap")
            .field("url", &self.config.url)
            .finish()
    }
}

impl Ldap {
    /// Checks the settings and reads the CA file; an error stops start-up.
    pub fn new(config: &LdapConfig) -> Result<Ldap, String> {
        config.check()?;
        let roles = RoleMap::of_dns(role_entries("ldap", &config.roles)?);
        let mut store = rustls::RootCertStore::empty();
        match &config.ca_file {
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("ldap.ca_file {}: {e}", path.display()))?;
                let mut added = 0;
                for cert in CertificateDer::pem_slice_iter(&pem) {
                    let cert = cert.map_err(|e| format!("ldap.ca_file {}: {e}", path.display()))?;
                    store
                        .add(cert)
                        .map_err(|e| format!("ldap.ca_file {}: {e}", path.display()))?;
                    added += 1;
                }
                if added == 0 {
                    return Err(format!(
                        "ldap.ca_file {}: no PEM certificate in it",
                        path.display()
                    ));
                }
            }
            None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("ldap TLS: {e}"))?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(Ldap {
            config: config.clone(),
            tls: Arc::new(tls),
            roles,
            slots: tokio::sync::Semaphore::new(8),
        })
    }

    /// Asks the directory whether `username` / `password` is a person, and
    /// which groups (and so which role) they have now.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<Person, LdapError> {
        // An empty password would be an unauthenticated bind, which
        // directories answer with success.
        if password.expose_secret().is_empty() || username.is_empty() {
            return Err(LdapError::BadCredentials);
        }
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| LdapError::Unavailable("closed".into()))?;
        let limit = Duration::from_secs(self.config.timeout_secs);
        // Two binds and two searches at most: the whole exchange gets a
        // few timeouts' worth, however the directory stalls.
        tokio::time::timeout(
            limit * 3,
            self.ask(username, password.expose_secret(), limit),
        )
        .await
        .map_err(|_| LdapError::Unavailable(format!("no answer within {}s", limit.as_secs() * 3)))?
    }

    /// Whether the person `username` (a name Shipshape took from the
    /// directory) is still there, and with which groups, asked as the
    /// service account: the scheduled refresh of directory accounts.
    /// `Ok(None)`: no such person any more. Needs search-then-bind
    /// (`bind_dn`); a direct-bind directory cannot be asked without the
    /// person's password.
    pub async fn lookup(&self, username: &str) -> Result<Option<Person>, LdapError> {
        let Some(bind_dn) = self.config.bind_dn.clone() else {
            return Err(LdapError::Unavailable(
                "no service account (bind_dn) to look people up with".into(),
            ));
        };
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| LdapError::Unavailable("closed".into()))?;
        let limit = Duration::from_secs(self.config.timeout_secs);
        let asked = async {
            let mut ldap = self.connect(limit).await?;
            self.service_bind(&mut ldap, &bind_dn).await?;
            let Some((dn, name, member_of)) = self.find_person(&mut ldap, username).await? else {
                let _ = ldap.unbind().await;
                return Ok(None);
            };
            let person = self
                .with_groups(&mut ldap, username, dn, name, member_of)
                .await?;
            let _ = ldap.unbind().await;
            Ok(Some(person))
        };
        tokio::time::timeout(limit * 3, asked).await.map_err(|_| {
            LdapError::Unavailable(format!("no answer within {}s", limit.as_secs() * 3))
        })?
    }

    /// Whether accounts can be refreshed without the person (a service
    /// account is configured).
    pub fn can_look_up(&self) -> bool {
        self.config.bind_dn.is_some()
    }

    /// See [`LdapConfig::refresh_secs`].
    pub fn refresh_secs(&self) -> u64 {
        self.config.refresh_secs
    }

    /// See [`LdapConfig::account_max_hours`].
    pub fn account_max_hours(&self) -> i64 {
        self.config.account_max_hours
    }

    async fn connect(&self, limit: Duration) -> Result<ldap3::Ldap, LdapError> {
        let c = &self.config;
        let settings = LdapConnSettings::new()
            .set_conn_timeout(limit)
            .set_starttls(c.starttls)
            .set_config(self.tls.clone());
        let (conn, ldap) = LdapConnAsync::with_settings(settings, &c.url)
            .await
            .map_err(|e| LdapError::Unavailable(format!("connecting to {}: {e}", c.url)))?;
        ldap3::drive!(conn);
        Ok(ldap)
    }

    /// The person's entry by the user filter, as the service account (bound
    /// by the caller): DN, user name and `memberOf`. `None` when there is
    /// no such entry, or more than one (refused: ambiguous).
    async fn find_person(
        &self,
        ldap: &mut ldap3::Ldap,
        username: &str,
    ) -> Result<Option<(String, String, Vec<String>)>, LdapError> {
        let c = &self.config;
        let base = c.user_base_dn.as_deref().unwrap_or(&c.base_dn);
        let filter = fill(&c.user_filter, &ldap_escape(username), "");
        let attrs = vec![c.username_attribute.as_str(), "memberOf"];
        let (entries, _) = ldap
            .search(base, Scope::Subtree, &filter, attrs)
            .await
            .and_then(|r| r.success())
            .map_err(|e| LdapError::Unavailable(format!("searching for the person: {e}")))?;
        let mut entries = entries.into_iter().map(SearchEntry::construct);
        let Some(entry) = entries.next() else {
            return Ok(None);
        };
        if entries.next().is_some() {
            tracing::warn!(%filter, "ldap: the user filter matched more than one entry; refusing");
            return Ok(None);
        }
        let name = attr(&entry, &c.username_attribute)
            .into_iter()
            .next()
            .unwrap_or_else(|| username.to_string());
        let member_of = attr(&entry, "memberOf");
        Ok(Some((entry.dn, name, member_of)))
    }

    /// The person with their groups (`memberOf` and the group filter's
    /// matches, searched as the service account where there is one) and
    /// the role those give.
    async fn with_groups(
        &self,
        ldap: &mut ldap3::Ldap,
        username: &str,
        dn: String,
        name: String,
        mut member_of: Vec<String>,
    ) -> Result<Person, LdapError> {
        let c = &self.config;
        if !c.group_filter.trim().is_empty() {
            if let Some(bind_dn) = &c.bind_dn {
                self.service_bind(ldap, bind_dn).await?;
            }
            let base = c.group_base_dn.as_deref().unwrap_or(&c.base_dn);
            let filter = fill(&c.group_filter, &ldap_escape(username), &ldap_escape(&dn));
            let (entries, _) = ldap
                .search(base, Scope::Subtree, &filter, vec!["1.1"])
                .await
                .and_then(|r| r.success())
                .map_err(|e| LdapError::Unavailable(format!("searching for groups: {e}")))?;
            member_of.extend(entries.into_iter().map(|e| SearchEntry::construct(e).dn));
        }
        member_of.sort_by_key(|g| shipshape_domain::directory::normalize_dn(g));
        member_of.dedup_by_key(|g| shipshape_domain::directory::normalize_dn(g));
        let role = self.roles.role_for(&member_of);
        Ok(Person {
            username: name,
            dn,
            groups: member_of,
            role,
        })
    }

    async fn ask(
        &self,
        username: &str,
        password: &str,
        limit: Duration,
    ) -> Result<Person, LdapError> {
        let c = &self.config;
        let mut ldap = self.connect(limit).await?;
        let (dn, mut name, member_of) = match (&c.bind_pattern, &c.bind_dn) {
            (Some(pattern), _) => (
                fill(pattern, &dn_escape(username), ""),
                username.to_string(),
                Vec::new(),
            ),
            (None, Some(bind_dn)) => {
                self.service_bind(&mut ldap, bind_dn).await?;
                self.find_person(&mut ldap, username)
                    .await?
                    .ok_or(LdapError::BadCredentials)?
            }
            (None, None) => return Err(LdapError::Unavailable("no bind method configured".into())),
        };

        // The password check itself.
        let bound = ldap
            .simple_bind(&dn, password)
            .await
            .map_err(|e| LdapError::Unavailable(format!("binding as the person: {e}")))?;
        if bound.rc != 0 {
            tracing::debug!(rc = bound.rc, "ldap: the person's bind was refused");
            return Err(LdapError::BadCredentials);
        }
        if c.bind_pattern.is_some() && name != username {
            name = username.to_string();
        }
        let person = self
            .with_groups(&mut ldap, username, dn, name, member_of)
            .await?;
        let _ = ldap.unbind().await;
        Ok(person)
    }

    async fn service_bind(&self, ldap: &mut ldap3::Ldap, bind_dn: &str) -> Result<(), LdapError> {
        let password = self
            .config
            .bind_password
            .as_ref()
            .map(|p| p.expose().to_string())
            .unwrap_or_default();
        ldap.simple_bind(bind_dn, &password)
            .await
            .and_then(|r| r.success())
            .map(|_| ())
            .map_err(|e| LdapError::Unavailable(format!("service account bind ({bind_dn}): {e}")))
    }
}

fn attr(entry: &SearchEntry, name: &str) -> Vec<String> {
    entry
        .attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> LdapConfig {
        LdapConfig {
            url: "ldaps://ldap.example.com".into(),
            starttls: false,
            ca_file: None,
            base_dn: "dc=example,dc=com".into(),
            bind_dn: Some("cn=svc,dc=example,dc=com".into()),
            bind_password: Some(Redacted::new("pw")),
            user_base_dn: None,
            user_filter: default_user_filter(),
            username_attribute: default_username_attribute(),
            bind_pattern: None,
            group_base_dn: None,
            group_filter: default_group_filter(),
            timeout_secs: 5,
            roles: BTreeMap::from([(
                "admin".to_string(),
                Groups::One("cn=a,dc=example,dc=com".into()),
            )]),
            refresh_secs: default_refresh_secs(),
            account_max_hours: default_account_max_hours(),
        }
    }

    #[test]
    fn passwords_never_go_in_the_clear() {
        assert!(base().check().is_ok());
        let plain = LdapConfig {
            url: "ldap://ldap.example.com".into(),
            ..base()
        };
        assert!(plain.check().unwrap_err().contains("starttls"));
        let starttls = LdapConfig {
            starttls: true,
            ..plain
        };
        assert!(starttls.check().is_ok());
        let both = LdapConfig {
            starttls: true,
            ..base()
        };
        assert!(both.check().is_err());
    }

    #[test]
    fn one_bind_method_and_a_mapped_role_are_needed() {
        let none = LdapConfig {
            bind_dn: None,
            ..base()
        };
        assert!(none.check().is_err());
        let both = LdapConfig {
            bind_pattern: Some("uid={user},dc=x".into()),
            ..base()
        };
        assert!(both.check().is_err());
        let direct = LdapConfig {
            bind_pattern: Some("uid={user},dc=x".into()),
            bind_dn: None,
            ..base()
        };
        assert!(direct.check().is_ok());
        let no_user = LdapConfig {
            bind_pattern: Some("uid=x,dc=x".into()),
            bind_dn: None,
            ..base()
        };
        assert!(no_user.check().is_err());
        let no_pw = LdapConfig {
            bind_password: None,
            ..base()
        };
        assert!(no_pw.check().unwrap_err().contains("bind_password"));
        let no_roles = LdapConfig {
            roles: BTreeMap::new(),
            ..base()
        };
        assert!(no_roles.check().unwrap_err().contains("roles"));
        let bad_role = LdapConfig {
            roles: BTreeMap::from([("root".to_string(), Groups::One("cn=r".into()))]),
            ..base()
        };
        assert!(bad_role.check().unwrap_err().contains("ldap.roles.root"));
    }

    #[test]
    fn a_missing_or_empty_ca_file_stops_start_up() {
        let missing = LdapConfig {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..base()
        };
        assert!(Ldap::new(&missing)
            .unwrap_err()
            .contains("/nonexistent/ca.pem"));
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("ca.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let empty = LdapConfig {
            ca_file: Some(empty),
            ..base()
        };
        assert!(Ldap::new(&empty)
            .unwrap_err()
            .contains("no PEM certificate"));
    }

    #[tokio::test]
    async fn an_empty_password_is_refused_before_the_directory_is_asked() {
        // the URL points nowhere: an attempt to connect would say Unavailable
        let ldap = Ldap::new(&LdapConfig {
            url: "ldaps://127.0.0.1:1".into(),
            ..base()
        })
        .unwrap();
        let r = ldap
            .authenticate("alice", &SecretString::from(String::new()))
            .await;
        assert!(matches!(r, Err(LdapError::BadCredentials)), "{r:?}");
        let r = ldap
            .authenticate("alice", &SecretString::from("pw".to_string()))
            .await;
        assert!(matches!(r, Err(LdapError::Unavailable(_))), "{r:?}");
    }
}
