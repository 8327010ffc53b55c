//! A readiness bar with its numbers.

use leptos::prelude::*;
use shipshape_domain::readiness::Progress;

#[component]
pub fn ProgressBar(progress: Progress, #[prop(optional)] label: Option<String>) -> impl IntoView {
    let width = progress.percent().unwrap_or(0);
    let complete = progress.is_complete() && progress.applicable() > 0;
    view! {
        <div class="progress" title=format!("{} done of {} applicable", progress.done, progress.applicable())>
            <div class="progress-track">
                <div class="progress-fill" class:complete=complete style=format!("width: {width}%")></div>
            </div>
            <span class="progress-text">
                {label.map(|l| format!("{l} "))}
                {progress.fraction_label()} " · " {progress.percent_label()}
            </span>
        </div>
    }
}
