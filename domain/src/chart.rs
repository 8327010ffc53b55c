//! Charts for gathered Day-2 evidence, drawn as plain SVG with text labels
//! (no script, no library): a line chart for a series over time, bars for
//! counts per group or per size bucket. They read the same in a page, the
//! printable report and an evidence bundle; each carries a `<title>` and a
//! `<desc>` naming its figures, and the page puts the same figures in a
//! table beside it.

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 32.0;
const BOTTOM: f64 = 40.0;

/// Text as it may stand in SVG (the markup escaping every page uses).
fn esc(text: &str) -> String {
    crate::markup::escape(text)
}

/// A number as a label: whole numbers plain, others with two decimals.
pub fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn open(title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"t d\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"t\">{}</title><desc id=\"d\">{}</desc>\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
         <text x=\"{LEFT}\" y=\"20\" font-weight=\"bold\" fill=\"#1f2933\">{}</text>",
        esc(title),
        esc(desc),
        esc(title)
    )
}

/// The value axis: the lowest and highest value, labelled.
fn axis(out: &mut String, low: f64, high: f64) {
    let bottom = HEIGHT - BOTTOM;
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{bottom}\" stroke=\"#52606d\"/>\
         <line x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" stroke=\"#52606d\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1f2933\">{}</text>\
         <text x=\"{}\" y=\"{bottom}\" text-anchor=\"end\" fill=\"#1f2933\">{}</text>",
        WIDTH - RIGHT,
        LEFT - 6.0,
        TOP + 4.0,
        esc(&figure(high)),
        LEFT - 6.0,
        esc(&figure(low)),
    );
}

/// A series over time: `points` are (label, value), oldest first; the
/// first and last labels are written under the axis.
pub fn line_chart(title: &str, unit: &str, points: &[(String, f64)]) -> String {
    let values: Vec<f64> = points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .collect();
    let high = values.iter().copied().fold(f64::MIN, f64::max);
    let low = values.iter().copied().fold(f64::MAX, f64::min).min(0.0);
    let desc = if values.is_empty() {
        format!("{title}: no samples")
    } else {
        format!(
            "{title}: {} samples from {} to {}, lowest {} {unit}, highest {} {unit}",
            points.len(),
            points.first().map_or("", |p| p.0.as_str()),
            points.last().map_or("", |p| p.0.as_str()),
            figure(values.iter().copied().fold(f64::MAX, f64::min)),
            figure(high)
        )
    };
    let mut out = open(title, &desc);
    if values.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{LEFT}\" y=\"{}\" fill=\"#52606d\">no samples</text></svg>",
            HEIGHT / 2.0
        );
        return out;
    }
    let span = (high - low).max(f64::EPSILON);
    axis(&mut out, low, high);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.1.is_finite())
        .map(|(i, p)| {
            let x = LEFT + step * i as f64;
            let y = TOP + plot_h * (1.0 - (p.1 - low) / span);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        out,
        "<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"{}\"/>",
        coords.join(" ")
    );
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let y = HEIGHT - BOTTOM + 16.0;
        let _ = write!(
            out,
            "<text x=\"{LEFT}\" y=\"{y}\" fill=\"#1f2933\">{}</text>\
             <text x=\"{}\" y=\"{y}\" text-anchor=\"end\" fill=\"#1f2933\">{}</text>",
            esc(&first.0),
            WIDTH - RIGHT,
            esc(&last.0)
        );
    }
    out.push_str("</svg>");
    out
}

/// Counts per group or per bucket, one labelled bar each (at most 24 are
/// drawn; the description says how many there were).
pub fn bar_chart(title: &str, bars: &[(String, f64)]) -> String {
    const MAX_BARS: usize = 24;
    let shown = &bars[..bars.len().min(MAX_BARS)];
    let high = shown
        .iter()
        .map(|b| b.1)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let desc = format!(
        "{title}: {}{}",
        shown
            .iter()
            .map(|(l, v)| format!("{l} {}", figure(*v)))
            .collect::<Vec<_>>()
            .join(", "),
        if bars.len() > MAX_BARS {
            format!(" (the first {MAX_BARS} of {})", bars.len())
        } else {
            String::new()
        }
    );
    let mut out = open(title, &desc);
    axis(&mut out, 0.0, high);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / shown.len().max(1) as f64;
    for (i, (label, v)) in shown.iter().enumerate() {
        let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
        let h = if high > 0.0 { plot_h * v / high } else { 0.0 };
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let y = TOP + plot_h - h;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#1f6feb\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1f2933\">{}</text>",
            slot * 0.7,
            x + slot * 0.35,
            HEIGHT - BOTTOM + 16.0,
            esc(label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_names_its_figures_and_escapes_its_text() {
        let svg = line_chart(
            "Peak <running> queries",
            "queries",
            &[
                ("2026-12-01".into(), 4.0),
                ("2026-12-02".into(), 12.5),
                ("2026-12-03".into(), 7.0),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"t\">Peak &lt;running&gt; queries</title>"));
        assert!(svg.contains(
            "3 samples from 2026-12-01 to 2026-12-03, lowest 4 queries, highest 12.50 queries"
        ));
        assert!(svg.contains("<polyline"));
        assert!(!svg.contains("<script"));
        assert!(line_chart("x", "", &[]).contains("no samples"));
    }

    #[test]
    fn bars_are_labelled_and_capped() {
        let bars: Vec<(String, f64)> = (0..30).map(|i| (format!("g{i}"), i as f64)).collect();
        let svg = bar_chart("Queries per group", &bars);
        assert_eq!(svg.matches("<rect x=").count(), 24);
        assert!(svg.contains("(the first 24 of 30)"));
        let svg = bar_chart(
            "Files",
            &[("< 32 MB".into(), 120.0), ("\"big\"".into(), 3.0)],
        );
        assert!(svg.contains("&lt; 32 MB") && svg.contains("&quot;big&quot;"));
        assert_eq!(figure(3.0), "3");
        assert_eq!(figure(0.126), "0.13");
    }
}
