//! Waivers across the fleet: requests waiting for a manager first, then the
//! approved ones by expiry date. Managers approve or reject here.

use crate::api::waivers::{list_waivers, DecideWaiver};
use crate::components::field::FormError;
use crate::components::session::RequireUser;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use shipshape_domain::waiver::{WaiverState, WaiverView};

#[component]
pub fn WaiversPage() -> impl IntoView {
    let decide = ServerAction::<DecideWaiver>::new();
    let data = Resource::new(move || decide.version().get(), |_| list_waivers());
    let refusal = Signal::derive(move || match decide.value().get() {
        Some(Err(e)) => e.field("decision").or_else(|| Some(e.to_string())),
        _ => None,
    });
    view! {
        <Title text="Waivers"/>
        <RequireUser let:_viewer>{view! {
            <h1>"Waivers"</h1>
            <p class="muted">
                "An SRE asks for an item to be waived (not applicable, or an accepted risk) with a reason and an expiry date; a manager approves or rejects it. "
                "An approved waiver takes the item out of the score until the end of its expiry date; then the item is open again. Every step is in the ledger."
            </p>
            <FormError message=refusal/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) if d.waivers.is_empty() => view! { <p class="empty card">"No waivers have been requested."</p> }.into_any(),
                        Ok(d) => view! {
                            <table class="table waivers" data-testid="waivers">
                                <thead><tr><th>"Cluster"</th><th>"Item"</th><th>"Kind"</th><th>"Reason"</th><th>"Until"</th><th>"Asked by"</th><th>"State"</th><th>"Decision"</th></tr></thead>
                                <tbody>
                                    {d.waivers.into_iter().map(|w| view! { <WaiverRow w can_decide=d.can_decide decide/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        }}</RequireUser>
    }
}

#[component]
fn WaiverRow(w: WaiverView, can_decide: bool, decide: ServerAction<DecideWaiver>) -> impl IntoView {
    let pending = w.state == WaiverState::Pending;
    let seq = w.waiver.request_seq;
    view! {
        <tr data-waiver=seq data-state=w.state.as_str() data-item=w.waiver.item_id.to_string()>
            <td><a href=format!("/clusters/{}?item={}", w.cluster_id, w.waiver.item_id)>{w.cluster_name.clone()}</a></td>
            <td data-label="Item">{w.item_title.clone()}</td>
            <td data-label="Kind">{w.waiver.kind.label()}</td>
            <td class="notes reason" data-label="Reason">{w.waiver.reason.clone()}</td>
            <td data-label="Until">{w.waiver.expires_on.to_string()}</td>
            <td data-label="Asked by">{w.waiver.requested_by.clone()} <br/><span class="muted">{w.waiver.requested_at.minute_text()}</span></td>
            <td data-label="State"><span class=format!("badge waiver-{}", w.state.as_str())>{w.state.label()}</span></td>
            <td class="decision-cell" data-label="Decision">
                {w.waiver.decision.clone().map(|d| view! {
                    <span>{if d.approved { "Approved" } else { "Rejected" }} " by " {d.by} " " <span class="muted">{d.at.minute_text()}</span>
                        {(!d.note.is_empty()).then(|| view! { ": " <q>{d.note.clone()}</q> })}</span>
                })}
                {(pending && can_decide).then(|| view! {
                    <ActionForm action=decide attr:class="decide">
                        <input type="hidden" name="cluster_id" value=w.cluster_id.get()/>
                        <input type="hidden" name="request_seq" value=seq/>
                        <label class="sr-only" for=format!("note-{seq}")>"Note"</label>
                        <input id=format!("note-{seq}") name="note" placeholder="Note (required to reject)" maxlength=shipshape_domain::text_limit::NOTE_MAX_CHARS.to_string()/>
                        <button type="submit" name="decision" value="approve" class="primary">"Approve"</button>
                        <button type="submit" name="decision" value="reject">"Reject"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
