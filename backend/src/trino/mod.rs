//! A client for Trino's REST protocol, for live checks.
//!
//! `POST /v1/statement`, then `GET` each absolute `nextUri` until a page has
//! none, collecting `columns` and `data` spread over pages. 502/503/504 and
//! 429 (honouring `Retry-After`) are retried a bounded number of times; on
//! timeout the query is cancelled with `DELETE` on its `nextUri`. Every
//! failure is a [`TrinoError`] a person can act on.
//!
//! The coordinator cannot steer or flood the client: every `nextUri` must
//! keep the base URL's scheme, host and port (else the query fails as a
//! protocol violation and nothing is sent there), and every response body is
//! read as a stream into a hard cap ([`Target::max_body`], `Content-Length`
//! checked first), with rows and pages capped too.

mod cert;
mod clients;
mod error;
mod http;
pub mod pinned;

pub use cert::cert_facts;
pub use clients::{ClientCache, ClientKey};
pub use error::TrinoError;
pub use http::{anonymous_statement, get, Credentials, HttpAnswer};
pub use pinned::HostGuard;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// How to reach and authenticate to one cluster.
#[derive(Debug, Clone)]
pub struct Target {
    pub base_url: Url,
    pub user: String,
    pub auth: Auth,
    pub query_timeout: Duration,
    /// The most bytes one response body may have.
    pub max_body: usize,
}

/// The default cap on one response body: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// `url` on the same scheme, host and port as `base`, or a protocol
/// violation naming both; nothing is ever sent to a URL this refuses.
pub(crate) fn same_origin(base: &Url, url: &str) -> Result<Url, TrinoError> {
    let parsed = Url::parse(url)
        .map_err(|_| TrinoError::Protocol(format!("nextUri {url:?} is not an absolute URL")))?;
    let same = parsed.scheme() == base.scheme()
        && parsed.host_str() == base.host_str()
        && parsed.port_or_known_default() == base.port_or_known_default();
    if !same {
        return Err(TrinoError::Protocol(format!(
            "nextUri {url:?} leaves the coordinator {}://{}: not followed",
            base.scheme(),
            base.host_str()
                .map(|h| match base.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
                .unwrap_or_default()
        )));
    }
    Ok(parsed)
}

/// Bodies up to this size are read without touching the shared budget.
const SMALL_BODY: usize = 256 * 1024;

/// The bytes of large bodies being read at once, across all checks of all
/// clusters: one per-body cap. A read that would go past it fails at once
/// (it never waits, so two large reads cannot block each other).
fn body_budget(cap: usize) -> &'static tokio::sync::Semaphore {
    static BUDGET: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    BUDGET.get_or_init(|| tokio::sync::Semaphore::new(cap.min(tokio::sync::Semaphore::MAX_PERMITS)))
}

/// Reads a body as a stream into at most `cap` bytes; a larger body (by its
/// `Content-Length` or as it arrives) is an error, and reading stops there.
/// Chunks are kept as they arrive and joined once at the end, so a body
/// costs its size (not a doubling buffer), and large bodies draw on a
/// budget shared by every read in the process.
pub(crate) async fn read_capped(
    mut r: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, TrinoError> {
    let too_large = || {
        TrinoError::Protocol(format!(
            "the response is larger than {cap} bytes: refusing to read further"
        ))
    };
    if r.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let budget = body_budget(cap);
    let mut held: Option<tokio::sync::SemaphorePermit<'static>> = None;
    let mut chunks = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = r.chunk().await.map_err(TrinoError::from_reqwest)? {
        total += chunk.len();
        if total > cap {
            return Err(too_large());
        }
        if total > SMALL_BODY {
            let n = u32::try_from(chunk.len()).map_err(|_| too_large())?;
            let permit = budget
                .try_acquire_many(n)
                .map_err(|_| TrinoError::Overloaded)?;
            match held.as_mut() {
                Some(h) => h.merge(permit),
                None => held = Some(permit),
            }
        }
        // Copied out, so the client's (larger) read buffer is released.
        chunks.push(chunk.to_vec());
    }
    let mut body = Vec::with_capacity(total);
    for c in chunks {
        body.extend_from_slice(&c);
    }
    Ok(body)
}

/// Credentials; `Debug` never shows the secret.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Basic {
        user: String,
        password: SecretString,
    },
    Bearer(SecretString),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub type_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    pub query_id: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
}

/// Limits that keep a misbehaving server from costing us without bound.
const MAX_RETRIES: u32 = 4;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const MAX_PAGES: usize = 10_000;
const MAX_ROWS: usize = 100_000;

/// Builds the HTTP client shared by checks: connect timeout, no redirects to
/// other hosts' credentials, optional extra CA or (explicitly) no verification.
pub fn http_client(
    connect_timeout: Duration,
    extra_ca_pem: Option<&[u8]>,
    insecure_tls: bool,
) -> Result<reqwest::Client, TrinoError> {
    build_client(client_builder(connect_timeout, extra_ca_pem, insecure_tls)?)
}

pub(crate) fn build_client(b: reqwest::ClientBuilder) -> Result<reqwest::Client, TrinoError> {
    b.build()
        .map_err(|e| TrinoError::Config(format!("cannot build the HTTP client: {e}")))
}

/// [`http_client`]'s settings, before it is built.
pub(crate) fn client_builder(
    connect_timeout: Duration,
    extra_ca_pem: Option<&[u8]>,
    insecure_tls: bool,
) -> Result<reqwest::ClientBuilder, TrinoError> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .tls_info(true)
        .user_agent(concat!("shipshape/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = extra_ca_pem {
        let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
            TrinoError::Config(format!("the CA file is not a PEM certificate: {e}"))
        })?;
        b = b.add_root_certificate(cert);
    }
    if insecure_tls {
        b = b.danger_accept_invalid_certs(true);
    }
    Ok(b)
}

/// Runs one statement to completion and returns all of its rows.
pub async fn query(
    client: &reqwest::Client,
    target: &Target,
    sql: &str,
) -> Result<QueryOutput, TrinoError> {
    refuse_plain_http_credentials(target)?;
    let mut next_uri: Option<String> = None;
    let run = run_statement(client, target, sql, &mut next_uri);
    match tokio::time::timeout(target.query_timeout, run).await {
        Ok(result) => result,
        Err(_) => {
            if let Some(uri) = next_uri {
                cancel(client, target, &uri).await;
            }
            Err(TrinoError::Timeout(target.query_timeout))
        }
    }
}

async fn run_statement(
    client: &reqwest::Client,
    target: &Target,
    sql: &str,
    next_uri: &mut Option<String>,
) -> Result<QueryOutput, TrinoError> {
    let url = target
        .base_url
        .join("v1/statement")
        .map_err(|e| TrinoError::Config(format!("bad coordinator URL: {e}")))?;
    let mut page = send(target, || client.post(url.clone()).body(sql.to_string())).await?;
    let mut columns: Option<Vec<Column>> = None;
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut query_id = String::new();
    for _ in 0..MAX_PAGES {
        let p = parse_page(&page)?;
        query_id = p.id;
        if let Some(c) = p.columns {
            columns = Some(c);
        }
        if let Some(data) = p.data {
            if columns.is_none() {
                return Err(TrinoError::Protocol(
                    "a page carried data before any columns".into(),
                ));
            }
            rows.extend(data);
            if rows.len() > MAX_ROWS {
                return Err(TrinoError::Protocol(format!(
                    "more than {MAX_ROWS} rows: refusing to read further"
                )));
            }
        }
        if let Some(e) = p.error {
            return Err(e);
        }
        match p.next_uri {
            None => {
                return Ok(QueryOutput {
                    query_id,
                    columns: columns.unwrap_or_default(),
                    rows,
                })
            }
            Some(next) => {
                let url = same_origin(&target.base_url, &next)?;
                *next_uri = Some(next.clone());
                page = send(target, || client.get(url.clone())).await?;
            }
        }
    }
    Err(TrinoError::Protocol(format!(
        "query {query_id} did not finish within {MAX_PAGES} pages"
    )))
}

/// Sends a request (rebuilt for each retry), retrying 502/503/504 and 429.
async fn send(
    target: &Target,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Value, TrinoError> {
    let mut attempt = 0;
    loop {
        let response = with_headers(build(), target)
            .send()
            .await
            .map_err(TrinoError::from_reqwest)?;
        let status = response.status().as_u16();
        match status {
            200 => {
                let body = read_capped(response, target.max_body).await?;
                return serde_json::from_slice(&body).map_err(|e| {
                    TrinoError::Protocol(format!("the response is not valid JSON ({e})"))
                });
            }
            429 | 502 | 503 | 504 if attempt < MAX_RETRIES => {
                attempt += 1;
                let wait = retry_after(&response)
                    .unwrap_or(Duration::from_millis(50 + 25 * u64::from(attempt)));
                tokio::time::sleep(wait.min(MAX_RETRY_AFTER)).await;
            }
            401 => return Err(TrinoError::Unauthorized),
            403 => return Err(TrinoError::Forbidden),
            _ => return Err(TrinoError::Http(status)),
        }
    }
}

fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    r.headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Credentials travel only over HTTPS.
fn refuse_plain_http_credentials(target: &Target) -> Result<(), TrinoError> {
    if !matches!(target.auth, Auth::None) && target.base_url.scheme() != "https" {
        return Err(TrinoError::Config(
            "credentials are refused over plain http: use an https:// coordinator URL".into(),
        ));
    }
    Ok(())
}

/// The user and credentials, for requests outside the statement protocol.
pub(crate) fn with_identity(
    r: reqwest::RequestBuilder,
    target: &Target,
) -> Result<reqwest::RequestBuilder, TrinoError> {
    refuse_plain_http_credentials(target)?;
    Ok(with_headers(r, target))
}

/// What every request a check sends says about itself, so that Trino's
/// query log, audit tables and resource-group selectors can tell Shipshape's
/// checks from people's queries.
pub const SOURCE: &str = "shipshape";
pub const CLIENT_TAG: &str = "shipshape-check";

/// The identity headers without credentials: user, source and client tag.
pub(crate) fn identified(r: reqwest::RequestBuilder, user: &str) -> reqwest::RequestBuilder {
    r.header("X-Trino-User", user)
        .header("X-Trino-Source", SOURCE)
        .header("X-Trino-Client-Tags", CLIENT_TAG)
}

fn with_headers(r: reqwest::RequestBuilder, target: &Target) -> reqwest::RequestBuilder {
    let r = identified(r, &target.user);
    match &target.auth {
        Auth::None => r,
        Auth::Basic { user, password } => r.basic_auth(user, Some(password.expose_secret())),
        Auth::Bearer(token) => r.bearer_auth(token.expose_secret()),
    }
}

/// Best effort: tell the coordinator to drop a query we gave up on.
async fn cancel(client: &reqwest::Client, target: &Target, next_uri: &str) {
    let r = with_headers(client.delete(next_uri), target)
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    if let Err(e) = r {
        tracing::debug!(error = %e, "cancelling a timed-out query failed");
    }
}

struct Page {
    id: String,
    next_uri: Option<String>,
    columns: Option<Vec<Column>>,
    data: Option<Vec<Vec<Value>>>,
    error: Option<TrinoError>,
}

fn parse_page(v: &Value) -> Result<Page, TrinoError> {
    let missing = |f: &str| TrinoError::Protocol(format!("a result page has no `{f}`"));
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("id"))?
        .to_string();
    v.get("infoUri").ok_or_else(|| missing("infoUri"))?;
    v.get("stats").ok_or_else(|| missing("stats"))?;
    let next_uri = match v.get("nextUri") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            if !(s.starts_with("http://") || s.starts_with("https://")) {
                return Err(TrinoError::Protocol(format!(
                    "nextUri is not an absolute URL: {s}"
                )));
            }
            Some(s.clone())
        }
        Some(_) => return Err(TrinoError::Protocol("nextUri is not a string".into())),
    };
    let columns = match v.get("columns") {
        None | Some(Value::Null) => None,
        Some(Value::Array(cols)) => Some(
            cols.iter()
                .map(|c| {
                    let name = c
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| missing("columns[].name"))?;
                    let type_name = c
                        .get("type")
                        .and_then(Value::as_str)
                        .ok_or_else(|| missing("columns[].type"))?;
                    Ok(Column {
                        name: name.to_string(),
                        type_name: type_name.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, TrinoError>>()?,
        ),
        Some(_) => return Err(TrinoError::Protocol("columns is not a list".into())),
    };
    let data = match v.get("data") {
        None | Some(Value::Null) => None,
        Some(Value::Array(rows)) => Some(
            rows.iter()
                .map(|r| {
                    r.as_array()
                        .cloned()
                        .ok_or_else(|| TrinoError::Protocol("a data row is not a list".into()))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(TrinoError::Protocol("data is not a list".into())),
    };
    let error = match v.get("error") {
        None | Some(Value::Null) => None,
        Some(e) => Some(TrinoError::query_failed(e)?),
    };
    Ok(Page {
        id,
        next_uri,
        columns,
        data,
        error,
    })
}

#[cfg(test)]
mod tests;
