//! Form pieces: a field's validation message, a page-level error banner, a
//! note with its length counter, and an evidence-file picker that checks
//! sizes before anything is sent.

use leptos::prelude::*;
use shipshape_domain::attachment::UploadLimits;
use shipshape_domain::text_limit::{counter_label, NOTE_MAX_CHARS};

#[component]
pub fn FieldError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
    }
}

/// A page-level error banner for any failed action.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <div class="form-error" role="alert">{m}</div> })
    }
}

/// A labelled textarea for a note or reason, limited to the one note limit
/// (the API refuses the same), with a live "12 / 4000" counter.
#[component]
pub fn NoteField(
    /// The visible label.
    label: &'static str,
    name: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] id: Option<String>,
    /// The text already there (editing).
    #[prop(optional, into)]
    initial: String,
    #[prop(optional)] rows: Option<u32>,
) -> impl IntoView {
    let text = RwSignal::new(initial.clone());
    view! {
        <div class="note-field">
        <label>{label}
            <textarea name=name rows=rows.unwrap_or(2).to_string() maxlength=NOTE_MAX_CHARS.to_string() placeholder=placeholder
                required=required id=id
                on:input=move |ev| text.set(event_target_value(&ev))>{initial}</textarea>
        </label>
        <span class="counter muted">{move || counter_label(&text.read())}</span>
        </div>
    }
}

/// The evidence-file input: says the limits, and refuses too many or too
/// large files as soon as they are picked (the form cannot be sent until
/// they are changed), so an oversized upload never starts.
#[component]
pub fn EvidenceFiles(limits: UploadLimits, #[prop(optional)] required: bool) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let check = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let mut picked = Vec::new();
        if let Some(list) = input.files() {
            for i in 0..list.length() {
                if let Some(f) = list.item(i) {
                    picked.push((f.name(), f.size() as u64));
                }
            }
        }
        let refusal = limits.refusal(&picked);
        input.set_custom_validity(refusal.as_deref().unwrap_or(""));
        problem.set(refusal);
    };
    view! {
        <label>"Evidence files"
            <input type="file" name="files" multiple required=required on:change=check/>
            <span class="muted upload-limit" data-testid="upload-limit">{limits.describe()}</span>
        </label>
        {move || problem.get().map(|m| view! { <p class="field-error" role="alert" data-testid="upload-refusal">{m}</p> })}
    }
}
