//! First run: create the first admin account.

use crate::api::session::SessionView;
use crate::components::field::{FieldError, FormError};
use crate::components::session::{session_result, use_session};
use crate::error::{error_banner, field_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn SetupPage() -> impl IntoView {
    let session = use_session();
    let setup = session.setup;
    let result = session_result(setup);
    let err = move |f: &'static str| Signal::derive(move || field_error(&result(), f));
    let banner = error_banner(result);
    view! {
        <Title text="Set up"/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.info.await {
                    Ok(SessionView { needs_setup: false, .. }) => view! { <Redirect path="/login"/> }.into_any(),
                    _ => view! {
                        <section class="narrow card">
                            <h1>"Welcome to Shipshape"</h1>
                            <p>"This install has no accounts yet. Create the first administrator; you can add SREs, managers and auditors afterwards."</p>
                            <ActionForm action=setup attr:class="stack">
                                <FormError message=banner/>
                                <label>"Setup token" <input name="setup_token" autocomplete="off" required/></label>
                                <p class="hint">"The server printed it when it started, and wrote it to the file setup-token in its data directory."</p>
                                <FieldError message=err("setup_token")/>
                                <label>"User name" <input name="username" autocomplete="username" required/></label>
                                <FieldError message=err("username")/>
                                <label>"Password (at least 10 characters)" <input name="password" type="password" autocomplete="new-password" required/></label>
                                <FieldError message=err("password")/>
                                <label>"Repeat the password" <input name="confirm" type="password" autocomplete="new-password" required/></label>
                                <FieldError message=err("confirm")/>
                                <button type="submit" class="primary" disabled=move || setup.pending().get()>"Create admin account"</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
