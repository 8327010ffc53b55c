//! Day-2 pages: one cluster's recurring tasks with their due dates, last
//! completion and evidence, and a form to record a completion with files;
//! and every cluster's tasks, most urgent first.

use crate::api::day2::{all_tasks, cluster_tasks, ClusterDay2, CreateCalendarLink};
use crate::components::field::{EvidenceFiles, NoteField};
use crate::components::session::RequireUser;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shipshape_domain::attachment::UploadLimits;
use shipshape_domain::day2::{Completion, TaskView};

#[component]
pub fn ClusterDay2Page() -> impl IntoView {
    let id = super::id_param();
    let tasks = Resource::new(id, cluster_tasks);
    let query = use_query_map();
    let done = move || query.read().get("done");
    let error = move || query.read().get("error");
    view! {
        <Title text="Day-2 tasks"/>
        <RequireUser let:viewer>{
            let can_sign = viewer.can_sign;
            view! {
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match tasks.await {
                            Ok(ClusterDay2 { name, archived, tasks, upload }) => {
                                // The banner names the task by its title, not its id.
                                let title_of = |id: String| tasks.iter().find(|t| t.id == id).map(|t| t.title.clone()).unwrap_or(id);
                                let done_title = done().map(title_of);
                                let failed_title = query.read_untracked().get("task").map(title_of);
                                view! {
                                <div class="page-head">
                                    <h1>"Day-2 tasks · " {name}</h1>
                                    <a href=format!("/clusters/{}", id())>"Back to the checklist"</a>
                                </div>
                                <p class="muted">
                                    "Due dates follow the last completion (or the cluster's registration). "
                                    <a href=format!("/api/v1/clusters/{}/calendar.ics", id())>"Calendar feed (iCal)"</a>
                                </p>
                                {done_title.map(|t| view! { <p class="notice" role="status">"Recorded: " {t}</p> })}
                                {error().map(|e| view! { <div class="form-error" role="alert">
                                    {failed_title.map(|t| format!("{t}: not recorded. "))} {e}</div> })}
                                <TaskTable tasks=tasks show_cluster=false can_complete={can_sign && !archived} upload=Some(upload)/>
                            }.into_any()},
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            }
        }</RequireUser>
    }
}

#[component]
pub fn FleetDay2Page() -> impl IntoView {
    let tasks = Resource::new(|| (), |_| all_tasks());
    view! {
        <Title text="Day-2 across clusters"/>
        <RequireUser let:_viewer>{view! {
            <div class="page-head"><h1>"Day-2 across clusters"</h1></div>
            <p class="muted">
                "Overdue first, then due, then upcoming. "
                <a href="/api/v1/calendar.ics">"Calendar feed (iCal)"</a>
            </p>
            <CalendarLink/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tasks.await {
                        Ok(tasks) => view! { <TaskTable tasks=tasks show_cluster=true can_complete=false upload=None/> }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        }}</RequireUser>
    }
}

#[component]
fn TaskTable(
    tasks: Vec<TaskView>,
    show_cluster: bool,
    can_complete: bool,
    upload: Option<UploadLimits>,
) -> impl IntoView {
    view! {
        <ul class="tasks">
            {tasks.into_iter().map(|t| view! { <TaskRow task=t show_cluster=show_cluster can_complete=can_complete upload/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn TaskRow(
    task: TaskView,
    show_cluster: bool,
    can_complete: bool,
    upload: Option<UploadLimits>,
) -> impl IntoView {
    let t = task;
    let due_text = match t.days_left {
        0 => format!("due {} (today)", t.due),
        n if n > 0 => format!("due {} (in {n} days)", t.due),
        n => format!("due {} ({} days ago)", t.due, -n),
    };
    let action = format!("/clusters/{}/tasks/{}/complete", t.cluster_id, t.id);
    let query = t.evidence_query.clone();
    view! {
        <li class="task" id=format!("task-{}", t.id) data-task=t.id.clone() data-state=t.state.as_str()>
            <div class="task-head">
                <span class=format!("badge state-{}", t.state.as_str()) data-testid="task-state">{t.state.label()}</span>
                <strong>{t.title.clone()}</strong>
                {show_cluster.then(|| view! { <a class="badge env" href=format!("/clusters/{}/day2", t.cluster_id)>{t.cluster_name.clone()}</a> })}
                <span class="muted">{t.cadence.as_str()} " · " <span data-testid="task-due">{due_text}</span>
                    {t.due_this_week.then_some(" · this week")}</span>
            </div>
            <LastDone last=t.last.clone()/>
            {upload.filter(|_| can_complete).map(|upload| view! {
                <details class="complete">
                    <summary>"Record completion"</summary>
                    <form method="post" action=action enctype="multipart/form-data" class="stack">
                        <label>"Outcome"
                            <select name="outcome">
                                <option value="ok">"OK"</option>
                                <option value="issues_found">"Issues found"</option>
                            </select>
                        </label>
                        <NoteField label="Note" name="note"/>
                        <label>"Done on (if not today)" <input type="date" name="done_on"/></label>
                        <label>"Evidence as of (optional)" <input type="date" name="evidence_as_of"/></label>
                        <EvidenceFiles limits=upload/>
                        {query.map(|q| view! {
                            <label class="check"><input type="checkbox" name="capture_query"/>
                                " Run this task's query on the cluster and attach the result (CSV)"</label>
                            <pre class="snippet lang-sql"><code>{q}</code></pre>
                        })}
                        <button type="submit" class="primary">"Record"</button>
                    </form>
                </details>
            })}
        </li>
    }
    .into_any()
}

#[component]
fn LastDone(last: Option<Completion>) -> impl IntoView {
    match last {
        None => view! { <p class="muted" data-testid="last-done">"Never done on this cluster."</p> }.into_any(),
        Some(c) => view! {
            <div class="last-done">
                <p data-testid="last-done">
                    "Last done " {match c.done_on {
                        Some(day) => day.to_string(),
                        None => c.at.minute_text(),
                    }} " by " <strong>{c.by.clone()}</strong>
                    " · " {c.outcome.label()}
                    {(!c.note.is_empty()).then(|| view! { " · " <span class="note">{c.note.clone()}</span> })}
                </p>
                {(!c.attachments.is_empty()).then(|| view! {
                    <ul class="files">
                        {c.attachments.iter().map(|a| view! {
                            <li><a href=format!("/api/v1/attachments/{}", a.sha256) download=a.name.clone()>{a.name.clone()}</a>
                                <span class="muted">" (" {a.size} " bytes)"</span></li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        }.into_any(),
    }
}

/// A private feed URL for calendar apps, which cannot log in.
#[component]
fn CalendarLink() -> impl IntoView {
    let create = ServerAction::<CreateCalendarLink>::new();
    view! {
        <div class="calendar-link">
            <ActionForm action=create>
                <button type="submit" class="link-button">"Create a private calendar link"</button>
                " (a new link replaces the old one)"
            </ActionForm>
            {move || match create.value().get() {
                Some(Ok(path)) => {
                    let url = leptos::prelude::window().location().origin().unwrap_or_default() + &path;
                    view! { <p class="notice" role="status">"Subscribe to " <code data-testid="calendar-url">{url}</code> ". It is shown only now: keep it secret."</p> }.into_any()
                }
                Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
    .into_any()
}
