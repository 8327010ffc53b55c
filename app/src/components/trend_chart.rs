//! Readiness over time as a server-rendered SVG line (readable without
//! JavaScript), with the same numbers as a table for screen readers and for
//! anyone who wants the figures.

use leptos::prelude::*;
use shipshape_domain::trend::TrendPoint;

const W: f64 = 640.0;
const H: f64 = 160.0;
const PAD_LEFT: f64 = 36.0;
const PAD_BOTTOM: f64 = 20.0;

fn x(i: usize, n: usize) -> f64 {
    let span = (n.max(2) - 1) as f64;
    PAD_LEFT + (W - PAD_LEFT - 8.0) * i as f64 / span
}

fn y(percent: u32) -> f64 {
    let plot = H - PAD_BOTTOM - 8.0;
    8.0 + plot * (100.0 - f64::from(percent.min(100))) / 100.0
}

/// Polyline runs, broken where a day has nothing applicable.
fn runs(points: &[TrendPoint]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match p.percent() {
            Some(v) => current.push(format!("{:.1},{:.1}", x(i, points.len()), y(v))),
            None if !current.is_empty() => out.push(std::mem::take(&mut current).join(" ")),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

fn summary(points: &[TrendPoint]) -> String {
    let label = |p: &TrendPoint| p.progress.percent_label();
    let first = points.iter().find(|p| p.percent().is_some());
    match (first, points.last()) {
        (Some(a), Some(b)) => format!(
            "Readiness {} on {}, {} on {}.",
            label(a),
            a.date,
            label(b),
            b.date
        ),
        _ => "No readiness history.".to_string(),
    }
}

#[component]
pub fn TrendChart(points: Vec<TrendPoint>, title: String) -> impl IntoView {
    let n = points.len();
    let text = summary(&points);
    let lines = runs(&points);
    let ticks = [0u32, 50, 100];
    let dates: Vec<(f64, &'static str, String)> = [
        (0, "start"),
        (n / 2, "middle"),
        (n.saturating_sub(1), "end"),
    ]
    .into_iter()
    .filter_map(|(i, anchor)| {
        points
            .get(i)
            .map(|p| (x(i, n), anchor, p.date.format("%b %-d").to_string()))
    })
    .collect();
    let rows = points.clone();
    let last = points
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, p)| p.percent().map(|v| (x(i, n), y(v))));
    view! {
        <figure class="trend" data-testid="trend">
            <figcaption><strong>{title.clone()}</strong> " " <span class="muted">{text.clone()}</span></figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("{title}: {text}") class="trend-chart">
                {ticks.into_iter().map(|t| view! {
                    <line x1=PAD_LEFT x2=W - 8.0 y1=y(t) y2=y(t) class="grid"/>
                    <text x=PAD_LEFT - 4.0 y=y(t) + 4.0 text-anchor="end" class="tick">{format!("{t}%")}</text>
                }).collect_view()}
                {dates.into_iter().map(|(px, anchor, label)| view! {
                    <text x=px y=H - 4.0 text-anchor=anchor class="tick">{label}</text>
                }).collect_view()}
                {lines.into_iter().map(|pts| view! { <polyline points=pts class="line"/> }).collect_view()}
                {last.map(|(cx, cy)| view! { <circle cx=cx cy=cy r="3.5" class="dot"/> })}
            </svg>
            <details class="trend-table">
                <summary>"The figures"</summary>
                <table class="table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Readiness"</th><th scope="col">"Done"</th><th scope="col">"Applicable"</th><th scope="col">"Waived"</th><th scope="col">"Expired"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().rev().map(|p| view! {
                            <tr>
                                <td>{p.date.to_string()}</td>
                                <td>{p.progress.percent_label()}</td>
                                <td>{p.progress.done}</td>
                                <td>{p.progress.applicable()}</td>
                                <td>{p.progress.waived}</td>
                                <td>{p.progress.expired}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
