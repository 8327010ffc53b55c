//! The top bar: product name, links, who is logged in, logout.

use super::session::use_session;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"⚓ Shipshape"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.info.await {
                        Ok(info) => match info.user {
                            Some(viewer) => view! {
                                <nav class="links">
                                    <A href="/">"Fleet"</A>
                                    <A href="/day2">"Day-2"</A>
                                    <A href="/waivers">"Waivers"</A>
                                    <A href="/export">"Export"</A>
                                    <A href="/tokens">"Tokens"</A>
                                    {viewer.can_manage_users.then(|| view! { <A href="/users">"Users"</A> })}
                                </nav>
                                <div class="who">
                                    <span class="user" data-testid="current-user">{viewer.username.clone()}</span>
                                    <span class="role">{viewer.role.as_str()}</span>
                                    <ActionForm action=session.logout>
                                        <button type="submit" class="link-button">"Log out"</button>
                                    </ActionForm>
                                </div>
                            }.into_any(),
                            None => ().into_any(),
                        },
                        Err(_) => ().into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}
