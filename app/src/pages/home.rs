//! The fleet: every cluster's readiness, overall and per section.

use crate::api::clusters::{fleet, fleet_drift, fleet_trend};
use crate::components::progress::ProgressBar;
use crate::components::session::RequireUser;
use crate::components::trend_chart::TrendChart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shipshape_domain::drift::DriftRow;
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
    let env = move || query.read().get("env").filter(|e| !e.is_empty());
    let data = Resource::new(move || (archived(), env()), |(a, e)| fleet(a, e));
    let trend = Resource::new(move || (archived(), env()), |(a, e)| fleet_trend(a, e));
    let drift = Resource::new(env, fleet_drift);
    view! {
        <div class="page-head">
            <h1>"Fleet readiness"</h1>
            {can_register.then(|| view! { <a class="button primary" href="/clusters/new">"Register a cluster"</a> })}
        </div>
        <p class="muted">
            "Readiness is the share of applicable checklist items that are signed off, still within their re-certification period and not failing their live check. "
            "Items marked not applicable or covered by an approved waiver are not applicable. Recurring Day-2 tasks are shown but not scored; overdue ones are counted. Worst first."
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let filter = view! { <FleetFilter environments=d.environments.clone() selected=env() archived=archived()/> };
                        if d.entries.is_empty() {
                            view! {
                                {filter}
                                <div class="empty card">
                                    <h2>"No clusters yet"</h2>
                                    <p>"Register a Trino cluster to start its production-readiness checklist, or change the filter."</p>
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                {filter}
                                <FleetTable entries=d.entries/>
                                <Transition fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        drift.await.ok().map(|rows| view! { <FleetDrift rows/> })
                                    })}
                                </Transition>
                                <Transition fallback=|| view! { <p class="muted">"Loading the 90-day trend…"</p> }>
                                    {move || Suspend::new(async move {
                                        trend.await.ok().map(|points| view! {
                                            <div class="card"><TrendChart points title="Fleet readiness, last 90 days".to_string()/></div>
                                        })
                                    })}
                                </Transition>
                            }.into_any()
                        }
                    }
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A plain GET form: works without JavaScript, and the URL can be shared.
#[component]
fn FleetFilter(
    environments: Vec<String>,
    selected: Option<String>,
    archived: bool,
) -> impl IntoView {
    let is = move |e: &str| {
        selected
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(e))
    };
    view! {
        <form method="get" action="/" class="filters" data-testid="fleet-filter">
            <label for="env-filter">"Environment"</label>
            <select id="env-filter" name="env">
                <option value="">"All"</option>
                {environments.into_iter().map(|e| view! { <option value=e.clone() selected=is(&e)>{e.clone()}</option> }).collect_view()}
            </select>
            <label class="inline"><input type="checkbox" name="archived" value="1" checked=archived/>" Include archived"</label>
            <button type="submit">"Show"</button>
        </form>
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
                        <th class="readiness-col">"Readiness"</th>
                        <th title="never signed off, or revoked">"Open"</th>
                        <th title="signed off, but the live check fails">"Regressed"</th>
                        <th title="signed off longer ago than the item's validity period">"Expired"</th>
                        <th title="covered by an approved waiver">"Waived"</th>
                        <th title="done or waived, and stops counting within 14 days">"Expiring soon"</th>
                        <th title="Day-2 tasks past their grace period">"Overdue Day-2"</th>
                        {headers.into_iter().map(|(title, recurring)| view! {
                            <th class="section-col" class:recurring=recurring title=title.clone()><span>{title.clone()}</span></th>
                        }).collect_view()}
                        <th class="worst-col">"Furthest from done"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|e| {
                        let href = format!("/clusters/{}", e.cluster.id);
                        let archived = e.cluster.is_archived();
                        let worst: Vec<String> = e
                            .readiness
                            .worst_sections(3)
                            .into_iter()
                            .map(|s| format!("{} {}", s.title, s.progress.fraction_label()))
                            .collect();
                        view! {
                            <tr data-cluster=e.cluster.name.clone() class:archived=archived>
                                <td class="cluster-cell"><a href=href>{e.cluster.name.clone()}</a> <span class="badge env">{e.cluster.environment.clone()}</span>
                                    {archived.then(|| view! { " " <span class="badge">"archived"</span> })}
                                    {(e.regressed > 0).then(|| view! { " " <span class="badge regressed" title="signed-off items whose live check fails">{format!("{} regressed", e.regressed)}</span> })}</td>
                                <td class="readiness-col" data-label="Readiness"><ProgressBar progress=e.readiness.overall/></td>
                                <td class="count" data-count="open" data-label="Open">{e.readiness.overall.open()}</td>
                                <td class="count" class:alert={e.regressed > 0} data-count="regressed" data-label="Regressed">{e.regressed}</td>
                                <td class="count" class:alert={e.readiness.overall.expired > 0} data-count="expired" data-label="Expired">{e.readiness.overall.expired}</td>
                                <td class="count" data-count="waived" data-label="Waived">{e.readiness.overall.waived}
                                    {(e.pending_waivers > 0).then(|| view! { " " <a class="badge" href="/waivers" title="waiver requests waiting for a manager">{format!("{} pending", e.pending_waivers)}</a> })}</td>
                                <td class="count" data-count="expiring" data-label="Expiring soon">{e.readiness.overall.expiring_soon}</td>
                                <td class="count" class:alert={e.overdue_tasks > 0} data-count="overdue" data-label="Overdue Day-2"><a href=format!("/clusters/{}/day2", e.cluster.id)>{e.overdue_tasks}</a></td>
                                {e.readiness.sections.into_iter().map(|s| {
                                    let p = s.progress;
                                    let level = match p.percent() { None => "na", Some(100) => "full", Some(0) => "none", Some(_) => "part" };
                                    view! {
                                        <td class=format!("section-cell level-{level}") data-section=s.id title=format!("{}: {} done of {} applicable; {} open, {} regressed, {} expired, {} waived", s.title, p.done, p.applicable(), p.open(), p.regressed, p.expired, p.waived)>
                                            {p.fraction_label()}
                                        </td>
                                    }
                                }).collect_view()}
                                <td class="worst-cell" data-label="Furthest from done">
                                    {if worst.is_empty() { "nothing open".to_string() } else { worst.join(" · ") }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Clusters that differ from their siblings in one environment.
#[component]
fn FleetDrift(rows: Vec<DriftRow>) -> impl IntoView {
    view! {
        <section class="card" data-testid="fleet-drift">
            <h2>"Fleet drift"</h2>
            <p class="muted">
                "Within one environment, clusters whose Trino version, Java version, catalogs, spill or execution-time setting differ from what most of their siblings run, from each cluster's newest check run."
            </p>
            {if rows.is_empty() {
                view! { <p class="muted" data-testid="no-drift">"No drift: clusters of each environment agree."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table drift">
                            <thead><tr><th>"Env"</th><th>"Cluster"</th><th>"Fact"</th><th>"This cluster"</th><th>"Its siblings"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let usual = match &r.usual {
                                        Some(u) => format!("{u} ({} of {})", r.usual_count, r.compared),
                                        None => format!("no common value ({} clusters)", r.compared),
                                    };
                                    view! {
                                        <tr data-cluster=r.cluster.clone() data-fact=r.fact.as_str()>
                                            <td><span class="badge env">{r.environment.clone()}</span></td>
                                            <td><a href=format!("/clusters/{}", r.cluster_id)>{r.cluster.clone()}</a></td>
                                            <td>{r.fact.label()}</td>
                                            <td><code>{r.value.clone()}</code></td>
                                            <td>{usual}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
