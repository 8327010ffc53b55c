//! A person's API tokens: create one for automation (the secret is shown
//! once), see when each was last used, revoke.

use crate::api::tokens::{
    list_tokens, ChangeOwnPassword, CreateToken, RevokeToken, SignOutEverywhere,
};
use crate::components::field::{FieldError, FormError};
use crate::components::session::RequireUser;
use crate::components::status::short_time;
use crate::error::{error_banner, field_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    view! {
        <Title text="API tokens"/>
        <RequireUser let:_viewer>{view! { <TokensBody/> }}</RequireUser>
    }
}

#[component]
fn TokensBody() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    let password = ServerAction::<ChangeOwnPassword>::new();
    let password_result = password.value();
    let password_err =
        move |f: &'static str| Signal::derive(move || field_error(&password_result.get(), f));
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let result = create.value();
    let err = move |f: &'static str| Signal::derive(move || field_error(&result.get(), f));
    let banner = error_banner(move || result.get());
    view! {
        <h1>"API tokens"</h1>
        <p class="muted">
            "For automation (CI gates, dashboards): send " <code>"Authorization: Bearer <token>"</code>
            " to the JSON API and exports. A token acts with your role, or read-only; it never opens pages or forms. Only its SHA-256 is stored."
        </p>
        {move || match result.get() {
            Some(Ok(t)) => Some(view! {
                <div class="notice" role="status" data-testid="new-token">
                    <p>"Copy the token " <strong>{t.name.clone()}</strong> " now; it will not be shown again (valid until " {short_time(&t.expires_at)} "):"</p>
                    <pre><code>{t.token.clone()}</code></pre>
                </div>
            }),
            _ => None,
        }}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="table" data-testid="tokens">
                            <thead><tr><th>"Name"</th><th>"Access"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let state = if t.revoked_at.is_some() { Some("revoked") } else { None };
                                    view! {
                                        <tr data-token=t.name.clone()>
                                            <td>{t.name.clone()}</td>
                                            <td>{if t.read_only { "read-only" } else { "your role" }}</td>
                                            <td>{t.created_at.minute_text()}</td>
                                            <td>{t.expires_at.minute_text()}</td>
                                            <td>{t.last_used_at.map(|t| t.minute_text()).unwrap_or_else(|| "never".into())}</td>
                                            <td>{match state {
                                                Some(s) => view! { <span class="badge">{s}</span> }.into_any(),
                                                None => view! {
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=t.id.get()/>
                                                        <button type="submit">"Revoke"</button>
                                                    </ActionForm>
                                                }.into_any(),
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <section class="card narrow">
            <h2>"Sessions"</h2>
            <p class="muted">"A login lasts at most a week, and ends after a spell without use. If a device may be lost or a session exposed, end them all; API tokens are not affected."</p>
            <ActionForm action=sign_out>
                <button type="submit">"Sign out everywhere"</button>
            </ActionForm>
            <h3>"Change your password"</h3>
            <ActionForm action=password attr:class="stack">
                <label>"Current password" <input name="current_password" type="password" autocomplete="current-password" required/></label>
                <FieldError message=password_err("current_password")/>
                <label>"New password (at least 10 characters)" <input name="new_password" type="password" autocomplete="new-password" required/></label>
                <FieldError message=password_err("new_password")/>
                <button type="submit">"Change password"</button>
            </ActionForm>
        </section>
        <section class="card narrow">
            <h2>"Create a token"</h2>
            <ActionForm action=create attr:class="stack">
                <FormError message=banner/>
                <label>"Name" <input name="name" placeholder="ci-gate" maxlength="64" required/></label>
                <FieldError message=err("name")/>
                <label>"Valid for (days)" <input name="expires_in_days" value="90" inputmode="numeric" size="4"/></label>
                <FieldError message=err("expires_in_days")/>
                <label class="check"><input type="checkbox" name="read_only"/>" Read-only (read and export, change nothing)"</label>
                <button type="submit" class="primary">"Create token"</button>
            </ActionForm>
        </section>
    }
}
