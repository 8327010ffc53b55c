//! Shipshape's user interface, rendered on the server and hydrated in the
//! browser.
//!
//! - [`api`]: server functions, the UI's only way to the services;
//! - [`pages`]: one module per route;
//! - [`components`]: pieces the pages share.
//!
//! Components render what the server decided (states, progress, permissions);
//! they hold no business rules.

pub mod api;
pub mod components;
pub mod error;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;

use components::nav::Nav;
use components::session::SessionCtx;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="shipshape"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Marks the page as interactive once the route's own code has loaded and
/// hydrated (end-to-end tests wait for `body[data-hydrated]` before
/// clicking). It sits after the page in each route's view, so it runs after
/// the lazily loaded page, not merely after the shell around it; effects run
/// only in the browser.
#[component]
pub fn PageReady() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(SessionCtx::new());
    // Pages render whole on the server before the response starts, so that a
    // redirect (to /login, say) is a real HTTP redirect. Each page's code is
    // loaded by the browser with its route (see [`routes`]).
    let ssr = SsrMode::Async;
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Title formatter=|page: String| if page.is_empty() { "Shipshape".to_string() } else { format!("{page} · Shipshape") }/>
        <Router>
            // In-page links are left to the browser (rel="external" tells the
            // router so): only a real fragment jump moves keyboard focus there.
            <a class="skip-link" href="#main" rel="external">"Skip to main content"</a>
            <Nav/>
            <main class="page" id="main" tabindex="-1">
                <Routes fallback=|| view! { <pages::not_found::NotFound/> <PageReady/> }>
                    <Route path=path!("/") view={Lazy::<routes::HomeRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/setup") view={Lazy::<routes::SetupRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/login") view={Lazy::<routes::LoginRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/users") view={Lazy::<routes::UsersRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/tokens") view={Lazy::<routes::TokensRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/clusters/new") view={Lazy::<routes::NewClusterRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id") view={Lazy::<routes::ClusterRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id/edit") view={Lazy::<routes::EditClusterRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id/day2") view={Lazy::<routes::ClusterDay2Route>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id/report") view={Lazy::<routes::ReportRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/waivers") view={Lazy::<routes::WaiversRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/day2") view={Lazy::<routes::FleetDay2Route>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/export") view={Lazy::<routes::ExportRoute>::new()} ssr=ssr/>
                </Routes>
            </main>
        </Router>
    }
}
