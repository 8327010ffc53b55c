//! `trino-sim`: a Trino coordinator that speaks the real client protocol
//! (`POST /v1/statement`, absolute `nextUri` paging over several pages,
//! `DELETE` to cancel, `/v1/info`, `/v1/info/state`, `/metrics`) and answers
//! the SQL it is sent from a scenario file, including faults. The official
//! Python client is run against it in the tests to prove the protocol.

pub mod protocol;
pub mod scenario;
pub mod tls;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use scenario::{ErrorSpec, Fault, Scenario};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub struct Sim {
    scenario: Arc<Scenario>,
    queries: Arc<Mutex<HashMap<String, Query>>>,
    counter: Arc<AtomicU64>,
    /// For faults that hit only the first request.
    first_request: Arc<AtomicBool>,
    scheme: &'static str,
}

struct Query {
    slug: String,
    outcome: Result<usize, ErrorSpec>, // index into scenario.query, or the error
}

/// The simulator's routes; `https` says which scheme its URLs carry.
pub fn router(scenario: Scenario, https: bool) -> Router {
    let sim = Sim {
        scenario: Arc::new(scenario),
        queries: Arc::new(Mutex::new(HashMap::new())),
        counter: Arc::new(AtomicU64::new(0)),
        first_request: Arc::new(AtomicBool::new(true)),
        scheme: if https { "https" } else { "http" },
    };
    Router::new()
        .route("/v1/statement", post(submit))
        .route(
            "/v1/statement/{phase}/{id}/{slug}/{token}",
            get(next_page).delete(cancel),
        )
        .route("/v1/info", get(info))
        .route("/v1/info/state", get(node_state))
        .route("/nodes/{node}/v1/info/state", get(one_node_state))
        .route("/metrics", get(metrics))
        .route("/ui/api/stats", get(ui_stats))
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            require_headers,
        ))
        .with_state(sim)
}

/// Refuses a request without the scenario's `required_headers`.
async fn require_headers(
    State(sim): State<Sim>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    for (name, value) in &sim.scenario.required_headers {
        let got = request
            .headers()
            .get(name.as_str())
            .and_then(|v| v.to_str().ok());
        if got != Some(value.as_str()) {
            let path = request.uri().path().to_string();
            return (
                StatusCode::BAD_REQUEST,
                format!("{path}: header {name} must be {value:?}, got {got:?}"),
            )
                .into_response();
        }
    }
    next.run(request).await
}

fn base_url(sim: &Sim, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", sim.scheme)
}

fn user_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-trino-user")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .filter(|u| !u.is_empty())
}

async fn submit(State(sim): State<Sim>, headers: HeaderMap, sql: String) -> Response {
    let first = sim.first_request.swap(false, Ordering::SeqCst);
    match sim.scenario.fault {
        Fault::Hang => std::future::pending::<()>().await,
        Fault::Http500 => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "<html><body>Internal Server Error</body></html>",
            )
                .into_response()
        }
        Fault::Http503ThenOk if first => {
            return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
        }
        Fault::Http429 if first => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                "Too Many Requests",
            )
                .into_response()
        }
        Fault::MalformedJson => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"id\": \"x\", \"stats\": ",
            )
                .into_response()
        }
        Fault::EndlessBody => {
            // A JSON string that never closes, as fast as the client reads.
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let head = futures::stream::once(async {
                Ok::<_, std::convert::Infallible>(Bytes::from_static(b"{\"id\": \""))
            });
            let tail = futures::stream::repeat_with(move || {
                Ok::<_, std::convert::Infallible>(chunk.clone())
            });
            return (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(head.chain(tail)),
            )
                .into_response();
        }
        Fault::RequireCredentials if !headers.contains_key(header::AUTHORIZATION) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"Trino\"")],
                "Unauthorized",
            )
                .into_response()
        }
        _ => {}
    }
    let authenticated = match authenticate(&sim, &headers) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let Some(user) = user_of(&headers) else {
        return (StatusCode::BAD_REQUEST, "User must be set").into_response();
    };
    let impersonating = authenticated.as_ref().filter(|a| **a != user);
    let n = sim.counter.fetch_add(1, Ordering::SeqCst) + 1;
    let id = format!("20261122_120000_{n:05}_simul");
    let slug = format!("y{:x}", n.wrapping_mul(2654435761));
    let outcome = if let Some(principal) = impersonating {
        Err(ErrorSpec {
            name: "PERMISSION_DENIED".into(),
            code: 4,
            error_type: "USER_ERROR".into(),
            message: format!("Access Denied: User {principal} cannot impersonate user {user}"),
        })
    } else if sim.scenario.denied_users.contains(&user) {
        Err(ErrorSpec {
            name: "PERMISSION_DENIED".into(),
            code: 4,
            error_type: "USER_ERROR".into(),
            message: format!("Access Denied: User {user} cannot execute this query"),
        })
    } else {
        match sim
            .scenario
            .query
            .iter()
            .position(|q| scenario::normalize(&q.sql) == scenario::normalize(&sql))
        {
            Some(i) => match &sim.scenario.query[i].error {
                Some(e) => Err(e.clone()),
                None => Ok(i),
            },
            None => Err(ErrorSpec {
                name: "SYNTAX_ERROR".into(),
                code: 1,
                error_type: "USER_ERROR".into(),
                message: "line 1:1: the simulator has no answer for this statement".into(),
            }),
        }
    };
    sim.queries
        .lock()
        .map(|mut q| {
            q.insert(
                id.clone(),
                Query {
                    slug: slug.clone(),
                    outcome,
                },
            )
        })
        .ok();
    let base = base_url(&sim, &headers);
    let next = next_uri(&sim, &base, "queued", &id, &slug, 1);
    respond(
        &sim,
        protocol::page(&id, &base, "QUEUED", Some(next), None, None, 0),
    )
}

fn next_uri(sim: &Sim, base: &str, phase: &str, id: &str, slug: &str, token: usize) -> String {
    let path = format!("/v1/statement/{phase}/{id}/{slug}/{token}");
    if sim.scenario.fault == Fault::RelativeNextUri {
        path
    } else if let Some(elsewhere) = &sim.scenario.next_uri_base {
        format!("{elsewhere}{path}")
    } else {
        format!("{base}{path}")
    }
}

async fn next_page(
    State(sim): State<Sim>,
    headers: HeaderMap,
    Path((phase, id, slug, token)): Path<(String, String, String, usize)>,
) -> Response {
    if let Err(r) = authenticate(&sim, &headers) {
        return r.into_response();
    }
    let outcome = {
        let Ok(queries) = sim.queries.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match queries.get(&id) {
            Some(q) if q.slug == slug => q.outcome.clone(),
            _ => return (StatusCode::NOT_FOUND, "Query not found").into_response(),
        }
    };
    let base = base_url(&sim, &headers);
    let spec_index = match outcome {
        Err(e) => return respond(&sim, protocol::failed(&id, &base, &e)),
        Ok(i) => i,
    };
    let spec = &sim.scenario.query[spec_index];
    let page_size = sim.scenario.page_size;
    let pages = spec.rows.len().div_ceil(page_size);
    match phase.as_str() {
        // The query started: columns first, no data yet.
        "queued" => {
            let next = next_uri(&sim, &base, "executing", &id, &slug, 0);
            respond(
                &sim,
                protocol::page(
                    &id,
                    &base,
                    "RUNNING",
                    Some(next),
                    Some(&spec.columns),
                    None,
                    0,
                ),
            )
        }
        "executing" => {
            let start = token * page_size;
            let end = (start + page_size).min(spec.rows.len());
            let data: Vec<Value> = spec
                .rows
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|r| {
                    Value::Array(
                        r.iter()
                            .map(|c| placeholders(protocol::to_json(c), &base))
                            .collect(),
                    )
                })
                .collect();
            let last = token + 1 >= pages;
            let next = (!last).then(|| next_uri(&sim, &base, "executing", &id, &slug, token + 1));
            let state = if last { "FINISHED" } else { "RUNNING" };
            if last {
                sim.queries.lock().map(|mut q| q.remove(&id)).ok();
            }
            let data = (!data.is_empty()).then_some(data);
            respond(
                &sim,
                protocol::page(&id, &base, state, next, Some(&spec.columns), data, end),
            )
        }
        _ => (StatusCode::NOT_FOUND, "Query not found").into_response(),
    }
}

async fn cancel(
    State(sim): State<Sim>,
    Path((_phase, id, slug, _token)): Path<(String, String, String, usize)>,
) -> StatusCode {
    if let Ok(mut q) = sim.queries.lock() {
        if q.get(&id).is_some_and(|q| q.slug == slug) {
            q.remove(&id);
        }
    }
    StatusCode::NO_CONTENT
}

/// Placeholders in string cells: `{self}` becomes this simulator's base URL
/// (so node URIs point back at it); `{now}` and `{now-15m}` (units s, m, h,
/// d) become a Trino `timestamp(3)` in UTC, so freshness checks see a clock.
fn placeholders(v: Value, base: &str) -> Value {
    let Value::String(s) = v else { return v };
    if s.contains("{self}") {
        return Value::String(s.replace("{self}", base));
    }
    match s.strip_prefix("{now").and_then(|r| r.strip_suffix('}')) {
        Some(offset) => {
            let ago = offset
                .strip_prefix('-')
                .and_then(parse_offset)
                .unwrap_or(chrono::Duration::zero());
            let at = chrono::Utc::now() - ago;
            Value::String(at.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        }
        None => Value::String(s),
    }
}

fn parse_offset(text: &str) -> Option<chrono::Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().ok()?;
    match unit {
        "s" => Some(chrono::Duration::seconds(n)),
        "m" => Some(chrono::Duration::minutes(n)),
        "h" => Some(chrono::Duration::hours(n)),
        "d" => Some(chrono::Duration::days(n)),
        _ => None,
    }
}

/// When the scenario has passwords or tokens, a request must carry valid
/// credentials: `Ok(Some(user))` for basic auth, `Ok(None)` when none are
/// required or a bearer token matched; otherwise a 401 to send back.
fn authenticate(sim: &Sim, headers: &HeaderMap) -> Result<Option<String>, Unauthorized> {
    let s = &sim.scenario;
    if s.passwords.is_empty() && s.tokens.is_empty() {
        return Ok(None);
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if let Some(token) = given.strip_prefix("Bearer ") {
        if s.tokens.iter().any(|t| t == token) {
            return Ok(None);
        }
    }
    if let Some((user, password)) = given
        .strip_prefix("Basic ")
        .and_then(protocol::decode_basic)
    {
        if s.passwords.get(&user) == Some(&password) {
            return Ok(Some(user));
        }
    }
    Err(Unauthorized)
}

/// 401 with `WWW-Authenticate`, as Trino answers a request without valid
/// credentials.
struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"Trino\"")],
            "Unauthorized",
        )
            .into_response()
    }
}

/// A JSON page, sent at once or, for the slow-drip fault, a few bytes at a time.
fn respond(sim: &Sim, v: Value) -> Response {
    if sim.scenario.fault != Fault::SlowDrip {
        return Json(v).into_response();
    }
    let bytes = v.to_string().into_bytes();
    let chunks: Vec<Bytes> = bytes.chunks(32).map(Bytes::copy_from_slice).collect();
    let stream = futures::stream::iter(chunks).then(|c| async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        Ok::<_, std::convert::Infallible>(c)
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

use futures::StreamExt;

async fn info(State(sim): State<Sim>) -> Json<Value> {
    Json(serde_json::json!({
        "nodeVersion": { "version": sim.scenario.version },
        "environment": sim.scenario.environment,
        "coordinator": true,
        "starting": false,
        "uptime": "5.00m"
    }))
}

async fn node_state(State(sim): State<Sim>) -> Json<Value> {
    Json(Value::String(sim.scenario.state.clone()))
}

/// One simulated node's state (`node_states`, else the scenario's `state`).
async fn one_node_state(State(sim): State<Sim>, Path(node): Path<String>) -> Json<Value> {
    let state = sim
        .scenario
        .node_states
        .get(&node)
        .unwrap_or(&sim.scenario.state);
    Json(Value::String(state.clone()))
}

async fn metrics(State(sim): State<Sim>, headers: HeaderMap) -> Response {
    if let Err(r) = authenticate(&sim, &headers) {
        return r.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        protocol::metrics_text(&sim.scenario.metrics),
    )
        .into_response()
}

async fn ui_stats(State(sim): State<Sim>, headers: HeaderMap) -> Response {
    if let Err(r) = authenticate(&sim, &headers) {
        return r.into_response();
    }
    match sim.scenario.ui_login {
        scenario::UiLogin::Form => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Trino-Form-Login")],
                "Unauthorized",
            )
                .into_response()
        }
        scenario::UiLogin::Oauth2 => return (StatusCode::FORBIDDEN, "Forbidden").into_response(),
        scenario::UiLogin::None => {}
    }
    match &sim.scenario.ui_stats {
        Some(stats) => Json(serde_json::json!(stats)).into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

/// A running simulator: its base URL and, over HTTPS, the CA to trust.
#[derive(Debug, Clone)]
pub struct Served {
    pub url: String,
    pub ca_pem: Option<String>,
}

/// Serves a scenario on `listener` in this process: HTTPS when the
/// scenario has a `[tls]` table, plain HTTP otherwise.
pub async fn serve(scenario: Scenario, listener: std::net::TcpListener) -> std::io::Result<Served> {
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    match scenario.tls.clone() {
        Some(spec) => {
            let material = tls::make(&spec).map_err(std::io::Error::other)?;
            let app = router(scenario, true);
            let server = axum_server::tls_rustls::from_tcp_rustls(listener, material.config)?;
            tokio::spawn(async move { server.serve(app.into_make_service()).await });
            Ok(Served {
                url: format!("https://{addr}"),
                ca_pem: Some(material.ca_pem),
            })
        }
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let app = router(scenario, false);
            tokio::spawn(async move { axum::serve(listener, app).await });
            Ok(Served {
                url: format!("http://{addr}"),
                ca_pem: None,
            })
        }
    }
}

/// Serves a scenario on a free loopback port in this process (for tests and
/// benchmarks).
pub async fn serve_loopback(scenario: Scenario) -> std::io::Result<Served> {
    serve(scenario, std::net::TcpListener::bind("127.0.0.1:0")?).await
}

/// Like [`serve_loopback`], returning only the base URL, e.g.
/// `http://127.0.0.1:40123`.
pub async fn serve_on_loopback(scenario: Scenario) -> std::io::Result<String> {
    Ok(serve_loopback(scenario).await?.url)
}
