//! The auditors' export page: filters, then a CSV or JSON Lines download of
//! the sign-off history straight from the streaming API, or the evidence
//! bundle (ZIP) with the same filters, and the public key that signs it.

use crate::api::clusters::list_clusters;
use crate::api::ledger::{export_items, ledger_key};
use crate::components::session::RequireUser;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ExportPage() -> impl IntoView {
    let clusters = Resource::new(|| (), |_| list_clusters());
    let key = Resource::new(|| (), |_| ledger_key());
    let items = Resource::new(|| (), |_| export_items());
    // Checked before the download starts; the server refuses the same.
    let from = NodeRef::<leptos::html::Input>::new();
    let to = NodeRef::<leptos::html::Input>::new();
    let dates_wrong = RwSignal::new(false);
    let check_dates = move |ev: leptos::ev::SubmitEvent| {
        let value =
            |n: NodeRef<leptos::html::Input>| n.get().map(|i| i.value()).unwrap_or_default();
        let (f, t) = (value(from), value(to));
        // ISO dates compare as text.
        let wrong = !f.is_empty() && !t.is_empty() && f > t;
        dates_wrong.set(wrong);
        if wrong {
            ev.prevent_default();
        }
    };
    view! {
        <Title text="Export sign-off history"/>
        <RequireUser let:_viewer>{view! {
            <section class="card narrow">
                <h1>"Export sign-off history"</h1>
                <p class="muted">
                    "Every ledger row that matches, with its hash and the hash it links to, so the export can be checked against the chain (see the README). Empty filters mean everything."
                </p>
                <form method="get" action="/api/v1/export/signoffs.csv" class="stack" id="export-form" on:submit=check_dates>
                    <label>"Cluster"
                        <select name="cluster">
                            <option value="">"All clusters"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    clusters.await.map(|list| list.into_iter().map(|c| view! {
                                        <option value=c.id.to_string()>{c.name.clone()}</option>
                                    }).collect_view()).ok()
                                })}
                            </Transition>
                        </select>
                    </label>
                    <div class="row">
                        <label>"From" <input type="date" name="from" node_ref=from/></label>
                        <label>"To" <input type="date" name="to" node_ref=to/></label>
                    </div>
                    {move || dates_wrong.get().then(|| view! {
                        <p class="field-error" role="alert" data-testid="dates-wrong">"The end date is before the start date: nothing was exported."</p>
                    })}
                    <label>"User" <input name="user" placeholder="any"/></label>
                    <label>"Item"
                        <select name="item">
                            <option value="">"All items"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    items.await.map(|list| list.into_iter().map(|(id, label)| view! {
                                        <option value=id>{label}</option>
                                    }).collect_view()).ok()
                                })}
                            </Transition>
                        </select>
                    </label>
                    <div class="row">
                        <button type="submit" class="primary">"Download CSV"</button>
                        <button type="submit" formaction="/api/v1/export/signoffs.jsonl">"Download JSON Lines"</button>
                        <button type="submit" formaction="/api/v1/export/bundle.zip">"Evidence bundle (ZIP)"</button>
                    </div>
                    <p class="muted">
                        "The evidence bundle holds the CSV, every file its rows name, a manifest with the ledger's chain head and SHA256SUMS, signed with the server's key below: check it offline with sha256sum -c SHA256SUMS, or fully with shipshape ledger verify --export FILE --public-key KEY."
                    </p>
                    <p class="muted">
                        "In the CSV, a cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return), or that starts with ', has a ' put before it; the JSON Lines export is unchanged."
                    </p>
                </form>
                <section class="signing-key" id="signing-key" aria-labelledby="signing-key-title">
                    <h2 id="signing-key-title">"Signing key"</h2>
                    <p class="muted">
                        "The server signs every bundle and, as checkpoint rows in the ledger, the chain itself with this Ed25519 key, kept outside the database. Keep the public key (or at least its fingerprint) somewhere else: a bundle verifies only against it."
                    </p>
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match key.await {
                                Ok(k) => view! {
                                    <dl class="key-info">
                                        <dt>"Public key (" {k.algorithm.clone()} ")"</dt>
                                        <dd><code id="public-key">{k.public_key.clone()}</code></dd>
                                        <dt>"Fingerprint"</dt>
                                        <dd><code id="key-fingerprint">{k.fingerprint.clone()}</code></dd>
                                    </dl>
                                }.into_any(),
                                Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        }}</RequireUser>
    }
    .into_any()
}
