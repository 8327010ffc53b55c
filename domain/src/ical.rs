//! Day-2 due dates as an iCalendar feed (RFC 5545) that calendar apps
//! accept: one all-day event per task and cluster, CRLF line ends, text
//! escaped, lines folded at 75 octets, stable UIDs so a re-fetched feed
//! updates events instead of duplicating them.

use crate::day2::TaskView;
use chrono::{DateTime, Days, Utc};

/// Escapes TEXT values: backslash, semicolon, comma and newlines.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (on character boundaries), ending
/// every physical line with CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

pub fn calendar(tasks: &[TaskView], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shipshape//Day-2 tasks//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Shipshape Day-2 tasks",
    ] {
        push_line(&mut out, line);
    }
    for t in tasks {
        let end = t.due.checked_add_days(Days::new(1)).unwrap_or(t.due);
        let last = match &t.last {
            Some(c) => format!("Last done {} by {}.", &c.at[..c.at.len().min(10)], c.by),
            None => "Never done on this cluster.".into(),
        };
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(
            &mut out,
            &format!(
                "UID:{}-{}-{}@shipshape",
                t.cluster_id,
                t.id,
                t.due.format("%Y%m%d")
            ),
        );
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", t.due.format("%Y%m%d")),
        );
        push_line(
            &mut out,
            &format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")),
        );
        push_line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                escape(&format!("{}: {}", t.cluster_name, t.title))
            ),
        );
        push_line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                escape(&format!(
                    "{} task, {}. {last}",
                    t.cadence.as_str(),
                    t.state.as_str()
                ))
            ),
        );
        push_line(&mut out, "TRANSP:TRANSPARENT");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day2::TaskState;
    use crate::runbook::Cadence;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn events_are_all_day_escaped_and_folded() {
        let task = TaskView {
            cluster_id: 3,
            cluster_name: "prod, eu; main".into(),
            id: "weekly-failed-queries".into(),
            title: "Top failed queries ".repeat(6),
            cadence: Cadence::Weekly,
            due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            state: TaskState::Upcoming,
            days_left: 3,
            due_this_week: false,
            last: None,
            evidence_query: None,
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 28, 8, 0, 0).unwrap();
        let ics = calendar(&[task], now);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261231\r\n"));
        assert!(
            ics.contains("DTEND;VALUE=DATE:20270101\r\n"),
            "the next day, across the year end"
        );
        assert!(ics.contains("UID:3-weekly-failed-queries-20261231@shipshape\r\n"));
        assert!(ics.contains("SUMMARY:prod\\, eu\\; main: Top failed"));
        assert!(ics.contains("DTSTAMP:20261228T080000Z"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "folded: {line:?}");
            assert!(!line.contains('\n'));
        }
        assert!(ics.contains("\r\n "), "a long summary is folded");
    }
}
