//! Typed configuration, layered: built-in defaults, then a TOML file
//! (`shipshape.toml` in the working directory, or the file given with
//! `--config` / `SHIPSHAPE_CONFIG`), then `SHIPSHAPE_*` environment variables,
//! then command-line flags. Secrets never appear in `Debug` output or logs.

pub use crate::redacted::Redacted;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the dashboard listens on. Port 0 picks a free port.
    pub bind: SocketAddr,
    /// Where the database (and later, evidence files) live; created at start.
    pub data_dir: PathBuf,
    /// The SQLite file; default `<data_dir>/shipshape.db`.
    pub database_file: Option<PathBuf>,
    /// `postgres://user:password@host/db`: store everything in PostgreSQL
    /// (for several replicas) instead of the SQLite file. Redacted in logs.
    #[serde(default)]
    pub database_url: Option<Redacted>,
    /// Seconds between a replica's tries at the leader lock (PostgreSQL):
    /// when the leader dies, another takes over within this.
    #[serde(default = "default_leader_interval")]
    pub leader_interval_secs: u64,
    /// On `SIGTERM`: seconds `/readyz` answers 503 while the server keeps
    /// serving, so load balancers stop sending before the port closes.
    #[serde(default = "default_shutdown_drain")]
    pub shutdown_drain_secs: u64,
    /// After the drain: the most seconds in-flight requests and scheduled
    /// work get to finish before the process exits anyway.
    #[serde(default = "default_shutdown_grace")]
    pub shutdown_grace_secs: u64,
    /// A custom runbook file; default: the shipped Trino runbook.
    pub runbook: Option<PathBuf>,
    /// Where the built site is (wasm, js, css, assets).
    pub site_root: PathBuf,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A session ends this many days after its login, however active.
    pub session_max_days: i64,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
    /// The Trino user live checks connect as (`X-Trino-User`).
    pub check_user: String,
    /// Each check's time limit, in seconds; a hung cluster costs no more.
    pub check_timeout_secs: u64,
    /// How many checks of one cluster run at once.
    pub check_concurrency: usize,
    /// Seconds between scheduled check rounds; 0 turns the scheduler off.
    pub check_interval_secs: u64,
    /// How many clusters the scheduler checks at once.
    pub cluster_concurrency: usize,
    /// Largest evidence file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Most files on one completion or sign-off.
    pub max_upload_files: usize,
    /// IANA time zone for Day-2 due dates (e.g. `Europe/Berlin`).
    pub time_zone: String,
    /// Where Day-2 reminders go (Slack-compatible incoming webhook); none: off.
    pub reminder_webhook_url: Option<Redacted>,
    /// A generic JSON webhook for notifications (regressions, recoveries,
    /// waivers, expiring sign-offs), signed with `notify_secret`; none: off.
    #[serde(default)]
    pub notify_url: Option<Redacted>,
    /// The HMAC-SHA256 key of `X-Shipshape-Signature`; required with
    /// `notify_url`.
    #[serde(default)]
    pub notify_secret: Option<Redacted>,
    /// Seconds between looks for events to tell.
    #[serde(default = "default_notify_interval")]
    pub notify_interval_secs: u64,
    /// Where people reach this dashboard (`https://shipshape.example.com`),
    /// for links in notifications; none: links are paths.
    #[serde(default)]
    pub public_url: Option<String>,
    /// A bearer token `/metrics` asks for (`Authorization: Bearer …`);
    /// none: `/metrics` is open, as for a scraper on a private network.
    #[serde(default)]
    pub metrics_token: Option<Redacted>,
    /// Without `metrics_token`, `/metrics` answers only loopback clients
    /// unless this is true (a scraper on a private network, on purpose).
    #[serde(default)]
    pub metrics_public: bool,
    /// Seconds between looks for tasks that became due or overdue.
    pub reminder_interval_secs: u64,
    /// Flapping: failing runs in a row before a check's failure counts
    /// (a runbook item's `fail_after` wins).
    pub check_fail_after: u32,
    /// The most bytes one response of a cluster may have (per page).
    pub max_response_bytes: usize,
    /// An upload that sends nothing for this many seconds is cut off.
    pub upload_idle_secs: u64,
    /// Where clusters' CA files must live (regular files, at most 1 MiB);
    /// default `<data_dir>/ca`.
    pub ca_dir: Option<PathBuf>,
    /// Which hosts each secret may be sent to: `[secrets.TRINO_SECRET_PROD]
    /// hosts = ["trino.prod.example.com:8443"]`. A secret without a binding
    /// is never used.
    #[serde(default)]
    pub secrets: std::collections::BTreeMap<String, SecretBinding>,
    /// Where clusters may live: host patterns (`*.example.com`, optionally
    /// `:port`) and networks (`10.20.0.0/16`); see
    /// `shipshape_domain::cluster_hosts`. Empty: checks may go anywhere.
    /// `SHIPSHAPE_CLUSTER_HOSTS` takes a comma-separated list.
    #[serde(default, deserialize_with = "string_list")]
    pub cluster_hosts: Vec<String>,
    /// Trino releases newer than the shipped table knows (or corrected
    /// dates): `[[trino_release]] version = 484, date = "2026-09-01"`.
    #[serde(default)]
    pub trino_release: Vec<TrinoRelease>,
    /// The ledger's Ed25519 signing key; default
    /// `<data_dir>/keys/ledger-signing.key`, created at first start. A file
    /// named here must exist (mode 0600).
    pub signing_key_file: Option<PathBuf>,
    /// A signed checkpoint row is appended once this many rows were added
    /// since the last one...
    pub checkpoint_every_rows: u64,
    /// ...and at least this often (seconds) while rows were added since.
    pub checkpoint_interval_secs: u64,
    /// Scheduled backups go into timestamped directories here; none: off.
    #[serde(default)]
    pub backup_dir: Option<PathBuf>,
    /// Seconds between scheduled backups (default a day).
    #[serde(default = "default_backup_interval")]
    pub backup_interval_secs: u64,
    /// Scheduled backups kept; older ones are deleted after a new one is
    /// complete.
    #[serde(default = "default_backup_keep")]
    pub backup_keep: usize,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For`
    /// or `Forwarded` header names the client; none: the TCP peer is the
    /// client. Login limits count per client address.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// LDAP logins (`[ldap]`); none: off.
    #[serde(default)]
    pub ldap: Option<crate::directory::ldap::LdapConfig>,
    /// OpenID Connect logins (`[oidc]`); none: off.
    #[serde(default)]
    pub oidc: Option<crate::directory::oidc::OidcConfig>,
}

/// Where one secret may go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretBinding {
    /// `host` (any port) or `host:port`, case-insensitive.
    pub hosts: Vec<String>,
    /// Allow `insecure_tls` (no certificate verification) with this secret.
    #[serde(default)]
    pub allow_insecure_tls: bool,
}

fn default_leader_interval() -> u64 {
    5
}

fn default_shutdown_drain() -> u64 {
    5
}

fn default_shutdown_grace() -> u64 {
    30
}

fn default_notify_interval() -> u64 {
    60
}

fn default_backup_interval() -> u64 {
    24 * 3600
}

fn default_backup_keep() -> usize {
    7
}

/// A list of strings given as a list (the file) or as one comma-separated
/// string (an environment variable).
fn string_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum List {
        One(String),
        Many(Vec<String>),
    }
    Ok(match List::deserialize(d)? {
        List::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        List::Many(v) => v,
    })
}

/// One Trino release and the day it shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrinoRelease {
    pub version: u32,
    pub date: chrono::NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            database_file: None,
            database_url: None,
            leader_interval_secs: default_leader_interval(),
            shutdown_drain_secs: default_shutdown_drain(),
            shutdown_grace_secs: default_shutdown_grace(),
            runbook: None,
            // cargo-leptos tells the server where the site is when it runs it
            // (`cargo leptos watch`); otherwise the release script's place.
            site_root: std::env::var_os("LEPTOS_SITE_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("target/site")),
            secure_cookies: false,
            session_idle_minutes: 12 * 60,
            session_max_days: shipshape_domain::session::DEFAULT_MAX_DAYS,
            log_format: LogFormat::Text,
            check_user: "shipshape".into(),
            check_timeout_secs: 15,
            check_concurrency: 4,
            check_interval_secs: 300,
            cluster_concurrency: 8,
            max_upload_bytes: shipshape_domain::attachment::DEFAULT_MAX_FILE_BYTES,
            max_upload_files: shipshape_domain::attachment::DEFAULT_MAX_FILES,
            time_zone: "UTC".into(),
            reminder_webhook_url: None,
            metrics_token: None,
            metrics_public: false,
            notify_url: None,
            notify_secret: None,
            notify_interval_secs: default_notify_interval(),
            public_url: None,
            reminder_interval_secs: 300,
            check_fail_after: shipshape_domain::check::DEFAULT_FAIL_AFTER,
            max_response_bytes: 16 * 1024 * 1024,
            upload_idle_secs: 30,
            ca_dir: None,
            secrets: Default::default(),
            cluster_hosts: Vec::new(),
            trino_release: Vec::new(),
            signing_key_file: None,
            checkpoint_every_rows: 1000,
            checkpoint_interval_secs: 3600,
            backup_dir: None,
            backup_interval_secs: default_backup_interval(),
            backup_keep: default_backup_keep(),
            trusted_proxies: Vec::new(),
            ldap: None,
            oidc: None,
        }
    }
}

/// Settings given on the command line; they win over every other layer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

/// The shortest `notify_secret` accepted (an HMAC key a receiver shares).
pub const NOTIFY_SECRET_MIN: usize = 16;

impl Config {
    /// Loads the layers. `file` is the explicit config file, if any; without
    /// one, `shipshape.toml` is read when it exists.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError(format!(
                        "config file {} does not exist",
                        path.display()
                    )));
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None => figment = figment.merge(Toml::file("shipshape.toml")),
        }
        figment = figment
            .merge(
                Env::prefixed("SHIPSHAPE_")
                    .ignore(&["CONFIG", "PASSWORD"])
                    .split("__"),
            )
            .merge(Serialized::defaults(overrides));
        let config: Config = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.tz()?;
        if config.max_upload_bytes == 0 || config.max_upload_files == 0 {
            return Err(ConfigError(
                "max_upload_bytes and max_upload_files must be at least 1".into(),
            ));
        }
        if config.max_response_bytes < 64 * 1024 {
            return Err(ConfigError(
                "max_response_bytes must be at least 65536".into(),
            ));
        }
        for (name, b) in &config.secrets {
            if !name.starts_with(shipshape_domain::connection::SECRET_ENV_PREFIX) {
                return Err(ConfigError(format!(
                    "secrets.{name}: secret variables start with {}",
                    shipshape_domain::connection::SECRET_ENV_PREFIX
                )));
            }
            if b.hosts.is_empty() {
                return Err(ConfigError(format!(
                    "secrets.{name}: list the hosts it may be sent to (hosts = [\"trino.example.com:8443\"])"
                )));
            }
        }
        if !(1..=20).contains(&config.check_fail_after) {
            return Err(ConfigError(
                "check_fail_after must be a number of runs from 1 to 20".into(),
            ));
        }
        config.cluster_hosts_rule()?;
        config.check_secrets_and_addresses()?;
        shipshape_domain::client_address::parse_networks(&config.trusted_proxies)
            .map_err(|e| ConfigError(format!("trusted_proxies: {e}")))?;
        if let Some(ldap) = &config.ldap {
            ldap.check().map_err(ConfigError)?;
        }
        if let Some(oidc) = &config.oidc {
            oidc.check().map_err(ConfigError)?;
        }
        if config.backup_dir.is_some()
            && (config.backup_interval_secs == 0 || config.backup_keep == 0)
        {
            return Err(ConfigError(
                "backup_interval_secs and backup_keep must be at least 1 when backup_dir is set"
                    .into(),
            ));
        }
        if let Some(url) = &config.database_url {
            if !(url.expose().starts_with("postgres://")
                || url.expose().starts_with("postgresql://"))
            {
                return Err(ConfigError(
                    "database_url must be a postgres:// URL (leave it out for the SQLite file)"
                        .into(),
                ));
            }
        }
        if config.database_url.is_some() && config.backup_dir.is_some() {
            return Err(ConfigError(
                "backup_dir: scheduled backups copy the SQLite file; on PostgreSQL back up with pg_dump and leave backup_dir out"
                    .into(),
            ));
        }
        if config.shutdown_grace_secs == 0 {
            return Err(ConfigError("shutdown_grace_secs must be at least 1".into()));
        }
        if config.leader_interval_secs == 0 {
            return Err(ConfigError(
                "leader_interval_secs must be at least 1".into(),
            ));
        }
        if config.checkpoint_every_rows == 0 || config.checkpoint_interval_secs == 0 {
            return Err(ConfigError(
                "checkpoint_every_rows and checkpoint_interval_secs must be at least 1".into(),
            ));
        }
        Ok(config)
    }

    /// Settings that would silently weaken the install are refused at
    /// start-up: a short notification key, an empty metrics token, a
    /// public address in plain http off this machine.
    fn check_secrets_and_addresses(&self) -> Result<(), ConfigError> {
        match (&self.notify_url, &self.notify_secret) {
            (Some(_), None) => {
                return Err(ConfigError(
                    "notify_url needs notify_secret (at least 16 characters): receivers check the signature with it".into(),
                ))
            }
            (_, Some(secret)) if secret.expose().chars().count() < NOTIFY_SECRET_MIN => {
                return Err(ConfigError(format!(
                    "notify_secret must have at least {NOTIFY_SECRET_MIN} characters"
                )))
            }
            _ => {}
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.expose().trim().is_empty())
        {
            return Err(ConfigError(
                "metrics_token is empty: give a token, or leave the setting out".into(),
            ));
        }
        if let Some(public) = &self.public_url {
            let url = url::Url::parse(public)
                .map_err(|e| ConfigError(format!("public_url {public:?}: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError("public_url must be an http(s) address".into()));
            }
            if shipshape_domain::reach::plain_http_off_loopback(&url) {
                return Err(ConfigError(
                    "public_url is plain http off this machine: serve the dashboard over https (behind a proxy) and give its https address".into(),
                ));
            }
        }
        Ok(())
    }

    /// The release table checks judge against: the shipped one with the
    /// config file's releases added.
    pub fn releases(&self) -> shipshape_domain::check::Releases {
        let extra: Vec<(u32, chrono::NaiveDate)> = self
            .trino_release
            .iter()
            .map(|r| (r.version, r.date))
            .collect();
        shipshape_domain::check::Releases::shipped().with_config(&extra)
    }

    /// The configured time zone for Day-2 due dates.
    pub fn tz(&self) -> Result<chrono_tz::Tz, ConfigError> {
        self.time_zone.parse().map_err(|_| {
            ConfigError(format!(
                "time_zone '{}' is not an IANA time zone such as UTC or Europe/Berlin",
                self.time_zone
            ))
        })
    }

    /// The parsed `cluster_hosts` rule; `None` when the setting is empty.
    pub fn cluster_hosts_rule(
        &self,
    ) -> Result<Option<shipshape_domain::cluster_hosts::ClusterHosts>, ConfigError> {
        shipshape_domain::cluster_hosts::ClusterHosts::parse(&self.cluster_hosts)
            .map_err(|e| ConfigError(format!("cluster_hosts: {e}")))
    }

    /// Where clusters' CA files must live.
    pub fn ca_dir(&self) -> PathBuf {
        self.ca_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("ca"))
    }

    /// Where evidence files are stored, by SHA-256.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    pub fn database_path(&self) -> PathBuf {
        self.database_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("shipshape.db"))
    }
}

#[cfg(test)]
// figment's Jail closure returns its large error type; that is its API.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn layers_apply_in_order() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "shipshape.toml",
                "data_dir = \"from-file\"\nsession_idle_minutes = 5\n",
            )?;
            jail.set_env("SHIPSHAPE_SESSION_IDLE_MINUTES", "7");
            jail.set_env("SHIPSHAPE_BIND", "127.0.0.1:4000");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.data_dir, PathBuf::from("from-file"));
            assert_eq!(c.session_idle_minutes, 7);
            assert_eq!(c.bind.port(), 4000);
            assert_eq!(c.database_path(), PathBuf::from("from-file/shipshape.db"));
            let o = Overrides {
                data_dir: Some("from-flag".into()),
                ..Default::default()
            };
            let c = Config::load(None, &o).map_err(|e| e.to_string())?;
            assert_eq!(c.data_dir, PathBuf::from("from-flag"));
            Ok(())
        });
    }

    #[test]
    fn the_release_table_extends_from_the_file() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "shipshape.toml",
                "check_fail_after = 3\n[[trino_release]]\nversion = 484\ndate = \"2026-09-01\"\n",
            )?;
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.check_fail_after, 3);
            let newest = c.releases().newest().cloned().ok_or("no newest")?;
            assert_eq!(newest.version, 484);
            assert_eq!(newest.date.to_string(), "2026-09-01");
            jail.create_file(
                "bad.toml",
                "[[trino_release]]\nversion = 484\ndate = \"September\"\n",
            )?;
            assert!(Config::load(Some(Path::new("bad.toml")), &Overrides::default()).is_err());
            jail.create_file("zero.toml", "check_fail_after = 0\n")?;
            let e = Config::load(Some(Path::new("zero.toml")), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("check_fail_after"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn weak_secrets_and_plain_http_addresses_are_refused_at_start_up() {
        Jail::expect_with(|jail| {
            for (file, text, says) in [
                (
                    "a.toml",
                    "notify_url = \"https://hooks.example.com/x\"\n",
                    "notify_secret",
                ),
                (
                    "b.toml",
                    "notify_url = \"https://hooks.example.com/x\"\nnotify_secret = \"short\"\n",
                    "16",
                ),
                ("c.toml", "metrics_token = \" \"\n", "metrics_token"),
                (
                    "d.toml",
                    "public_url = \"http://shipshape.example.com\"\n",
                    "plain http",
                ),
                (
                    "e.toml",
                    "trusted_proxies = [\"10.0.0.0/33\"]\n",
                    "trusted_proxies",
                ),
            ] {
                jail.create_file(file, text)?;
                let e = Config::load(Some(Path::new(file)), &Overrides::default()).unwrap_err();
                assert!(e.to_string().contains(says), "{file}: {e}");
            }
            jail.create_file(
                "ok.toml",
                "public_url = \"http://127.0.0.1:3000\"\nmetrics_token = \"t0ken\"\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n",
            )?;
            let c = Config::load(Some(Path::new("ok.toml")), &Overrides::default())
                .map_err(|e| e.to_string())?;
            assert_eq!(c.trusted_proxies.len(), 2);
            Ok(())
        });
    }

    #[test]
    fn shutdown_timings_load_from_every_layer() {
        Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!((c.shutdown_drain_secs, c.shutdown_grace_secs), (5, 30));
            jail.create_file("shipshape.toml", "shutdown_drain_secs = 0\n")?;
            jail.set_env("SHIPSHAPE_SHUTDOWN_GRACE_SECS", "50");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!((c.shutdown_drain_secs, c.shutdown_grace_secs), (0, 50));
            jail.set_env("SHIPSHAPE_SHUTDOWN_GRACE_SECS", "0");
            let e = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("shutdown_grace_secs"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "dta_dir = \"x\"\n")?;
            let e = Config::load(Some(Path::new("bad.toml")), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("dta_dir"), "{e}");
            let e =
                Config::load(Some(Path::new("missing.toml")), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("does not exist"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn signing_and_checkpoint_settings_load_and_are_checked() {
        Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.signing_key_file, None);
            assert_eq!(
                (c.checkpoint_every_rows, c.checkpoint_interval_secs),
                (1000, 3600)
            );
            jail.create_file("shipshape.toml", "checkpoint_every_rows = 50\n")?;
            jail.set_env("SHIPSHAPE_SIGNING_KEY_FILE", "/etc/shipshape/ledger.key");
            jail.set_env("SHIPSHAPE_CHECKPOINT_INTERVAL_SECS", "60");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(
                c.signing_key_file,
                Some(PathBuf::from("/etc/shipshape/ledger.key"))
            );
            assert_eq!(
                (c.checkpoint_every_rows, c.checkpoint_interval_secs),
                (50, 60)
            );
            jail.create_file("zero.toml", "checkpoint_every_rows = 0\n")?;
            let e = Config::load(Some(Path::new("zero.toml")), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("checkpoint_every_rows"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn cluster_hosts_load_from_the_file_or_a_comma_separated_variable() {
        Jail::expect_with(|jail| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert!(c.cluster_hosts_rule().map_err(|e| e.to_string())?.is_none());
            jail.create_file(
                "shipshape.toml",
                "cluster_hosts = [\"*.example.com\", \"10.20.0.0/16\"]\n",
            )?;
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.cluster_hosts, vec!["*.example.com", "10.20.0.0/16"]);
            jail.set_env(
                "SHIPSHAPE_CLUSTER_HOSTS",
                "trino.prod.example.com:8443, 2001:db8::/32",
            );
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(
                c.cluster_hosts,
                vec!["trino.prod.example.com:8443", "2001:db8::/32"]
            );
            assert!(c.cluster_hosts_rule().map_err(|e| e.to_string())?.is_some());
            jail.set_env("SHIPSHAPE_CLUSTER_HOSTS", "10.0.0.0/33");
            let e = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("cluster_hosts"), "{e}");
            Ok(())
        });
    }
}
