//! The auditors' export page: filters, then a CSV or JSON Lines download of
//! the sign-off history straight from the streaming API, or the evidence
//! bundle (ZIP) with the same filters.

use crate::api::clusters::list_clusters;
use crate::components::session::RequireUser;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ExportPage() -> impl IntoView {
    let clusters = Resource::new(|| (), |_| list_clusters());
    view! {
        <Title text="Export sign-off history"/>
        <RequireUser let:_viewer>{view! {
            <section class="card narrow">
                <h1>"Export sign-off history"</h1>
                <p class="muted">
                    "Every ledger row that matches, with its hash and the hash it links to, so the export can be checked against the chain (see the README). Empty filters mean everything."
                </p>
                <form method="get" action="/api/v1/export/signoffs.csv" class="stack" id="export-form">
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
                        <label>"From" <input type="date" name="from"/></label>
                        <label>"To" <input type="date" name="to"/></label>
                    </div>
                    <label>"User" <input name="user" placeholder="any"/></label>
                    <label>"Item id" <input name="item" placeholder="any, e.g. spill"/></label>
                    <div class="row">
                        <button type="submit" class="primary">"Download CSV"</button>
                        <button type="submit" formaction="/api/v1/export/signoffs.jsonl">"Download JSON Lines"</button>
                        <button type="submit" formaction="/api/v1/export/bundle.zip">"Evidence bundle (ZIP)"</button>
                    </div>
                    <p class="muted">
                        "The evidence bundle holds the CSV, every file its rows name, a manifest with the ledger's chain head and SHA256SUMS: check it offline with sha256sum -c SHA256SUMS, or with shipshape ledger verify --export FILE."
                    </p>
                </form>
            </section>
        }}</RequireUser>
    }
    .into_any()
}
