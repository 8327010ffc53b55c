//! The fleet: every cluster's readiness, overall and per section.

use crate::api::clusters::fleet;
use crate::components::progress::ProgressBar;
use crate::components::session::RequireUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shipshape_domain::readiness::FleetEntry;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Fleet"/>
        <RequireUser let:viewer>{view! { <Fleet can_register=viewer.can_manage_clusters/> }}
        </RequireUser>
    }
}

#[component]
fn Fleet(can_register: bool) -> impl IntoView {
    let query = use_query_map();
    let archived = move || query.read().get("archived").is_some();
    let entries = Resource::new(archived, fleet);
    view! {
        <div class="page-head">
            <h1>"Fleet readiness"</h1>
            {can_register.then(|| view! { <a class="button primary" href="/clusters/new">"Register a cluster"</a> })}
        </div>
        <p class="muted">
            "Readiness is the share of applicable checklist items signed off. Recurring Day-2 tasks are shown but not scored. "
            {move || if archived() {
                view! { <a href="/">"Hide archived clusters"</a> }.into_any()
            } else {
                view! { <a href="/?archived=1">"Show archived clusters"</a> }.into_any()
            }}
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty card">
                            <h2>"No clusters yet"</h2>
                            <p>"Register a Trino cluster to start its production-readiness checklist."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! { <FleetTable entries=list/> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn FleetTable(entries: Vec<FleetEntry>) -> impl IntoView {
    let headers: Vec<(String, bool)> = entries
        .first()
        .map(|e| {
            e.readiness
                .sections
                .iter()
                .map(|s| (s.title.clone(), s.recurring))
                .collect()
        })
        .unwrap_or_default();
    view! {
        <div class="table-wrap">
            <table class="table fleet" data-testid="fleet">
                <thead>
                    <tr>
                        <th>"Cluster"</th>
                        <th>"Env"</th>
                        <th class="readiness-col">"Readiness"</th>
                        {headers.into_iter().map(|(title, recurring)| view! {
                            <th class="section-col" class:recurring=recurring title=title.clone()>{title.clone()}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|e| {
                        let href = format!("/clusters/{}", e.cluster.id);
                        let archived = e.cluster.is_archived();
                        view! {
                            <tr data-cluster=e.cluster.name.clone() class:archived=archived>
                                <td><a href=href>{e.cluster.name.clone()}</a>{archived.then(|| view! { <span class="badge">"archived"</span> })}
                                    {(e.regressed > 0).then(|| view! { " " <span class="badge regressed" title="signed-off items whose live check fails">{format!("{} regressed", e.regressed)}</span> })}</td>
                                <td><span class="badge env">{e.cluster.environment.clone()}</span></td>
                                <td class="readiness-col"><ProgressBar progress=e.readiness.overall/></td>
                                {e.readiness.sections.into_iter().map(|s| {
                                    let p = s.progress;
                                    let level = match p.percent() { None => "na", Some(100) => "full", Some(0) => "none", Some(_) => "part" };
                                    view! {
                                        <td class=format!("section-cell level-{level}") data-section=s.id title=format!("{}: {} done of {} applicable", s.title, p.done, p.applicable())>
                                            {p.fraction_label()}
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
