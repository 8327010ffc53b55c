//! Day-2 schedule rules: when a recurring task is next due on a cluster, and
//! whether it is upcoming, due or overdue.
//!
//! The rule, in the configured time zone:
//! - The anchor is the last completion, or the cluster's registration when
//!   the task was never done. A late completion resets the schedule from the
//!   completion, not from the missed date. A completion may say on which day
//!   the work was done (recorded after the fact); that day is then the anchor.
//! - The next due date is the anchor's calendar date plus one week, one month
//!   or three months. Months keep the day of the month, clamped to the last
//!   day of a shorter month (Jan 31 + 1 month = Feb 28 or 29; Nov 30 + 1
//!   quarter = Feb 28 or 29).
//! - The task is **upcoming** before the due date, **due** from the start of
//!   the due date through a grace window (2 days weekly, 5 monthly, 14
//!   quarterly), and **overdue** after that.

use crate::ids::{ClusterId, Seq};
use crate::runbook::Cadence;
use crate::time::Timestamp;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Overdue,
    Due,
    Upcoming,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Overdue => "overdue",
            TaskState::Due => "due",
            TaskState::Upcoming => "upcoming",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TaskState::Overdue => "Overdue",
            TaskState::Due => "Due",
            TaskState::Upcoming => "Upcoming",
        }
    }
}

/// How long after its due date a task stays "due" before it is overdue.
pub fn grace_days(cadence: Cadence) -> u64 {
    match cadence {
        Cadence::Weekly => 2,
        Cadence::Monthly => 5,
        Cadence::Quarterly => 14,
    }
}

/// The next due date after an anchor date.
pub fn next_due_date(cadence: Cadence, anchor: NaiveDate) -> NaiveDate {
    let months = |n| anchor.checked_add_months(Months::new(n));
    match cadence {
        Cadence::Weekly => anchor.checked_add_days(Days::new(7)),
        Cadence::Monthly => months(1),
        Cadence::Quarterly => months(3),
    }
    .unwrap_or(NaiveDate::MAX)
}

/// A task's schedule on one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The local calendar date it is due.
    pub due: NaiveDate,
    /// When it becomes overdue (start of the day after the grace window), UTC.
    pub overdue_at: DateTime<Utc>,
    /// When it becomes due (start of the due date), UTC.
    pub due_at: DateTime<Utc>,
    pub state: TaskState,
    /// Whole days until the due date (negative once past it).
    pub days_left: i64,
}

/// The start of a local date in `tz`, as UTC (the earliest instant when a
/// DST change makes the start ambiguous or skips it).
fn start_of<Tz: TimeZone>(tz: &Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // A zone whose clocks skip midnight: an hour later exists.
        None => tz
            .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| midnight.and_utc()),
    }
}

/// The schedule of a task whose anchor (last completion, else the cluster's
/// registration) is `anchor`, seen at `now`, in time zone `tz`.
pub fn schedule<Tz: TimeZone>(
    cadence: Cadence,
    anchor: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Schedule {
    schedule_from_date(cadence, anchor.with_timezone(tz).date_naive(), now, tz)
}

/// [`schedule`] from an anchor that is already a local date (a completion
/// recorded with the day the work was done).
pub fn schedule_from_date<Tz: TimeZone>(
    cadence: Cadence,
    anchor_date: NaiveDate,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Schedule {
    let due = next_due_date(cadence, anchor_date);
    let due_at = start_of(tz, due);
    let overdue_date = due
        .checked_add_days(Days::new(grace_days(cadence)))
        .unwrap_or(NaiveDate::MAX);
    let overdue_at = start_of(tz, overdue_date);
    let today = now.with_timezone(tz).date_naive();
    let state = if now < due_at {
        TaskState::Upcoming
    } else if now < overdue_at {
        TaskState::Due
    } else {
        TaskState::Overdue
    };
    Schedule {
        due,
        overdue_at,
        due_at,
        state,
        days_left: (due - today).num_days(),
    }
}

/// Whether a due date falls in the ISO week of `today`.
pub fn due_this_week(due: NaiveDate, today: NaiveDate) -> bool {
    due.iso_week() == today.iso_week()
}

/// The outcome recorded with a completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    IssuesFound,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::IssuesFound => "issues_found",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "ok" => Some(Outcome::Ok),
            "issues_found" => Some(Outcome::IssuesFound),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "OK",
            Outcome::IssuesFound => "Issues found",
        }
    }
}

/// The ledger action of a Day-2 completion.
pub const COMPLETED: &str = crate::ledger_action::LedgerAction::Completed.as_str();

/// A recorded completion, as read back from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub seq: Seq,
    /// When it was recorded.
    pub at: Timestamp,
    /// The day the work was done, when it was recorded later.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    pub by: String,
    pub outcome: Outcome,
    pub note: String,
    pub attachments: Vec<crate::attachment::AttachmentMeta>,
}

/// What the ledger row's `details` of a completion hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionDetails {
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<NaiveDate>,
    #[serde(default)]
    pub attachments: Vec<AttachedFile>,
}

pub use crate::attachment::AttachedFile;

/// One Day-2 task on one cluster, with its schedule and last completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub cluster_id: ClusterId,
    pub cluster_name: String,
    pub id: String,
    pub title: String,
    pub cadence: Cadence,
    pub due: NaiveDate,
    pub state: TaskState,
    pub days_left: i64,
    pub due_this_week: bool,
    pub last: Option<Completion>,
    /// SQL whose result can be attached as evidence in one click.
    #[serde(default)]
    pub evidence_query: Option<String>,
}

/// The cluster a task list is for.
pub struct ClusterRef<'a> {
    pub id: ClusterId,
    pub name: &'a str,
    pub registered_at: DateTime<Utc>,
}

/// Every Day-2 task of the runbook on one cluster, most urgent first
/// (overdue, then due, then upcoming; earlier due dates first).
pub fn task_views<Tz: TimeZone>(
    runbook: &crate::runbook::Runbook,
    cluster: &ClusterRef<'_>,
    completions: &std::collections::HashMap<String, Completion>,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Vec<TaskView> {
    let today = now.with_timezone(tz).date_naive();
    let mut tasks: Vec<TaskView> = runbook
        .items()
        .filter_map(|(_, item)| item.cadence().map(|c| (item, c)))
        .map(|(item, cadence)| {
            let last = completions.get(&item.id).cloned();
            let anchor = last
                .as_ref()
                .map(|c| c.at.instant())
                .unwrap_or(cluster.registered_at);
            let s = match last.as_ref().and_then(|c| c.done_on) {
                Some(day) => schedule_from_date(cadence, day, now, tz),
                None => schedule(cadence, anchor, now, tz),
            };
            TaskView {
                cluster_id: cluster.id,
                cluster_name: cluster.name.to_string(),
                id: item.id.clone(),
                title: item.title.clone(),
                cadence,
                due: s.due,
                state: s.state,
                days_left: s.days_left,
                due_this_week: due_this_week(s.due, today),
                last,
                evidence_query: item.evidence_query.clone(),
            }
        })
        .collect();
    sort_by_urgency(&mut tasks);
    tasks
}

pub fn sort_by_urgency(tasks: &mut [TaskView]) {
    tasks.sort_by(|a, b| {
        (a.state, a.due, &a.cluster_name, &a.id).cmp(&(b.state, b.due, &b.cluster_name, &b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, 0, 0).unwrap()
    }

    #[test]
    fn cadences_across_month_quarter_and_year_ends() {
        use Cadence::*;
        assert_eq!(next_due_date(Weekly, d(2026, 12, 29)), d(2027, 1, 5));
        assert_eq!(next_due_date(Monthly, d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(next_due_date(Monthly, d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(next_due_date(Monthly, d(2026, 12, 15)), d(2027, 1, 15));
        assert_eq!(next_due_date(Quarterly, d(2026, 11, 30)), d(2027, 2, 28));
        assert_eq!(next_due_date(Quarterly, d(2026, 3, 31)), d(2026, 6, 30));
        assert_eq!(next_due_date(Quarterly, d(2026, 12, 31)), d(2027, 3, 31));
    }

    #[test]
    fn states_at_the_boundaries() {
        // Completed Monday 2026-11-16 10:00 UTC: due Monday 2026-11-23.
        let anchor = t(2026, 11, 16, 10);
        let s = |now| schedule(Cadence::Weekly, anchor, now, &Utc);
        assert_eq!(s(t(2026, 11, 22, 23)).state, TaskState::Upcoming);
        assert_eq!(s(t(2026, 11, 23, 0)).state, TaskState::Due);
        assert_eq!(s(t(2026, 11, 24, 23)).state, TaskState::Due);
        assert_eq!(s(t(2026, 11, 25, 0)).state, TaskState::Overdue);
        assert_eq!(s(t(2026, 11, 25, 0)).days_left, -2);
        assert_eq!(s(t(2026, 11, 20, 12)).days_left, 3);
    }

    #[test]
    fn a_late_completion_resets_from_the_completion() {
        // Due 2026-02-28 (from Jan 31), done late on 2026-03-10: next is
        // 2026-04-10, not 2026-03-28.
        let late = schedule(Cadence::Monthly, t(2026, 3, 10, 9), t(2026, 3, 10, 9), &Utc);
        assert_eq!(late.due, d(2026, 4, 10));
        assert_eq!(late.state, TaskState::Upcoming);
    }

    #[test]
    fn the_time_zone_decides_the_calendar_date() {
        // 23:30 UTC on Dec 31 is already Jan 1 in UTC+2.
        let plus_two = chrono::FixedOffset::east_opt(2 * 3600).unwrap();
        let anchor = t(2026, 12, 31, 23) + chrono::Duration::minutes(30);
        assert_eq!(
            schedule(Cadence::Weekly, anchor, anchor, &Utc).due,
            d(2027, 1, 7)
        );
        let s = schedule(Cadence::Weekly, anchor, anchor, &plus_two);
        assert_eq!(s.due, d(2027, 1, 8));
        // Due from local midnight: 22:00 UTC the day before.
        assert_eq!(s.due_at, t(2027, 1, 7, 22));
    }

    #[test]
    fn every_runbook_task_gets_a_schedule_from_registration_or_completion() {
        let runbook = crate::runbook::builtin_runbook().unwrap();
        let registered = t(2026, 10, 1, 12);
        let cluster = ClusterRef {
            id: ClusterId::new(1),
            name: "prod",
            registered_at: registered,
        };
        let mut done = std::collections::HashMap::new();
        done.insert(
            "weekly-failed-queries".to_string(),
            Completion {
                seq: Seq::new(7),
                at: "2026-11-20T09:00:00.000000Z".into(),
                done_on: None,
                by: "sre".into(),
                outcome: Outcome::Ok,
                note: String::new(),
                attachments: vec![],
            },
        );
        let now = t(2026, 11, 23, 12);
        let tasks = task_views(&runbook, &cluster, &done, now, &Utc);
        assert_eq!(tasks.len(), 9);
        let weekly = tasks
            .iter()
            .find(|t| t.id == "weekly-failed-queries")
            .unwrap();
        assert_eq!(
            (weekly.due, weekly.state),
            (d(2026, 11, 27), TaskState::Upcoming)
        );
        assert!(weekly.due_this_week);
        // Never done since registration on Oct 1: the other weekly tasks are overdue.
        let other = tasks
            .iter()
            .find(|t| t.id == "weekly-memory-heavy-queries")
            .unwrap();
        assert_eq!(
            (other.due, other.state),
            (d(2026, 10, 8), TaskState::Overdue)
        );
        assert_eq!(tasks[0].state, TaskState::Overdue);
        // Recorded today, done three weeks ago: the schedule follows the work.
        let mut late = done.clone();
        if let Some(c) = late.get_mut("weekly-failed-queries") {
            c.done_on = Some(d(2026, 11, 2));
        }
        let tasks = task_views(&runbook, &cluster, &late, now, &Utc);
        let weekly = tasks
            .iter()
            .find(|t| t.id == "weekly-failed-queries")
            .unwrap();
        assert_eq!(
            (weekly.due, weekly.state),
            (d(2026, 11, 9), TaskState::Overdue)
        );
        assert_eq!(tasks.last().unwrap().state, TaskState::Upcoming);
    }

    #[test]
    fn urgency_orders_overdue_first_and_weeks_are_iso() {
        let mut v = vec![TaskState::Upcoming, TaskState::Overdue, TaskState::Due];
        v.sort();
        assert_eq!(v, [TaskState::Overdue, TaskState::Due, TaskState::Upcoming]);
        assert!(due_this_week(d(2026, 11, 29), d(2026, 11, 23)));
        assert!(!due_this_week(d(2026, 11, 30), d(2026, 11, 29)));
        assert_eq!(Outcome::parse("issues_found"), Some(Outcome::IssuesFound));
        assert_eq!(Outcome::parse("meh"), None);
    }
}
