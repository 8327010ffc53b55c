//! Day-2 due dates as an iCalendar feed (RFC 5545) that calendar apps
//! accept: one all-day event per task and cluster, with a stable UID so a
//! re-fetched feed updates events instead of duplicating them. Written by
//! the `icalendar` crate, which escapes text and folds lines at 75 octets.

use chrono::{DateTime, Days, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};
use shipshape_domain::day2::TaskView;

/// Text as a calendar shows it: the crate escapes `\`, `;`, `,` and line
/// breaks; a carriage return on its own is dropped.
fn text(s: &str) -> String {
    s.replace('\r', "")
}

/// The feed; `Err` only if writing to memory failed.
pub fn calendar(tasks: &[TaskView], now: DateTime<Utc>) -> Result<String, std::fmt::Error> {
    let mut cal = Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//Shipshape//Day-2 tasks//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-CALNAME", "Shipshape Day-2 tasks"),
    ] {
        cal.append_property(Property::new(key, value));
    }
    for t in tasks {
        // All-day: DTEND is the next day (exclusive).
        let end = t.due.checked_add_days(Days::new(1)).unwrap_or(t.due);
        let last = match &t.last {
            Some(c) => format!("Last done {} by {}.", c.at.date_text(), c.by),
            None => "Never done on this cluster.".into(),
        };
        let event = Event::new()
            .uid(&format!(
                "{}-{}-{}@shipshape",
                t.cluster_id,
                t.id,
                t.due.format("%Y%m%d")
            ))
            .timestamp(now)
            .starts(t.due)
            .ends(end)
            .summary(&text(&format!("{}: {}", t.cluster_name, t.title)))
            .description(&text(&format!(
                "{} task, {}. {last}",
                t.cadence.as_str(),
                t.state.as_str()
            )))
            .add_property("TRANSP", "TRANSPARENT")
            .done();
        cal.push(event);
    }
    (&cal.done()).try_into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use shipshape_domain::day2::TaskState;
    use shipshape_domain::runbook::Cadence;

    fn task(name: &str, title: &str) -> TaskView {
        TaskView {
            cluster_id: shipshape_domain::ids::ClusterId::new(3),
            cluster_name: name.into(),
            id: "weekly-failed-queries".into(),
            title: title.into(),
            cadence: Cadence::Weekly,
            due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            state: TaskState::Upcoming,
            days_left: 3,
            due_this_week: false,
            last: None,
            evidence_query: None,
        }
    }

    #[test]
    fn events_are_all_day_escaped_and_folded() {
        let now = Utc.with_ymd_and_hms(2026, 12, 28, 8, 0, 0).unwrap();
        let long = "Top failed queries ".repeat(6);
        let ics = calendar(&[task("prod, eu; main", &long)], now).unwrap();
        assert!(
            ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{ics}"
        );
        assert!(ics.contains("PRODID:-//Shipshape//Day-2 tasks//EN\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261231\r\n"), "{ics}");
        assert!(
            ics.contains("DTEND;VALUE=DATE:20270101\r\n"),
            "the next day, across the year end: {ics}"
        );
        assert!(ics.contains("UID:3-weekly-failed-queries-20261231@shipshape\r\n"));
        assert!(
            ics.contains("SUMMARY:prod\\, eu\\; main: Top failed"),
            "{ics}"
        );
        assert!(ics.contains("DTSTAMP:20261228T080000Z"), "{ics}");
        assert!(ics.contains("TRANSP:TRANSPARENT\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "folded: {line:?}");
            assert!(!line.contains('\n'));
        }
        assert!(ics.contains("\r\n "), "a long summary is folded");
    }

    #[test]
    fn line_breaks_and_backslashes_in_names_stay_on_one_line() {
        let now = Utc.with_ymd_and_hms(2026, 12, 28, 8, 0, 0).unwrap();
        let ics = calendar(&[task("a\\b", "two\r\nlines")], now).unwrap();
        assert!(ics.contains("SUMMARY:a\\\\b: two\\nlines\r\n"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
        assert!(ics.contains("END:VEVENT\r\n"));
    }

    #[test]
    fn an_empty_feed_is_still_a_calendar() {
        let now = Utc.with_ymd_and_hms(2026, 12, 28, 8, 0, 0).unwrap();
        let ics = calendar(&[], now).unwrap();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.contains("VEVENT"));
    }
}
