//! Registering a cluster, and editing one.

use crate::api::clusters::{get_cluster, CreateCluster, UpdateCluster};
use crate::components::field::{FieldError, FormError, NoteField};
use crate::components::session::RequireUser;
use crate::error::{field_error, AppError};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use shipshape_domain::cluster::{Cluster, SUGGESTED_ENVIRONMENTS};
use shipshape_domain::connection::{Connection, ConnectionInput, SECRET_ENV_PREFIX};

#[component]
pub fn NewClusterPage() -> impl IntoView {
    let create = ServerAction::<CreateCluster>::new();
    let result = create.value();
    view! {
        <Title text="Register a cluster"/>
        <RequireUser let:_viewer>{view! {
                <section class="card narrow">
                    <h1>"Register a cluster"</h1>
                    <ActionForm action=create attr:class="stack">
                        <ClusterFields cluster=None result=Signal::derive(move || result.get().map(|r| r.map(|_| ())))/>
                        <button type="submit" class="primary" disabled=move || create.pending().get()>"Register"</button>
                    </ActionForm>
                </section>
            }}
        </RequireUser>
    }
}

#[component]
pub fn EditClusterPage() -> impl IntoView {
    let id = super::id_param();
    let cluster = Resource::new(id, get_cluster);
    let update = ServerAction::<UpdateCluster>::new();
    let result = update.value();
    view! {
        <Title text="Edit cluster"/>
        <RequireUser let:_viewer>{view! {
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match cluster.await {
                            Ok(c) => view! {
                                <section class="card narrow">
                                    <h1>"Edit " {c.name.clone()}</h1>
                                    <ActionForm action=update attr:class="stack">
                                        <input type="hidden" name="id" value=c.id.get()/>
                                        <ClusterFields cluster=Some(c.clone()) result=Signal::derive(move || result.get().map(|r| r.map(|_| ())))/>
                                        <button type="submit" class="primary">"Save"</button>
                                        <a href=format!("/clusters/{}", c.id)>"Cancel"</a>
                                    </ActionForm>
                                </section>
                            }.into_any(),
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            }}
        </RequireUser>
    }
}

/// The fields both forms share, with their messages.
#[component]
fn ClusterFields(
    cluster: Option<Cluster>,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let err = move |f: &'static str| Signal::derive(move || field_error(&result.get(), f));
    let banner = Signal::derive(move || match result.get() {
        Some(Err(AppError::Invalid(_))) => Some("Please correct the marked fields.".to_string()),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    let c = cluster.unwrap_or(Cluster {
        id: shipshape_domain::ids::ClusterId::new(0),
        name: String::new(),
        environment: String::new(),
        coordinator_url: String::new(),
        notes: String::new(),
        connection: Connection::default(),
        created_at: Default::default(),
        updated_at: Default::default(),
        archived_at: None,
        checks_reset_at: None,
        checks_reset_reason: None,
    });
    view! {
        <FormError message=banner/>
        <label>"Name" <input name="name" value=c.name maxlength="64" required/></label>
        <FieldError message=err("name")/>
        <label>"Environment"
            <input name="environment" value=c.environment list="environments" placeholder="prod, staging, …" required/>
        </label>
        <datalist id="environments">
            {SUGGESTED_ENVIRONMENTS.into_iter().map(|e| view! { <option value=e></option> }).collect_view()}
        </datalist>
        <FieldError message=err("environment")/>
        <label>"Coordinator URL" <input name="coordinator_url" value=c.coordinator_url placeholder="https://trino.example.com:8443" required/></label>
        <FieldError message=err("coordinator_url")/>
        <NoteField label="Notes" name="notes" initial=c.notes rows=3/>
        <FieldError message=err("notes")/>
        <ConnectionFields connection=ConnectionInput::from_connection(&c.connection) result=result/>
    }
    .into_any()
}

/// How live checks reach the cluster. The secret itself is never asked for
/// here: only the name of the server's environment variable that holds it.
#[component]
fn ConnectionFields(
    connection: ConnectionInput,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let err = move |f: &'static str| Signal::derive(move || field_error(&result.get(), f));
    let c = connection;
    let selected = move |m: &str| c.auth == m || (m == "none" && c.auth.is_empty());
    view! {
        <fieldset class="connection">
            <legend>"Connection for live checks"</legend>
            <label>"Trino user for checks"
                <input name="conn_check_user" value=c.check_user.clone() placeholder="default: the login user, or the server's check_user" maxlength="128"/>
            </label>
            <FieldError message=err("connection.check_user")/>
            <label for="conn_auth">"Authentication"</label>
                <select id="conn_auth" name="conn_auth">
                    <option value="none" selected=selected("none")>"None"</option>
                    <option value="basic" selected=selected("basic")>"Password (HTTP basic, HTTPS only)"</option>
                    <option value="jwt" selected=selected("jwt")>"JWT bearer token (HTTPS only)"</option>
                </select>
            <FieldError message=err("connection.auth")/>
            <label>"Login user (password authentication)"
                <input name="conn_auth_user" value=c.auth_user.clone() maxlength="128" autocomplete="off"/>
            </label>
            <FieldError message=err("connection.auth_user")/>
            <label>"Secret's environment variable"
                <input name="conn_secret_env" value=c.secret_env.clone() placeholder=format!("{SECRET_ENV_PREFIX}PROD") maxlength="128" autocomplete="off"/>
            </label>
            <p class="hint">
                "The password or token is read from this environment variable of the Shipshape server when checks run. It is never stored, shown or exported; only the variable's name is."
            </p>
            <FieldError message=err("connection.secret_env")/>
            <label>"CA file (PEM, on the Shipshape server)"
                <input name="conn_ca_file" value=c.ca_file.clone() placeholder="a file under the server's ca_dir" maxlength="1024"/>
            </label>
            <FieldError message=err("connection.ca_file")/>
            <label class="check">
                <input type="checkbox" name="conn_insecure_tls" checked=c.insecure_tls/>
                "Skip certificate verification (insecure; the TLS check still reports the certificate)"
            </label>
            <FieldError message=err("connection.insecure_tls")/>
            <div class="row">
                <label>"Connect timeout (s)"
                    <input name="conn_connect_timeout_secs" value=c.connect_timeout_secs.clone() inputmode="numeric" size="4"/>
                </label>
                <label>"Query timeout (s)"
                    <input name="conn_query_timeout_secs" value=c.query_timeout_secs.clone() inputmode="numeric" size="4" placeholder="server default"/>
                </label>
            </div>
            <FieldError message=err("connection.connect_timeout_secs")/>
            <FieldError message=err("connection.query_timeout_secs")/>
            <label>"Worker hosts"
                <input name="conn_worker_hosts" value=c.worker_hosts.clone() placeholder="default: the coordinator's domain, e.g. *.prod.example.com" maxlength="2048"/>
            </label>
            <p class="hint">
                "Worker addresses from system.runtime.nodes are asked for their state only when they match these hosts (host, *.domain, optionally :port; separated by commas)."
            </p>
            <FieldError message=err("connection.worker_hosts")/>
        </fieldset>
    }
    .into_any()
}
