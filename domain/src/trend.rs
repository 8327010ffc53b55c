//! Readiness over time, replayed from the ledger.
//!
//! Each day's point is the readiness at the end of that day (UTC), computed
//! with the same rules as today's score ([`crate::standing::assess`]):
//! sign-offs, re-certification expiry, waivers and live-check verdict
//! changes as they stood then, so a signed-off item whose check failed for a
//! few days shows as regressed on those days. Several clusters are pooled: their done items over
//! their applicable items, each cluster counted from the day it was
//! registered.

use crate::ids::{ClusterId, ItemId};
use crate::ledger::EntryContent;
use crate::readiness::Progress;
use crate::runbook::Runbook;
use crate::standing::{assess, ItemRecord, Moment};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How far back the charts look.
pub const TREND_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub date: NaiveDate,
    pub progress: Progress,
}

impl TrendPoint {
    pub fn percent(&self) -> Option<u32> {
        self.progress.percent()
    }
}

/// A cluster the trend covers, and the day it was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendCluster {
    pub id: ClusterId,
    pub registered_on: NaiveDate,
}

/// The `TREND_DAYS` days ending with `last`, oldest first.
pub fn window(last: NaiveDate) -> (NaiveDate, NaiveDate) {
    (last - Duration::days(TREND_DAYS - 1), last)
}

/// Readiness at the end of every day from `first` to `last`. `rows` are the
/// clusters' sign-off, waiver and verdict-change rows in seq order (other
/// rows are ignored).
pub fn trend(
    runbook: &Runbook,
    clusters: &[TrendCluster],
    rows: &[EntryContent],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<TrendPoint> {
    let scored = scored_items(runbook);
    let mut records: HashMap<ClusterId, HashMap<ItemId, ItemRecord>> = HashMap::new();
    let empty = ItemRecord::default();
    let mut next = 0;
    let mut points = Vec::new();
    for (date, end) in days(first, last) {
        while let Some(row) = rows.get(next) {
            if row.at.instant() >= end {
                break;
            }
            if crate::item_state::resets_verdicts(row) {
                // The check target moved: no earlier verdict counts.
                for record in records.entry(row.cluster_id).or_default().values_mut() {
                    record.verdict = None;
                }
            } else {
                let items = records.entry(row.cluster_id).or_default();
                match items.get_mut(&row.item_id) {
                    Some(record) => record.apply(row),
                    None => {
                        let mut record = ItemRecord::default();
                        record.apply(row);
                        items.insert(row.item_id.clone(), record);
                    }
                }
            }
            next += 1;
        }
        let progress = day_point(&scored, clusters, date, end, |c, i| {
            records
                .get(&c)
                .and_then(|items| items.get(i))
                .unwrap_or(&empty)
        });
        points.push(TrendPoint { date, progress });
    }
    points
}

/// The items the score counts (not the recurring Day-2 tasks).
fn scored_items(runbook: &Runbook) -> Vec<&crate::runbook::Item> {
    runbook
        .items()
        .filter(|(_, i)| !i.is_recurring())
        .map(|(_, i)| i)
        .collect()
}

/// Every day from `first` to `last` with the instant it ends (UTC).
fn days(
    first: NaiveDate,
    last: NaiveDate,
) -> impl Iterator<Item = (NaiveDate, chrono::DateTime<chrono::Utc>)> {
    first
        .iter_days()
        .take_while(move |d| *d <= last)
        .map_while(|d| {
            let end = d.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc();
            Some((d, end))
        })
}

/// One cluster set's readiness at `end` (the end of `date`).
fn day_point<'a>(
    scored: &[&crate::runbook::Item],
    clusters: &[TrendCluster],
    date: NaiveDate,
    end: chrono::DateTime<chrono::Utc>,
    record: impl Fn(ClusterId, &str) -> &'a ItemRecord,
) -> Progress {
    let moment = Moment {
        now: end,
        today: date,
    };
    let mut progress = Progress::default();
    for c in clusters.iter().filter(|c| c.registered_on <= date) {
        for item in scored {
            let record = record(c.id, item.id.as_str());
            progress.record(&assess(
                record,
                item.valid_for_days,
                record.check_failing(),
                moment,
            ));
        }
    }
    progress
}

/// Readiness at the end of `date` from each item's record as it stands then
/// (the read model's current records give today's point).
pub fn point_on<'a>(
    runbook: &Runbook,
    clusters: &[TrendCluster],
    date: NaiveDate,
    record: impl Fn(ClusterId, &str) -> Option<&'a ItemRecord>,
) -> Option<TrendPoint> {
    let scored = scored_items(runbook);
    let (date, end) = days(date, date).next()?;
    let empty = ItemRecord::default();
    let progress = day_point(&scored, clusters, date, end, |c, i| {
        record(c, i).unwrap_or(&empty)
    });
    Some(TrendPoint { date, progress })
}

/// The same readiness as [`trend`], from the read model's daily states
/// instead of the ledger's rows: `initial` is each item's record as it
/// stood at the end of the day before `first`, `changes` each record as it
/// stood at the end of a day in the window on which it changed, by day.
/// Costs O(clusters × items × days + changes), whatever the ledger's length.
pub fn trend_from_states(
    runbook: &Runbook,
    clusters: &[TrendCluster],
    initial: HashMap<(ClusterId, ItemId), ItemRecord>,
    changes: &[(NaiveDate, ClusterId, ItemId, ItemRecord)],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<TrendPoint> {
    let scored = scored_items(runbook);
    let mut records: HashMap<ClusterId, HashMap<ItemId, ItemRecord>> = HashMap::new();
    for ((cluster, item), record) in initial {
        records.entry(cluster).or_default().insert(item, record);
    }
    let empty = ItemRecord::default();
    let mut next = 0;
    let mut points = Vec::new();
    for (date, end) in days(first, last) {
        while let Some((day, cluster, item, record)) = changes.get(next) {
            if *day > date {
                break;
            }
            records
                .entry(*cluster)
                .or_default()
                .insert(item.clone(), record.clone());
            next += 1;
        }
        let progress = day_point(&scored, clusters, date, end, |c, i| {
            records
                .get(&c)
                .and_then(|items| items.get(i))
                .unwrap_or(&empty)
        });
        points.push(TrendPoint { date, progress });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::parse_runbook;

    const RB: &str = r#"
id = "t"
title = "T"
[[section]]
id = "s"
title = "S"
[[section.item]]
id = "a"
title = "A"
kind = "checklist"
why = "w"
source = "s"
[[section.item]]
id = "b"
title = "B"
kind = "checklist"
valid_for_days = 2
why = "w"
source = "s"
[[section.item]]
id = "w"
title = "W"
kind = "day2"
cadence = "weekly"
why = "w"
source = "s"
"#;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn row(
        seq: i64,
        cluster: i64,
        at: &str,
        item: &str,
        action: &str,
        details: &str,
    ) -> EntryContent {
        EntryContent {
            seq: seq.into(),
            at: crate::time::Timestamp::parse(at).unwrap(),
            actor: if action == "waiver_approved" {
                "maya"
            } else {
                "sam"
            }
            .into(),
            cluster_id: cluster.into(),
            item_id: item.into(),
            action: action.into(),
            note: "n".into(),
            details: details.into(),
            prev_hash: String::new(),
        }
    }

    fn percents(points: &[TrendPoint]) -> Vec<Option<u32>> {
        points.iter().map(TrendPoint::percent).collect()
    }

    #[test]
    fn each_day_counts_what_was_signed_by_its_end_and_expiry_takes_items_away() {
        let rb = parse_runbook("t.toml", RB).unwrap();
        let clusters = [TrendCluster {
            id: ClusterId::new(1),
            registered_on: d("2026-11-01"),
        }];
        let rows = vec![
            row(1, 1, "2026-11-02T23:59:59.999999Z", "a", "done", ""),
            row(2, 1, "2026-11-03T00:00:00.000000Z", "b", "done", ""),
            row(3, 1, "2026-11-03T10:00:00.000000Z", "w", "done", ""),
        ];
        let points = trend(&rb, &clusters, &rows, d("2026-11-01"), d("2026-11-06"));
        assert_eq!(points.len(), 6);
        assert_eq!(points[0].date, d("2026-11-01"));
        // b is valid for 2 days: signed 3rd 00:00, expired from the 5th 00:00,
        // so the end of the 4th (= the 5th 00:00) no longer counts it.
        assert_eq!(
            percents(&points),
            vec![Some(0), Some(50), Some(100), Some(50), Some(50), Some(50)]
        );
        assert_eq!(points[4].progress.expired, 1);
        assert_eq!(points[2].progress.total, 2, "day-2 tasks are not scored");
    }

    #[test]
    fn waivers_count_from_approval_to_expiry_and_clusters_from_registration() {
        let rb = parse_runbook("t.toml", RB).unwrap();
        let clusters = [
            TrendCluster {
                id: ClusterId::new(1),
                registered_on: d("2026-11-01"),
            },
            TrendCluster {
                id: ClusterId::new(2),
                registered_on: d("2026-11-03"),
            },
        ];
        let req = r#"{"waiver":{"kind":"accepted_risk","expires_on":"2026-11-03"}}"#;
        let rows = vec![
            row(1, 1, "2026-11-01T08:00:00.000000Z", "a", "done", ""),
            row(
                2,
                1,
                "2026-11-01T09:00:00.000000Z",
                "b",
                "waiver_requested",
                req,
            ),
            row(
                3,
                1,
                "2026-11-02T09:00:00.000000Z",
                "b",
                "waiver_approved",
                r#"{"waiver_request_seq":2}"#,
            ),
        ];
        let points = trend(&rb, &clusters, &rows, d("2026-11-01"), d("2026-11-04"));
        let applicable: Vec<u32> = points.iter().map(|p| p.progress.applicable()).collect();
        // day 1: a done, b pending → 1/2; day 2: b waived → 1/1;
        // day 3: cluster 2 joins with 2 open items → 1/3; day 4: waiver over → 1/4
        assert_eq!(applicable, vec![2, 1, 3, 4]);
        assert_eq!(
            percents(&points),
            vec![Some(50), Some(100), Some(33), Some(25)]
        );
    }

    #[test]
    fn a_signed_item_whose_check_failed_shows_regressed_on_those_days() {
        let rb = parse_runbook("t.toml", RB).unwrap();
        let clusters = [TrendCluster {
            id: ClusterId::new(1),
            registered_on: d("2026-11-01"),
        }];
        let verdict = |from: &str, to: &str| {
            format!(
                r#"{{"from":"{from}","to":"{to}","since":"x","runs":2,"run_id":"r","observed":"","evidence_sha256":""}}"#
            )
        };
        let rows = vec![
            row(1, 1, "2026-11-01T08:00:00.000000Z", "a", "done", ""),
            row(2, 1, "2026-11-01T08:00:00.000000Z", "b", "done", ""),
            row(
                3,
                1,
                "2026-11-02T09:00:00.000000Z",
                "a",
                "check_verdict",
                &verdict("not_run", "pass"),
            ),
            // regressed on the 3rd, recovered on the 5th
            row(
                4,
                1,
                "2026-11-03T09:00:00.000000Z",
                "a",
                "check_verdict",
                &verdict("pass", "fail"),
            ),
            row(
                5,
                1,
                "2026-11-05T09:00:00.000000Z",
                "a",
                "check_verdict",
                &verdict("fail", "pass"),
            ),
            // an error is not drift
            row(
                6,
                1,
                "2026-11-05T10:00:00.000000Z",
                "b",
                "check_verdict",
                &verdict("not_run", "error"),
            ),
        ];
        let points = trend(&rb, &clusters, &rows, d("2026-11-01"), d("2026-11-05"));
        let regressed: Vec<u32> = points.iter().map(|p| p.progress.regressed).collect();
        // b is valid for 2 days, so it has expired by the 3rd.
        assert_eq!(regressed, vec![0, 0, 1, 1, 0]);
        assert_eq!(percents(&points)[..3], [Some(100), Some(100), Some(0)]);
    }

    #[test]
    fn a_new_check_target_clears_the_verdicts_of_the_old_one() {
        let rb = parse_runbook("t.toml", RB).unwrap();
        let clusters = [TrendCluster {
            id: ClusterId::new(1),
            registered_on: d("2026-11-01"),
        }];
        let verdict = r#"{"from":"pass","to":"fail","since":"x","runs":2,"run_id":"r","observed":"","evidence_sha256":""}"#;
        let rows = vec![
            row(1, 1, "2026-11-01T08:00:00.000000Z", "a", "done", ""),
            row(
                2,
                1,
                "2026-11-01T09:00:00.000000Z",
                "a",
                "check_verdict",
                verdict,
            ),
            row(
                3,
                1,
                "2026-11-02T09:00:00.000000Z",
                "_cluster",
                "cluster_changed",
                r#"{"changes":[{"field":"coordinator_url","before":"a","after":"b"}],"resets_verdicts":true}"#,
            ),
        ];
        let points = trend(&rb, &clusters, &rows, d("2026-11-01"), d("2026-11-02"));
        let regressed: Vec<u32> = points.iter().map(|p| p.progress.regressed).collect();
        assert_eq!(regressed, vec![1, 0]);
    }

    #[test]
    fn the_window_is_ninety_days_ending_today() {
        let (first, last) = window(d("2026-11-23"));
        assert_eq!(last, d("2026-11-23"));
        assert_eq!((last - first).num_days() + 1, TREND_DAYS);
        assert_eq!(first, d("2026-08-26"));
    }
}
