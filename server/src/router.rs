//! Builds the application router and serves it.

use crate::api;
use crate::state::ServerState;
use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use shipshape_app::{shell, App};
use shipshape_backend::AppState;
use std::net::SocketAddr;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};

pub fn leptos_options(app: &AppState, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("shipshape")
        .site_root(app.config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(crate::static_files::hashed_build())
        .build()
}

/// The whole application: pages, server functions, JSON API, static files,
/// sessions and security headers.
pub async fn build(app: AppState, addr: SocketAddr) -> Result<Router, sqlx::Error> {
    let store = crate::sessions::Sessions::open(&app.db).await?;
    tokio::spawn(
        store
            .clone()
            .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
    );
    // `__Host-` (with Secure, Path=/ and no Domain) keeps other hosts of
    // the same site from setting or shadowing the cookie.
    let cookie_name = if app.config.secure_cookies {
        crate::csrf::SESSION_COOKIES[1]
    } else {
        crate::csrf::SESSION_COOKIES[0]
    };
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie_name)
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(app.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(CookieDuration::minutes(
            app.config.session_idle_minutes,
        )));

    crate::metrics::install();
    let leptos = leptos_options(&app, addr);
    let state = ServerState {
        app: app.clone(),
        leptos,
    };
    let routes = generate_route_list(App);
    let context = {
        let app = app.clone();
        move || provide_context(app.clone())
    };
    // A whole upload: every file at its limit, plus room for the form.
    let upload_limit = axum::extract::DefaultBodyLimit::max(
        usize::try_from(app.config.max_upload_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(64 * 1024)
            .saturating_mul(app.config.max_upload_files.max(1)),
    );
    let pkg = crate::static_files::pkg(&app.config.site_root.join("pkg"), state.leptos.hash_files);
    let router = Router::new()
        .nest("/api/v1", api::routes(upload_limit))
        .nest_service("/pkg", pkg)
        .route(
            "/clusters/{id}/tasks/{task_id}/complete",
            axum::routing::post(crate::forms::complete_task).layer(upload_limit),
        )
        .route(
            "/calendar/{file}",
            axum::routing::get(crate::api::day2::private_calendar),
        )
        .route(
            "/clusters/{id}/items/{item_id}/signoff",
            axum::routing::post(crate::forms::sign_with_files).layer(upload_limit),
        )
        .route("/healthz", axum::routing::get(api::health::healthz))
        .route("/readyz", axum::routing::get(api::health::readyz))
        .route("/metrics", axum::routing::get(crate::metrics::scrape))
        .route("/auth/oidc/start", axum::routing::get(crate::sso::start))
        .route(
            shipshape_backend::directory::oidc::CALLBACK_PATH,
            axum::routing::get(crate::sso::callback),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos = state.leptos.clone();
            move || shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        // Inside the metrics layer, so /metrics counts the refusal's status.
        .layer(axum::middleware::from_fn(
            crate::server_fn_status::refusal_status,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .with_state(state)
        .layer(sessions)
        .layer(crate::static_files::compression())
        .layer(axum::middleware::from_fn({
            let secure = app.config.secure_cookies;
            move |req, next| crate::csrf::same_origin_only(secure, req, next)
        }))
        .layer(axum::middleware::from_fn({
            let public_url = app.config.public_url.clone();
            move |req, next| crate::host_check::own_host_only(public_url.clone(), req, next)
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages show the ledger's current state: Back after a sign-off must
        // ask again, not show the page as it was (with the note still in its
        // form). Assets under /pkg set their own long-lived caching.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    // HSTS only where the operator says the site is served over HTTPS.
    let router = if app.config.secure_cookies {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    Ok(router)
}

/// Binds, prints the address (tests read it), and serves until SIGTERM or
/// SIGINT; then drains and stops (see [`crate::shutdown`]).
pub async fn serve(app: AppState) -> Result<(), std::io::Error> {
    // Only the server clears upload leftovers of a crash: the CLI opens the
    // same data directory while a server may be running, and must never
    // delete its in-flight temporary files.
    shipshape_backend::files::clear_temporary(&app.config.attachments_dir());
    let signals = crate::shutdown::Signals::listen()?;
    let listener = tokio::net::TcpListener::bind(app.config.bind).await?;
    let addr = listener.local_addr()?;
    let campaign = tokio::spawn(shipshape_backend::store::leader::campaign(
        app.db.clone(),
        app.leader.clone(),
        std::time::Duration::from_secs(app.config.leader_interval_secs),
        app.lifecycle.clone(),
    ));
    // The scheduled jobs, each stopping at a safe point on shutdown.
    use shipshape_backend::service::{backup, checkpoints, notifications, reminders, scheduler};
    let jobs = vec![
        tokio::spawn(scheduler::run_forever(app.clone())),
        tokio::spawn(reminders::run_forever(app.clone())),
        tokio::spawn(checkpoints::run_forever(app.clone())),
        tokio::spawn(backup::run_forever(app.clone())),
        tokio::spawn(notifications::run_forever(app.clone())),
        tokio::spawn(shipshape_backend::service::directory_refresh::run_forever(
            app.clone(),
        )),
    ];
    let setup = shipshape_backend::service::auth::prepare_setup(&app)
        .await
        .map_err(std::io::Error::other)?;
    let router = build(app.clone(), addr)
        .await
        .map_err(std::io::Error::other)?;
    if let Some(token) = setup {
        use secrecy::ExposeSecret;
        let file = shipshape_backend::setup_token::token_path(&app.config.data_dir);
        println!(
            "shipshape setup token: {} (also in {}; needed once, to create the first admin)",
            token.expose_secret(),
            file.display()
        );
    }
    println!("shipshape listening on http://{addr}");
    tracing::info!(%addr, "listening");
    let stop_accepting = tokio_util::sync::CancellationToken::new();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stop_accepting.clone().cancelled_owned());
    let running = crate::shutdown::Running {
        server: tokio::spawn(std::future::IntoFuture::into_future(server)),
        stop_accepting,
        jobs,
        campaign,
    };
    crate::shutdown::run(&app, signals, running).await
}
