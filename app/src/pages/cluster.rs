//! One cluster: its details and the runbook as a checklist of one line per
//! item, filtered by a bar with counts. An item opens in place to its
//! details, forms and history; signing off updates the page in place.

use crate::api::checklist::{cluster_checklist, ClusterPageData, ItemHistory, RunChecks, SignItem};
use crate::api::clusters::SetClusterArchived;
use crate::api::waivers::RequestWaiver;
use crate::components::check::{CheckLine, VerdictChip};
use crate::components::field::{EvidenceFiles, FieldError, FormError, NoteField};
use crate::components::progress::ProgressBar;
use crate::components::rich_text::RichText;
use crate::components::session::RequireUser;
use crate::components::status::{short_time, CadenceBadge};
use crate::components::trend_chart::TrendChart;
use crate::error::{error_banner, field_error, AppError};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shipshape_domain::attachment::UploadLimits;
use shipshape_domain::checklist::{ChecklistItem, ChecklistSection, HistoryEntry};
use shipshape_domain::item_filter::{filter_counts, ItemFilter};
use shipshape_domain::item_line::{item_line, section_label, validity, ItemLine};
use shipshape_domain::signoff::ItemStatus;
use shipshape_domain::standing::Standing;
use std::collections::HashSet;

/// Bumped after every recorded sign-off, so the checklist reloads.
#[derive(Clone, Copy)]
struct ChecklistVersion(RwSignal<u32>);

/// The items someone opened, kept while the checklist reloads around them.
#[derive(Clone, Copy)]
struct OpenItems(RwSignal<HashSet<String>>);

/// The filter bar's choice, read from `?filter=`.
#[derive(Clone, Copy)]
struct ActiveFilter(Memo<ItemFilter>);

/// The item to bring into view and focus once the checklist has rendered:
/// the one a link named (`?item=`), the one an upload came back to, or the
/// one just recorded (so focus stays where the person was).
#[derive(Clone, Copy)]
struct FocusItem(RwSignal<Option<String>>);

/// What the page's live region says (a recorded sign-off, a waiver asked).
#[derive(Clone, Copy)]
struct Announce(RwSignal<String>);

/// An evidence upload that came back refused: its item and the reason,
/// shown inside that item's form.
#[derive(Clone)]
struct UploadOutcome {
    item: Option<String>,
    error: Option<String>,
}

impl UploadOutcome {
    /// The refusal to show in `item_id`'s form: only the item the upload
    /// was for shows it.
    fn error_for(&self, item_id: &str) -> Option<String> {
        self.error
            .clone()
            .filter(|_| self.item.as_deref() == Some(item_id))
    }
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let id = super::id_param();
    let version = RwSignal::new(0u32);
    provide_context(ChecklistVersion(version));
    let archive = ServerAction::<SetClusterArchived>::new();
    let checks = ServerAction::<RunChecks>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                version.get(),
                archive.version().get(),
                checks.version().get(),
            )
        },
        |(id, _, _, _)| cluster_checklist(id),
    );
    // Outcomes of the evidence form, which posts without JavaScript.
    let query = leptos_router::hooks::use_query_map();
    let filter = Memo::new(move |_| ItemFilter::from_key(query.read().get("filter").as_deref()));
    provide_context(ActiveFilter(filter));
    // `?item=` links straight to an open item; a sign-off with files comes
    // back to its item open.
    let opened: HashSet<String> = query.with_untracked(|q| {
        ["item", "signed"]
            .into_iter()
            .filter_map(|k| q.get(k))
            .collect()
    });
    let focus = query.with_untracked(|q| q.get("signed").or_else(|| q.get("item")));
    provide_context(OpenItems(RwSignal::new(opened)));
    provide_context(FocusItem(RwSignal::new(focus)));
    let announce = RwSignal::new(String::new());
    provide_context(Announce(announce));
    provide_context(query.with_untracked(|q| UploadOutcome {
        item: q.get("item"),
        error: q.get("error"),
    }));
    view! {
        <RequireUser let:_viewer>{view! {
                <p class="sr-only" role="status" aria-live="polite" data-testid="announce">{move || announce.get()}</p>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(d) => view! { <ClusterView data=d archive=archive checks=checks/> }.into_any(),
                            Err(e) => view! { <Title text="Cluster"/><p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            }}
        </RequireUser>
    }
}

#[component]
fn ClusterView(
    data: ClusterPageData,
    archive: ServerAction<SetClusterArchived>,
    checks: ServerAction<RunChecks>,
) -> impl IntoView {
    let ClusterPageData {
        cluster,
        checklist,
        can_sign,
        can_manage,
        can_run_checks,
        checks_reset_note,
        changes,
        trend,
        unreachable,
        upload,
        config,
    } = data;
    provide_context(upload);
    // After the checklist renders (and after each reload), bring the named
    // item into view and put focus on it.
    let FocusItem(focus) = expect_context::<FocusItem>();
    Effect::new(move |_| {
        if let Some(id) = focus.get_untracked() {
            focus.set(None);
            bring_into_view(&id);
        }
    });
    let title_of = {
        let items: Vec<(String, String)> = checklist
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| (i.id.clone(), i.title.clone()))
            .collect();
        move |id: String| {
            items
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, t)| t.clone())
                .unwrap_or(id)
        }
    };
    let query = leptos_router::hooks::use_query_map();
    let signed = query
        .with_untracked(|q| q.get("signed"))
        .map(title_of.clone());
    let upload_failed = expect_context::<UploadOutcome>();
    let upload_failed = upload_failed.error.map(|e| {
        format!(
            "{}: not recorded. {e}",
            upload_failed.item.map(title_of).unwrap_or_default()
        )
    });
    let checks_error = error_banner(move || checks.value().get());
    let counts = filter_counts(&checklist);
    let regressed = checklist.regressed;
    let cluster_id = cluster.id.get();
    let archived = cluster.is_archived();
    let archive_error = error_banner(move || archive.value().get());
    view! {
        <Title text=cluster.name.clone()/>
        // rel="external": the browser, not the router, follows in-page links,
        // so focus moves with them.
        <nav class="skip-links" aria-label="Skip to">
            <a href="#checklist" rel="external">"Skip to the checklist"</a>
            <a href="#filters" rel="external">"Skip to the filters"</a>
        </nav>
        {signed.map(|t| view! { <p class="notice" role="status" data-testid="signed-notice">"Signed off with evidence: " {t}</p> })}
        {upload_failed.map(|e| view! { <div class="form-error" role="alert">{e}</div> })}
        <div class="page-head">
            <div>
                <h1>{cluster.name.clone()} " " <span class="badge env">{cluster.environment.clone()}</span>
                    {archived.then(|| view! { " " <span class="badge">"archived"</span> })}
                </h1>
                <p class="muted"><a href=cluster.coordinator_url.clone() rel="noopener noreferrer" target="_blank">{cluster.coordinator_url.clone()}</a></p>
                <p class="muted connection-summary" data-testid="connection">{cluster.connection.describe()}</p>
                <p class="cluster-links"><a href=format!("/clusters/{}/day2", cluster.id)>"Day-2 tasks"</a>
                    " · " <a href=format!("/clusters/{}/report", cluster.id)>"Printable report"</a>
                    " · " <a href="/waivers">"Waivers"</a></p>
                {(!cluster.notes.is_empty()).then(|| view! { <p class="notes">{cluster.notes.clone()}</p> })}
            </div>
            {can_manage.then(|| view! {
                <div class="head-actions">
                    <a class="button" href=format!("/clusters/{cluster_id}/edit")>"Edit"</a>
                    <ActionForm action=archive>
                        <input type="hidden" name="id" value=cluster_id/>
                        <input type="hidden" name="archived" value=(!archived).to_string()/>
                        <button type="submit">{if archived { "Restore" } else { "Archive" }}</button>
                    </ActionForm>
                </div>
            })}
        </div>
        <FormError message=archive_error/>
        {can_run_checks.then(|| view! {
            <ActionForm action=checks attr:class="run-checks">
                <input type="hidden" name="cluster_id" value=cluster_id/>
                <button type="submit" class="primary" disabled=move || checks.pending().get()>
                    {move || if checks.pending().get() { "Running checks…" } else { "Run checks now" }}
                </button>
                <span class="muted" role="status">
                    {move || match checks.value().get() {
                        Some(Ok(n)) => format!("{n} checks ran."),
                        _ => String::new(),
                    }}
                </span>
            </ActionForm>
        })}
        <FormError message=checks_error/>
        {unreachable.map(|u| view! {
            <p class="unreachable-banner" role="alert" data-testid="unreachable">
                <strong>"Cannot reach this cluster: "</strong> {u.reason}
                {format!(" (every one of the {} checks that ran), since {}.", u.checks, short_time(&u.since))}
                " Its items keep their sign-offs; the checks show errors until it answers again."
            </p>
        })}
        {checks_reset_note.map(|note| view! { <p class="notice" role="status" data-testid="checks-reset">{note}</p> })}
        {(regressed > 0).then(|| view! {
            <p class="regressed-banner" role="alert">
                <span class="badge regressed">"regressed"</span>
                {format!(" {regressed} signed-off item{} fail{} their live check.", if regressed == 1 { "" } else { "s" }, if regressed == 1 { "s" } else { "" })}
            </p>
        })}
        <div class="overall card">
            <ProgressBar progress=checklist.overall label="Readiness".to_string()/>
            <nav class="section-index">
                {checklist.sections.iter().map(|s| view! {
                    <a href=format!("#{}", s.id) rel="external">{s.title.clone()} " " <span class="muted">{section_label(s)}</span></a>
                }).collect_view()}
            </nav>
        </div>
        <ClusterTrend points=trend/>
        <FilterBar cluster_id counts/>
        {archived.then(|| view! { <p class="notice">"This cluster is archived: its history is kept, and it cannot be signed off until it is restored."</p> })}
        <div id="checklist" tabindex="-1" class="checklist">
        {checklist.sections.into_iter().map(|s| view! { <SectionView cluster_id section=s can_sign/> }).collect_view()}
        </div>
        {(!checklist.retired.is_empty()).then(|| view! {
            <section class="rb-section retired">
                <h2>"Retired items"</h2>
                <p class="muted">"These items have history on this cluster but are no longer in the runbook. Their history is kept."</p>
                {checklist.retired.into_iter().map(|id| {
                    let label = id.clone();
                    let attr = id.clone();
                    view! {
                        <article class="item" data-item=attr>
                            <h3>{label}</h3>
                            <HistoryToggle cluster_id item_id=id/>
                        </article>
                    }
                }).collect_view()}
            </section>
        })}
        <super::cluster_config::ConfigPanelView panel=config/>
        <ClusterChanges rows=changes/>
    }
    .into_any()
}

/// Filter buttons with a count each. Without JavaScript they submit a GET
/// form (`?filter=…`) that the server renders; with it they switch in place.
#[component]
fn FilterBar(cluster_id: i64, counts: Vec<(ItemFilter, usize)>) -> impl IntoView {
    let filter = expect_context::<ActiveFilter>().0;
    let navigate = use_navigate();
    let shown = {
        let counts = counts.clone();
        move || {
            let f = filter.get();
            let n = counts
                .iter()
                .find(|(c, _)| *c == f)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            if n == 0 {
                format!("No items are {}.", f.label().to_lowercase())
            } else {
                format!(
                    "{}: {n} item{} shown.",
                    f.label(),
                    if n == 1 { "" } else { "s" }
                )
            }
        }
    };
    view! {
        <form method="get" class="filter-bar" role="search" aria-label="Filter items" data-testid="filter-bar" id="filters" tabindex="-1">
            {counts.into_iter().map(|(f, n)| {
                let navigate = navigate.clone();
                let href = match f {
                    ItemFilter::All => format!("/clusters/{cluster_id}"),
                    _ => format!("/clusters/{cluster_id}?filter={}", f.key()),
                };
                let go = move |ev: leptos::ev::MouseEvent| {
                    ev.prevent_default();
                    navigate(&href, NavigateOptions { scroll: false, ..Default::default() });
                };
                view! {
                    <button type="submit" name="filter" value=f.key() data-filter=f.key()
                        aria-pressed=move || (filter.get() == f).to_string() on:click=go>
                        {f.label()} " " <span class="count">{n}</span>
                    </button>
                }
            }).collect_view()}
        </form>
        <p class="filter-status muted" role="status" data-testid="filter-status">{shown}</p>
    }
}

/// The cluster's own history: who registered, changed (field by field),
/// archived or restored it, and when.
#[component]
fn ClusterChanges(rows: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <section class="card changes" data-testid="cluster-changes">
            <h2>"Changes"</h2>
            <p class="muted">"Registering, editing, archiving and restoring this cluster, as ledger rows in the same hash chain as sign-offs."</p>
            <HistoryTable rows/>
        </section>
    }
    .into_any()
}

#[component]
fn SectionView(cluster_id: i64, section: ChecklistSection, can_sign: bool) -> impl IntoView {
    let filter = expect_context::<ActiveFilter>().0;
    let shown_under = ItemFilter::section_matching(&section);
    view! {
        <section class="rb-section" id=section.id.clone() data-section=section.id.clone()
            hidden=move || !shown_under.contains(&filter.get())>
            <div class="section-head">
                <h2>{section.title.clone()}</h2>
                {if section.recurring {
                    view! { <p class="muted day2-summary" data-testid="day2-summary">{section_label(&section)}</p> }.into_any()
                } else {
                    view! { <ProgressBar progress=section.progress/> }.into_any()
                }}
            </div>
            {section.summary.map(|s| view! { <p class="muted">{s}</p> })}
            <div class="item-list">
                {section.items.into_iter().map(|item| view! { <ItemRow cluster_id item can_sign/> }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}

/// One item as one line (title, its one state, live verdict, who did the
/// last thing to it, validity) that opens in place to its details, forms
/// and history.
#[component]
fn ItemRow(cluster_id: i64, item: ChecklistItem, can_sign: bool) -> impl IntoView {
    let OpenItems(open_items) = expect_context::<OpenItems>();
    let filter = expect_context::<ActiveFilter>().0;
    let shown_under = ItemFilter::all_matching(&item);
    let line = item_line(&item);
    // Opened before a reload (a sign-off refetches the page) stays open.
    let open = open_items.with_untracked(|o| o.contains(&item.id));
    let item_id = item.id.clone();
    view! {
        <article class=format!("item state-{}", line.key) id=format!("item-{}", item_id) data-item=item_id.clone()
            hidden=move || !shown_under.contains(&filter.get())>
        <details class="item-row" open=open>
            <ItemHead item=item.clone() line=line.clone()/>
            <ItemBody cluster_id item can_sign/>
        </details>
        </article>
    }
    .into_any()
}

/// An item's line, the summary that opens and closes it (remembered, so
/// it stays open across a reload): title, its one state, live verdict,
/// who did the last thing to it, and how long it counts.
#[component]
fn ItemHead(item: ChecklistItem, line: ItemLine) -> impl IntoView {
    let OpenItems(open_items) = expect_context::<OpenItems>();
    let toggle_id = item.id.clone();
    let remember = move |_| {
        open_items.update(|o| {
            if !o.remove(&toggle_id) {
                o.insert(toggle_id.clone());
            }
        })
    };
    let validity = validity(&item);
    view! {
        <summary class="item-head" on:click=remember>
            <h3 class="item-title">{item.title.clone()}</h3>
            <span class="item-standing">
                <span class=format!("badge state-{}", line.key) data-status=line.key.clone()>{line.state.clone()}</span>
                {item.cadence.map(|c| view! { <CadenceBadge cadence=c/> })}
            </span>
            <span class="item-verdict"><VerdictChip result=item.check.clone() automated=item.automated/></span>
            <span class="item-last muted" title="Last action">{line.last.clone()}</span>
            <span class="item-validity muted" title="Valid until">
                {validity}
                {item.expiring_soon.then(|| view! { " " <span class="badge expiring" title="stops counting within 14 days">"expiring soon"</span> })}
                {item.correction.is_some().then(|| view! { " " <span class="badge warn" title="The source runbook is wrong here for current Trino">"correction"</span> })}
            </span>
        </summary>
    }
    .into_any()
}

/// What an open item shows: what is known about it, its live check, what
/// it asks and why, the forms for it and its history.
#[component]
fn ItemBody(cluster_id: i64, item: ChecklistItem, can_sign: bool) -> impl IntoView {
    let item_id = item.id.clone();
    view! {
        <div class="item-body">
            <ItemFacts cluster_id item=item.clone() can_sign/>
            <CheckLine result=item.check.clone() verdict=item.verdict.clone() automated=item.automated regressed=item.regressed/>
            <ItemDetails item=item.clone()/>
            <ItemForms cluster_id item can_sign/>
            <HistoryToggle cluster_id item_id/>
        </div>
    }
    .into_any()
}

/// What the item asks for, why, and how to verify it, as the runbook says
/// (and the runbook's correction, where the source is wrong).
#[component]
fn ItemDetails(item: ChecklistItem) -> impl IntoView {
    view! {
        <details class="item-details">
            <summary>"What, why and how to verify"</summary>
            <p class="source muted">{item.source.clone()}</p>
            {item.config.clone().map(|c| view! { <pre class=format!("snippet lang-{}", c.lang)><code>{c.text}</code></pre> })}
            <p><RichText text=item.why.clone()/></p>
            {(!item.verify.is_empty()).then(|| view! {
                <h4>"Verify"</h4>
                <ul class="verify">{item.verify.clone().into_iter().map(|v| view! { <li><RichText text=v/></li> }).collect_view()}</ul>
            })}
            {item.correction.clone().map(|c| view! {
                <div class="correction" role="note"><strong>"Runbook correction: "</strong><RichText text=c/></div>
            })}
        </details>
    }
    .into_any()
}

/// The forms an item offers someone who may sign: the sign-off forms
/// (with an evidence upload's refusal, if it was for this item) and the
/// waiver request, each where the item takes it.
#[component]
fn ItemForms(cluster_id: i64, item: ChecklistItem, can_sign: bool) -> impl IntoView {
    let sign = sign_action(&item);
    let upload = expect_context::<UploadLimits>();
    let upload_error = expect_context::<UploadOutcome>().error_for(&item.id);
    let status = item.status;
    let form_item_id = item.id.clone();
    let waiver_item_id = item.id.clone();
    view! {
        {(can_sign && item.takes_signoffs()).then(|| view! {
            <SignForms cluster_id item_id=form_item_id status sign upload upload_error/>
        })}
        {(can_sign && item.can_be_waived()).then(|| view! { <WaiverRequestForm cluster_id item_id=waiver_item_id/> })}
    }
    .into_any()
}

/// The item's sign-off action. Once it records, the checklist reloads
/// around the item: focus stays on it and the live region says what
/// happened.
fn sign_action(item: &ChecklistItem) -> ServerAction<SignItem> {
    let version = expect_context::<ChecklistVersion>().0;
    let FocusItem(focus) = expect_context::<FocusItem>();
    let Announce(announce) = expect_context::<Announce>();
    let sign = ServerAction::<SignItem>::new();
    let (id, title) = (item.id.clone(), item.title.clone());
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign.value().get() {
            focus.set(Some(id.clone()));
            announce.set(format!("Recorded for {title}."));
            version.update(|v| *v += 1);
        }
    });
    sign
}

/// Scrolls an item into view and puts focus on its line (browser only),
/// two frames later: a reloaded checklist replaces the old one (whose
/// elements have the same ids) only after this is asked for.
fn bring_into_view(item_id: &str) {
    #[cfg(feature = "hydrate")]
    {
        let id = format!("item-{item_id}");
        request_animation_frame(move || {
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                let found = document()
                    .get_element_by_id(&id)
                    .and_then(|item| item.query_selector("summary").ok().flatten());
                if let Some(line) = found {
                    line.scroll_into_view();
                    if let Ok(line) = line.dyn_into::<leptos::web_sys::HtmlElement>() {
                        let _ = line.focus();
                    }
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = item_id;
}

/// What is known about an item beyond its line: who did the last thing,
/// its Day-2 schedule, its re-certification and its waiver.
#[component]
fn ItemFacts(cluster_id: i64, item: ChecklistItem, can_sign: bool) -> impl IntoView {
    let line = item_line(&item);
    let is_task = item.task.is_some();
    view! {
            {line.who.clone().map(|w| view! {
                <p class="last-signoff" data-testid="last-signoff">
                    {w.what} " by " <strong>{w.by}</strong> " on " {w.at.minute_text()}
                    {(!is_task).then(|| item.note.clone().map(|n| view! { ": " <q>{n}</q> }))}
                </p>
            })}
            {item.task.clone().map(|t| view! {
                <p class="task-line" data-testid="task-line">
                    {format!("A {} Day-2 task, not scored: {}.", item.cadence.map(|c| c.as_str()).unwrap_or("recurring"), line.state.to_lowercase())}
                    " " <a href=format!("/clusters/{cluster_id}/day2#task-{}", item.id)>
                        {if can_sign { "Record a completion on the Day-2 page" } else { "See it on the Day-2 page" }}</a>
                    {t.last_outcome.map(|o| format!(" · last outcome: {}", o.label().to_lowercase()))}
                </p>
            })}
            {item.expires_at.map(|e| view! {
                <p class="recert muted" data-testid="recert">
                    {format!("Re-certify every {} days: ", item.valid_for_days.unwrap_or_default())}
                    {if item.standing == Standing::Expired { "this sign-off expired on " } else { "this sign-off is valid until " }}
                    {e.minute_text()} "."
                </p>
            })}
            {item.waiver.clone().map(|w| view! {
                <p class=format!("waiver-line waiver-{}", w.state.as_str()) data-testid="waiver">
                    <strong>{format!("Waiver ({}): ", w.waiver.kind.label().to_lowercase())}</strong>
                    {w.state.label()} " · until " {w.waiver.expires_on.to_string()} " · asked by " {w.waiver.requested_by.clone()}
                    ": " <q>{w.waiver.reason.clone()}</q>
                    {w.waiver.decision.clone().map(|d| view! { " · " {if d.approved { "approved" } else { "rejected" }} " by " {d.by} })}
                </p>
            })}
    }
    .into_any()
}

/// The sign-off form (done, not applicable, revoke, with a note) and the
/// evidence-file form beside it.
#[component]
fn SignForms(
    cluster_id: i64,
    item_id: String,
    status: ItemStatus,
    sign: ServerAction<SignItem>,
    upload: UploadLimits,
    upload_error: Option<String>,
) -> impl IntoView {
    let result = Signal::derive(move || sign.value().get());
    let err = move |f: &'static str| Signal::derive(move || field_error(&result.get(), f));
    let banner = Signal::derive(move || match result.get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
    });
    let evidence_action = format!("/clusters/{cluster_id}/items/{item_id}/signoff");
    let form_item_id = item_id;
    view! {
                <ActionForm action=sign attr:class="signoff">
                    <input type="hidden" name="cluster_id" value=cluster_id/>
                    <input type="hidden" name="item_id" value=form_item_id.clone()/>
                    <fieldset class="choices">
                        <legend class="sr-only">"Record"</legend>
                        <label><input type="radio" name="status" value="done" checked=true/>" Done"</label>
                        <label><input type="radio" name="status" value="not_applicable"/>" Not applicable"</label>
                        {(status != ItemStatus::Open).then(|| view! {
                            <label><input type="radio" name="status" value="revoked"/>" Revoke"</label>
                        })}
                    </fieldset>
                    <NoteField label="Note" name="note"
                        placeholder="Note, evidence link; a reason is required for not applicable"/>
                    <FieldError message=err("note")/>
                    <FieldError message=err("status")/>
                    <FormError message=banner/>
                    <button type="submit" disabled=move || sign.pending().get()>"Record"</button>
                </ActionForm>
                <details class="evidence-signoff" open=upload_error.is_some()>
                    <summary>"Sign off with evidence files"</summary>
                    <form method="post" enctype="multipart/form-data" class="stack"
                        action=evidence_action.clone()>
                        {upload_error.clone().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                        <input type="hidden" name="status" value="done"/>
                        <NoteField label="What the files show" name="note"/>
                        <label>"Evidence as of (optional)" <input type="date" name="evidence_as_of"/></label>
                        <EvidenceFiles limits=upload required=true/>
                        <button type="submit">"Sign off with files"</button>
                    </form>
                </details>
                }
    .into_any()
}

/// Asks a manager to waive the item (works with or without JavaScript).
#[component]
fn WaiverRequestForm(cluster_id: i64, item_id: String) -> impl IntoView {
    let version = expect_context::<ChecklistVersion>().0;
    let FocusItem(focus) = expect_context::<FocusItem>();
    let Announce(announce) = expect_context::<Announce>();
    let request = ServerAction::<RequestWaiver>::new();
    {
        let id = item_id.clone();
        Effect::new(move |_| {
            if let Some(Ok(_)) = request.value().get() {
                focus.set(Some(id.clone()));
                announce.set("Waiver requested: a manager decides on the Waivers page.".into());
                version.update(|v| *v += 1);
            }
        });
    }
    let result = Signal::derive(move || request.value().get());
    let err = move |f: &'static str| Signal::derive(move || field_error(&result.get(), f));
    let banner = Signal::derive(move || match result.get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
    });
    let id = item_id.clone();
    view! {
        <details class="waiver-request">
            <summary>"Ask for a waiver"</summary>
            <ActionForm action=request attr:class="stack">
                <input type="hidden" name="cluster_id" value=cluster_id/>
                <input type="hidden" name="item_id" value=item_id/>
                <fieldset class="choices">
                    <legend>"Kind"</legend>
                    <label><input type="radio" name="kind" value="accepted_risk" checked=true/>" Accepted risk"</label>
                    <label><input type="radio" name="kind" value="not_applicable"/>" Not applicable"</label>
                </fieldset>
                <FieldError message=err("kind")/>
                <NoteField label="Reason" name="reason" required=true/>
                <FieldError message=err("reason")/>
                <label>"Expires on (last day it counts)" <input type="date" name="expires_on" required id=format!("expires-{id}")/></label>
                <FieldError message=err("expires_on")/>
                <FormError message=banner/>
                <button type="submit" disabled=move || request.pending().get()>"Ask for waiver"</button>
            </ActionForm>
        </details>
    }
}

/// The cluster's readiness over the last 90 days.
#[component]
fn ClusterTrend(points: Vec<shipshape_domain::trend::TrendPoint>) -> impl IntoView {
    view! {
        <details class="card trend-card">
            <summary>"Readiness over the last 90 days"</summary>
            <TrendChart points title="Readiness, last 90 days".to_string()/>
        </details>
    }
    .into_any()
}

/// A button that loads and shows an item's history.
#[component]
fn HistoryToggle(cluster_id: i64, item_id: String) -> impl IntoView {
    let load = ServerAction::<ItemHistory>::new();
    let open = RwSignal::new(false);
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        if now_open {
            load.dispatch(ItemHistory {
                cluster_id,
                item_id: item_id.clone(),
            });
        }
    };
    view! {
        <div class="history">
            <button type="button" class="link-button" on:click=toggle aria-expanded=move || open.get().to_string()>
                {move || if open.get() { "Hide history" } else { "History" }}
            </button>
            <Show when=move || open.get()>
                {move || match load.value().get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Some(Ok(rows)) => view! { <HistoryTable rows/> }.into_any(),
                }}
            </Show>
        </div>
    }
    .into_any()
}

#[component]
fn HistoryTable(rows: Vec<HistoryEntry>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No sign-offs yet."</p> }.into_any();
    }
    view! {
        <table class="table history-table">
            <thead><tr><th>"#"</th><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Note"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-status=r.status.clone()>
                        <td title=format!("hash {}", r.hash)>{r.seq.get()}</td>
                        <td>{short_time(&r.at.to_string())}</td>
                        <td>{r.actor}</td>
                        <td>{r.status.replace('_', " ")}</td>
                        <td>{r.note}
                            {(!r.files.is_empty()).then(|| view! {
                                <ul class="files">
                                    {r.files.iter().map(|f| view! {
                                        <li><a href=format!("/api/v1/attachments/{}", f.sha256) download=f.name.clone()>{f.name.clone()}</a></li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
