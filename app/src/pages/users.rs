//! Admins list and add users.

use crate::api::users::{list_users, AddUser, ChangeAccount, SendTestNotification};
use crate::components::field::{FieldError, FormError};
use crate::components::session::RequireUser;
use crate::components::status::short_time;
use crate::error::{error_banner, field_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use shipshape_domain::role::Role;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users"/>
        <RequireUser let:viewer>{view! { <UsersBody me=viewer.username/> }}</RequireUser>
    }
}

#[component]
fn UsersBody(
    /// The admin looking: their own row offers no Disable (the server
    /// refuses it too).
    me: String,
) -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    // A user added: the form empties for the next one.
    let add_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            if let Some(form) = add_form.get_untracked() {
                form.reset();
            }
        }
    });
    let change = ServerAction::<ChangeAccount>::new();
    let users = Resource::new(
        move || (add.version().get(), change.version().get()),
        |_| list_users(),
    );
    let change_banner = error_banner(move || change.value().get());
    let result = add.value();
    let err = move |f: &'static str| Signal::derive(move || field_error(&result.get(), f));
    let banner = error_banner(move || result.get());
    view! {
        <h1>"Users"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let me = me.clone();
                Suspend::new(async move {
                match users.await {
                    Ok(list) => view! {
                        <table class="table" data-testid="users">
                            <thead><tr><th>"User"</th><th>"Kept by"</th><th>"Role"</th><th>"Since"</th><th>"State"</th><th>"Change"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let id = u.id.get();
                                    let is_me = u.username == me;
                                    let toggle = if u.disabled { "enable" } else { "disable" };
                                    let role_label = format!("Role of {}", u.username);
                                    let password_label = format!("New password for {}", u.username);
                                    let here = u.managed_here();
                                    view! {
                                        <tr data-user=u.username.clone()>
                                            <td>{u.username.clone()} {is_me.then_some(" (you)")}</td>
                                            <td>{u.source.as_str()}</td>
                                            <td>{u.role.as_str()}</td>
                                            <td>{short_time(&u.created_at)}</td>
                                            <td>{if u.disabled { "disabled" } else { "active" }}</td>
                                            <td class="account-actions">
                                                {here.then(|| view! {
                                                <ActionForm action=change>
                                                    <input type="hidden" name="user_id" value=id/>
                                                    <input type="hidden" name="action" value="role"/>
                                                    <select name="role" aria-label=role_label>
                                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == u.role>{r.as_str()}</option> }).collect_view()}
                                                    </select>
                                                    <button type="submit">"Set role"</button>
                                                </ActionForm>
                                                })}
                                                {(!is_me).then(|| view! {
                                                <ActionForm action=change>
                                                    <input type="hidden" name="user_id" value=id/>
                                                    <input type="hidden" name="action" value=toggle/>
                                                    <button type="submit">{if u.disabled { "Enable" } else { "Disable" }}</button>
                                                </ActionForm>
                                                })}
                                                {here.then(|| view! {
                                                <ActionForm action=change>
                                                    <input type="hidden" name="user_id" value=id/>
                                                    <input type="hidden" name="action" value="reset"/>
                                                    <input name="password" type="password" autocomplete="new-password" placeholder="new password" aria-label=password_label/>
                                                    <button type="submit">"Reset password"</button>
                                                </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}}
        </Transition>
        <FormError message=change_banner/>
        <p class="muted">"Each new account, change of role, disabling, enabling and password reset is a row in the ledger. A disabled account's sessions and API tokens stop at once. Accounts kept by LDAP or single sign-on are made at their first login; their password and role stay with the directory, which Shipshape asks at every login."</p>
        <section class="card narrow">
            <h2>"Add a user"</h2>
            <ActionForm action=add attr:class="stack" node_ref=add_form>
                <FormError message=banner/>
                <label>"User name" <input name="username" required/></label>
                <FieldError message=err("username")/>
                <label>"Role"
                    <select name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == Role::Sre>{r.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <FieldError message=err("role")/>
                <label>"Initial password (at least 10 characters)" <input name="password" type="password" autocomplete="new-password" required/></label>
                <FieldError message=err("password")/>
                <button type="submit" class="primary">"Add user"</button>
                {move || matches!(result.get(), Some(Ok(_))).then(|| view! { <p class="ok" role="status">"User added."</p> })}
            </ActionForm>
        </section>
        <TestNotification/>
    }
}

/// "Send a test notification": proves the webhook targets are reachable
/// and that receivers accept the signature.
#[component]
fn TestNotification() -> impl IntoView {
    let send = ServerAction::<SendTestNotification>::new();
    let banner = error_banner(move || send.value().get());
    view! {
        <section class="card narrow" data-testid="notifications">
            <h2>"Notifications"</h2>
            <p class="muted">"Regressions, recoveries, waivers and expiring sign-offs go to the configured webhooks (notify_url, signed, and the Slack webhook)."</p>
            <ActionForm action=send>
                <button type="submit" disabled=move || send.pending().get()>"Send a test notification"</button>
            </ActionForm>
            <FormError message=banner/>
            {move || match send.value().get() {
                Some(Ok(targets)) => Some(view! { <p class="ok" role="status">{format!("Sent to: {}.", targets.join(", "))}</p> }),
                _ => None,
            }}
        </section>
    }
}
