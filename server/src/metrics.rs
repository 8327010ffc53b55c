//! `/metrics` for Prometheus: the process's own measurements (HTTP latency
//! by route, live-check runs and errors, scheduler lag, build info) from a
//! `metrics` recorder, followed by the readiness families the read model
//! gives at each scrape. Optionally behind a bearer token (`metrics_token`).

use crate::state::ServerState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Seconds: from a fast page to a check that waits out its timeout.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
];

/// Installs the process-wide recorder once (later calls reuse it) and
/// records the build. `None` if another recorder was installed first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
                .and_then(|b| b.install_recorder());
            match handle {
                Ok(h) => {
                    describe();
                    shipshape_backend::storage_error::register();
                    metrics::gauge!("shipshape_build_info", "version" => env!("CARGO_PKG_VERSION"))
                        .set(1.0);
                    Some(h)
                }
                Err(e) => {
                    tracing::error!(error = %e, "the metrics recorder could not be installed");
                    None
                }
            }
        })
        .as_ref()
}

/// HELP lines for every family the process records (Prometheus' linter
/// asks for them).
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_histogram!(
        "shipshape_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP requests by route template, method and status class."
    );
    describe_gauge!(
        "shipshape_build_info",
        "The running Shipshape version (always 1)."
    );
    describe_counter!(
        "shipshape_check_results_total",
        "Live-check results by verdict (pass, warn, fail, error)."
    );
    describe_counter!(
        "shipshape_check_errors_total",
        "Live checks that could not judge: connect, timeout, skipped_after_timeout."
    );
    describe_histogram!(
        "shipshape_check_duration_seconds",
        Unit::Seconds,
        "How long one live check took."
    );
    describe_histogram!(
        "shipshape_check_run_duration_seconds",
        Unit::Seconds,
        "How long one cluster's whole check run took."
    );
    describe_gauge!(
        "shipshape_scheduler_lag_seconds",
        Unit::Seconds,
        "How late the newest scheduled check round started against its schedule."
    );
    describe_gauge!(
        "shipshape_leader",
        "1 on the replica that runs the once-only work (scheduled checks, reminders, notifications, checkpoints, backups); 0 on the others."
    );
    describe_gauge!(
        "shipshape_scheduler_last_round_seconds",
        Unit::Seconds,
        "How long the newest scheduled check round took."
    );
    describe_gauge!(
        "shipshape_heavy_work_running",
        "Evidence bundles (work=bundle) and ledger verifications (work=ledger_verify) running now."
    );
    describe_counter!(
        "shipshape_heavy_work_refused_total",
        "Bundle and verification requests refused (429) because the most allowed were running."
    );
    describe_counter!(
        "shipshape_ledger_verify_total",
        "Ledger verifications answered, walked (result=computed) or reused for an unchanged tip (result=cached)."
    );
}

/// Times every request under its route template (never the raw path, so
/// ids do not multiply series); unmatched requests share one label.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    metrics::histogram!(
        "shipshape_http_request_duration_seconds",
        "route" => route,
        "method" => method,
        "status" => status
    )
    .record(started.elapsed().as_secs_f64());
    response
}

fn token_ok(state: &ServerState, headers: &HeaderMap) -> bool {
    let Some(want) = state.app.config.metrics_token.as_ref() else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    shipshape_domain::secret_eq::secret_eq(given.as_bytes(), want.expose().as_bytes())
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<ServerState>, req: Request) -> Response {
    let headers = req.headers();
    if !token_ok(&state, headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the bearer token set as metrics_token\n",
        )
            .into_response();
    }
    // Without a token, only this machine (a sidecar or local agent) may
    // read the fleet's readiness, unless the operator opened it on purpose.
    if state.app.config.metrics_token.is_none() && !state.app.config.metrics_public {
        let local = req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_some_and(|c| c.0.ip().is_loopback());
        if !local {
            return (
                StatusCode::FORBIDDEN,
                "metrics are served only to this machine: set metrics_token (or metrics_public = true)\n",
            )
                .into_response();
        }
    }
    let readiness = match shipshape_backend::service::metrics::readiness_exposition(&state.app)
        .await
    {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(error = %e, "metrics: reading readiness failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "metrics are unavailable\n").into_response();
        }
    };
    let mut text = match install() {
        Some(h) => {
            h.run_upkeep();
            h.render()
        }
        None => String::new(),
    };
    text.push_str(&readiness);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
