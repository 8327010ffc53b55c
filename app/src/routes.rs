//! Every page as a lazily loaded route: the browser downloads a page's code
//! (its components, forms and server-function calls) only when that page is
//! opened, so the first download holds the runtime, the router and the
//! navigation bar rather than the whole app. On the server a lazy route is
//! an ordinary async view, so pages still render whole before they are sent.
//!
//! The split is done by the site builder (`tools/site`, run by
//! `scripts/build-release.sh`); every build of the wasm needs it.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// Declares one route type per page: `data` has nothing to start early
/// (pages create their own resources), `view` renders the page.
macro_rules! lazy_pages {
    ($($route:ident => $module:ident :: $page:ident;)*) => {$(
        #[doc = concat!("The lazily loaded route of [`", stringify!($page), "`](crate::pages::", stringify!($module), "::", stringify!($page), ").")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                use crate::pages::$module::$page;
                view! { <$page/> <crate::PageReady/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    HomeRoute => home::HomePage;
    SetupRoute => setup::SetupPage;
    LoginRoute => login::LoginPage;
    UsersRoute => users::UsersPage;
    TokensRoute => tokens::TokensPage;
    NewClusterRoute => cluster_form::NewClusterPage;
    ClusterRoute => cluster::ClusterPage;
    EditClusterRoute => cluster_form::EditClusterPage;
    ClusterDay2Route => day2::ClusterDay2Page;
    ReportRoute => report::ReportPage;
    WaiversRoute => waivers::WaiversPage;
    FleetDay2Route => day2::FleetDay2Page;
    ExportRoute => export::ExportPage;
}
