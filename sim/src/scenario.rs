//! Scenario files: what a simulated cluster answers, and how it misbehaves.
//!
//! ```toml
//! base = "healthy.toml"           # optional: start from another scenario (same folder);
//!                                 # keys here win, [[query]] entries replace the base's
//!                                 # entry with the same sql or are added
//! version = "476"                 # GET /v1/info nodeVersion.version
//! environment = "production"
//! state = "ACTIVE"                # GET /v1/info/state
//! node_states = { worker-2 = "DRAINING" }  # GET /nodes/{node}/v1/info/state (node URIs
//!                                 # written "{self}/nodes/worker-2/"); other nodes: `state`
//! page_size = 2                   # data rows per result page
//! denied_users = ["nobody"]       # their queries fail with PERMISSION_DENIED
//! fault = "none"                  # see `Fault`
//!
//! [metrics]                       # GET /metrics (OpenMetrics gauges)
//! "trino_execution_name_QueryManager_RunningQueries" = 3
//!
//! [tls]                           # serve HTTPS with a fresh test CA
//! hosts = ["localhost", "127.0.0.1"]
//! expires_in_days = 90            # negative: already expired
//! lifetime_days = 120
//!
//! passwords = { shipshape = "s3cret" }   # basic auth required when set
//! tokens = ["a-jwt"]                      # bearer tokens accepted
//! required_headers = { "X-Trino-Source" = "shipshape" }  # else 400, on every route
//! next_uri_base = "http://127.0.0.1:9"     # nextUri points at another server
//!
//! ui_login = "form"               # the web UI wants its own login: /ui/api/ answers 401
//!                                 # with WWW-Authenticate: Trino-Form-Login ("oauth2": 403)
//!
//! [ui_stats]                      # GET /ui/api/stats
//! activeWorkers = 3
//!
//! [[query]]
//! sql = "SELECT node_id, coordinator FROM system.runtime.nodes"
//! columns = [{ name = "node_id", type = "varchar" }, { name = "coordinator", type = "boolean" }]
//! rows = [["coordinator-1", true], ["worker-1", false]]
//!
//! [[query]]
//! sql = "SELECT * FROM secret.t"
//! error = { name = "PERMISSION_DENIED", code = 4, type = "USER_ERROR", message = "Access Denied: Cannot select from table secret.t" }
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default = "default_version")]
    pub version: String,
    #[serde(default = "default_environment")]
    pub environment: String,
    #[serde(default = "default_state")]
    pub state: String,
    /// Per-node answers of `/nodes/{node}/v1/info/state`.
    #[serde(default)]
    pub node_states: BTreeMap<String, String>,
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    #[serde(default)]
    pub denied_users: Vec<String>,
    #[serde(default)]
    pub fault: Fault,
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Serve HTTPS with a certificate made at start-up.
    pub tls: Option<TlsSpec>,
    /// Users and passwords; when any are set, requests need credentials.
    #[serde(default)]
    pub passwords: BTreeMap<String, String>,
    /// Bearer tokens accepted (each stands for the user `jwt-user`).
    #[serde(default)]
    pub tokens: Vec<String>,
    /// `GET /ui/api/stats`; absent answers 404.
    pub ui_stats: Option<BTreeMap<String, i64>>,
    /// The web UI's own login, which API credentials do not pass.
    #[serde(default)]
    pub ui_login: UiLogin,
    /// Write `nextUri`s on this base URL instead of the simulator's own (a
    /// coordinator that tries to steer its client elsewhere).
    pub next_uri_base: Option<String>,
    /// Headers every request must carry with exactly this value, or it is
    /// answered 400 (to prove a client labels all of its requests).
    #[serde(default)]
    pub required_headers: BTreeMap<String, String>,
    #[serde(default)]
    pub query: Vec<QuerySpec>,
}

/// The certificate the simulator presents over HTTPS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSpec {
    #[serde(default = "default_hosts")]
    pub hosts: Vec<String>,
    #[serde(default = "default_expires_in_days")]
    pub expires_in_days: i64,
    #[serde(default = "default_lifetime_days")]
    pub lifetime_days: i64,
}

fn default_hosts() -> Vec<String> {
    vec!["localhost".into(), "127.0.0.1".into()]
}
fn default_expires_in_days() -> i64 {
    90
}
fn default_lifetime_days() -> i64 {
    120
}

/// How the web UI lets clients in. Trino's form-login filter answers
/// `/ui/api/` paths with 401 and `WWW-Authenticate: Trino-Form-Login` to a
/// client without a web-UI session, whatever credentials the client
/// protocol accepts; under OAuth2 the answer is 403.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UiLogin {
    /// The API credentials are enough (as with `web-ui.authentication.type`
    /// unset over plain HTTP in older setups, or a fixed user).
    #[default]
    None,
    Form,
    Oauth2,
}

/// How the simulated coordinator misbehaves on `/v1/statement`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    #[default]
    None,
    /// Never answers the statement request.
    Hang,
    /// Answers 500 with an HTML body.
    Http500,
    /// Answers 503 to the first statement request, then works.
    Http503ThenOk,
    /// Answers 429 with `Retry-After: 1` to the first request, then works.
    Http429,
    /// Answers 200 with a body that is not JSON.
    MalformedJson,
    /// Gives `nextUri` as a relative path (real Trino always sends absolute URLs).
    RelativeNextUri,
    /// Sends each page slowly, a few bytes at a time.
    SlowDrip,
    /// Demands credentials: requests without them get 401 and `WWW-Authenticate`.
    RequireCredentials,
    /// Answers the statement request with a body that never ends.
    EndlessBody,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    pub sql: String,
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    #[serde(default)]
    pub rows: Vec<Vec<toml::Value>>,
    pub error: Option<ErrorSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    pub name: String,
    pub code: i64,
    #[serde(rename = "type")]
    pub error_type: String,
    pub message: String,
}

fn default_version() -> String {
    "476".into()
}
fn default_environment() -> String {
    "production".into()
}
fn default_state() -> String {
    "ACTIVE".into()
}
fn default_page_size() -> usize {
    2
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0}: {1}")]
    Parse(String, toml::de::Error),
    #[error("{0}: page_size must be at least 1")]
    PageSize(String),
    #[error("{0}: {1}")]
    Base(String, String),
}

/// How many `base` files one scenario may stack.
const MAX_BASE_DEPTH: usize = 4;

impl Scenario {
    pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
        let name = path.display().to_string();
        let table = Self::load_table(path, 0)?;
        let s: Scenario = table
            .try_into()
            .map_err(|e| ScenarioError::Parse(name.clone(), e))?;
        if s.page_size == 0 {
            return Err(ScenarioError::PageSize(name));
        }
        Ok(s)
    }

    /// A scenario file as a TOML table, its `base` (if any) merged under it.
    fn load_table(path: &std::path::Path, depth: usize) -> Result<toml::Table, ScenarioError> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| ScenarioError::Read(name.clone(), e))?;
        let mut table: toml::Table =
            toml::from_str(&text).map_err(|e| ScenarioError::Parse(name.clone(), e))?;
        let Some(base) = table.remove("base") else {
            return Ok(table);
        };
        let base = base
            .as_str()
            .ok_or_else(|| ScenarioError::Base(name.clone(), "base must be a file name".into()))?;
        if depth >= MAX_BASE_DEPTH {
            return Err(ScenarioError::Base(
                name,
                format!("more than {MAX_BASE_DEPTH} base files stacked"),
            ));
        }
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        let mut merged = Self::load_table(&dir.join(base), depth + 1)?;
        let own_queries = table.remove("query");
        for (k, v) in table {
            merged.insert(k, v);
        }
        if let Some(toml::Value::Array(own)) = own_queries {
            let sql_of = |q: &toml::Value| q.get("sql").and_then(|s| s.as_str()).map(normalize);
            let mut queries = match merged.remove("query") {
                Some(toml::Value::Array(a)) => a,
                _ => Vec::new(),
            };
            for q in own {
                match queries
                    .iter_mut()
                    .find(|b| sql_of(b).is_some() && sql_of(b) == sql_of(&q))
                {
                    Some(slot) => *slot = q,
                    None => queries.push(q),
                }
            }
            merged.insert("query".into(), toml::Value::Array(queries));
        }
        Ok(merged)
    }

    pub fn parse(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::Parse(name.to_string(), e))?;
        if s.page_size == 0 {
            return Err(ScenarioError::PageSize(name.to_string()));
        }
        Ok(s)
    }

    /// The same cluster over plain HTTP without authentication, for tests
    /// of protocol details that TLS and passwords would only obscure.
    pub fn plain(mut self) -> Scenario {
        self.tls = None;
        self.passwords.clear();
        self.tokens.clear();
        self
    }

    /// The answer for a statement, matched ignoring case, spacing and a
    /// trailing semicolon.
    pub fn answer(&self, sql: &str) -> Option<&QuerySpec> {
        let wanted = normalize(sql);
        self.query.iter().find(|q| normalize(&q.sql) == wanted)
    }
}

pub fn normalize(sql: &str) -> String {
    sql.trim()
        .trim_end_matches(';')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_match_loosely() {
        let s = Scenario::parse("t", "[[query]]\nsql = \"SELECT 1\"\ncolumns = [{ name = \"_col0\", type = \"integer\" }]\nrows = [[1]]\n").unwrap();
        assert!(s.answer("  select   1 ;").is_some());
        assert!(s.answer("SELECT 2").is_none());
        assert_eq!(s.version, "476");
    }

    #[test]
    fn a_scenario_builds_on_its_base() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "version = \"483\"\n[[query]]\nsql = \"SELECT 1\"\nrows = [[1]]\n[[query]]\nsql = \"SELECT 2\"\nrows = [[2]]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("child.toml"),
            "base = \"base.toml\"\nversion = \"479\"\n[[query]]\nsql = \"select 2\"\nrows = [[22]]\n[[query]]\nsql = \"SELECT 3\"\nrows = [[3]]\n",
        )
        .unwrap();
        let s = Scenario::load(&dir.path().join("child.toml")).unwrap();
        assert_eq!(s.version, "479");
        assert_eq!(s.query.len(), 3);
        assert_eq!(
            s.answer("SELECT 2").unwrap().rows[0][0].as_integer(),
            Some(22)
        );
        std::fs::write(dir.path().join("loop.toml"), "base = \"loop.toml\"\n").unwrap();
        assert!(Scenario::load(&dir.path().join("loop.toml")).is_err());
    }

    #[test]
    fn bad_scenarios_are_refused() {
        assert!(Scenario::parse("t", "page_size = 0").is_err());
        assert!(Scenario::parse("t", "fault = \"explode\"").is_err());
        assert!(Scenario::parse("t", "versoin = \"1\"").is_err());
    }
}
