//! Runbook prose with `inline code` spans shown as code.

use leptos::prelude::*;

/// Renders text, turning each `backticked` span into `<code>`.
#[component]
pub fn RichText(#[prop(into)] text: String) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}
