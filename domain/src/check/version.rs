//! The Trino release table and the verdict on how far behind a cluster is.

use super::*;
use chrono::NaiveDate;

/// Trino releases and their dates (from trino-facts.md); ages are computed
/// from dates because the release pace varies.
pub const TRINO_RELEASES: &[(u32, &str)] = &[
    (436, "2024-01-11"),
    (451, "2024-06-27"),
    (460, "2024-10-03"),
    (468, "2024-12-17"),
    (470, "2025-02-05"),
    (476, "2025-06-05"),
    (478, "2025-10-29"),
    (479, "2025-12-14"),
    (481, "2026-05-11"),
    (482, "2026-06-25"),
    (483, "2026-07-17"),
];

/// The running version's release date against the newest known release:
/// fail when more than `max_age_days` older; warn when the version is not in
/// the table (its age is then estimated from the nearest older release).
pub fn judge_version(version: &str, max_age_days: i64) -> Verdict {
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let Some(n) = version
        .trim()
        .split(['-', '.'])
        .next()
        .and_then(|v| v.parse::<u32>().ok())
    else {
        return Verdict::new(
            CheckStatus::Error,
            format!("cannot read the version '{version}'"),
            version,
        );
    };
    let Some(&(newest, newest_date)) = TRINO_RELEASES.last() else {
        return Verdict::error("no release table");
    };
    let known = TRINO_RELEASES.iter().find(|(v, _)| *v == n);
    let base = known.or_else(|| TRINO_RELEASES.iter().rev().find(|(v, _)| *v <= n));
    let Some(&(_, released)) = base else {
        return Verdict::new(
            CheckStatus::Fail,
            format!(
                "Trino {n} is older than every release in the table (oldest {})",
                TRINO_RELEASES[0].0
            ),
            version,
        );
    };
    let (Some(r), Some(nd)) = (date(released), date(newest_date)) else {
        return Verdict::error("bad date in the release table");
    };
    let age = (nd - r).num_days();
    let observed = format!("Trino {n}, released {released}");
    if n > newest {
        return Verdict::new(
            CheckStatus::Pass,
            format!("newer than the newest known release ({newest})"),
            observed,
        );
    }
    if age > max_age_days {
        return Verdict::new(
            CheckStatus::Fail,
            format!("{age} days older than Trino {newest} ({newest_date}); limit {max_age_days}"),
            observed,
        );
    }
    if known.is_none() {
        return Verdict::new(
            CheckStatus::Warn,
            format!("not in the release table; about {age} days behind Trino {newest}"),
            observed,
        );
    }
    Verdict::new(
        CheckStatus::Pass,
        format!("{age} days behind Trino {newest}"),
        observed,
    )
}
