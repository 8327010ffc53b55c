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
#[cfg(feature = "ssr")]
pub mod ssr;

use components::nav::Nav;
use components::session::SessionCtx;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(SessionCtx::new());
    // Effects run only in the browser, after hydration: mark the page as
    // interactive (end-to-end tests wait for this before clicking).
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // Pages render whole on the server before the response starts, so that a
    // redirect (to /login, say) is a real HTTP redirect.
    let ssr = SsrMode::Async;
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Title formatter=|page: String| if page.is_empty() { "Shipshape".to_string() } else { format!("{page} · Shipshape") }/>
        <Router>
            <Nav/>
            <main class="page">
                <Routes fallback=|| view! { <pages::not_found::NotFound/> }>
                    <Route path=path!("/") view=pages::home::HomePage ssr=ssr.clone()/>
                    <Route path=path!("/setup") view=pages::setup::SetupPage ssr=ssr.clone()/>
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=ssr.clone()/>
                    <Route path=path!("/users") view=pages::users::UsersPage ssr=ssr.clone()/>
                    <Route path=path!("/tokens") view=pages::tokens::TokensPage ssr=ssr.clone()/>
                    <Route path=path!("/clusters/new") view=pages::cluster_form::NewClusterPage ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id") view=pages::cluster::ClusterPage ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id/edit") view=pages::cluster_form::EditClusterPage ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id/day2") view=pages::day2::ClusterDay2Page ssr=ssr.clone()/>
                    <Route path=path!("/clusters/:id/report") view=pages::report::ReportPage ssr=ssr.clone()/>
                    <Route path=path!("/waivers") view=pages::waivers::WaiversPage ssr=ssr.clone()/>
                    <Route path=path!("/day2") view=pages::day2::FleetDay2Page ssr=ssr.clone()/>
                    <Route path=path!("/export") view=pages::export::ExportPage ssr=ssr/>
                </Routes>
            </main>
        </Router>
    }
}
