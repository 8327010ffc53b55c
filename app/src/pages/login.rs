//! Logging in.

use crate::api::session::SessionView;
use crate::components::field::FormError;
use crate::components::session::{session_result, use_session};
use crate::error::error_banner;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let login = session.login;
    let banner = error_banner(session_result(login));
    // Back to the page that sent the person here, if it is on this site.
    let query = leptos_router::hooks::use_query_map();
    let next = move || {
        query.with_untracked(|q| {
            q.get("next")
                .and_then(|n| shipshape_domain::return_to::safe_return(&n).map(str::to_string))
                .unwrap_or_else(|| "/".to_string())
        })
    };
    view! {
        <Title text="Log in"/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.info.await {
                    Ok(SessionView { needs_setup: true, .. }) => view! { <Redirect path="/setup"/> }.into_any(),
                    Ok(SessionView { user: Some(_), .. }) => view! { <Redirect path=next()/> }.into_any(),
                    other => {
                        let sso = other.ok().and_then(|v| v.sso);
                        view! {
                        <section class="narrow card">
                            <h1>"Log in"</h1>
                            <ActionForm action=login attr:class="stack">
                                <input type="hidden" name="next" value=next()/>
                                <FormError message=banner/>
                                <label>"User name" <input name="username" autocomplete="username" required/></label>
                                <label>"Password" <input name="password" type="password" autocomplete="current-password" required/></label>
                                <button type="submit" class="primary" disabled=move || login.pending().get()>"Log in"</button>
                            </ActionForm>
                            {sso.map(|name| view! {
                                <p class="sso">
                                    <a class="button" href="/auth/oidc/start" rel="external">{format!("Log in with {name}")}</a>
                                </p>
                            })}
                        </section>
                    }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
